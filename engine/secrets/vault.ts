/**
 * Broker credentials at rest: an AES-256-GCM envelope bound to the row it belongs to.
 *
 * Layout (version 1): [version: 1 byte][nonce: 12][tag: 16][ciphertext]. The version byte and
 * the caller's aad (the broker account id) are authenticated, so a ciphertext copied to another
 * account's row, or altered by one bit anywhere, does not decrypt.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DomainError } from '../core/errors';
import { DATA_KEY_BYTES, type KeyProvider } from './key-provider';

export const ENVELOPE_V1 = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + NONCE_BYTES + TAG_BYTES;

const UNREADABLE =
  'Saved broker credentials could not be decrypted: they were altered, belong to another account, ' +
  'or were saved with a different key (the keychain item or TRADECLOCK_PASSPHRASE changed). Enter them again.';

/**
 * Encrypts and decrypts credential JSON with the data key. The key is held in a private field,
 * so it never appears in `JSON.stringify`, `util.inspect` or a pino log of the vault.
 *
 * @example
 *   const vault = await Vault.open(provider);
 *   const blob = vault.encrypt(JSON.stringify({ keyId, secret }), String(accountId));
 *   const json = vault.decrypt(blob, String(accountId));
 */
export class Vault {
  readonly #key: Buffer;

  private constructor(key: Uint8Array) {
    if (key.length !== DATA_KEY_BYTES) throw new Error(`vault key must be ${DATA_KEY_BYTES} bytes`);
    this.#key = Buffer.from(key);
  }

  /** A vault over the provider's key; rejects with the provider's actionable DomainError. */
  static async open(provider: KeyProvider): Promise<Vault> {
    const key = await provider.getKey();
    try {
      return new Vault(key);
    } finally {
      key.fill(0);
    }
  }

  /** A vault over a key you already hold (tests, key rotation tools). The key is copied. */
  static fromKey(key: Uint8Array): Vault {
    return new Vault(key);
  }

  /**
   * Seals the credential JSON text. `aad` names the row it belongs to (the broker account id);
   * the same aad is needed to decrypt. The JSON is not parsed here: a parse error would quote it.
   *
   * @example vault.encrypt('{"apiKey":"PK...","secret":"..."}', '42') // Buffer [0x01, nonce, tag, ...]
   */
  encrypt(plaintextJson: string, aad: string): Buffer {
    checkAad(aad);
    const header = Buffer.alloc(HEADER_BYTES);
    header[0] = ENVELOPE_V1;
    const nonce = randomBytes(NONCE_BYTES);
    nonce.copy(header, 1);
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData(aad));
    const plaintext = Buffer.from(plaintextJson, 'utf8');
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    plaintext.fill(0);
    cipher.getAuthTag().copy(header, 1 + NONCE_BYTES);
    return Buffer.concat([header, body]);
  }

  /**
   * The credential JSON text, or a DomainError when the envelope was altered, belongs to another
   * aad, or was sealed under another key. The error never says more than that.
   *
   * @example vault.decrypt(row.credentialsCiphertext, String(row.id)) // '{"apiKey":"PK...",...}'
   */
  decrypt(envelope: Uint8Array, aad: string): string {
    checkAad(aad);
    const buf = Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength);
    if (buf.length < HEADER_BYTES) throw new DomainError('internal', `${UNREADABLE} (too short to be an envelope)`);
    if (buf[0] !== ENVELOPE_V1) throw new DomainError('internal', `${UNREADABLE} (unknown envelope version ${buf[0]})`);
    const nonce = buf.subarray(1, 1 + NONCE_BYTES);
    const tag = buf.subarray(1 + NONCE_BYTES, HEADER_BYTES);
    let plaintext: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, nonce, { authTagLength: TAG_BYTES });
      decipher.setAAD(associatedData(aad));
      decipher.setAuthTag(tag);
      plaintext = Buffer.concat([decipher.update(buf.subarray(HEADER_BYTES)), decipher.final()]);
    } catch {
      // OpenSSL's own message ("Unsupported state or unable to authenticate data") says nothing
      // useful to a user; ours says what may have happened and what to do.
      throw new DomainError('internal', UNREADABLE);
    }
    const text = plaintext.toString('utf8');
    plaintext.fill(0);
    return text;
  }

  toJSON(): string {
    return '[Vault]';
  }
}

/** The version byte is part of the authenticated data, so it cannot be swapped for another. */
function associatedData(aad: string): Buffer {
  return Buffer.concat([Buffer.from([ENVELOPE_V1]), Buffer.from(aad, 'utf8')]);
}

function checkAad(aad: string): void {
  // An empty aad would bind the ciphertext to nothing, silently losing the per-account binding.
  if (typeof aad !== 'string' || aad.length === 0) throw new Error('vault aad (the broker account id) must be a non-empty string');
}
