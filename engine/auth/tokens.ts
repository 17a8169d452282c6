/**
 * Session tokens: HS256 JWTs that carry the user id and the user's token version. Revocation
 * needs no token list: logout-everywhere and password change bump `users.token_version`, and
 * every token issued under the old version stops verifying.
 */
import { errors, jwtVerify, SignJWT } from 'jose';
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

const Payload = z.object({
  sub: z.string().regex(/^[1-9]\d{0,15}$/),
  tv: z.number().int().nonnegative(),
});

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
  readonly #key: Uint8Array;
  readonly #now: () => number;
  readonly #ttlSeconds: number;

  constructor(options: TokenServiceOptions) {
    if (options.key.length < 32) throw new Error('token signing key must be at least 32 bytes');
    const ttlMs = options.ttlMs ?? DEFAULT_TOKEN_TTL_MS;
    if (!Number.isFinite(ttlMs) || ttlMs < 1000) throw new Error('token ttlMs must be at least 1000');
    // A copy, so a caller that later zeroes or reuses its buffer cannot change our key.
    this.#key = Uint8Array.from(options.key);
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
    return new SignJWT({ tv: claims.tokenVersion })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(TOKEN_ISSUER)
      .setSubject(String(claims.userId))
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.#ttlSeconds)
      .sign(this.#key);
  }

  /**
   * The token's claims, or null when the token is malformed, badly signed, expired, from another
   * issuer, or carries a token version that is no longer the user's current one. The reason is
   * deliberately not returned: every case means "sign in again".
   *
   * @example await tokens.verify(token, (id) => usersRepo.tokenVersion(id)) // { userId: 1, tokenVersion: 0 } | null
   */
  async verify(token: string, currentTokenVersion: CurrentTokenVersion): Promise<TokenClaims | null> {
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, this.#key, {
        issuer: TOKEN_ISSUER,
        algorithms: ['HS256'],
        requiredClaims: ['exp', 'iat', 'sub'],
        currentDate: new Date(this.#now()),
      }));
    } catch (err) {
      if (err instanceof errors.JOSEError) return null;
      throw err;
    }
    const parsed = Payload.safeParse(payload);
    if (!parsed.success) return null;
    const userId = asUserId(Number(parsed.data.sub));
    const current = await currentTokenVersion(userId);
    if (current === undefined || current !== parsed.data.tv) return null;
    return { userId, tokenVersion: parsed.data.tv };
  }
}
