/**
 * Web Push end to end through the API, against a loopback push service that checks what RFC 8030,
 * 8291 and 8292 ask of a push message (tests/fakes/web-push/push-service.ts) and decrypts it as
 * the browser would: a fill reaches the subscribed device; a 410 removes the subscription; a 429's
 * Retry-After is obeyed; a 500 is retried with backoff and the channel shown failing; a bad
 * subscription is refused naming the field; unpairing a device (or its signing out) ends the
 * subscription it made, not the desktop's; the VAPID private key and the auth secret appear in no
 * database file, log line or API answer.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startPushService, type BrowserSubscription, type FakePushService } from '../fakes/web-push/push-service';
import { PASSWORD, startApiHarness, type ApiHarness, type ApiHarnessOptions } from '../support/api-harness';
import { untilReal } from '../support/wait';

let h: ApiHarness | undefined;
let push: FakePushService | undefined;
let dir: string | undefined;
afterEach(async () => {
  await h?.close();
  await push?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  h = push = dir = undefined;
});

async function setUp(opts: ApiHarnessOptions = {}) {
  h = await startApiHarness({ loopbackPush: true, ...opts });
  push = await startPushService();
  const user = await h.register();
  const key = (await h.call('GET', '/notify/push/key', { token: user.token })).body.public_key as string;
  return { ...user, key };
}

async function subscribe(token: string, sub: BrowserSubscription, extra: Record<string, unknown> = {}) {
  const res = await h!.call('POST', '/notify/push/subscriptions', { token, body: { endpoint: sub.endpoint, keys: sub.keys, ...extra } });
  expect(res.status).toBe(201);
  return res.body as { id: number; kind: string; label: string; status: string; config: Record<string, unknown>; secret_masked: Record<string, string> };
}

/** A strategy that BUYs at 09:05 New York (13:05Z), started. */
async function startStrategy(token: string) {
  const account = await h!.connectPaper(token);
  const strategy = (await h!.createStrategy(token, account)).body.id as number;
  await h!.call('POST', '/strategy/start', { token, body: { strategy_id: strategy } });
  return strategy;
}

const deliveries = async (token: string, id: number) => (await h!.call('GET', `/notify/channels/${id}/deliveries`, { token })).body.deliveries;

describe('Web Push', () => {
  it('delivers a fill to the subscribed device: VAPID-signed for the endpoint, TTL and Urgency set, encrypted to the browser', async () => {
    const { token, key } = await setUp();
    expect(Buffer.from(key, 'base64url')).toHaveLength(65);
    // One key per install: asked again, the same.
    expect((await h!.call('GET', '/notify/push/key', { token })).body).toEqual({ public_key: key });
    const sub = push!.subscribe(key);
    const channel = await subscribe(token, sub);
    expect(channel).toMatchObject({ kind: 'web_push', label: 'This device', status: 'untested', config: { endpoint: sub.endpoint, p256dh: sub.keys.p256dh } });
    const strategy = await startStrategy(token);
    await h!.advanceTo('2026-03-09T13:05:00Z');
    await untilReal(() => push!.received.length === 1, 'the push message');
    const [got] = push!.received;
    expect(got!.problem).toBeNull();
    expect(got!.headers).toMatchObject({ ttl: '43200', urgency: 'normal', 'content-encoding': 'aes128gcm', authorization: expect.stringMatching(new RegExp(`^vapid t=[\\w-]+\\.[\\w-]+\\.[\\w-]+, k=${key}$`)) });
    const now = Math.floor(Date.now() / 1000);
    expect(got!.claims!.aud).toBe(push!.origin);
    expect(got!.claims!.exp).toBeGreaterThan(now);
    expect(got!.claims!.exp).toBeLessThanOrEqual(now + 24 * 3600);
    expect(got!.claims!.sub).toMatch(/^mailto:/);
    expect(got!.json).toMatchObject({ title: 'Bought 10 AAPL', body: 'Filled at 100.', urgency: 'normal', topic: 'fills', event: 'order_filled', strategy_id: strategy, at: Date.parse('2026-03-09T13:05:00Z') });
    await h!.notify.idle();
    expect((await deliveries(token, channel.id))[0]).toMatchObject({ title: 'Bought 10 AAPL', state: 'sent', attempts: 1 });
    // Send test goes the same way.
    expect((await h!.call('POST', `/notify/channels/${channel.id}/test`, { token })).body).toEqual({ delivered: true, error: null });
    expect(push!.received[1]!.json).toMatchObject({ title: 'Test from Tradeclock', topic: 'test' });
  });

  it('removes the subscription when the push service answers 410 Gone, with its queued deliveries', async () => {
    const { token, key } = await setUp();
    const sub = push!.subscribe(key);
    const channel = await subscribe(token, sub);
    push!.unsubscribe(sub.endpoint);
    await startStrategy(token);
    await h!.advanceTo('2026-03-09T13:05:00Z');
    await untilReal(() => push!.received.length === 1, 'the push message');
    await h!.notify.idle();
    expect(push!.received[0]!.problem).toBe('no such subscription');
    expect((await h!.call('GET', '/notify/channels', { token })).body.channels).toEqual([]);
    expect((await h!.call('GET', `/notify/channels/${channel.id}/deliveries`, { token })).status).toBe(404);
    expect(h!.logLines.some((l) => l.includes('notification channel removed: its destination is gone'))).toBe(true);
  });

  it("waits as long as a 429's Retry-After asks before sending again", async () => {
    const { token, key } = await setUp();
    const channel = await subscribe(token, push!.subscribe(key));
    push!.answer({ status: 429, headers: { 'retry-after': '120' } });
    await startStrategy(token);
    await h!.advanceTo('2026-03-09T13:05:00Z');
    await untilReal(() => push!.received.length === 1, 'the first attempt');
    await h!.notify.idle();
    expect((await deliveries(token, channel.id))[0]).toMatchObject({ state: 'pending', attempts: 1, next_attempt_at: Date.parse('2026-03-09T13:07:00Z'), last_error: expect.stringMatching(/answered HTTP 429$/) });
    // The backoff alone would have tried again after 5 s.
    await h!.advanceTo('2026-03-09T13:06:59Z');
    await h!.notify.idle();
    expect(push!.received).toHaveLength(1);
    await h!.advanceTo('2026-03-09T13:07:00Z');
    await untilReal(() => push!.received.length === 2, 'the retry');
    await h!.notify.idle();
    expect((await deliveries(token, channel.id))[0]).toMatchObject({ state: 'sent', attempts: 2 });
  });

  it('retries a 500 with backoff (5 s, 10 s, 20 s), shows the channel failing after 3 in a row, and ok again once one passes', async () => {
    const { token, key } = await setUp();
    const channel = await subscribe(token, push!.subscribe(key));
    push!.answer(500, 500, 500);
    await startStrategy(token);
    const at = Date.parse('2026-03-09T13:05:00Z');
    await h!.advanceTo('2026-03-09T13:05:00Z');
    for (const [n, waitMs] of [[1, 5_000], [2, 10_000], [3, 20_000]] as const) {
      await untilReal(() => push!.received.length === n, `attempt ${n}`);
      await h!.notify.idle();
      const [row] = await deliveries(token, channel.id);
      expect(row).toMatchObject({ state: 'pending', attempts: n });
      expect(row.next_attempt_at - h!.clock.now()).toBe(waitMs);
      const [shown] = (await h!.call('GET', '/notify/channels', { token })).body.channels;
      expect(shown).toMatchObject({ status: n < 3 ? 'ok' : 'failing', failure_streak: n, last_error: `the push service ${new URL(push!.origin).host} answered HTTP 500` });
      await h!.advanceTo(new Date(row.next_attempt_at).toISOString());
    }
    await untilReal(() => push!.received.length === 4, 'attempt 4');
    await h!.notify.idle();
    expect(h!.clock.now()).toBe(at + 35_000);
    expect((await deliveries(token, channel.id))[0]).toMatchObject({ state: 'sent', attempts: 4 });
    const [shown] = (await h!.call('GET', '/notify/channels', { token })).body.channels;
    expect(shown).toMatchObject({ status: 'ok', failure_streak: 0 });
  });

  it('shows the channel failing, with the push service’s answer, after 3 failed attempts', async () => {
    const { token, key } = await setUp();
    const channel = await subscribe(token, push!.subscribe(key));
    push!.answer(500, 500, 500);
    for (let i = 0; i < 3; i++) expect((await h!.call('POST', `/notify/channels/${channel.id}/test`, { token })).body.delivered).toBe(false);
    const [shown] = (await h!.call('GET', '/notify/channels', { token })).body.channels;
    expect(shown).toMatchObject({ status: 'failing', failure_streak: 3, last_error: `the push service ${new URL(push!.origin).host} answered HTTP 500` });
  });

  it('refuses a bad subscription naming the field, and an http endpoint unless the engine allows loopback', async () => {
    const { token, key } = await setUp();
    const sub = push!.subscribe(key);
    const post = (body: unknown) => h!.call('POST', '/notify/push/subscriptions', { token, body });
    const fields = async (body: unknown) => {
      const res = await post(body);
      expect(res.status).toBe(400);
      return res.body.error.fields.map((f: { field: string; message: string }) => `${f.field}: ${f.message}`);
    };
    expect(await fields({ endpoint: 'http://push.example.com/abc', keys: sub.keys })).toEqual(['endpoint: endpoint must be an https:// address']);
    expect(await fields({ endpoint: sub.endpoint, keys: { p256dh: 'AAAA', auth: 'short' } })).toEqual([
      "keys.p256dh: p256dh must be the browser's P-256 public key (65 bytes, uncompressed)",
      "keys.auth: auth must be the subscription's 16-byte auth secret",
    ]);
    expect(await fields({ endpoint: sub.endpoint })).toEqual(['keys: keys must be an object with p256dh and auth']);
    expect(await fields({ endpoint: sub.endpoint, keys: sub.keys, label: '' })).toEqual(['label: label is required']);
    // The channel form does not make one: a device subscribes itself.
    const viaForm = await h!.call('POST', '/notify/channels', { token, body: { kind: 'web_push', label: 'x', config: { endpoint: sub.endpoint, p256dh: sub.keys.p256dh }, secret: { auth: sub.keys.auth } } });
    expect(viaForm.status).toBe(400);
    expect(viaForm.body.error.fields[0].field).toBe('kind');
    expect((await h!.call('GET', '/notify/channels', { token })).body.channels).toEqual([]);
    await h!.close();

    h = await startApiHarness();
    const other = await h.register();
    const res = await h.call('POST', '/notify/push/subscriptions', { token: other.token, body: { endpoint: sub.endpoint, keys: sub.keys } });
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toEqual([{ field: 'endpoint', message: 'endpoint must be an https:// address' }]);
  });

  it('keeps one channel per device: subscribing again renews it, another user takes it over, unsubscribing removes it', async () => {
    const { token, key } = await setUp();
    const sub = push!.subscribe(key);
    const first = await subscribe(token, sub, { label: 'My phone', topics: ['exits'] });
    await h!.call('PATCH', `/notify/channels/${first.id}`, { token, body: { enabled: false } });
    const again = await subscribe(token, sub);
    expect(again).toMatchObject({ id: first.id, label: 'My phone', topics: ['exits'], enabled: true });
    expect((await h!.call('GET', '/notify/channels', { token })).body.channels).toHaveLength(1);

    const other = await h!.register();
    const taken = await subscribe(other.token, sub);
    expect((await h!.call('GET', '/notify/channels', { token })).body.channels).toEqual([]);
    // Not theirs any more: another user cannot remove it either.
    expect((await h!.call('DELETE', '/notify/push/subscriptions', { token, body: { endpoint: sub.endpoint } })).status).toBe(404);
    expect((await h!.call('DELETE', '/notify/push/subscriptions', { token: other.token, body: { endpoint: sub.endpoint } })).status).toBe(204);
    expect((await h!.call('GET', '/notify/channels', { token: other.token })).body.channels).toEqual([]);
    expect((await h!.call('POST', `/notify/channels/${taken.id}/test`, { token: other.token })).status).toBe(404);
    expect((await h!.call('DELETE', '/notify/push/subscriptions', { token: other.token, body: {} })).body.error.fields[0].field).toBe('endpoint');
  });

  it("ends a paired device's subscription when it is unpaired or signs itself out, and leaves the desktop's alone", async () => {
    const { token: desktop, key } = await setUp();
    const pairPhone = async (name: string) => {
      const { code } = (await h!.call('POST', '/devices/pairing-code', { token: desktop, headers: { 'content-type': 'application/json' } })).body as { code: string };
      const paired = await h!.call('POST', '/devices/pair', { body: { code, name } });
      expect(paired.status).toBe(201);
      return { token: paired.body.token as string, id: paired.body.device.id as number };
    };
    const unpaired = await pairPhone('Pixel 8');
    const signsOut = await pairPhone('iPhone');
    const subs = { unpaired: push!.subscribe(key), signsOut: push!.subscribe(key), desktop: push!.subscribe(key) };
    const channels = {
      unpaired: await subscribe(unpaired.token, subs.unpaired, { label: 'Pixel 8' }),
      signsOut: await subscribe(signsOut.token, subs.signsOut, { label: 'iPhone' }),
      desktop: await subscribe(desktop, subs.desktop, { label: 'Desktop browser' }),
    };
    const pushedTo = (sub: BrowserSubscription) => push!.received.filter((r) => sub.endpoint.endsWith(`/${r.subscriptionId}`)).map((r) => r.json?.title);

    await startStrategy(desktop);
    await h!.advanceTo('2026-03-09T13:05:00Z');
    await untilReal(() => push!.received.length === 3, 'the BUY on all three endpoints');
    for (const sub of Object.values(subs)) expect(pushedTo(sub)).toEqual(['Bought 10 AAPL']);

    // The desktop unpairs one phone: its channel goes, with its delivery log.
    expect((await h!.call('DELETE', `/devices/${unpaired.id}`, { token: desktop })).status).toBe(204);
    const labels = async () => ((await h!.call('GET', '/notify/channels', { token: desktop })).body.channels as { label: string }[]).map((c) => c.label);
    expect(await labels()).toEqual(['iPhone', 'Desktop browser']);
    expect((await h!.call('GET', `/notify/channels/${channels.unpaired.id}/deliveries`, { token: desktop })).status).toBe(404);
    // The other phone signs itself out (which unpairs it): its channel goes too.
    expect((await h!.call('POST', '/auth/logout', { token: signsOut.token })).status).toBe(204);
    expect(await labels()).toEqual(['Desktop browser']);
    expect((await h!.call('GET', '/devices', { token: desktop })).body.devices).toEqual([]);

    // The SELL reaches the desktop's subscription only.
    await h!.advanceTo('2026-03-09T13:10:00Z');
    await untilReal(() => push!.received.length === 4, 'the SELL');
    await h!.notify.idle();
    expect(pushedTo(subs.desktop)).toEqual(['Bought 10 AAPL', 'Sold 10 AAPL']);
    expect(pushedTo(subs.unpaired)).toEqual(['Bought 10 AAPL']);
    expect(pushedTo(subs.signsOut)).toEqual(['Bought 10 AAPL']);
    expect(push!.received).toHaveLength(4);
    expect((await deliveries(desktop, channels.desktop.id)).map((d: { state: string }) => d.state)).toEqual(['sent', 'sent']);
  });

  it("removes the paired phones' subscriptions when the password changes (which unpairs them), and keeps the desktop's", async () => {
    const { token: desktop, key } = await setUp();
    const { code } = (await h!.call('POST', '/devices/pairing-code', { token: desktop, headers: { 'content-type': 'application/json' } })).body as { code: string };
    const phone = (await h!.call('POST', '/devices/pair', { body: { code, name: 'Pixel 8' } })).body.token as string;
    await subscribe(phone, push!.subscribe(key), { label: 'Pixel 8' });
    const ours = push!.subscribe(key);
    await subscribe(desktop, ours, { label: 'Desktop browser' });
    const changed = await h!.call('POST', '/auth/password', { token: desktop, body: { current_password: PASSWORD, new_password: 'a new long password', confirm_password: 'a new long password' } });
    expect(changed.body.unpaired_devices).toBe(1);
    expect(((await h!.call('GET', '/notify/channels', { token: desktop })).body.channels as { label: string }[]).map((c) => c.label)).toEqual(['Desktop browser']);

    await startStrategy(desktop);
    await h!.advanceTo('2026-03-09T13:05:00Z');
    await untilReal(() => push!.received.length === 1, 'the BUY on the desktop');
    await h!.notify.idle();
    expect(push!.received.map((r) => ours.endpoint.endsWith(`/${r.subscriptionId}`))).toEqual([true]);
  });

  it('keeps the VAPID private key and the auth secret out of every database file, log line and API answer', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tradeclock-web-push-'));
    const { token, key } = await setUp({ dbPath: join(dir, 'tradeclock.sqlite'), logLevel: 'trace' });
    const sub = push!.subscribe(key);
    const channel = await subscribe(token, sub);
    expect(channel.secret_masked.auth).not.toBe(sub.keys.auth);
    push!.answer(500);
    await h!.call('POST', `/notify/channels/${channel.id}/test`, { token });
    await startStrategy(token);
    await h!.advanceTo('2026-03-09T13:05:00Z');
    await untilReal(() => push!.received.length === 2, 'the fill');
    await h!.notify.idle();
    await h!.call('GET', '/notify/channels', { token });
    await h!.call('GET', `/notify/channels/${channel.id}/deliveries`, { token });
    const { privateKey } = await h!.vapid.pair();
    const secrets = [privateKey, sub.keys.auth, Buffer.from(privateKey, 'base64url').toString('base64'), Buffer.from(sub.keys.auth, 'base64url').toString('base64')];
    const files = Buffer.concat(readdirSync(dir).map((f) => readFileSync(join(dir!, f)))).toString('latin1');
    const logs = h!.logLines.join('\n');
    const answers = h!.received.join('\n');
    expect(logs).toContain('notification not delivered');
    expect(answers).toContain(key);
    for (const s of secrets) {
      expect(files).not.toContain(s);
      expect(logs).not.toContain(s);
      expect(answers).not.toContain(s);
    }
  });
});
