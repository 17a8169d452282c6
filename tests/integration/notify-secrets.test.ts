/**
 * Invariant 6 for notification channels: a bot token, a webhook signing secret, a webhook URL's
 * token (Slack-like: in the path; Teams-like: `sig=` in the query) and an SMTP password go into the
 * API once and are then found nowhere in plaintext: not in the SQLite files (database, WAL), not in
 * any log line (pino at trace, captured), not in any API answer, and not in the errors of a
 * delivery that failed because of them. A webhook row of the earlier build (its URL in the plain
 * settings) is sealed at the next start, and its token is then in neither the files nor the log.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeBotApi, type FakeBotApi } from '../fakes/telegram/fake-bot-api';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook/webhook-receiver';
import { asUserId } from '../../engine/core/ids';
import { Vault } from '../../engine/secrets/vault';
import { PASSWORD, startApiHarness, type ApiHarness } from '../support/api-harness';

const BOT_TOKEN = '7100200300:AAHsecretBOTtoken_visibleNowhere_0xBEEF';
const NEW_BOT_TOKEN = '7100200300:AAHsecondBOTtoken_visibleNowhere_0xFEED';
const SIGNING_SECRET = 'whsec-SIGNING-visibleNowhere-0xC0DE';
const SMTP_PASSWORD = 'smtp-PASSWORD-visibleNowhere-0xF00D';
const HOOK_TOKEN = 'hookTOKEN-visibleNowhere-0xA11';
const HOOK_SIG = 'hookSIG-visibleNowhere-0xB22';
const HOOK_PATH = `/services/T0ACCT/B0HOOK/${HOOK_TOKEN}?sig=${HOOK_SIG}`;
const SECRETS = [BOT_TOKEN, NEW_BOT_TOKEN, SIGNING_SECRET, SMTP_PASSWORD, HOOK_TOKEN, HOOK_SIG];

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
      { kind: 'webhook', label: 'Server', config: {}, secret: { url: hook.url.replace('/hooks/tradeclock', HOOK_PATH), signing_secret: SIGNING_SECRET } },
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
    expect(hook.received[0]!.path).toBe(HOOK_PATH);
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
    expect(listed.body.channels.map((c: { secret_masked: unknown }) => c.secret_masked)).toEqual([{ bot_token: '71…ED' }, { url: `http://${new URL(hook.url).host}/…`, signing_secret: 'wh…DE' }, { password: 'sm…0D' }]);

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

  it("seal an earlier build's webhook URL at the next start: delivered, then in no database file, log line or answer", async () => {
    const legacyDir = mkdtempSync(join(tmpdir(), 'tradeclock-notify-legacy-'));
    const key = Buffer.alloc(32, 7);
    const url = hook.url.replace('/hooks/tradeclock', HOOK_PATH);
    let first: ApiHarness | undefined;
    let second: ApiHarness | undefined;
    try {
      first = await startApiHarness({ dbPath: join(legacyDir, 'tradeclock.sqlite'), vaultKey: key });
      const { userId: user, email } = await first.register();
      const userId = asUserId(user);
      // Rows as the earlier build wrote them: the URL in the plain config, the signing secret sealed alone
      // (two, and a row after them, so that the page keeps living around what is removed).
      const legacyRow = (label: string) => {
        const id = first!.repos.notifyChannels.create({ userId, kind: 'webhook', label, enabled: true, topics: ['fills'], config: { url } }, first!.clock.now()).id;
        first!.repos.notifyChannels.setSecret(userId, id, { ciphertext: Vault.fromKey(key).encrypt(JSON.stringify({ signing_secret: SIGNING_SECRET }), `notify-channel:${id}`), masked: { signing_secret: 'wh…DE' } }, first!.clock.now());
        return id;
      };
      const id = legacyRow('Old');
      const other = legacyRow('Older');
      first.repos.notifyChannels.create({ userId, kind: 'telegram', label: 'After', enabled: false, topics: [], config: { chat_ids: [1], commands: false } }, first.clock.now());
      await first.close();
      first = undefined;

      second = await startApiHarness({ dbPath: join(legacyDir, 'tradeclock.sqlite'), vaultKey: key, logLevel: 'trace' });
      await second.notify.idle();
      for (const c of [id, other]) expect(second.repos.notifyChannels.getInternal(c)!.config).toEqual({});
      const before = hook.received.length;
      const test = await second.notify.sendTest(userId, id);
      expect(test).toEqual({ delivered: true, error: null });
      expect(hook.received.slice(before).map((r) => [r.path, r.signed])).toEqual([[HOOK_PATH, true]]);
      const login = await second.call('POST', '/auth/login', { body: { email, password: PASSWORD } });
      const listed = await second.call('GET', '/notify/channels', { token: login.body.token });
      expect(listed.body.channels[0]).toMatchObject({ label: 'Old', config: {}, secret_masked: { url: `http://${new URL(url).host}/…`, signing_secret: 'wh…DE' } });
      await second.call('GET', `/notify/channels/${id}/deliveries`, { token: login.body.token });
      const answers = second.received.join('\n');
      second.db.sqlite.pragma('wal_checkpoint(TRUNCATE)');
      const files = Buffer.concat(readdirSync(legacyDir).map((f) => readFileSync(join(legacyDir, f))));
      const logs = second.logLines.join('\n');
      expect(logs).toContain('sealed in the vault and removed from the plaintext');
      for (const part of [HOOK_TOKEN, HOOK_SIG]) {
        expect(files.includes(Buffer.from(part)), 'database files').toBe(false);
        expect(logs.includes(part), 'log lines').toBe(false);
        expect(answers.includes(part), 'API answers').toBe(false);
      }
    } finally {
      await first?.close();
      await second?.close();
      rmSync(legacyDir, { recursive: true, force: true });
    }
  });
});
