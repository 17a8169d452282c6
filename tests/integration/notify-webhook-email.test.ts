/**
 * The webhook and e-mail channels end to end through the API: a signed webhook retried with
 * backoff on the fake clock and logged per attempt; a hung webhook that does not delay an order;
 * e-mail through a real SMTP server (smtp-server) with a login, and a wrong password shown as the
 * channel failing; bad bodies refused naming the field; another user's channel is not found. The
 * webhook's URL is a Slack-like one with its token in the path and a signature in the query: it
 * is sealed, shown as its scheme and host, replaced through `secret`, and named in no error.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook/webhook-receiver';
import { startApiHarness, type ApiHarness } from '../support/api-harness';
import { untilReal } from '../support/wait';

const SIGNING_SECRET = 'whsec-TRADECLOCK-9f8e7d6c5b4a3210';
const SMTP_PASSWORD = 'smtp-PASS-tradeclock-0xC0FFEE';
/** Where an incoming-webhook URL carries its credential (Slack, Discord: the path; Teams/Power Automate: `sig=`). */
const TOKEN_PATH = '/services/T0ACCT/B0HOOK/hookTOKENinThePath0xA11?sig=hookSIGinTheQuery0xB22';

let h: ApiHarness;
let hook: WebhookReceiver | undefined;
let smtp: SMTPServer | undefined;
afterEach(async () => {
  await h?.close();
  await hook?.close();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  hook = undefined;
  smtp = undefined;
});

async function webhookChannel(token: string, topics?: string[]) {
  hook = await startWebhookReceiver(SIGNING_SECRET);
  const res = await h.call('POST', '/notify/channels', {
    token,
    body: { kind: 'webhook', label: 'My server', ...(topics ? { topics } : {}), config: {}, secret: { url: hook.url.replace('/hooks/tradeclock', TOKEN_PATH), signing_secret: SIGNING_SECRET } },
  });
  expect(res.status).toBe(201);
  expect(res.body).toMatchObject({ config: {}, secret_masked: { url: `http://${new URL(hook.url).host}/…`, signing_secret: 'wh…10' } });
  return res.body.id as number;
}

describe('webhook channel', () => {
  it('posts a signed JSON notification, retries a 503 after 5 s on the clock, and logs each attempt', async () => {
    h = await startApiHarness();
    const { token } = await h.register();
    const channelId = await webhookChannel(token);
    hook!.answer(503);
    const account = await h.connectPaper(token);
    const strategy = (await h.createStrategy(token, account)).body.id as number;
    await h.call('POST', '/strategy/start', { token, body: { strategy_id: strategy } });
    await h.advanceTo('2026-03-09T13:05:00Z');
    await untilReal(() => hook!.received.length === 1, 'the first attempt');
    await h.notify.idle();
    let log = (await h.call('GET', `/notify/channels/${channelId}/deliveries`, { token })).body.deliveries;
    expect(log[0]).toMatchObject({ title: 'Bought 10 AAPL', state: 'pending', attempts: 1, last_error: 'the webhook answered HTTP 503', next_attempt_at: Date.parse('2026-03-09T13:05:05Z') });

    await h.advanceTo('2026-03-09T13:05:05Z');
    await untilReal(() => hook!.received.length === 2, 'the retry');
    await h.notify.idle();
    const [first, second] = hook!.received;
    expect(second!.path).toBe(TOKEN_PATH);
    expect(second!.signed).toBe(true);
    expect(second!.delivery).toBe(first!.delivery);
    expect(second!.timestamp).toBe(String(Date.parse('2026-03-09T13:05:05Z')));
    expect(second!.json).toEqual({ id: Number(first!.delivery), topic: 'fills', event: 'order_filled', title: 'Bought 10 AAPL', body: 'Filled at 100.', urgency: 'normal', strategy_id: strategy, at: Date.parse('2026-03-09T13:05:00Z') });
    log = (await h.call('GET', `/notify/channels/${channelId}/deliveries`, { token })).body.deliveries;
    expect(log[0]).toMatchObject({ state: 'sent', attempts: 2, last_error: 'the webhook answered HTTP 503' });
    expect((await h.call('GET', '/notify/channels', { token })).body.channels[0]).toMatchObject({ status: 'ok', failure_streak: 0, last_error: null });
  });

  it('takes only the topics the channel chose, and a 4xx ends a delivery at once', async () => {
    h = await startApiHarness();
    const { token } = await h.register();
    const channelId = await webhookChannel(token, ['errors']);
    const account = await h.connectPaper(token);
    const strategy = (await h.createStrategy(token, account)).body.id as number;
    await h.call('POST', '/strategy/start', { token, body: { strategy_id: strategy } });
    await h.advanceTo('2026-03-09T13:05:00Z');
    await h.notify.idle();
    expect(hook!.received).toEqual([]);
    hook!.answer(410);
    const test = await h.call('POST', `/notify/channels/${channelId}/test`, { token });
    expect(test.body).toEqual({ delivered: false, error: 'the webhook answered HTTP 410' });
  });

  it('an edit of the topics (PATCH, as Settings sends it) changes what is delivered from then on', async () => {
    h = await startApiHarness();
    const { token } = await h.register();
    const channelId = await webhookChannel(token, ['fills']);
    const account = await h.connectPaper(token);
    const strategy = (await h.createStrategy(token, account)).body.id as number;
    await h.call('POST', '/strategy/start', { token, body: { strategy_id: strategy } });
    await h.advanceTo('2026-03-09T13:05:00Z');
    await untilReal(() => hook!.received.length === 1, 'the BUY fill');
    await h.notify.idle();
    const patched = await h.call('PATCH', `/notify/channels/${channelId}`, { token, body: { label: 'Errors only', topics: ['errors'] } });
    expect(patched.body).toMatchObject({ label: 'Errors only', topics: ['errors'] });
    await h.advanceTo('2026-03-09T13:10:00Z');
    await h.notify.idle();
    // The SELL filled: a fill the channel would have taken before the edit.
    const orders = (await h.call('GET', `/strategy/${strategy}/orders`, { token })).body.orders as { leg: string; status: string }[];
    expect(orders.filter((o) => o.status === 'filled').map((o) => o.leg)).toEqual(['BUY', 'SELL']);
    expect(hook!.received.map((r) => (r.json as { title: string }).title)).toEqual(['Bought 10 AAPL']);
    const log = (await h.call('GET', `/notify/channels/${channelId}/deliveries`, { token })).body.deliveries;
    expect(log).toHaveLength(1);
    const bad = await h.call('PATCH', `/notify/channels/${channelId}`, { token, body: { label: ' ', topics: ['fills', 'gossip'] } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('label is required');
    expect((await h.call('GET', '/notify/channels', { token })).body.channels[0]).toMatchObject({ label: 'Errors only', topics: ['errors'] });
  });

  it('replaces the URL through `secret`; a receiver gone is named by its host only, in the answer, the channel and the log', async () => {
    h = await startApiHarness();
    const { token } = await h.register();
    const channelId = await webhookChannel(token);
    const gone = hook!;
    hook = await startWebhookReceiver(SIGNING_SECRET);
    const moved = hook.url.replace('/hooks/tradeclock', '/moved/hookTOKENmoved0xC33');
    const patched = await h.call('PATCH', `/notify/channels/${channelId}`, { token, body: { secret: { url: moved, signing_secret: SIGNING_SECRET } } });
    expect(patched.body).toMatchObject({ config: {}, secret_masked: { url: `http://${new URL(moved).host}/…` } });
    expect((await h.call('POST', `/notify/channels/${channelId}/test`, { token })).body).toEqual({ delivered: true, error: null });
    expect(hook.received.map((r) => r.path)).toEqual(['/moved/hookTOKENmoved0xC33']);
    expect(gone.received).toEqual([]);

    const goneUrl = gone.url.replace('/hooks/tradeclock', TOKEN_PATH);
    await gone.close();
    await h.call('PATCH', `/notify/channels/${channelId}`, { token, body: { secret: { url: goneUrl, signing_secret: SIGNING_SECRET } } });
    const failed = await h.call('POST', `/notify/channels/${channelId}/test`, { token });
    expect(failed.body).toEqual({ delivered: false, error: `could not reach ${new URL(goneUrl).host}` });
    const shown = JSON.stringify([failed.body, (await h.call('GET', '/notify/channels', { token })).body, (await h.call('GET', `/notify/channels/${channelId}/deliveries`, { token })).body]);
    for (const part of ['hookTOKENinThePath', 'hookSIGinTheQuery', 'hookTOKENmoved']) expect(shown).not.toContain(part);
  });

  it('a webhook that never answers delays no order: the BUY fills on the second while the delivery hangs', async () => {
    h = await startApiHarness({ delivery: { timeoutMs: 15_000 } });
    const { token } = await h.register();
    const channelId = await webhookChannel(token);
    hook!.answer('hang', 'hang', 'hang');
    const account = await h.connectPaper(token);
    const a = (await h.createStrategy(token, account)).body.id as number;
    const b = (await h.createStrategy(token, account, { symbol: 'MSFT', buy_time: '09:05:01' })).body.id as number;
    for (const id of [a, b]) await h.call('POST', '/strategy/start', { token, body: { strategy_id: id } });
    await h.advanceTo('2026-03-09T13:05:00Z');
    await untilReal(() => hook!.received.length === 1, 'the first notification, hung');
    await h.advanceTo('2026-03-09T13:05:01Z');
    const orders = (await h.call('GET', `/strategy/${b}/orders`, { token })).body.orders;
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ leg: 'BUY', status: 'filled', scheduled_at: Date.parse('2026-03-09T13:05:01Z'), dispatched_at: Date.parse('2026-03-09T13:05:01Z') });
    const log = (await h.call('GET', `/notify/channels/${channelId}/deliveries`, { token })).body.deliveries;
    expect(log.at(-1)).toMatchObject({ title: 'Bought 10 AAPL', state: 'sending' });
    // The attempt is cut at its timeout and the channel's next delivery goes out.
    await h.advanceTo('2026-03-09T13:05:15Z');
    await untilReal(() => hook!.received.length === 2, 'the next delivery after the timeout');
    expect(h.repos.notifyChannels.getInternal(channelId)).toMatchObject({ failureStreak: 1, lastError: 'no answer within 15 s' });
  });
});

async function startSmtp(): Promise<{ port: number; mails: string[] }> {
  const mails: string[] = [];
  smtp = new SMTPServer({
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, done) {
      if (auth.username === 'trader' && auth.password === SMTP_PASSWORD) return done(null, { user: 'trader' });
      return done(new Error('Invalid username or password'));
    },
    onData(stream, _session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push(Buffer.concat(chunks).toString('utf8'));
        done();
      });
    },
  });
  await new Promise<void>((resolve) => smtp!.listen(0, '127.0.0.1', resolve));
  return { port: (smtp.server.address() as AddressInfo).port, mails };
}

describe('e-mail channel', () => {
  it('sends through an SMTP server with a login; a wrong password is a failing channel, the password in no answer', async () => {
    const { port, mails } = await startSmtp();
    h = await startApiHarness({ logLevel: 'trace' });
    const { token } = await h.register();
    const config = { host: '127.0.0.1', port, security: 'none', username: 'trader', from: 'tradeclock@example.com', to: ['me@example.com'] };
    const created = await h.call('POST', '/notify/channels', { token, body: { kind: 'email', label: 'Mail', config, secret: { password: SMTP_PASSWORD } } });
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    expect((await h.call('POST', `/notify/channels/${id}/test`, { token })).body).toEqual({ delivered: true, error: null });
    expect(mails).toHaveLength(1);
    expect(mails[0]).toContain('Subject: Tradeclock: Test from Tradeclock');
    expect(mails[0]).toContain('To: me@example.com');

    expect((await h.call('PATCH', `/notify/channels/${id}`, { token, body: { secret: { password: 'not-the-password' } } })).status).toBe(200);
    for (let i = 0; i < 3; i++) {
      expect((await h.call('POST', `/notify/channels/${id}/test`, { token })).body).toEqual({ delivered: false, error: 'the SMTP server refused the login (user name or password)' });
    }
    expect((await h.call('GET', '/notify/channels', { token })).body.channels[0]).toMatchObject({ status: 'failing', failure_streak: 3, secret_masked: { password: 'no…rd' } });
    for (const text of [...h.received, ...h.logLines]) {
      expect(text).not.toContain(SMTP_PASSWORD);
      expect(text).not.toContain('not-the-password');
    }
  });

  it('refuses a password in the clear to a host that is not this machine, naming the field', async () => {
    h = await startApiHarness();
    const { token } = await h.register();
    const res = await h.call('POST', '/notify/channels', {
      token,
      body: { kind: 'email', label: 'Mail', config: { host: 'smtp.example.com', port: 25, security: 'none', username: 'trader', from: 'a@example.com', to: ['b@example.com'] }, secret: { password: 'x' } },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toEqual([{ field: 'config.security', message: expect.stringContaining('in the clear') }]);
  });
});

describe('the channels API', () => {
  it('refuses bad bodies naming each field, and hides another user\'s channel', async () => {
    h = await startApiHarness();
    const { token } = await h.register();
    const bad = await h.call('POST', '/notify/channels', { token, body: { kind: 'pager', label: '', config: {}, secret: {} } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: { field: string }) => f.field).sort()).toEqual(['kind', 'label']);
    const telegram = await h.call('POST', '/notify/channels', { token, body: { kind: 'telegram', label: 'T', topics: ['fills', 'gossip'], config: { chat_ids: [] }, secret: { bot_token: 'nope' } } });
    expect(telegram.body.error.fields.map((f: { field: string }) => f.field).sort()).toEqual(['config.chat_ids', 'secret.bot_token', 'topics.1']);
    const deeper = await h.call('POST', '/notify/channels', { token, body: { kind: 'telegram', label: 'T', config: { chat_ids: [] }, secret: { bot_token: 'nope' } } });
    expect(deeper.body.error.fields.map((f: { field: string }) => f.field).sort()).toEqual(['config.chat_ids', 'secret.bot_token']);
    const webhook = await h.call('POST', '/notify/channels', { token, body: { kind: 'webhook', label: 'W', config: {}, secret: { url: 'ftp://x', signing_secret: 'short' } } });
    expect(webhook.body.error.fields.map((f: { field: string }) => f.field).sort()).toEqual(['secret.signing_secret', 'secret.url']);
    // The earlier build's body: the URL in the plain settings is refused, saying where it goes now.
    const plainUrl = await h.call('POST', '/notify/channels', { token, body: { kind: 'webhook', label: 'W', config: { url: 'https://hooks.slack.com/services/T0/B0/x' }, secret: { signing_secret: SIGNING_SECRET } } });
    expect(plainUrl.body.error.fields).toEqual([
      { field: 'config.url', message: 'url is a secret now: send it as secret.url' },
      { field: 'secret.url', message: expect.any(String) },
    ]);

    const mine = await webhookChannel(token);
    const other = await h.register();
    expect((await h.call('GET', '/notify/channels', { token: other.token })).body).toEqual({ channels: [] });
    for (const [method, path] of [['PATCH', `/notify/channels/${mine}`], ['DELETE', `/notify/channels/${mine}`], ['POST', `/notify/channels/${mine}/test`], ['GET', `/notify/channels/${mine}/deliveries`]] as const) {
      const res = await h.call(method, path, { token: other.token, ...(method === 'PATCH' ? { body: { label: 'x' } } : {}) });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    expect((await h.call('DELETE', `/notify/channels/${mine}`, { token })).status).toBe(204);
    expect((await h.call('GET', '/notify/channels', { token })).body).toEqual({ channels: [] });
  });
});
