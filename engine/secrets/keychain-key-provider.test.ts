/**
 * Runs against the REAL Secret Service started by scripts/with-keyring.sh. Without one these
 * tests fail on purpose: a skipped keychain test would let a silent fallback to the kernel
 * keyring (lost at reboot) pass unnoticed.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { AsyncEntry } from '@napi-rs/keyring';
import { afterAll, describe, expect, it } from 'vitest';
import { KEYCHAIN_SERVICE, keychainKeyProvider } from './keychain-key-provider';

const run = promisify(execFile);
const account = `test-${randomBytes(6).toString('hex')}`;

function requireSecretService(): void {
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) {
    throw new Error(
      'No Secret Service for the keychain tests (DBUS_SESSION_BUS_ADDRESS is unset). ' +
        'Run them via scripts/with-keyring.sh, e.g. `bash scripts/with-keyring.sh npx vitest run engine/secrets` ' +
        '(needs: apt-get install gnome-keyring dbus libsecret-tools).',
    );
  }
}

const pinnedEntry = (name: string) => new AsyncEntry(KEYCHAIN_SERVICE, name, { linux: { store: 'secret-service' } });

afterAll(async () => {
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) return;
  for (const name of [account, `${account}-existing`, `${account}-odd`, `${account}-absent`]) await pinnedEntry(name).deleteCredential().catch(() => false);
});

describe('keychainKeyProvider on the real Secret Service', () => {
  it('creates a key on first use, reads it back through a new provider, and stores it in the Secret Service', async () => {
    requireSecretService();
    const first = await keychainKeyProvider({ account }).getKey();
    expect(first.length).toBe(32);

    const second = await keychainKeyProvider({ account }).getKey();
    expect(second.equals(first)).toBe(true);

    // Ask the Secret Service itself, through libsecret's CLI rather than our binding: the item is
    // there, so it did not land in the kernel keyutils store. (Booleans, so a failure prints no key.)
    const lookup = await run('secret-tool', ['lookup', 'service', KEYCHAIN_SERVICE, 'username', account]);
    expect(Buffer.from(lookup.stdout.trim(), 'base64').equals(first)).toBe(true);
    const search = await run('secret-tool', ['search', '--all', 'service', KEYCHAIN_SERVICE]);
    expect(`${search.stdout}\n${search.stderr}`.includes(`attribute.username = ${account}`)).toBe(true);
  });

  it('uses a key already in the keychain instead of replacing it', async () => {
    requireSecretService();
    const existing = randomBytes(32);
    await pinnedEntry(`${account}-existing`).setPassword(existing.toString('base64'));
    const key = await keychainKeyProvider({ account: `${account}-existing` }).getKey();
    expect(key.equals(existing)).toBe(true);
  });

  it('with createIfMissing: false, a missing item is an error that says so, and none is created', async () => {
    requireSecretService();
    const absent = `${account}-absent`;
    await expect(keychainKeyProvider({ account: absent, createIfMissing: false }).getKey()).rejects.toThrow(/The OS keychain has no key at tradeclock\/.*-absent: the item was removed/);
    expect(await pinnedEntry(absent).getPassword()).toBeNull();
  });

  it('refuses a keychain item that is not a 32-byte base64 key, and leaves it untouched', async () => {
    requireSecretService();
    const odd = `${account}-odd`;
    const entry = pinnedEntry(odd);
    await entry.setPassword('not a key');
    await expect(keychainKeyProvider({ account: odd }).getKey()).rejects.toThrow(/does not hold a 32-byte base64 key/);
    expect(await entry.getPassword()).toBe('not a key');
  });

  it('fails loudly, with no keyutils fallback, when the Secret Service is unreachable', async () => {
    requireSecretService();
    // A child process: libdbus keeps its session connection for the life of a process, so the
    // bus address has to be wrong from the start.
    const moduleUrl = new URL('./keychain-key-provider.ts', import.meta.url).href;
    const script = `
      const { keychainKeyProvider } = await import(${JSON.stringify(moduleUrl)});
      try { await keychainKeyProvider({ account: 'unreachable' }).getKey(); console.log(JSON.stringify({ ok: true })); }
      catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })); }`;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/tradeclock-test-bus' },
    });
    const outcome = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { ok?: boolean; name?: string; code?: string; message?: string };
    expect(outcome.ok).toBeUndefined();
    expect(outcome.name).toBe('DomainError');
    expect(outcome.code).toBe('unavailable');
    expect(outcome.message).toMatch(/OS keychain unavailable for tradeclock\/unreachable: .*DBus/);
  });
});
