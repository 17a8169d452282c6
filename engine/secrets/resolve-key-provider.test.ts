import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../core/errors';
import type { KeychainEntry, OpenKeychainEntry } from './keychain-key-provider';
import { resolveKeyProvider } from './resolve-key-provider';
import { Vault } from './vault';
import { capturedLogger } from '../../tests/support/captured-logger';

const PASSPHRASE = 'correct horse battery staple';
const SALT = `scrypt$1024$8$1$${Buffer.alloc(16, 7).toString('base64url')}`;

/** An in-memory keyring; `broken` makes a call fail the way a real keyring does. */
function fakeKeychain(options: { broken?: 'open' | 'get' | 'set' | 'forgets'; message?: string } = {}) {
  const items = new Map<string, string>();
  const fail = () => Promise.reject(new Error(options.message ?? 'Platform failure: DBus error: no session bus'));
  const open: OpenKeychainEntry = async (service, account) => {
    if (options.broken === 'open') return fail();
    const id = `${service}/${account}`;
    const entry: KeychainEntry = {
      getPassword: () => (options.broken === 'get' ? fail() : Promise.resolve(items.get(id) ?? null)),
      setPassword: (pw) => {
        if (options.broken === 'set') return fail();
        if (options.broken !== 'forgets') items.set(id, pw);
        return Promise.resolve();
      },
    };
    return entry;
  };
  return { open, items };
}

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return err as DomainError;
}

describe('resolveKeyProvider', () => {
  it('prefers the OS keychain and creates the key there on first use', async () => {
    const keychain = fakeKeychain();
    const provider = await resolveKeyProvider({ keychainAccount: 'data-key-abc123', passphrase: PASSPHRASE, salt: SALT, openKeychainEntry: keychain.open });
    expect(provider.kind).toBe('keychain');
    const stored = keychain.items.get('tradeclock/data-key-abc123');
    expect(stored && Buffer.from(stored, 'base64').equals(await provider.getKey())).toBe(true);
  });

  for (const broken of ['open', 'get', 'set', 'forgets'] as const) {
    it(`falls back to the passphrase when the keychain ${broken === 'forgets' ? 'accepts a write but keeps nothing' : `fails at ${broken}`}`, async () => {
      const provider = await resolveKeyProvider({ keychainAccount: 'k', passphrase: PASSPHRASE, salt: SALT, openKeychainEntry: fakeKeychain({ broken }).open });
      expect(provider.kind).toBe('passphrase');
      expect((await provider.getKey()).length).toBe(32);
    });
  }

  it('survives a keychain that throws synchronously or throws a non-Error', async () => {
    const throwsSync: OpenKeychainEntry = () => {
      throw new Error('native binding failed to load');
    };
    const throwsString: OpenKeychainEntry = () => Promise.reject('weird');
    for (const open of [throwsSync, throwsString]) {
      const provider = await resolveKeyProvider({ keychainAccount: 'k', passphrase: PASSPHRASE, salt: SALT, openKeychainEntry: open });
      expect(provider.kind).toBe('passphrase');
    }
  });

  it('with neither, returns a provider whose getKey says how to fix it', async () => {
    for (const passphrase of [undefined, '']) {
      const provider = await resolveKeyProvider({ keychainAccount: 'k', passphrase, salt: SALT, openKeychainEntry: fakeKeychain({ broken: 'open' }).open });
      expect(provider.kind).toBe('unavailable');
      const err = await rejection(provider.getKey());
      expect(err.code).toBe('unavailable');
      expect(err.message).toMatch(/no OS keychain \(OS keychain unavailable for tradeclock\/k: Platform failure: DBus error: no session bus\)/);
      expect(err.message).toMatch(/desktop session with an unlocked keyring/);
      expect(err.message).toMatch(/set TRADECLOCK_PASSPHRASE/);
      await expect(Vault.open(provider)).rejects.toBeInstanceOf(DomainError);
    }
  });

  it('explains a too-short passphrase instead of using it', async () => {
    const provider = await resolveKeyProvider({ keychainAccount: 'k', passphrase: 'short-pass', salt: SALT, openKeychainEntry: fakeKeychain({ broken: 'open' }).open });
    expect(provider.kind).toBe('unavailable');
    const err = await rejection(provider.getKey());
    expect(err.message).toMatch(/TRADECLOCK_PASSPHRASE is too short \(10 characters; at least 12/);
    expect(err.message).not.toContain('short-pass');
  });

  it('rejects a malformed keychain account as the bug it is', async () => {
    await expect(resolveKeyProvider({ keychainAccount: 'has space', salt: SALT, openKeychainEntry: fakeKeychain().open })).rejects.toThrow(/keychain account/);
  });
});

describe('no secret in any error message or log line', () => {
  it('keeps the key, passphrase and plaintext out of logs and errors across the whole flow', async () => {
    const { logger, lines } = capturedLogger('debug');
    const shown: string[] = [];
    const secrets: string[] = [PASSPHRASE];

    // Keychain path: the key the fake keychain holds, plus a keyring error that quotes it.
    const keychain = fakeKeychain();
    const provider = await resolveKeyProvider({ keychainAccount: 'acct', passphrase: PASSPHRASE, salt: SALT, logger, openKeychainEntry: keychain.open });
    const key = await provider.getKey();
    secrets.push(key.toString('base64'), key.toString('hex'), key.toString('base64url'));
    const vault = await Vault.open(provider);
    const plaintext = JSON.stringify({ apiKey: 'PKLEAKCANARY00000007Q', apiSecret: `canary-${randomBytes(8).toString('hex')}` });
    secrets.push('PKLEAKCANARY', JSON.parse(plaintext).apiSecret as string);
    const blob = vault.encrypt(plaintext, '1');
    for (const attempt of [() => vault.decrypt(blob, '2'), () => vault.decrypt(blob.subarray(0, 40), '1'), () => Vault.fromKey(randomBytes(32)).decrypt(blob, '1')]) {
      try {
        attempt();
      } catch (err) {
        shown.push((err as Error).message, JSON.stringify(err));
        logger.error({ err }, 'decrypt failed');
      }
    }
    logger.info({ vault, provider }, 'vault ready');

    // A keyring whose error message quotes the stored key must not pass it on.
    const stored = keychain.items.get('tradeclock/acct') ?? '';
    const leaky: OpenKeychainEntry = async () => ({
      getPassword: async () => stored,
      setPassword: async () => undefined,
    });
    const quoting: OpenKeychainEntry = async () => ({
      getPassword: () => Promise.reject(new Error(`item ${stored} is locked`)),
      setPassword: async () => undefined,
    });
    await resolveKeyProvider({ keychainAccount: 'acct', salt: SALT, logger, openKeychainEntry: leaky });
    const unavailable = await resolveKeyProvider({ keychainAccount: 'acct', salt: SALT, logger, openKeychainEntry: quoting });
    shown.push((await rejection(unavailable.getKey())).message);

    // Passphrase path, and its failure path.
    const fromPassphrase = await resolveKeyProvider({ keychainAccount: 'acct', passphrase: PASSPHRASE, salt: SALT, logger, openKeychainEntry: quoting });
    secrets.push((await fromPassphrase.getKey()).toString('base64'));
    const badSalt = await resolveKeyProvider({ keychainAccount: 'acct', passphrase: PASSPHRASE, salt: 'nope', logger, openKeychainEntry: quoting });
    shown.push((await rejection(badSalt.getKey())).message);

    const everything = [...lines, ...shown].join('\n');
    expect(lines.length).toBeGreaterThanOrEqual(6);
    for (const secret of secrets) expect(everything.includes(secret), `leaked ${secret.slice(0, 3)}…`).toBe(false);
    expect(everything).toContain('[redacted]');
  });
});
