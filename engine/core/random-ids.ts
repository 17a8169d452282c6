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

/** Letters and digits a person reads back without confusion: no 0/O, 1/I. 32 of them, 5 bits each. */
export const PAIRING_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A one-time pairing code of 8 characters from PAIRING_CODE_ALPHABET (40 bits). */
export function pairingCode(): string {
  return Array.from(randomBytes(8), (b) => PAIRING_CODE_ALPHABET[b % 32]).join('');
}
