/**
 * Password hashing with scrypt (memory-hard, in node:crypto, no native add-on to rebuild for
 * Electron). The stored string names its own parameters, so the cost can be raised later: old
 * hashes still verify, and `needsRehash` says when to re-hash on the next successful login.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** Cost of new hashes: 64 MiB and ~0.2 s per hash. p=1 keeps it to one thread per login. */
export const PASSWORD_SCRYPT = { N: 2 ** 16, r: 8, p: 1 } as const;

export const PASSWORD_MIN_CHARS = 10;
export const PASSWORD_MAX_CHARS = 256;

export interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

const SALT_BYTES = 16;
const HASH_BYTES = 32;
/** Refuse to even try parameters beyond this: a corrupt or hostile row must not exhaust memory. */
const MAX_LOG2_N = 20;

/**
 * What is wrong with a new password, as messages for a `password` field error; empty when it is
 * acceptable. Length counts characters (code points), not UTF-16 units.
 *
 * @example passwordProblems('short') // ['must be at least 10 characters']
 * @example passwordProblems('correct horse battery') // []
 */
export function passwordProblems(pw: string): string[] {
  const chars = Array.from(pw.normalize('NFC')).length;
  const problems: string[] = [];
  if (chars < PASSWORD_MIN_CHARS) problems.push(`must be at least ${PASSWORD_MIN_CHARS} characters`);
  if (chars > PASSWORD_MAX_CHARS) problems.push(`must be at most ${PASSWORD_MAX_CHARS} characters`);
  return problems;
}

/**
 * Hashes a password into `scrypt$N$r$p$salt$hash` (salt and hash base64url). Does not check the
 * policy: call `passwordProblems` first.
 *
 * @example
 *   const stored = await hashPassword('correct horse battery');
 *   // 'scrypt$65536$8$1$3q2...$Yk9...'
 */
export async function hashPassword(pw: string, params: ScryptParams = PASSWORD_SCRYPT): Promise<string> {
  checkParams(params);
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(pw, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/**
 * True when `pw` matches the stored hash. A malformed stored string is a non-match, never an
 * exception, so a corrupt row cannot turn a login into a 500.
 *
 * @example await verifyPassword('correct horse battery', stored) // true
 */
export async function verifyPassword(pw: string, stored: string): Promise<boolean> {
  const parsed = parseStoredHash(stored);
  // No stored password can be longer than the policy allows; skip the work for oversized input.
  if (!parsed || pw.length > PASSWORD_MAX_CHARS * 2) return false;
  const actual = await derive(pw, parsed.salt, parsed.params, parsed.hash.length);
  return timingSafeEqual(actual, parsed.hash);
}

/**
 * True when a stored hash was made with weaker parameters than today's (or cannot be read), so
 * the caller should store a fresh `hashPassword` after a successful login.
 *
 * @example needsRehash('scrypt$32768$8$1$...$...') // true while PASSWORD_SCRYPT.N is 65536
 */
export function needsRehash(stored: string, params: ScryptParams = PASSWORD_SCRYPT): boolean {
  const parsed = parseStoredHash(stored);
  if (!parsed) return true;
  const p = parsed.params;
  return p.N < params.N || p.r < params.r || p.p < params.p;
}

/** The parts of a stored hash, or null when it is not one this module wrote. */
export function parseStoredHash(stored: string): { params: ScryptParams; salt: Buffer; hash: Buffer } | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map((s) => (/^[1-9]\d{0,9}$/.test(s ?? '') ? Number(s) : NaN));
  const params = { N: N ?? NaN, r: r ?? NaN, p: p ?? NaN };
  try {
    checkParams(params);
  } catch {
    return null;
  }
  const salt = fromBase64url(parts[4] ?? '');
  const hash = fromBase64url(parts[5] ?? '');
  if (!salt || !hash || salt.length < SALT_BYTES || hash.length < 16) return null;
  return { params, salt, hash };
}

function checkParams({ N, r, p }: ScryptParams): void {
  const log2N = Math.log2(N);
  if (!Number.isInteger(log2N) || log2N < 1 || log2N > MAX_LOG2_N) throw new Error('scrypt N must be a power of two ≤ 2^20');
  if (!Number.isInteger(r) || r < 1 || r > 32) throw new Error('scrypt r must be 1..32');
  if (!Number.isInteger(p) || p < 1 || p > 16) throw new Error('scrypt p must be 1..16');
}

function derive(pw: string, salt: Buffer, { N, r, p }: ScryptParams, length = HASH_BYTES): Promise<Buffer> {
  // Node's default maxmem (32 MiB) rejects N=2^15,r=8 already; scrypt needs 128·N·r bytes plus
  // a little, so allow twice that.
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r };
  // NFC: the same password typed on macOS (often NFD) and on Windows/Linux must match.
  const input = Buffer.from(pw.normalize('NFC'), 'utf8');
  return new Promise((resolve, reject) => {
    scrypt(input, salt, length, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function fromBase64url(s: string): Buffer | null {
  if (!/^[A-Za-z0-9_-]+$/.test(s)) return null;
  return Buffer.from(s, 'base64url');
}
