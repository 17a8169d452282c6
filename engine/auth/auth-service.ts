/**
 * Accounts and sessions over the users repository: register, log in, check a token, log out
 * everywhere, change the password. Transport-free: the API passes plain strings and the
 * client's address, and gets sessions or DomainErrors back.
 *
 * Password work is the expensive part (64 MiB of scrypt each), so it goes through one HashGate:
 * one hash at a time, a short line, and a fast 503 beyond it. Token checks never touch it.
 */
import type { Repos, User } from '../../db/repos';
import { UniqueViolation } from '../../db/repos';
import type { Clock } from '../core/clock';
import { conflict, DomainError, validationError } from '../core/errors';
import type { UserId } from '../core/ids';
import { clientKey } from './client-address';
import { HashGate } from './hash-gate';
import { FailureLimiter, type FailureLimitOptions, type LoginAttempt, type LoginLimiter } from './login-limiter';
import { hashPassword, needsRehash, passwordProblems, PASSWORD_SCRYPT, verifyPassword, type ScryptParams } from './password';
import { RateLimitedError } from './rate-limited-error';
import { DEFAULT_REGISTER_LIMIT, Registration, type RegistrationOptions, type RegistrationStatus } from './registration';
import type { TokenService } from './tokens';

export { RateLimitedError };

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
  /** Bounds password hashing. Default one hash at a time, four waiting. */
  readonly hashGate?: HashGate;
  /** Who may create an account. Default: a single-user install (the first account only). */
  readonly registration?: RegistrationOptions;
  /** Registrations per client (every attempt that gets as far as hashing). Default 5 per 15 minutes. */
  readonly registerLimit?: FailureLimitOptions;
}

/** Same words whether the email is unknown or the password wrong, so login never reveals which. */
const BAD_LOGIN = 'email or password is incorrect';

/**
 * @example
 *   const auth = new AuthService({ repos, clock, tokens, limiter });
 *   const { token } = await auth.register('ana@example.com', 'correct horse battery', '127.0.0.1');
 *   const user = await auth.authenticate(token); // User | null
 *   auth.logout(user!.id); // every token of ana's stops verifying
 */
export class AuthService {
  private readonly params: ScryptParams;
  private readonly gate: HashGate;
  private readonly registration: Registration;
  private readonly registrations: FailureLimiter;
  /** A hash nobody's password matches, verified against when the email is unknown (timing). */
  private dummyHash: Promise<string> | null = null;

  constructor(private readonly deps: AuthServiceDeps) {
    this.params = deps.passwordParams ?? PASSWORD_SCRYPT;
    this.gate = deps.hashGate ?? new HashGate();
    this.registration = new Registration(deps.repos, deps.clock, deps.registration);
    this.registrations = new FailureLimiter(deps.registerLimit ?? DEFAULT_REGISTER_LIMIT, () => deps.clock.now());
  }

  /** Whether an account can be created now, and why not; for the sign-in screen. */
  registrationStatus(): RegistrationStatus {
    return this.registration.status();
  }

  /**
   * Creates the account and its first session.
   * @throws 403 when registration is closed (a single-user install that has its account),
   *   429 past the per-client limit, 503 when the engine is busy hashing, 409 when the email is taken.
   */
  async register(email: string, password: string, address: string): Promise<Session> {
    const problems = passwordProblems(password);
    if (problems.length > 0) throw validationError(problems.map((message) => ({ field: 'password', message })));
    this.registration.assertOpen();
    const client = clientKey(address);
    const decision = this.registrations.check(client);
    if (!decision.allowed) {
      throw new RateLimitedError(decision.retryAfterMs, `too many registrations from this address: try again in ${Math.ceil(decision.retryAfterMs / 1000)} s`);
    }
    // Taken before any hashing: a known email costs no 64 MiB (the 409 below says as much anyway).
    if (this.deps.repos.users.getCredentialsByEmail(email)) throw conflict('an account with this email already exists');
    this.registrations.recordFailure(client);
    const passwordHash = await this.gate.run(() => hashPassword(password, this.params));
    let user: User;
    try {
      // Checked again after the hash, with no await in between: of two first registrations
      // hashed one after the other, only the first becomes the install's account.
      user = this.registration.create({ email, passwordHash });
    } catch (e) {
      if (e instanceof UniqueViolation) throw conflict('an account with this email already exists');
      throw e;
    }
    return this.session(user);
  }

  /**
   * A new session for a correct email and password. Failures count against this client at the
   * account, the client overall and the account's looser total (login-limiter.ts); past their free
   * failures each try from that client waits a little longer (at most a minute with the default
   * limiter), right password or wrong, and is answered with RateLimitedError meanwhile.
   */
  async login(email: string, password: string, address: string): Promise<Session> {
    const { repos } = this.deps;
    const attempt = { email, address };
    const creds = repos.users.getCredentialsByEmail(email);
    // Verify even for an unknown email, so the answer takes as long as for a wrong password.
    const ok = await this.checkPassword(attempt, () => (creds ? Promise.resolve(creds.passwordHash) : this.dummy()), password);
    if (!creds || !ok) throw new DomainError('unauthorized', BAD_LOGIN);
    if (needsRehash(creds.passwordHash, this.params)) {
      // A better hash is a nicety: when the engine is busy it waits for the next login.
      const rehashed = await this.gate.run(() => hashPassword(password, this.params)).catch((err: unknown) => (err instanceof RateLimitedError ? null : Promise.reject(err)));
      if (rehashed) repos.users.setPasswordHash(creds.id, rehashed);
    }
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
    const { repos } = this.deps;
    const user = repos.users.getById(userId);
    const creds = user && repos.users.getCredentialsByEmail(user.email);
    if (!user || !creds) throw new DomainError('unauthorized', 'sign in again');
    const problems = passwordProblems(newPassword);
    if (!(await this.checkPassword({ email: user.email, address }, () => Promise.resolve(creds.passwordHash), currentPassword))) {
      throw validationError([{ field: 'current_password', message: 'is incorrect' }]);
    }
    if (problems.length > 0) throw validationError(problems.map((message) => ({ field: 'new_password', message })));
    const passwordHash = await this.gate.run(() => hashPassword(newPassword, this.params));
    const updated = repos.transaction(() => {
      repos.users.setPasswordHash(userId, passwordHash);
      repos.users.bumpTokenVersion(userId);
      return repos.users.getById(userId);
    });
    if (!updated) throw new DomainError('unauthorized', 'sign in again');
    return this.session(updated);
  }

  /**
   * Checks a password under the login limiter and the hash gate. The attempt counts as a failure
   * from the moment it is let in (so guesses sent together share the limit), is taken back when
   * the gate turns it away unchecked, and cleared when the password is right.
   */
  private async checkPassword(attempt: LoginAttempt, stored: () => Promise<string>, password: string): Promise<boolean> {
    const { limiter } = this.deps;
    const decision = limiter.begin(attempt);
    if (!decision.allowed) throw new RateLimitedError(decision.retryAfterMs);
    let ok: boolean;
    try {
      ok = await this.gate.run(async () => verifyPassword(password, await stored()));
    } catch (err) {
      limiter.abandoned(attempt);
      throw err;
    }
    if (ok) limiter.succeeded(attempt);
    return ok;
  }

  private async session(user: User): Promise<Session> {
    return { token: await this.deps.tokens.issue({ userId: user.id, tokenVersion: user.tokenVersion }), user };
  }

  private dummy(): Promise<string> {
    // Same cost as real hashes, so an unknown email takes as long as a wrong password. Made
    // inside the gate's slot of the login that first needs it.
    this.dummyHash ??= hashPassword('not the password of any account', this.params).catch((err: unknown) => {
      this.dummyHash = null;
      throw err;
    });
    return this.dummyHash;
  }
}
