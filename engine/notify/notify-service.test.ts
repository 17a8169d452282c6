import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../db/test-support';
import { DomainError } from '../core/errors';
import { FakeClock } from '../core/fake-clock';
import { Vault } from '../secrets/vault';
import { defaultChannelKinds } from './channel-kinds';
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

function service(vault: () => Promise<Vault>) {
  const vapid = new VapidKeys({ repos: t.repos, vault });
  const s = new NotifyService({
    repos: t.repos,
    clock: new FakeClock(0),
    logger: pino({ level: 'silent' }),
    vault,
    kinds: defaultChannelKinds({ webPush: { vapid: () => vapid.pair() } }),
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
    const body = { kind: 'webhook' as const, label: 'Hook', enabled: true, topics: ['fills' as const], config: { url: 'http://127.0.0.1:9/hook' }, secret: { signing_secret: 'a-signing-secret-of-16+' } };
    const channel = await first.create(user, body);
    expect(channel).toMatchObject({ status: 'untested', secretMasked: { signing_secret: 'a-…6+' } });
    expect(t.repos.notifyChannels.getSecretInternal(channel.id)!.toString('latin1')).not.toContain('a-signing-secret');

    const otherKey = service(async () => Vault.fromKey(randomBytes(32)));
    expect(await otherKey.sendTest(user, channel.id)).toEqual({ delivered: false, error: 'the saved secret could not be unsealed (the vault key changed, or it was altered): enter it again' });
    const noKey = service(async () => {
      throw new DomainError('unavailable', 'no key: set TRADECLOCK_PASSPHRASE');
    });
    expect(await noKey.sendTest(user, channel.id)).toEqual({ delivered: false, error: 'no key: set TRADECLOCK_PASSPHRASE' });
  });

  it('signs the timestamp and the body together, so neither can be swapped', () => {
    const sig = webhookSignature('a-signing-secret-of-16+', 1_773_061_500_000, '{"id":1}');
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(webhookSignature('a-signing-secret-of-16+', 1_773_061_500_001, '{"id":1}')).not.toBe(sig);
    expect(webhookSignature('a-signing-secret-of-16+', 1_773_061_500_000, '{"id":2}')).not.toBe(sig);
  });
});
