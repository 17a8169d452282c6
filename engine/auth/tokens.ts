/**
 * Session tokens: HS256 JWTs that carry the user id and the user's token version. Revocation
 * needs no token list: logout-everywhere and password change bump `users.token_version`, and
 * every token issued under the old version stops verifying.
 *
 * Signed and checked with node:crypto's synchronous HMAC on the calling thread, not with
 * WebCrypto (jose 6 uses `crypto.subtle`, whose HMAC runs as a job on libuv's 4-thread pool).
 * That pool is where scrypt runs: behind four password hashes a token check waited seconds, so
 * an authenticated request (the kill switch) queued behind a flood of registrations. An HMAC of
 * a few hundred bytes takes microseconds; there is nothing to gain from a thread.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { asUserId, type UserId } from '../core/ids';

export const TOKEN_ISSUER = 'tradeclock';
export const DEFAULT_TOKEN_TTL_MS = 12 * 60 * 60 * 1000;

export interface TokenClaims {
  readonly userId: UserId;
  readonly tokenVersion: number;
}

export interface TokenServiceOptions {
  /** At least 32 random bytes, kept by the caller (the same key must survive a restart). */
  readonly key: Uint8Array;
  /** Wall-clock epoch ms; pass the engine Clock's `now`. */
  readonly now: () => number;
  /** Lifetime of a token; 12 h by default. */
  readonly ttlMs?: number;
}

/** The current token version of a user, or undefined when the user no longer exists. */
export type CurrentTokenVersion = (userId: UserId) => number | undefined | Promise<number | undefined>;

/** The protected header: HS256 only; `crit` (extensions we do not implement) is refused. */
const Header = z.looseObject({ alg: z.literal('HS256'), typ: z.literal('JWT').optional(), crit: z.never().optional() });

/** Registered claims every token must carry, then ours. */
const Payload = z.looseObject({
  iss: z.literal(TOKEN_ISSUER),
  sub: z.string().regex(/^[1-9]\d{0,15}$/),
  iat: z.number(),
  exp: z.number(),
  nbf: z.number().optional(),
  tv: z.number().int().nonnegative(),
});

/** Unpadded base64url, as JWS compact serialization writes it; anything else is not a token. */
const SEGMENT = /^[A-Za-z0-9_-]+$/;
/** Far above any token we issue; longer input is refused before any work. */
const MAX_TOKEN_CHARS = 4096;
const SIGNATURE_BYTES = 32;

/**
 * Issues and verifies session tokens.
 *
 * @example
 *   const tokens = new TokenService({ key: signingKey, now: clock.now });
 *   const token = await tokens.issue({ userId, tokenVersion: user.tokenVersion });
 *   const claims = await tokens.verify(token, (id) => users.get(id)?.tokenVersion);
 *   if (!claims) throw new DomainError('unauthorized', 'Sign in again');
 */
export class TokenService {
  readonly #key: Buffer;
  readonly #now: () => number;
  readonly #ttlSeconds: number;

  constructor(options: TokenServiceOptions) {
    if (options.key.length < 32) throw new Error('token signing key must be at least 32 bytes');
    const ttlMs = options.ttlMs ?? DEFAULT_TOKEN_TTL_MS;
    if (!Number.isFinite(ttlMs) || ttlMs < 1000) throw new Error('token ttlMs must be at least 1000');
    // A copy, so a caller that later zeroes or reuses its buffer cannot change our key.
    this.#key = Buffer.from(options.key);
    this.#now = options.now;
    this.#ttlSeconds = Math.floor(ttlMs / 1000);
  }

  /**
   * A signed token for the user, valid for the configured lifetime from `now()`.
   *
   * @example await tokens.issue({ userId: asUserId(1), tokenVersion: 0 }) // 'eyJhbGciOiJIUzI1NiJ9...'
   */
  async issue(claims: TokenClaims): Promise<string> {
    if (!Number.isInteger(claims.tokenVersion) || claims.tokenVersion < 0) throw new Error('tokenVersion must be a non-negative integer');
    const iat = Math.floor(this.#now() / 1000);
    const header = segment({ alg: 'HS256', typ: 'JWT' });
    const payload = segment({ tv: claims.tokenVersion, iss: TOKEN_ISSUER, sub: String(claims.userId), iat, exp: iat + this.#ttlSeconds });
    return `${header}.${payload}.${this.#sign(`${header}.${payload}`).toString('base64url')}`;
  }

  /**
   * The token's claims, or null when the token is malformed, badly signed, expired, from another
   * issuer, or carries a token version that is no longer the user's current one. The reason is
   * deliberately not returned: every case means "sign in again". Never touches the thread pool.
   *
   * @example await tokens.verify(token, (id) => usersRepo.tokenVersion(id)) // { userId: 1, tokenVersion: 0 } | null
   */
  async verify(token: string, currentTokenVersion: CurrentTokenVersion): Promise<TokenClaims | null> {
    const claims = this.#check(token);
    if (!claims) return null;
    const current = await currentTokenVersion(claims.userId);
    if (current === undefined || current !== claims.tokenVersion) return null;
    return claims;
  }

  /** Signature, header and time checks, synchronously; null for anything not a live token of ours. */
  #check(token: string): TokenClaims | null {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS) return null;
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    const [h, p, s] = parts as [string, string, string];
    if (!SEGMENT.test(h) || !SEGMENT.test(p) || !SEGMENT.test(s)) return null;
    const signature = Buffer.from(s, 'base64url');
    // Signature first: nothing an unauthenticated party wrote is parsed before it is proven ours.
    if (signature.length !== SIGNATURE_BYTES || !timingSafeEqual(signature, this.#sign(`${h}.${p}`))) return null;
    const header = Header.safeParse(json(h));
    const payload = Payload.safeParse(json(p));
    if (!header.success || !payload.success) return null;
    const now = Math.floor(this.#now() / 1000);
    const { exp, nbf, sub, tv } = payload.data;
    // Expired at exp itself, as jose (which issued the tokens of earlier versions) had it.
    if (now >= exp || (nbf !== undefined && now < nbf)) return null;
    return { userId: asUserId(Number(sub)), tokenVersion: tv };
  }

  #sign(input: string): Buffer {
    return createHmac('sha256', this.#key).update(input, 'ascii').digest();
  }
}

function segment(value: object): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function json(segmentText: string): unknown {
  try {
    return JSON.parse(Buffer.from(segmentText, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
