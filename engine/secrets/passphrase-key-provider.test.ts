import { scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../core/errors';
import { newPassphraseSalt, parsePassphraseSalt, passphraseKeyProvider, PASSPHRASE_SCRYPT } from './passphrase-key-provider';

const PASSPHRASE = 'long enough passphrase 4 tests';
// A cheap cost for the many-case tests; the salt names its own parameters, so this is honoured.
const fastSalt = (fill: number) => `scrypt$1024$8$1$${Buffer.alloc(16, fill).toString('base64url')}`;

describe('passphraseKeyProvider', () => {
  it('derives the same 32-byte key for the same passphrase and salt, at the default cost', async () => {
    const salt = newPassphraseSalt();
    expect(salt).toMatch(/^scrypt\$131072\$8\$1\$[A-Za-z0-9_-]{22}$/);
    const a = await passphraseKeyProvider({ passphrase: PASSPHRASE, salt }).getKey();
    const b = await passphraseKeyProvider({ passphrase: PASSPHRASE, salt }).getKey();
    expect(a.length).toBe(32);
    expect(a.equals(b)).toBe(true);
    const { N, r, p } = PASSPHRASE_SCRYPT;
    const kdf = parsePassphraseSalt(salt);
    expect(a.equals(scryptSync(PASSPHRASE, kdf?.salt ?? Buffer.alloc(0), 32, { N, r, p, maxmem: 256 * N * r }))).toBe(true);
  });

  it('derives a different key for a different salt or passphrase', async () => {
    const key = (passphrase: string, salt: string) => passphraseKeyProvider({ passphrase, salt }).getKey();
    const base = await key(PASSPHRASE, fastSalt(1));
    expect(base.equals(await key(PASSPHRASE, fastSalt(1)))).toBe(true);
    expect(base.equals(await key(PASSPHRASE, fastSalt(2)))).toBe(false);
    expect(base.equals(await key(`${PASSPHRASE}!`, fastSalt(1)))).toBe(false);
    expect(newPassphraseSalt()).not.toBe(newPassphraseSalt());
  });

  it('treats composed and decomposed Unicode as the same passphrase', async () => {
    const a = await passphraseKeyProvider({ passphrase: 'Caf\u00e9 crème brûlée', salt: fastSalt(3) }).getKey();
    const b = await passphraseKeyProvider({ passphrase: 'Cafe\u0301 cre\u0300me bru\u0302le\u0301e', salt: fastSalt(3) }).getKey();
    expect(a.equals(b)).toBe(true);
  });

  it('hands out copies, so zeroing one does not break the next caller', async () => {
    const provider = passphraseKeyProvider({ passphrase: PASSPHRASE, salt: fastSalt(4) });
    const first = await provider.getKey();
    const copy = Buffer.from(first);
    first.fill(0);
    expect((await provider.getKey()).equals(copy)).toBe(true);
  });

  it('refuses a short passphrase without quoting it', () => {
    let error: unknown;
    try {
      passphraseKeyProvider({ passphrase: 'tiny-secret', salt: fastSalt(1) });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).message).toMatch(/too short \(11 characters; at least 12/);
    expect((error as DomainError).message).not.toContain('tiny-secret');
  });

  it('refuses a missing or malformed salt', () => {
    for (const salt of ['', 'abc', 'scrypt$1000$8$1$AAAAAAAAAAAAAAAAAAAAAA', 'scrypt$1024$8$1$short', 'scrypt$2097152$8$1$AAAAAAAAAAAAAAAAAAAAAA']) {
      expect(() => passphraseKeyProvider({ passphrase: PASSPHRASE, salt })).toThrow(/salt is missing or malformed/);
    }
  });

  it('keeps the passphrase out of the provider object', () => {
    const provider = passphraseKeyProvider({ passphrase: PASSPHRASE, salt: fastSalt(5) });
    expect(JSON.stringify(provider)).not.toContain(PASSPHRASE);
    expect(provider.description).not.toContain(PASSPHRASE);
  });
});
