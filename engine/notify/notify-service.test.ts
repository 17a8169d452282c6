import { createECDH, randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../db/test-support';
import { DomainError } from '../core/errors';
import { FakeClock } from '../core/fake-clock';
import { Vault } from '../secrets/vault';
import { defaultChannelKinds, type ChannelKinds } from './channel-kinds';
import { startWebhookReceiver } from '../../tests/fakes/webhook/webhook-receiver';
import { webhookSignature } from './channels/webhook';
import { NotifyService } from './notify-service';
import type { TraderCommands } from './trader-commands';
import { VapidKeys } from './vapid-keys';

let t: TestDb;
const services: NotifyService[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.stop();
  t?.close();
});

const noCommands = {} as TraderCommands;

function service(vault: () => Promise<Vault>, logger = pino({ level: 'silent' }), kinds?: (made: ChannelKinds) => ChannelKinds) {
  const vapid = new VapidKeys({ repos: t.repos, vault });
  const made = defaultChannelKinds({ webPush: { vapid: () => vapid.pair() } });
  const s = new NotifyService({
    repos: t.repos,
    clock: new FakeClock(0),
    logger,
    vault,
    kinds: kinds ? kinds(made) : made,
    vapid,
    notifications: { onNotification: () => () => {} },
    commands: noCommands,
  });
  services.push(s);
  s.start();
  return s;
}

describe('NotifyService', () => {
  it('says "enter it again" for a secret sealed under another key, and passes on what the vault says when it cannot open', async () => {
    t = openTestDb();
    const user = t.repos.users.create({ email: 'a@example.com', passwordHash: 'x', createdAt: 0 }).id;
    const first = service(async () => Vault.fromKey(randomBytes(32)));
    const body = { kind: 'webhook' as const, label: 'Hook', enabled: true, topics: ['fills' as const], config: {}, secret: { url: 'http://127.0.0.1:9/hook/T0/B0/tokenInThePath', signing_secret: 'a-signing-secret-of-16+' } };
    const channel = await first.create(user, body);
    expect(channel).toMatchObject({ status: 'untested', config: {}, secretMasked: { url: 'http://127.0.0.1:9/…', signing_secret: 'a-…6+' } });
    expect(t.repos.notifyChannels.getSecretInternal(channel.id)!.toString('latin1')).not.toContain('a-signing-secret');

    const otherKey = service(async () => Vault.fromKey(randomBytes(32)));
    expect(await otherKey.sendTest(user, channel.id)).toEqual({ delivered: false, error: 'the saved secret could not be unsealed (the vault key changed, or it was altered): enter it again' });
    const noKey = service(async () => {
      throw new DomainError('unavailable', 'no key: set TRADECLOCK_PASSPHRASE');
    });
    expect(await noKey.sendTest(user, channel.id)).toEqual({ delivered: false, error: 'no key: set TRADECLOCK_PASSPHRASE' });
  });

  it("removes the channels a paired device subscribed, closing their senders, and leaves every other channel", async () => {
    t = openTestDb();
    const user = t.repos.users.create({ email: 'a@example.com', passwordHash: 'x', createdAt: 0 }).id;
    const device = t.repos.devices.create({ userId: user, name: 'Pixel 8', tokenHash: 'a'.repeat(64), pairedAt: 0, clientAddress: '127.0.0.1' }).id;
    const closed: unknown[] = [];
    const key = randomBytes(32);
    const s = service(async () => Vault.fromKey(key), undefined, (made) => ({
      ...made,
      web_push: { ...made.web_push, create: ({ config }) => ({ send: async () => {}, close: () => void closed.push(config.endpoint) }) },
    }));
    const subscribe = (endpoint: string, from: number | null) =>
      s.subscribePush(user, { label: endpoint, topics: ['fills'], config: { endpoint, p256dh: createECDH('prime256v1').generateKeys('base64url') }, secret: { auth: randomBytes(16).toString('base64url') } }, from);
    const phone = await subscribe('https://push.example/phone', device);
    const desktop = await subscribe('https://push.example/desktop', null);
    // Each has its sender made (a test sent), so there is one to close.
    for (const c of [phone, desktop]) expect(await s.sendTest(user, c.id)).toEqual({ delivered: true, error: null });

    const other = t.repos.users.create({ email: 'b@example.com', passwordHash: 'x', createdAt: 0 }).id;
    s.removeDeviceChannels(other, device);
    expect(s.list(user).map((c) => c.label)).toEqual(['https://push.example/phone', 'https://push.example/desktop']);
    s.removeDeviceChannels(user, device);
    expect(closed).toEqual(['https://push.example/phone']);
    expect(s.list(user).map((c) => c.label)).toEqual(['https://push.example/desktop']);
    // Its row can go now: nothing refers to it.
    expect(t.repos.devices.delete(user, device)).toBe(true);
    expect(s.list(user)).toHaveLength(1);
  });

  describe("an earlier build's webhook (its URL in the plain config)", () => {
    const SIGNING = 'a-signing-secret-of-16+';
    const TOKEN_PATH = '/services/T0ACCT/B0HOOK/legacyTokenInThePath0xA11?sig=legacySig0xB22';
    const key = randomBytes(32);
    const sealedUrl = (id: number) => JSON.parse(Vault.fromKey(key).decrypt(t.repos.notifyChannels.getSecretInternal(id)!, `notify-channel:${id}`)) as Record<string, string>;
    /** A row as the earlier build wrote it: config { url }, secret { signing_secret } sealed. */
    function legacyRow(url: string): { user: ReturnType<typeof t.repos.users.create>['id']; id: number } {
      const user = t.repos.users.create({ email: 'a@example.com', passwordHash: 'x', createdAt: 0 }).id;
      const id = t.repos.notifyChannels.create({ userId: user, kind: 'webhook', label: 'Old hook', enabled: true, topics: ['fills'], config: { url } }, 0).id;
      const vault = Vault.fromKey(key);
      t.repos.notifyChannels.setSecret(user, id, { ciphertext: vault.encrypt(JSON.stringify({ signing_secret: SIGNING }), `notify-channel:${id}`), masked: { signing_secret: 'a-…6+' } }, 0);
      return { user, id };
    }
    const rowText = (id: number) => JSON.stringify(t.db.sqlite.prepare('SELECT * FROM notify_channels WHERE id = ?').get(id));

    it('is sealed at start once the vault opens: the URL in its secret, its plaintext gone, shown as scheme and host', async () => {
      t = openTestDb();
      const { user, id } = legacyRow(`http://127.0.0.1:9${TOKEN_PATH}`);
      expect(rowText(id)).toContain('legacyTokenInThePath');
      const s = service(async () => Vault.fromKey(key));
      await s.idle();
      expect(t.repos.notifyChannels.getInternal(id)!.config).toEqual({});
      expect(sealedUrl(id)).toEqual({ url: `http://127.0.0.1:9${TOKEN_PATH}`, signing_secret: SIGNING });
      expect(rowText(id)).not.toContain('legacyTokenInThePath');
      expect(rowText(id)).not.toContain('legacySig');
      expect(s.get(user, id)).toMatchObject({ config: {}, secretMasked: { url: 'http://127.0.0.1:9/…', signing_secret: 'a-…6+' } });
    });

    it('while the vault does not open: kept, shown only as its hint, sent from the plaintext once the vault opens, and sealed then', async () => {
      t = openTestDb();
      const hook = await startWebhookReceiver(SIGNING);
      try {
        const url = hook.url.replace('/hooks/tradeclock', TOKEN_PATH);
        const { user, id } = legacyRow(url);
        let open = false;
        const lines: string[] = [];
        const logger = pino({ level: 'trace' }, { write: (l: string) => void lines.push(l) });
        const s = service(async () => {
          if (!open) throw new DomainError('unavailable', 'the keychain is locked');
          return Vault.fromKey(key);
        }, logger);
        await s.idle();
        expect(t.repos.notifyChannels.getInternal(id)!.config).toEqual({ url });
        expect(lines.join('\n')).toContain('keep their URL unsealed until the vault opens');
        const shown = s.get(user, id);
        expect(shown.config).toEqual({});
        expect(shown.secretMasked).toEqual({ url: `http://${new URL(url).host}/…`, signing_secret: 'a-…6+' });

        expect(await s.sendTest(user, id)).toEqual({ delivered: false, error: 'the keychain is locked' });
        open = true;
        expect(await s.sendTest(user, id)).toEqual({ delivered: true, error: null });
        expect(hook.received.map((r) => [r.path, r.signed])).toEqual([[TOKEN_PATH, true]]);
        expect(t.repos.notifyChannels.getInternal(id)!.config).toEqual({});
        expect(sealedUrl(id).url).toBe(url);
        expect(rowText(id)).not.toContain('legacyTokenInThePath');
        // Sent from the sealed URL from now on.
        expect(await s.sendTest(user, id)).toEqual({ delivered: true, error: null });
        expect(hook.received).toHaveLength(2);
        expect(lines.join('\n')).not.toContain('legacyTokenInThePath');
      } finally {
        await hook.close();
      }
    });

    it('keeps its plaintext URL through an edit of its settings, and loses it when a new secret (with the URL) replaces it', async () => {
      t = openTestDb();
      const { user, id } = legacyRow(`http://127.0.0.1:9${TOKEN_PATH}`);
      const s = service(async () => {
        throw new DomainError('unavailable', 'the keychain is locked');
      });
      await s.idle();
      await s.update(user, id, { label: 'Renamed', config: {} });
      expect(t.repos.notifyChannels.getInternal(id)!.config).toEqual({ url: `http://127.0.0.1:9${TOKEN_PATH}` });
      const other = service(async () => Vault.fromKey(key));
      await other.update(user, id, { secret: { url: 'https://hooks.example.com/new/token0xC33', signing_secret: SIGNING } });
      expect(t.repos.notifyChannels.getInternal(id)!.config).toEqual({});
      expect(sealedUrl(id).url).toBe('https://hooks.example.com/new/token0xC33');
      expect(rowText(id)).not.toContain('legacyTokenInThePath');
      expect(other.get(user, id).secretMasked).toEqual({ url: 'https://hooks.example.com/…', signing_secret: 'a-…6+' });
    });
  });

  it('signs the timestamp and the body together, so neither can be swapped', () => {
    const sig = webhookSignature('a-signing-secret-of-16+', 1_773_061_500_000, '{"id":1}');
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(webhookSignature('a-signing-secret-of-16+', 1_773_061_500_001, '{"id":1}')).not.toBe(sig);
    expect(webhookSignature('a-signing-secret-of-16+', 1_773_061_500_000, '{"id":2}')).not.toBe(sig);
  });
});
