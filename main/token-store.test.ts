import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertToken, isOsBackedEncryption, privateFile, TokenStore, type BlobFile, type SecretCipher } from './token-store';

/** Reversible "encryption" that is visibly not plaintext, and can be told to rotate or fail. */
function fakeCipher(opts: { osBacked?: boolean; rotate?: boolean; failDecrypt?: boolean } = {}): SecretCipher & { encrypted: number } {
  const cipher = {
    encrypted: 0,
    osBacked: async () => opts.osBacked ?? true,
    encrypt: async (plain: string) => {
      cipher.encrypted++;
      return Buffer.from(`enc:${Buffer.from(plain).toString('base64')}`);
    },
    decrypt: async (data: Buffer) => {
      if (opts.failDecrypt) throw new Error('keychain reset');
      return { value: Buffer.from(data.toString().slice(4), 'base64').toString(), reEncrypt: opts.rotate ?? false };
    },
  };
  return cipher;
}

function memoryFile(initial: Buffer | null = null): BlobFile & { data: Buffer | null } {
  const f = {
    data: initial,
    read: () => f.data,
    write: (d: Buffer) => void (f.data = d),
    remove: () => void (f.data = null),
  };
  return f;
}

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig';

describe('TokenStore', () => {
  it('keeps the token encrypted on disk and reads it back after a restart', async () => {
    const file = memoryFile();
    expect(await new TokenStore(fakeCipher(), file).set(TOKEN)).toBe('os-keychain');
    expect(file.data?.toString()).not.toContain(TOKEN);
    expect(await new TokenStore(fakeCipher(), file).get()).toBe(TOKEN);
  });

  it('without an OS keychain keeps it in memory only, and removes any older file', async () => {
    const file = memoryFile(Buffer.from('stale'));
    const store = new TokenStore(fakeCipher({ osBacked: false }), file);
    expect(await store.set(TOKEN)).toBe('memory');
    expect(file.data).toBeNull();
    expect(await store.get()).toBe(TOKEN);
    expect(await new TokenStore(fakeCipher({ osBacked: false }), file).get()).toBeNull();
  });

  it('clear() forgets it everywhere', async () => {
    const file = memoryFile();
    const store = new TokenStore(fakeCipher(), file);
    await store.set(TOKEN);
    await store.clear();
    expect(await store.get()).toBeNull();
    expect(file.data).toBeNull();
  });

  it('discards a file it cannot decrypt (the trader logs in again) and says why', async () => {
    const file = memoryFile(Buffer.from('enc:garbage'));
    const errors: string[] = [];
    const store = new TokenStore(fakeCipher({ failDecrypt: true }), file, (_e, what) => errors.push(what));
    expect(await store.get()).toBeNull();
    expect(file.data).toBeNull();
    expect(errors).toEqual(['saved session token could not be decrypted; it was discarded']);
  });

  it('re-encrypts after the OS rotated its key', async () => {
    const file = memoryFile();
    await new TokenStore(fakeCipher(), file).set(TOKEN);
    const rotating = fakeCipher({ rotate: true });
    expect(await new TokenStore(rotating, file).get()).toBe(TOKEN);
    expect(rotating.encrypted).toBe(1);
  });

  it('refuses anything that is not a plausible token (the argument comes from the page)', async () => {
    const store = new TokenStore(fakeCipher(), memoryFile());
    for (const bad of ['', 'a b', 'x'.repeat(4097), 42, null, { token: 'x' }, 'tab\there', 'ünïcode']) {
      await expect(store.set(bad)).rejects.toThrow(TypeError);
    }
    expect(() => assertToken(TOKEN)).not.toThrow();
  });
});

describe('isOsBackedEncryption', () => {
  it('trusts macOS and Windows whenever encryption is available', () => {
    expect(isOsBackedEncryption('darwin', true, null)).toBe(true);
    expect(isOsBackedEncryption('win32', true, null)).toBe(true);
    expect(isOsBackedEncryption('win32', false, null)).toBe(false);
  });

  it('on Linux refuses the hard-coded-password backend', () => {
    expect(isOsBackedEncryption('linux', true, 'gnome_libsecret')).toBe(true);
    expect(isOsBackedEncryption('linux', true, 'kwallet6')).toBe(true);
    expect(isOsBackedEncryption('linux', true, 'basic_text')).toBe(false);
    expect(isOsBackedEncryption('linux', true, 'unknown')).toBe(false);
    expect(isOsBackedEncryption('linux', true, null)).toBe(false);
  });
});

describe('privateFile', () => {
  it('writes atomically with owner-only permissions, and reads null when absent', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tc-token-')), 'sub', 'session-token.bin');
    const f = privateFile(path);
    expect(f.read()).toBeNull();
    f.write(Buffer.from([1, 2, 3]));
    expect([...readFileSync(path)]).toEqual([1, 2, 3]);
    if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o600);
    f.remove();
    f.remove();
    expect(f.read()).toBeNull();
  });
});
