import { describe, expect, it } from 'vitest';
import { hashPassword, needsRehash, parseStoredHash, passwordProblems, PASSWORD_SCRYPT, verifyPassword } from './password';

// Cheap parameters for the many-case tests; the default cost is exercised once below.
const FAST = { N: 2 ** 10, r: 8, p: 1 };

describe('hashPassword / verifyPassword', () => {
  it('verifies the right password and rejects a wrong one, at the default cost', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('writes a self-describing scrypt$N$r$p$salt$hash string with a fresh 16-byte salt', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$65536\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    const parsed = parseStoredHash(a);
    expect(parsed?.params).toEqual(PASSWORD_SCRYPT);
    expect(parsed?.salt.length).toBe(16);
    expect(parsed?.hash.length).toBe(32);
  });

  it('verifies hashes made with other parameters, so the cost can be raised later', async () => {
    const old = await hashPassword('correct horse battery', FAST);
    expect(old.startsWith('scrypt$1024$8$1$')).toBe(true);
    expect(await verifyPassword('correct horse battery', old)).toBe(true);
    expect(needsRehash(old)).toBe(true);
    expect(needsRehash(await hashPassword('correct horse battery'))).toBe(false);
  });

  it('treats a tampered hash, salt or parameter as a mismatch', async () => {
    const stored = await hashPassword('correct horse battery', FAST);
    const parts = stored.split('$');
    const flip = (s: string) => {
      const buf = Buffer.from(s, 'base64url');
      buf[0] = (buf[0] ?? 0) ^ 0x01;
      return buf.toString('base64url');
    };
    const withPart = (i: number, v: string) => parts.map((p, j) => (j === i ? v : p)).join('$');
    expect(await verifyPassword('correct horse battery', withPart(5, flip(parts[5] ?? '')))).toBe(false);
    expect(await verifyPassword('correct horse battery', withPart(4, flip(parts[4] ?? '')))).toBe(false);
    expect(await verifyPassword('correct horse battery', withPart(1, '2048'))).toBe(false);
  });

  it('returns false (never throws) for stored strings it did not write', async () => {
    for (const bad of ['', 'plain', 'bcrypt$2b$10$abc', 'scrypt$1000$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA',
      'scrypt$1073741824$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA', 'scrypt$1024$8$1$short$AAAAAAAAAAAAAAAAAAAAAA',
      'scrypt$1024$8$1$AAAAAAAAAAAAAAAAAAAAAA$not+base64url', 'scrypt$01024$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA']) {
      expect(parseStoredHash(bad)).toBeNull();
      await expect(verifyPassword('correct horse battery', bad)).resolves.toBe(false);
    }
  });

  it('matches the same password in composed and decomposed Unicode forms', async () => {
    const stored = await hashPassword('Caf\u00e9 au lait 42', FAST);
    expect(await verifyPassword('Cafe\u0301 au lait 42', stored)).toBe(true);
  });
});

describe('passwordProblems', () => {
  it('accepts 10 to 256 characters', () => {
    expect(passwordProblems('a'.repeat(10))).toEqual([]);
    expect(passwordProblems('a'.repeat(256))).toEqual([]);
  });

  it('names the problem for too short and too long', () => {
    expect(passwordProblems('a'.repeat(9))).toEqual(['must be at least 10 characters']);
    expect(passwordProblems('a'.repeat(257))).toEqual(['must be at most 256 characters']);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(passwordProblems('😀'.repeat(9))).toEqual(['must be at least 10 characters']);
    expect(passwordProblems('😀'.repeat(256))).toEqual([]);
  });
});
