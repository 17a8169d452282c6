import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../core/errors';
import type { KeyProvider } from './key-provider';
import { ENVELOPE_V1, Vault } from './vault';

const CREDS = JSON.stringify({ apiKey: 'PKTESTKEYID0000007Q', apiSecret: 'sEcReT-vAlUe-that-must-not-leak-123' });

function decryptError(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    return err as DomainError;
  }
  throw new Error('expected decrypt to fail');
}

describe('Vault', () => {
  it('round-trips credential JSON under the same aad', () => {
    const vault = Vault.fromKey(randomBytes(32));
    const blob = vault.encrypt(CREDS, '42');
    expect(vault.decrypt(blob, '42')).toBe(CREDS);
    expect(vault.decrypt(new Uint8Array(blob), '42')).toBe(CREDS);
    const unicode = JSON.stringify({ note: 'clé ✓ 😀' });
    expect(vault.decrypt(vault.encrypt(unicode, '42'), '42')).toBe(unicode);
  });

  it('writes version byte, 12-byte nonce, 16-byte tag, then the ciphertext; nonces never repeat', () => {
    const vault = Vault.fromKey(randomBytes(32));
    const a = vault.encrypt(CREDS, '42');
    const b = vault.encrypt(CREDS, '42');
    expect(a[0]).toBe(ENVELOPE_V1);
    expect(a.length).toBe(1 + 12 + 16 + Buffer.byteLength(CREDS));
    expect(a.subarray(1, 13).equals(b.subarray(1, 13))).toBe(false);
    expect(a.includes(Buffer.from('sEcReT'))).toBe(false);
  });

  it('opens over a key provider', async () => {
    const key = randomBytes(32);
    const provider: KeyProvider = { kind: 'keychain', description: 'test', getKey: async () => Buffer.from(key) };
    const vault = await Vault.open(provider);
    expect(Vault.fromKey(key).decrypt(vault.encrypt(CREDS, '1'), '1')).toBe(CREDS);
  });

  it('fails when any single byte is flipped: version, nonce, tag or ciphertext', () => {
    const vault = Vault.fromKey(randomBytes(32));
    const blob = vault.encrypt(CREDS, '42');
    for (let i = 0; i < blob.length; i++) {
      const tampered = Buffer.from(blob);
      tampered[i] = (tampered[i] ?? 0) ^ 0x01;
      expect(() => vault.decrypt(tampered, '42'), `byte ${i}`).toThrow(DomainError);
    }
  });

  it('fails with a different aad, so a ciphertext copied to another account row is useless', () => {
    const vault = Vault.fromKey(randomBytes(32));
    const blob = vault.encrypt(CREDS, '42');
    for (const aad of ['43', '4', '420', '42 ', 'x']) {
      expect(decryptError(() => vault.decrypt(blob, aad)).message).toMatch(/could not be decrypted/);
    }
  });

  it('fails under another key, and on truncated or foreign data', () => {
    const blob = Vault.fromKey(randomBytes(32)).encrypt(CREDS, '42');
    const other = Vault.fromKey(randomBytes(32));
    expect(() => other.decrypt(blob, '42')).toThrow(DomainError);
    expect(decryptError(() => other.decrypt(blob.subarray(0, 20), '42')).message).toMatch(/too short/);
    expect(decryptError(() => other.decrypt(Buffer.concat([Buffer.from([2]), blob.subarray(1)]), '42')).message).toMatch(/version 2/);
    expect(() => other.decrypt(blob.subarray(0, blob.length - 1), '42')).toThrow(DomainError);
  });

  it('refuses an empty aad and a key of the wrong size', () => {
    const vault = Vault.fromKey(randomBytes(32));
    expect(() => vault.encrypt(CREDS, '')).toThrow(/aad/);
    expect(() => vault.decrypt(vault.encrypt(CREDS, '1'), '')).toThrow(/aad/);
    expect(() => Vault.fromKey(randomBytes(16))).toThrow(/32 bytes/);
  });

  it('never shows the key or the plaintext in errors, inspect or JSON', () => {
    const key = randomBytes(32);
    const vault = Vault.fromKey(key);
    const blob = vault.encrypt(CREDS, '42');
    const shown = [
      inspect(vault, { showHidden: true, depth: 5 }),
      JSON.stringify({ vault }),
      decryptError(() => vault.decrypt(blob, '43')).message,
      JSON.stringify(decryptError(() => vault.decrypt(blob, '43'))),
      inspect(decryptError(() => vault.decrypt(blob, '43'))),
    ].join('\n');
    const spacedHex = inspect(key).slice('<Buffer '.length, '<Buffer '.length + 23); // as util.inspect prints a Buffer
    for (const secret of [key.toString('hex'), key.toString('base64'), spacedHex, 'sEcReT-vAlUe', 'PKTESTKEYID']) {
      expect(shown).not.toContain(secret);
    }
  });
});
