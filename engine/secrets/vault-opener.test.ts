import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listSealedCredentials } from '../../db/repos/sealed-credentials';
import { openTestDb, type TestDb } from '../../db/test-support';
import { asUserId } from '../core/ids';
import { DomainError } from '../core/errors';
import { FakeClock } from '../core/fake-clock';
import { KEY_CHECK_SETTING } from './key-check';
import type { KeychainEntry, OpenKeychainEntry } from './keychain-key-provider';
import { createVaultOpener, VAULT_SALT_SETTING, type VaultOpenerOptions } from './vault-opener';

const T0 = Date.parse('2026-03-09T13:00:00Z');
const RIGHT = 'the right passphrase, long enough';
const WRONG = 'a wrong passphrase, long enough';
const SECRET = 'sk-live-OPENER-TEST-5ecr3t-0042';
/** Cheap scrypt: the salt names its own cost. */
const FAST_SALT = `scrypt$1024$8$1$${Buffer.alloc(16, 9).toString('base64url')}`;

/**
 * An in-memory OS keychain; `reachable = false` fails every call the way a missing D-Bus does;
 * `silent = true` leaves every read unanswered, as a prompt nobody answers does; `opened` counts
 * calls, `reads` the reads started.
 */
function fakeKeychain() {
  const items = new Map<string, string>();
  const state = { reachable: true, silent: false, opened: 0, reads: 0 };
  const open: OpenKeychainEntry = async (service, account) => {
    state.opened++;
    if (!state.reachable) throw new Error('Platform failure: DBus error: no session bus');
    const id = `${service}/${account}`;
    const entry: KeychainEntry = {
      getPassword: () => {
        state.reads++;
        return state.silent ? new Promise<never>(() => undefined) : Promise.resolve(items.get(id) ?? null);
      },
      setPassword: async (pw) => void items.set(id, pw),
    };
    return entry;
  };
  return { open, items, state };
}

let t: TestDb;
const logs: string[] = [];
const logger = {
  info: (o: unknown, m?: string) => void logs.push(JSON.stringify(o) + (m ?? '')),
  warn: (o: unknown, m?: string) => void logs.push(JSON.stringify(o) + (m ?? '')),
  error: (o: unknown, m?: string) => void logs.push(JSON.stringify(o) + (m ?? '')),
} as never;

beforeEach(() => {
  t = openTestDb();
  t.repos.settings.set(VAULT_SALT_SETTING, FAST_SALT);
  logs.length = 0;
});
afterEach(() => t.close());

function opener(o: Partial<VaultOpenerOptions>) {
  return createVaultOpener({
    clock: new FakeClock(T0),
    keychainAccount: 'data-key-test01',
    settings: t.repos.settings,
    sealedCredentials: () => listSealedCredentials(t.db.orm),
    logger,
    ...o,
  });
}

/** A broker account whose credentials are sealed with the vault `open` gives. */
async function saveCredentials(open: () => ReturnType<ReturnType<typeof opener>['open']>): Promise<number> {
  const user = t.repos.users.create({ email: `u${randomBytes(3).toString('hex')}@example.com`, passwordHash: 'x', createdAt: 1 });
  const account = t.repos.brokerAccounts.create({ userId: user.id, broker: 'alpaca', label: 'Live', status: 'connected', credentialsCiphertext: null, createdAt: 1 });
  const vault = await open();
  t.repos.brokerAccounts.setCredentials(asUserId(user.id), account.id, { ciphertext: vault.encrypt(JSON.stringify({ secret: SECRET }), String(account.id)), masked: {} });
  return account.id;
}

async function refusal(p: Promise<unknown>): Promise<DomainError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  const e = err as DomainError;
  for (const s of [RIGHT, WRONG, SECRET]) expect(e.message).not.toContain(s);
  for (const s of [RIGHT, WRONG, SECRET]) expect(logs.join('\n')).not.toContain(s);
  return e;
}

describe('checkAtStart', () => {
  it('costs nothing when no credentials are stored: no keychain call, no key derived, no check written', async () => {
    const keychain = fakeKeychain();
    await opener({ openKeychainEntry: keychain.open }).checkAtStart();
    expect(keychain.state.opened).toBe(0);
    expect(t.repos.settings.get(KEY_CHECK_SETTING)).toBeUndefined();
  });

  it('passphrase: the right one opens; a wrong one is refused as a wrong passphrase, naming TRADECLOCK_PASSPHRASE', async () => {
    const keychain = fakeKeychain();
    keychain.state.reachable = false;
    const first = opener({ passphrase: RIGHT, openKeychainEntry: keychain.open });
    await saveCredentials(first.open);
    expect(JSON.parse(t.repos.settings.get(KEY_CHECK_SETTING)!)).toMatchObject({ source: 'passphrase' });

    await opener({ passphrase: RIGHT, openKeychainEntry: keychain.open }).checkAtStart();
    const wrong = await refusal(opener({ passphrase: WRONG, openKeychainEntry: keychain.open }).checkAtStart());
    expect(wrong.code).toBe('unavailable');
    expect(wrong.message).toMatch(/^Tradeclock will not start: 1 broker account has saved credentials that cannot be unsealed/);
    expect(wrong.message).toMatch(/Wrong key: TRADECLOCK_PASSPHRASE is not the passphrase they were sealed with \(wrong passphrase\)/);
    expect(wrong.message).toMatch(/Key source tried: TRADECLOCK_PASSPHRASE/);
    const unset = await refusal(opener({ openKeychainEntry: keychain.open }).checkAtStart());
    expect(unset.message).toMatch(/TRADECLOCK_PASSPHRASE is not set/);
    const short = await refusal(opener({ passphrase: 'tiny-pass-x', openKeychainEntry: keychain.open }).checkAtStart());
    expect(short.message).toMatch(/TRADECLOCK_PASSPHRASE is too short \(11 characters/);
    expect(short.message).not.toContain('tiny-pass-x');
  });

  it('passphrase-sealed credentials keep using the passphrase when an OS keychain appears later', async () => {
    const keychain = fakeKeychain();
    keychain.state.reachable = false;
    await saveCredentials(opener({ passphrase: RIGHT, openKeychainEntry: keychain.open }).open);
    keychain.state.reachable = true;
    keychain.state.opened = 0;
    await opener({ passphrase: RIGHT, openKeychainEntry: keychain.open }).checkAtStart();
    expect(keychain.state.opened).toBe(0);
    expect(keychain.items.size).toBe(0);
  });

  it('keychain: an unreachable keychain is refused naming it, and the passphrase is not tried in its place', async () => {
    const keychain = fakeKeychain();
    await saveCredentials(opener({ passphrase: RIGHT, openKeychainEntry: keychain.open }).open);
    expect(JSON.parse(t.repos.settings.get(KEY_CHECK_SETTING)!)).toMatchObject({ source: 'keychain' });
    keychain.state.reachable = false;
    const err = await refusal(opener({ passphrase: RIGHT, openKeychainEntry: keychain.open }).checkAtStart());
    expect(err.message).toMatch(/sealed with the key in the OS keychain \(tradeclock\/data-key-test01\), which cannot be read: OS keychain unavailable .*DBus/);
    expect(err.message).toMatch(/TRADECLOCK_PASSPHRASE cannot open them/);
    expect(err.message).toMatch(/Key source tried: the OS keychain \(tradeclock\/data-key-test01\)/);
  });

  it('keychain: a removed item is refused and not replaced by a fresh key; a replaced item is a wrong key', async () => {
    const keychain = fakeKeychain();
    await saveCredentials(opener({ openKeychainEntry: keychain.open }).open);
    const original = keychain.items.get('tradeclock/data-key-test01')!;
    keychain.items.clear();
    const removed = await refusal(opener({ openKeychainEntry: keychain.open }).checkAtStart());
    expect(removed.message).toMatch(/The OS keychain has no key at tradeclock\/data-key-test01: the item was removed/);
    expect(keychain.items.size).toBe(0);
    keychain.items.set('tradeclock/data-key-test01', randomBytes(32).toString('base64'));
    const replaced = await refusal(opener({ openKeychainEntry: keychain.open }).checkAtStart());
    expect(replaced.message).toMatch(/Wrong key: the key in the OS keychain \(tradeclock\/data-key-test01\) is not the one they were sealed with: the keychain item was replaced/);
    expect(replaced.message).not.toContain(original);
    keychain.items.set('tradeclock/data-key-test01', original);
    await opener({ openKeychainEntry: keychain.open }).checkAtStart();
  });

  it('credentials saved before the key check existed: the right key writes the check, a wrong one is refused', async () => {
    const keychain = fakeKeychain();
    keychain.state.reachable = false;
    await saveCredentials(opener({ passphrase: RIGHT, openKeychainEntry: keychain.open }).open);
    t.repos.settings.set(KEY_CHECK_SETTING, 'from an older build: not a check');
    const wrong = await refusal(opener({ passphrase: WRONG, openKeychainEntry: keychain.open }).checkAtStart());
    expect(wrong.message).toMatch(/Wrong key: either TRADECLOCK_PASSPHRASE is not the passphrase they were sealed with, or they were sealed with an OS keychain key/);
    expect(wrong.message).toMatch(/Key source tried: the OS keychain \(not available: .*DBus.*\), then TRADECLOCK_PASSPHRASE/);
    await opener({ passphrase: RIGHT, openKeychainEntry: keychain.open }).checkAtStart();
    expect(JSON.parse(t.repos.settings.get(KEY_CHECK_SETTING)!)).toMatchObject({ source: 'passphrase' });
  });

  it('reads the sealed credentials once for the whole check, and again for an opening after it', async () => {
    const keychain = fakeKeychain();
    await saveCredentials(opener({ openKeychainEntry: keychain.open }).open);
    let reads = 0;
    const counted = opener({ openKeychainEntry: keychain.open, sealedCredentials: () => (reads++, listSealedCredentials(t.db.orm)) });
    await counted.checkAtStart();
    expect(reads).toBe(1);
    // A fresh opener's first open (no check before it) reads them itself.
    await opener({ openKeychainEntry: keychain.open, sealedCredentials: () => (reads++, listSealedCredentials(t.db.orm)) }).open();
    expect(reads).toBe(2);
  });

  it('with the right key, one altered row is logged by account and does not stop the start', async () => {
    const keychain = fakeKeychain();
    const first = opener({ openKeychainEntry: keychain.open });
    await saveCredentials(first.open);
    const altered = await saveCredentials(first.open);
    t.db.sqlite.prepare('UPDATE broker_accounts SET credentials_ciphertext = ? WHERE id = ?').run(randomBytes(80), altered);
    await opener({ openKeychainEntry: keychain.open }).checkAtStart();
    expect(logs.some((l) => l.includes(`"accounts":[${altered}]`) && l.includes('do not unseal with the right key'))).toBe(true);
  });

  it('once no credentials are stored, the recorded source no longer binds: a new key source takes over', async () => {
    const keychain = fakeKeychain();
    const id = await saveCredentials(opener({ openKeychainEntry: keychain.open }).open);
    t.db.sqlite.prepare('UPDATE broker_accounts SET credentials_ciphertext = NULL WHERE id = ?').run(id);
    keychain.state.reachable = false;
    await opener({ passphrase: RIGHT, openKeychainEntry: keychain.open }).open();
    expect(JSON.parse(t.repos.settings.get(KEY_CHECK_SETTING)!)).toMatchObject({ source: 'passphrase' });
  });

  it('a key that changed while nothing was sealed takes over the check', async () => {
    const keychain = fakeKeychain();
    keychain.state.reachable = false;
    await opener({ passphrase: RIGHT, openKeychainEntry: keychain.open }).open();
    const before = t.repos.settings.get(KEY_CHECK_SETTING);
    await opener({ passphrase: WRONG, openKeychainEntry: keychain.open }).open();
    expect(t.repos.settings.get(KEY_CHECK_SETTING)).not.toBe(before);
  });

  it('with neither keychain nor passphrase and credentials stored: refuses, saying both were tried', async () => {
    const keychain = fakeKeychain();
    await saveCredentials(opener({ openKeychainEntry: keychain.open }).open);
    t.repos.settings.set(KEY_CHECK_SETTING, '');
    keychain.state.reachable = false;
    const err = await refusal(opener({ openKeychainEntry: keychain.open }).checkAtStart());
    expect(err.message).toMatch(/no OS keychain \(OS keychain unavailable .*\) and TRADECLOCK_PASSPHRASE is not set/);
  });
});

describe('a keychain that never answers (a prompt nobody answers, a locked keyring)', () => {
  /** The promise's outcome once settled; undefined while it is pending. */
  function watch(p: Promise<unknown>) {
    const seen: { outcome?: { ok: true } | { ok: false; err: unknown } } = {};
    p.then(
      () => void (seen.outcome = { ok: true }),
      (err: unknown) => void (seen.outcome = { ok: false, err }),
    );
    return seen;
  }

  it('refuses the start after a minute, naming the keychain item and the prompt that may be waiting', async () => {
    const keychain = fakeKeychain();
    await saveCredentials(opener({ openKeychainEntry: keychain.open }).open);
    keychain.state.silent = true;
    keychain.state.reads = 0;
    const clock = new FakeClock(T0);
    const start = watch(opener({ clock, openKeychainEntry: keychain.open }).checkAtStart());
    await clock.advance(59_999);
    expect(start.outcome).toBeUndefined();
    expect(keychain.state.reads).toBe(1);
    await clock.advance(1);
    expect(start.outcome).toMatchObject({ ok: false });
    const err = await refusal(Promise.reject((start.outcome as { err: unknown }).err));
    expect(err.code).toBe('unavailable');
    expect(err.message).toMatch(/^Tradeclock will not start: 1 broker account has saved credentials that cannot be unsealed/);
    expect(err.message).toMatch(/sealed with the key in the OS keychain \(tradeclock\/data-key-test01\), which cannot be read: .*it did not answer within 60 s/);
    expect(err.message).toMatch(/may be waiting on the desktop: answer it, then try again/);
    expect(err.message).toMatch(/Key source tried: the OS keychain \(tradeclock\/data-key-test01\)/);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('an opening after a time-out waits on the same keychain read instead of starting another, and takes its answer', async () => {
    const keychain = fakeKeychain();
    await saveCredentials(opener({ openKeychainEntry: keychain.open }).open);
    const key = keychain.items.get('tradeclock/data-key-test01')!;
    // A read that answers only when the "user" does.
    let answer: (value: string) => void = () => undefined;
    keychain.state.reads = 0;
    const slow: OpenKeychainEntry = async (service, account) => ({
      ...(await keychain.open(service, account)),
      getPassword: () => {
        keychain.state.reads++;
        return new Promise<string>((resolve) => (answer = resolve));
      },
    });
    const clock = new FakeClock(T0);
    const vaults = opener({ clock, openKeychainEntry: slow, keychainTimeoutMs: 30_000 });
    const first = watch(vaults.open());
    await clock.advance(30_000);
    expect(first.outcome).toMatchObject({ ok: false, err: expect.objectContaining({ message: expect.stringMatching(/did not answer within 30 s/) }) });
    const second = watch(vaults.open());
    await clock.advance(10_000);
    expect(keychain.state.reads).toBe(1);
    answer(key);
    await clock.advance(0);
    expect(second.outcome).toEqual({ ok: true });
  });

  it('a start with no stored credentials never asks the keychain, so never waits', async () => {
    const keychain = fakeKeychain();
    keychain.state.silent = true;
    const clock = new FakeClock(T0);
    await opener({ clock, openKeychainEntry: keychain.open }).checkAtStart();
    expect(keychain.state.reads).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('open', () => {
  it('opens once and hands the same vault to every caller; a failure is not kept', async () => {
    const keychain = fakeKeychain();
    keychain.state.reachable = false;
    const vaults = opener({ openKeychainEntry: keychain.open });
    await expect(vaults.open()).rejects.toThrow(/No key to protect broker credentials/);
    keychain.state.reachable = true;
    const [a, b] = await Promise.all([vaults.open(), vaults.open()]);
    expect(a).toBe(b);
  });
});
