/**
 * The data key for headless installs with no OS keychain: scrypt over TRADECLOCK_PASSPHRASE and
 * a per-install salt. The salt string also names the scrypt parameters, so new installs can get
 * a higher cost without making old installs' keys underivable.
 */
import { randomBytes, scrypt } from 'node:crypto';
import { DomainError } from '../core/errors';
import { DATA_KEY_BYTES, type KeyProvider } from './key-provider';

export const PASSPHRASE_MIN_CHARS = 12;

/**
 * Cost for new installs: 128 MiB and ~0.4 s, paid once per daemon start. Higher than for login
 * passwords because whoever copies the database gets the salt and can guess offline at leisure.
 */
export const PASSPHRASE_SCRYPT = { N: 2 ** 17, r: 8, p: 1 } as const;

const SALT_BYTES = 16;
const SALT_FORMAT = /^scrypt\$([1-9]\d{0,9})\$([1-9]\d?)\$([1-9]\d?)\$([A-Za-z0-9_-]{22,})$/;

export interface PassphraseKdf {
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
}

/**
 * A fresh salt with today's parameters, as a string to store once per install (in settings)
 * and pass to every later start. Losing it makes the derived key, and so the saved broker
 * credentials, unrecoverable even with the right passphrase.
 *
 * @example newPassphraseSalt() // 'scrypt$131072$8$1$Qm9n...'
 */
export function newPassphraseSalt(): string {
  const { N, r, p } = PASSPHRASE_SCRYPT;
  return `scrypt$${N}$${r}$${p}$${randomBytes(SALT_BYTES).toString('base64url')}`;
}

/** The parameters and salt in a stored salt string, or null when it is not one. */
export function parsePassphraseSalt(salt: string): PassphraseKdf | null {
  const m = SALT_FORMAT.exec(salt);
  if (!m) return null;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const log2N = Math.log2(N);
  if (!Number.isInteger(log2N) || log2N < 10 || log2N > 20 || r > 32 || p > 16) return null;
  const bytes = Buffer.from(m[4] ?? '', 'base64url');
  return bytes.length >= SALT_BYTES ? { N, r, p, salt: bytes } : null;
}

/** Why a passphrase cannot be used, or null when it can. The passphrase itself is never quoted. */
export function passphraseProblem(passphrase: string): string | null {
  const chars = Array.from(passphrase.normalize('NFC')).length;
  return chars < PASSPHRASE_MIN_CHARS
    ? `TRADECLOCK_PASSPHRASE is too short (${chars} characters; at least ${PASSPHRASE_MIN_CHARS} are needed)`
    : null;
}

/**
 * A provider whose key is scrypt(passphrase, salt): the same pair always gives the same key, a
 * different salt a different key. The key is derived on first use and kept for the process.
 * Throws at once (DomainError) on a too-short passphrase or a malformed salt.
 *
 * @example
 *   const provider = passphraseKeyProvider({ passphrase: process.env.TRADECLOCK_PASSPHRASE!, salt: settings.keySalt });
 *   const key = await provider.getKey(); // 32 bytes
 */
export function passphraseKeyProvider(options: { passphrase: string; salt: string }): KeyProvider {
  const problem = passphraseProblem(options.passphrase);
  if (problem) throw new DomainError('unavailable', `${problem}. Choose a longer TRADECLOCK_PASSPHRASE.`);
  const kdf = parsePassphraseSalt(options.salt);
  if (!kdf) {
    throw new DomainError(
      'internal',
      'The stored passphrase salt is missing or malformed; without the original salt the key cannot be derived again.',
    );
  }
  // The passphrase stays only inside this closure: not a field, so it never shows in inspect/JSON.
  const input = Buffer.from(options.passphrase.normalize('NFC'), 'utf8');
  let key: Promise<Buffer> | undefined;
  return {
    kind: 'passphrase',
    description: `derived from TRADECLOCK_PASSPHRASE (scrypt N=${kdf.N}, r=${kdf.r}, p=${kdf.p})`,
    getKey() {
      key ??= new Promise<Buffer>((resolve, reject) => {
        const { N, r, p, salt } = kdf;
        scrypt(input, salt, DATA_KEY_BYTES, { N, r, p, maxmem: 256 * N * r }, (err, derived) => {
          if (err) reject(new DomainError('internal', `Could not derive the key from TRADECLOCK_PASSPHRASE (${'code' in err ? String(err.code) : 'scrypt failed'})`));
          else resolve(derived);
        });
      });
      // A copy each time: a caller that zeroes its key must not break the next caller.
      return key.then((k) => Buffer.from(k));
    },
  };
}
