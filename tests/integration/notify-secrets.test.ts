/**
 * Invariant 6 for notification channels: a bot token, a webhook signing secret and an SMTP
 * password go into the API once and are then found nowhere in plaintext: not in the SQLite files
 * (database, WAL), not in any log line (pino at trace, captured), not in any API answer, and not in
 * the errors of a delivery that failed because of them.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeBotApi, type FakeBotApi } from '../fakes/telegram/fake-bot-api';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook/webhook-receiver';
import { startApiHarness, type ApiHarness } from '../support/api-harness';

const BOT_TOKEN = '7100200300:AAHsecretBOTtoken_visibleNowhere_0xBEEF';
const NEW_BOT_TOKEN = '7100200300:AAHsecondBOTtoken_visibleNowhere_0xFEED';
const SIGNING_SECRET = 'whsec-SIGNING-visibleNowhere-0xC0DE';
const SMTP_PASSWORD = 'smtp-PASSWORD-visibleNowhere-0xF00D';
const SECRETS = [BOT_TOKEN, NEW_BOT_TOKEN, SIGNING_SECRET, SMTP_PASSWORD];

let dir: string;
let h: ApiHarness;
let bot: FakeBotApi;
let hook: WebhookReceiver;
let smtp: SMTPServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tradeclock-notify-secrets-'));
  bot = await startFakeBotApi([BOT_TOKEN]);
  hook = await startWebhookReceiver(SIGNING_SECRET);
  smtp = new SMTPServer({
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth: (auth, _s, done) => (auth.password === SMTP_PASSWORD ? done(null, { user: auth.username }) : done(new Error('Invalid username or password'))),
    onData: (stream, _s, done) => {
      stream.resume();
      stream.on('end', () => done());
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  h = await startApiHarness({ dbPath: join(dir, 'tradeclock.sqlite'), telegramApiRoot: bot.apiRoot, logLevel: 'trace', pollTimeoutS: 5 });
});

afterAll(async () => {
  await h?.close();
  await bot?.close();
  await hook?.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

const dbBytes = () => Buffer.concat(readdirSync(dir).map((f) => readFileSync(join(dir, f))));

describe('notification secrets', () => {
  it('appear in no database file, log line, API answer or delivery error', async () => {
    const { token } = await h.register();
    const smtpPort = (smtp.server.address() as AddressInfo).port;
    const bodies = [
      { kind: 'telegram', label: 'Phone', config: { chat_ids: [4242], commands: true }, secret: { bot_token: BOT_TOKEN } },
      { kind: 'webhook', label: 'Server', config: { url: hook.url }, secret: { signing_secret: SIGNING_SECRET } },
      { kind: 'email', label: 'Mail', config: { host: '127.0.0.1', port: smtpPort, security: 'none', username: 'trader', from: 'a@example.com', to: ['b@example.com'] }, secret: { password: SMTP_PASSWORD } },
    ];
    const ids: number[] = [];
    for (const body of bodies) {
      const res = await h.call('POST', '/notify/channels', { token, body });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    for (const id of ids) expect((await h.call('POST', `/notify/channels/${id}/test`, { token })).body).toEqual({ delivered: true, error: null });
    expect(hook.received[0]!.signed).toBe(true);
    bot.say(BOT_TOKEN, 4242, '/status');
    const account = await h.connectPaper(token);
    const strategy = (await h.createStrategy(token, account)).body.id as number;
    await h.call('POST', '/strategy/start', { token, body: { strategy_id: strategy } });
    await h.advanceTo('2026-03-09T13:05:00Z');
    await h.notify.idle();
    // A token replaced by one Telegram does not know: every failure it causes is said without it.
    expect((await h.call('PATCH', `/notify/channels/${ids[0]}`, { token, body: { secret: { bot_token: NEW_BOT_TOKEN } } })).status).toBe(200);
    expect((await h.call('POST', `/notify/channels/${ids[0]}/test`, { token })).body.delivered).toBe(false);
    for (const id of ids) await h.call('GET', `/notify/channels/${id}/deliveries`, { token });
    const listed = await h.call('GET', '/notify/channels', { token });
    expect(listed.body.channels.map((c: { secret_masked: unknown }) => c.secret_masked)).toEqual([{ bot_token: '71…ED' }, { signing_secret: 'wh…DE' }, { password: 'sm…0D' }]);

    h.db.sqlite.pragma('wal_checkpoint(PASSIVE)');
    const db = dbBytes();
    const answers = h.received.join('\n');
    const logs = h.logLines.join('\n');
    expect(logs).toContain('notification not delivered');
    for (const secret of SECRETS) {
      expect(db.includes(Buffer.from(secret)), 'database').toBe(false);
      expect(answers.includes(secret), 'API answers').toBe(false);
      expect(logs.includes(secret), 'log lines').toBe(false);
    }
  });
});
