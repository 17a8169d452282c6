/** The only place engine code makes random values (install ids, lock owners, nonces). */
import { randomBytes } from 'node:crypto';

/** A random id for an install, written once into the database's settings. 6 base-36 chars. */
export function newInstallId(): string {
  const n = randomBytes(4).readUInt32BE(0);
  return n.toString(36).padStart(6, '0').slice(-6);
}

/** An opaque random token (lock owners, request ids). */
export function randomToken(bytes = 12): string {
  return randomBytes(bytes).toString('base64url');
}

/** A one-time confirmation code of 6 digits (the Telegram kill switch's). */
export function confirmationCode(): string {
  return String(randomBytes(4).readUInt32BE(0) % 1_000_000).padStart(6, '0');
}
