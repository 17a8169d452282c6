/**
 * Pairing a phone: the desktop asks for a one-time code, the phone trades it (with a name for
 * itself) for a device token. The device token then signs in like a session's token, through the
 * same AuthService.authenticate (tokens starting `tcd_`), until the trader revokes the device.
 *
 * - A code lives PAIRING_CODE_TTL_MS, pairs once, and is kept only as its SHA-256 in memory (a
 *   restart forgets every code: the desktop shows a new one). A user has one live code at a time.
 * - Guessing is bounded twice: per client (PAIRING_CLIENT_LIMIT failures, then a wait), and per
 *   code (MAX_WRONG_TRIES wrong codes from anyone, and every live code dies), so 40 bits face at
 *   most a handful of guesses whatever the number of addresses.
 * - Codes are compared by their hashes with timingSafeEqual.
 * - The device token is 32 random bytes; only its SHA-256 reaches the database.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Repos, StoredDevice, User } from '../../db/repos';
import type { Clock } from '../core/clock';
import { DomainError, notFound, validationError } from '../core/errors';
import type { UserId } from '../core/ids';
import { pairingCode, randomToken } from '../core/random-ids';
import { clientKey } from './client-address';
import { FailureLimiter, type FailureLimitOptions } from './login-limiter';
import { RateLimitedError } from './rate-limited-error';

export const DEVICE_TOKEN_PREFIX = 'tcd_';
export const PAIRING_CODE_TTL_MS = 5 * 60_000;
/** Wrong codes, from all clients together, that void every live code. */
export const MAX_WRONG_TRIES = 5;
export const PAIRING_CLIENT_LIMIT: FailureLimitOptions = { maxFailures: 5, windowMs: 15 * 60_000 };
export const DEVICE_NAME_MAX_CHARS = 60;
/** A device's last use is written at most this often, as a session's is. */
const LAST_SEEN_RESOLUTION_MS = 60_000;

const WRONG_CODE = 'the pairing code is wrong or has expired: show a new one on the desktop';

interface LiveCode {
  readonly userId: UserId;
  readonly hash: Buffer;
  readonly expiresAt: number;
}

export interface PairingCode {
  /** 8 characters, shown as XXXX-XXXX. */
  readonly code: string;
  readonly expiresAt: number;
}

export interface Paired {
  /** Given once, in the pairing answer; never stored or shown again. */
  readonly token: string;
  readonly device: StoredDevice;
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

/** The code as typed: case, spaces and dashes do not matter. */
export function normalizeCode(typed: string): string {
  return typed.toUpperCase().replace(/[\s-]/g, '');
}

/** A device's name, trimmed; throws 400 naming `name` when empty or too long. */
export function deviceName(raw: string): string {
  const name = raw.trim();
  if (name === '') throw validationError([{ field: 'name', message: 'give the device a name, e.g. "Pixel 8"' }]);
  if (Array.from(name).length > DEVICE_NAME_MAX_CHARS) throw validationError([{ field: 'name', message: `at most ${DEVICE_NAME_MAX_CHARS} characters` }]);
  return name;
}

/**
 * @example
 *   const pairing = new DevicePairing({ repos, clock });
 *   const { code } = pairing.newCode(user.id);            // shown on the desktop
 *   const { token } = pairing.pair(code, 'Pixel 8', ip);  // on the phone
 *   pairing.authenticate(token);                          // { user, device } until revoked
 */
export class DevicePairing {
  #codes: LiveCode[] = [];
  #wrongTries = 0;
  readonly #clients: FailureLimiter;

  constructor(private readonly deps: { readonly repos: Repos; readonly clock: Clock; readonly clientLimit?: FailureLimitOptions }) {
    this.#clients = new FailureLimiter(deps.clientLimit ?? PAIRING_CLIENT_LIMIT, () => deps.clock.now());
  }

  /** A new one-time code for the user; the user's previous code stops working. */
  newCode(userId: UserId): PairingCode {
    const now = this.deps.clock.now();
    const code = pairingCode();
    const expiresAt = now + PAIRING_CODE_TTL_MS;
    this.#codes = [...this.#live(now).filter((c) => c.userId !== userId), { userId, hash: sha256(code), expiresAt }];
    return { code, expiresAt };
  }

  /**
   * Trades a code for a new device of the code's user.
   * @throws 400 naming `code` or `name`, 401 for a wrong, used or expired code, 429 when this
   *   client has failed too often.
   */
  pair(typedCode: string, rawName: string, address: string): Paired {
    const name = deviceName(rawName);
    const key = clientKey(address);
    const decision = this.#clients.check(key);
    if (!decision.allowed) throw new RateLimitedError(decision.retryAfterMs, `too many wrong pairing codes: try again in ${Math.ceil(decision.retryAfterMs / 1000)} s`);
    const now = this.deps.clock.now();
    const typed = sha256(normalizeCode(typedCode));
    // Every live code is compared, so the time taken says nothing about which one came close.
    let match: LiveCode | undefined;
    for (const c of this.#live(now)) if (timingSafeEqual(c.hash, typed)) match = c;
    if (!match) {
      this.#clients.recordFailure(key);
      if (++this.#wrongTries >= MAX_WRONG_TRIES) this.#codes = [];
      throw new DomainError('unauthorized', WRONG_CODE);
    }
    const used = match;
    this.#codes = this.#codes.filter((c) => c !== used);
    this.#wrongTries = 0;
    const token = DEVICE_TOKEN_PREFIX + randomToken(32);
    const device = this.deps.repos.devices.create({ userId: used.userId, name, tokenHash: sha256(token).toString('hex'), pairedAt: now, clientAddress: address });
    return { token, device };
  }

  /** The device token's user and device, or null when it is not a token of a paired device. */
  authenticate(token: string): { user: User; device: StoredDevice } | null {
    if (!token.startsWith(DEVICE_TOKEN_PREFIX)) return null;
    const found = this.deps.repos.devices.getByTokenHash(sha256(token).toString('hex'));
    if (!found) return null;
    const now = this.deps.clock.now();
    if (now - found.device.lastSeenAt >= LAST_SEEN_RESOLUTION_MS) this.deps.repos.devices.touch(found.device.id, now);
    return found;
  }

  devices(userId: UserId): StoredDevice[] {
    return this.deps.repos.devices.list(userId);
  }

  /** @throws 404 when the user has no such device, 400 naming `name`. */
  rename(userId: UserId, id: number, rawName: string): StoredDevice {
    const renamed = this.deps.repos.devices.rename(userId, id, deviceName(rawName));
    if (!renamed) throw notFound('device');
    return renamed;
  }

  /** Its token stops verifying at once. @throws 404 when the user has no such device. */
  revoke(userId: UserId, id: number): void {
    if (!this.deps.repos.devices.delete(userId, id)) throw notFound('device');
  }

  /** The user's codes still showing die (the password changed: a code made before must not pair). */
  forgetCodes(userId: UserId): void {
    this.#codes = this.#codes.filter((c) => c.userId !== userId);
  }

  #live(now: number): LiveCode[] {
    this.#codes = this.#codes.filter((c) => c.expiresAt > now);
    if (this.#codes.length === 0) this.#wrongTries = 0;
    return this.#codes;
  }
}
