/**
 * Accounts and sessions over the users repository: register, log in, check a token, log out
 * everywhere, change the password. Transport-free: the API passes plain strings and the
 * client's address, and gets sessions or DomainErrors back.
 */
import type { Repos, User } from '../../db/repos';
import { UniqueViolation } from '../../db/repos';
import type { Clock } from '../core/clock';
import { conflict, DomainError, validationError } from '../core/errors';
import type { UserId } from '../core/ids';
import type { LoginLimiter } from './login-limiter';
import { hashPassword, needsRehash, passwordProblems, PASSWORD_SCRYPT, verifyPassword, type ScryptParams } from './password';
import type { TokenService } from './tokens';

/** What a client keeps after register, login or a password change. */
export interface Session {
  readonly token: string;
  readonly user: User;
}

export interface AuthServiceDeps {
  readonly repos: Repos;
  readonly clock: Clock;
  readonly tokens: TokenService;
  readonly limiter: LoginLimiter;
  /** scrypt cost of new hashes; tests pass a cheap one. Default PASSWORD_SCRYPT. */
  readonly passwordParams?: ScryptParams;
}

/** A refused attempt that may be retried later; the API turns it into 429 with Retry-After. */
export class RateLimitedError extends DomainError {
  constructor(readonly retryAfterMs: number) {
    super('rate_limited', `too many failed attempts: try again in ${Math.ceil(retryAfterMs / 1000)} s`);
    this.name = 'RateLimitedError';
  }
}

/** Same words whether the email is unknown or the password wrong, so login never reveals which. */
const BAD_LOGIN = 'email or password is incorrect';

/**
 * @example
 *   const auth = new AuthService({ repos, clock, tokens, limiter });
 *   const { token } = await auth.register('ana@example.com', 'correct horse battery');
 *   const user = await auth.authenticate(token); // User | null
 *   auth.logout(user!.id); // every token of ana's stops verifying
 */
export class AuthService {
  private readonly params: ScryptParams;
  /** A hash nobody's password matches, verified against when the email is unknown (timing). */
  private dummyHash: Promise<string> | null = null;

  constructor(private readonly deps: AuthServiceDeps) {
    this.params = deps.passwordParams ?? PASSWORD_SCRYPT;
  }

  /** Creates the account and its first session. @throws 409 conflict when the email is taken. */
  async register(email: string, password: string): Promise<Session> {
    const problems = passwordProblems(password);
    if (problems.length > 0) throw validationError(problems.map((message) => ({ field: 'password', message })));
    const passwordHash = await hashPassword(password, this.params);
    let user: User;
    try {
      user = this.deps.repos.users.create({ email, passwordHash, createdAt: this.deps.clock.now() });
    } catch (e) {
      if (e instanceof UniqueViolation) throw conflict('an account with this email already exists');
      throw e;
    }
    return this.session(user);
  }

  /**
   * A new session for a correct email and password. Failures count against the account and the
   * address; past their limits every attempt is refused with RateLimitedError, right or wrong.
   */
  async login(email: string, password: string, address: string): Promise<Session> {
    const { repos, limiter } = this.deps;
    const attempt = { email, address };
    this.checkLimit(attempt);
    const creds = repos.users.getCredentialsByEmail(email);
    // Verify even for an unknown email, so the answer takes as long as for a wrong password.
    const ok = await verifyPassword(password, creds?.passwordHash ?? (await this.dummy()));
    if (!creds || !ok) {
      limiter.recordFailure(attempt);
      throw new DomainError('unauthorized', BAD_LOGIN);
    }
    limiter.recordSuccess(attempt);
    if (needsRehash(creds.passwordHash, this.params)) repos.users.setPasswordHash(creds.id, await hashPassword(password, this.params));
    const user = repos.users.getById(creds.id);
    if (!user) throw new DomainError('unauthorized', BAD_LOGIN);
    return this.session(user);
  }

  /** The token's user, or null when the token is malformed, expired or revoked. */
  async authenticate(token: string): Promise<User | null> {
    let user: User | undefined;
    const claims = await this.deps.tokens.verify(token, (id) => (user = this.deps.repos.users.getById(id))?.tokenVersion);
    return claims && user ? user : null;
  }

  /** Revokes every token of the user (all devices): the token version moves on. */
  logout(userId: UserId): void {
    this.deps.repos.users.bumpTokenVersion(userId);
  }

  /**
   * Replaces the password after checking the current one (rate-limited like a login), revokes
   * every existing token and returns a fresh session, so the caller stays signed in.
   */
  async changePassword(userId: UserId, currentPassword: string, newPassword: string, address: string): Promise<Session> {
    const { repos, limiter } = this.deps;
    const user = repos.users.getById(userId);
    const creds = user && repos.users.getCredentialsByEmail(user.email);
    if (!user || !creds) throw new DomainError('unauthorized', 'sign in again');
    const attempt = { email: user.email, address };
    this.checkLimit(attempt);
    if (!(await verifyPassword(currentPassword, creds.passwordHash))) {
      limiter.recordFailure(attempt);
      throw validationError([{ field: 'current_password', message: 'is incorrect' }]);
    }
    limiter.recordSuccess(attempt);
    const problems = passwordProblems(newPassword);
    if (problems.length > 0) throw validationError(problems.map((message) => ({ field: 'new_password', message })));
    const passwordHash = await hashPassword(newPassword, this.params);
    const updated = repos.transaction(() => {
      repos.users.setPasswordHash(userId, passwordHash);
      repos.users.bumpTokenVersion(userId);
      return repos.users.getById(userId);
    });
    if (!updated) throw new DomainError('unauthorized', 'sign in again');
    return this.session(updated);
  }

  private checkLimit(attempt: { email: string; address: string }): void {
    const decision = this.deps.limiter.check(attempt);
    if (!decision.allowed) throw new RateLimitedError(decision.retryAfterMs);
  }

  private async session(user: User): Promise<Session> {
    return { token: await this.deps.tokens.issue({ userId: user.id, tokenVersion: user.tokenVersion }), user };
  }

  private dummy(): Promise<string> {
    // Same cost as real hashes, so an unknown email takes as long as a wrong password.
    this.dummyHash ??= hashPassword('not the password of any account', this.params);
    return this.dummyHash;
  }
}
