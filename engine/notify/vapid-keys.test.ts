import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../db/test-support';
import { DomainError } from '../core/errors';
import { Vault } from '../secrets/vault';
import { VapidKeys, vapidSubjectFrom } from './vapid-keys';

let t: TestDb;
afterEach(() => t?.close());

describe('VapidKeys', () => {
  it('makes one pair per install, keeps the private key sealed, and gives the same pair to a second start', async () => {
    t = openTestDb();
    const vault = Vault.fromKey(randomBytes(32));
    let made = 0;
    const first = new VapidKeys({ repos: t.repos, vault: async () => vault, generate: () => (made++, { publicKey: 'BPublicKey_made_here', privateKey: 'private-KEY-seen-nowhere' }) });
    const [a, b] = await Promise.all([first.pair(), first.pair()]);
    expect(a).toEqual({ publicKey: 'BPublicKey_made_here', privateKey: 'private-KEY-seen-nowhere' });
    expect(b).toEqual(a);
    const second = new VapidKeys({ repos: t.repos, vault: async () => vault, generate: () => (made++, { publicKey: 'other', privateKey: 'other' }) });
    expect(await second.pair()).toEqual(a);
    expect(made).toBe(1);
    const rows = t.db.sqlite.prepare("SELECT key, value FROM settings WHERE key LIKE 'vapid%'").all() as Array<{ key: string; value: string }>;
    expect(rows.map((r) => r.key).sort()).toEqual(['vapid_private_key_sealed', 'vapid_public_key']);
    expect(JSON.stringify(rows)).not.toContain('private-KEY-seen-nowhere');
    expect(Buffer.from(rows.find((r) => r.key === 'vapid_private_key_sealed')!.value, 'base64').toString('latin1')).not.toContain('private-KEY');
  });

  it('serves the public key without the vault once it exists; a locked vault is tried again on the next call', async () => {
    t = openTestDb();
    const vault = Vault.fromKey(randomBytes(32));
    let locked = true;
    const keys = new VapidKeys({
      repos: t.repos,
      vault: async () => {
        if (locked) throw new DomainError('unavailable', 'the keychain is locked');
        return vault;
      },
    });
    await expect(keys.publicKey()).rejects.toThrow('the keychain is locked');
    locked = false;
    const made = await keys.publicKey();
    expect(Buffer.from(made, 'base64url')).toHaveLength(65);
    locked = true;
    expect(await keys.publicKey()).toBe(made);
  });

  it('refuses, saying what to do, a sealed key the vault cannot open', async () => {
    t = openTestDb();
    await new VapidKeys({ repos: t.repos, vault: async () => Vault.fromKey(randomBytes(32)) }).pair();
    const other = new VapidKeys({ repos: t.repos, vault: async () => Vault.fromKey(randomBytes(32)) });
    await expect(other.pair()).rejects.toThrow(/Web Push key could not be unsealed/);
  });
});

describe('vapidSubjectFrom', () => {
  it('takes a mailto: or https: subject and refuses another shape aloud', () => {
    const warned: string[] = [];
    const warn = (m: string) => void warned.push(m);
    expect(vapidSubjectFrom({ TRADECLOCK_VAPID_SUBJECT: 'mailto:me@example.com' }, warn)).toBe('mailto:me@example.com');
    expect(vapidSubjectFrom({ TRADECLOCK_VAPID_SUBJECT: 'https://me.example.com/contact' }, warn)).toBe('https://me.example.com/contact');
    expect(vapidSubjectFrom({}, warn)).toBeUndefined();
    expect(warned).toEqual([]);
    expect(vapidSubjectFrom({ TRADECLOCK_VAPID_SUBJECT: 'me@example.com' }, warn)).toBeUndefined();
    expect(warned).toEqual(['TRADECLOCK_VAPID_SUBJECT must be a mailto: or https: URL; the default subject is used']);
  });
});
