/**
 * Session tokens: HS256 JWTs that carry the user id and the id of their session row (`sid`, the
 * token's jti). The signature says who issued it; whether it is still signed in is the session
 * row's to say (AuthService looks it up with the user, one query). Tokens from before sessions
 * existed carry no `sid` and no longer verify: their holders sign in again once.
 *
 * Signed and verified by fast-jwt (nearform; what @fastify/jwt uses), whose synchronous signer and
 * verifier run node:crypto's createHmac and timingSafeEqual on the calling thread. Not jose 6:
 * it uses WebCrypto (`crypto.subtle`), whose HMAC runs as a job on libuv's 4-thread pool, where
 * scrypt runs too. Behind four password hashes a token check waited seconds, so an authenticated
 * request (the kill switch) queued behind a flood of registrations.
 *
 * What fast-jwt leaves open, this file closes:
 * - a signature is accepted only in its one canonical base64url spelling. fast-jwt decodes it
 *   with Buffer.from, which ignores the unused low bits of the last character, so three other
 *   spellings of every token would verify too;
 * - the header may carry only `typ: "JWT"` or none (fast-jwt's checkTyp requires one; the tokens
 *   jose issued before had none);
 * - exp and nbf are checked against the injected clock, and the token is dead at exp itself
 *   (RFC 7519: valid only *before* exp, as jose had it). fast-jwt reads the time once, when a
 *   verifier is made, or from Date.now(), and still accepts the exp instant.
 */
import { createSigner, createVerifier, TokenError } from 'fast-jwt';
import { z } from 'zod';
import { asUserId, type UserId } from '../core/ids';

export const TOKEN_ISSUER = 'tradeclock';
export const DEFAULT_TOKEN_TTL_MS = 12 * 60 * 60 * 1000;

export interface TokenClaims {
  readonly userId: UserId;
  /** The id of the token's row in `sessions`. */
  readonly sessionId: string;
}

export interface TokenServiceOptions {
  /** At least 32 random bytes, kept by the caller (the same key must survive a restart). */
  readonly key: Uint8Array;
  /** Wall-clock epoch ms; pass the engine Clock's `now`. */
  readonly now: () => number;
  /** Lifetime of a token; 12 h by default. */
  readonly ttlMs?: number;
}

/** The header beyond what fast-jwt checks (alg, crit): `typ` is JWT or absent. */
const Header = z.looseObject({ alg: z.literal('HS256'), typ: z.literal('JWT').optional(), crit: z.never().optional() });

/** Registered claims every token must carry, then ours. */
const Payload = z.looseObject({
  iss: z.literal(TOKEN_ISSUER),
  sub: z.string().regex(/^[1-9]\d{0,15}$/),
  iat: z.number(),
  exp: z.number(),
  nbf: z.number().optional(),
  sid: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
});

const Verified = z.object({ header: Header, payload: Payload });

/** Far above any token we issue; longer input is refused before any work. */
const MAX_TOKEN_CHARS = 4096;
/** An HMAC-SHA256 in unpadded base64url: 32 bytes, 43 characters. */
const SIGNATURE_CHARS = 43;

/**
 * Issues and verifies session tokens.
 *
 * @example
 *   const tokens = new TokenService({ key: signingKey, now: clock.now });
 *   const token = await tokens.issue({ userId, sessionId });
 *   const claims = await tokens.verify(token); // then: is claims.sessionId still signed in?
 *   if (!claims) throw new DomainError('unauthorized', 'Sign in again');
 */
export class TokenService {
  readonly #sign: (payload: Record<string, unknown>) => string;
  readonly #verify: (token: string) => unknown;
  readonly #now: () => number;
  readonly #ttlSeconds: number;

  constructor(options: TokenServiceOptions) {
    if (options.key.length < 32) throw new Error('token signing key must be at least 32 bytes');
    const ttlMs = options.ttlMs ?? DEFAULT_TOKEN_TTL_MS;
    if (!Number.isFinite(ttlMs) || ttlMs < 1000) throw new Error('token ttlMs must be at least 1000');
    // A copy, so a caller that later zeroes or reuses its buffer cannot change our key (fast-jwt
    // makes a KeyObject of it, which copies too).
    const key = Buffer.from(options.key);
    this.#now = options.now;
    this.#ttlSeconds = Math.floor(ttlMs / 1000);
    // Whole seconds, as exp is: iat comes from the payload (the injected clock), exp = iat + ttl.
    this.#sign = createSigner({ key, algorithm: 'HS256', iss: TOKEN_ISSUER, expiresIn: this.#ttlSeconds * 1000 });
    this.#verify = createVerifier({
      key,
      algorithms: ['HS256'],
      allowedIss: TOKEN_ISSUER,
      requiredClaims: ['iss', 'sub', 'iat', 'exp', 'sid'],
      complete: true,
      // Checked below against the injected clock; see the module comment.
      ignoreExpiration: true,
      ignoreNotBefore: true,
    });
  }

  /**
   * A signed token for the user, valid for the configured lifetime from `now()`.
   *
   * @example await tokens.issue({ userId: asUserId(1), sessionId: 'pX1c…' }) // 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...'
   */
  async issue(claims: TokenClaims): Promise<string> {
    if (!/^[A-Za-z0-9_-]{16,64}$/.test(claims.sessionId)) throw new Error('sessionId must be 16-64 base64url characters');
    return this.#sign({ sid: claims.sessionId, sub: String(claims.userId), iat: Math.floor(this.#now() / 1000) });
  }

  /**
   * When a token issued now stops verifying (epoch ms): its session row expires with it.
   *
   * @example tokens.expiryOfNew() // now rounded down to the second, plus 12 h
   */
  expiryOfNew(): number {
    return (Math.floor(this.#now() / 1000) + this.#ttlSeconds) * 1000;
  }

  /**
   * The token's claims, or null when the token is malformed, badly signed, expired or from
   * another issuer. The reason is deliberately not returned: every case means "sign in again".
   * Whether its session is still signed in is the caller's to check. Never touches the thread pool.
   *
   * @example await tokens.verify(token) // { userId: 1, sessionId: 'pX1c…' } | null
   */
  async verify(token: string): Promise<TokenClaims | null> {
    return this.#check(token);
  }

  /** Signature, header and time checks, synchronously; null for anything not a live token of ours. */
  #check(token: string): TokenClaims | null {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS || !hasCanonicalSignature(token)) return null;
    let verified: unknown;
    try {
      verified = this.#verify(token);
    } catch (err) {
      if (err instanceof TokenError) return null;
      throw err;
    }
    const parsed = Verified.safeParse(verified);
    if (!parsed.success) return null;
    const now = Math.floor(this.#now() / 1000);
    const { exp, nbf, sub, sid } = parsed.data.payload;
    if (now >= exp || (nbf !== undefined && now < nbf)) return null;
    return { userId: asUserId(Number(sub)), sessionId: sid };
  }
}

/**
 * The signature segment is 43 base64url characters whose last one leaves its 2 unused bits zero,
 * i.e. the only spelling of its 32 bytes. The other three spellings of the last character decode
 * to the same bytes: refused, so a token has exactly one valid form (no malleability).
 */
function hasCanonicalSignature(token: string): boolean {
  const s = token.slice(token.lastIndexOf('.') + 1);
  return s.length === SIGNATURE_CHARS && /^[A-Za-z0-9_-]+$/.test(s) && Buffer.from(s, 'base64url').toString('base64url') === s;
}
