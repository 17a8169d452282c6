/**
 * Accounts and sessions over the users and sessions repositories: register, log in, check a
 * token, list and end sessions, change the password. Transport-free: the API passes plain strings
 * and the client's address and user agent, and gets sessions or DomainErrors back.
 *
 * Password work is the expensive part (64 MiB of scrypt each), so it goes through one HashGate:
 * one hash at a time, a short line, and a fast 503 beyond it. Token checks never touch it.
 */
import type { Repos, StoredSession, User } from '../../db/repos';
import { UniqueViolation } from '../../db/repos';
import type { Clock } from '../core/clock';
import { conflict, DomainError, notFound, validationError, type FieldError } from '../core/errors';
import type { UserId } from '../core/ids';
import { randomToken } from '../core/random-ids';
import { clientKey } from './client-address';
import { DEVICE_TOKEN_PREFIX, DevicePairing } from './device-pairing';
import { HashGate } from './hash-gate';
import { FailureLimiter, type FailureLimitOptions, type LoginAttempt, type LoginLimiter } from './login-limiter';
import { newPasswordProblems, PASSWORD_CHANGE_FORM, SIGN_UP_FORM } from './new-password';
import { hashPassword, needsRehash, PASSWORD_SCRYPT, verifyPassword, type ScryptParams } from './password';
import { RateLimitedError } from './rate-limited-error';
import { DEFAULT_REGISTER_LIMIT, Registration, type RegistrationOptions, type RegistrationStatus } from './registration';
import type { TokenService } from './tokens';

export { RateLimitedError };

/** What a client keeps after register or login. */
export interface Session {
  readonly token: string;
  readonly user: User;
}

/** Who is signing in: recorded with the session, so the trader can tell their sessions apart. */
export interface ClientInfo {
  readonly address: string;
  /** The User-Agent header; '' when none was sent. */
  readonly userAgent: string;
}

/**
 * A token that verified: its user and what it belongs to, a signed-in session (a password login)
 * or a paired device (a phone, device-pairing.ts).
 */
export type Authenticated = { readonly user: User; readonly sessionId: string; readonly deviceId?: undefined } | { readonly user: User; readonly deviceId: number; readonly sessionId?: undefined };

/** The session of a password login; a paired device gets 403 (it may not manage sign-ins or pair others). */
export function passwordSession(signed: Authenticated): { user: User; sessionId: string } {
  if (signed.sessionId === undefined) throw new DomainError('forbidden', 'a paired device cannot do this: sign in with the password (on the desktop)');
  return { user: signed.user, sessionId: signed.sessionId };
}

/** What sign-up takes: `confirm` is the password typed again, where the form asks for it. */
export interface Registering {
  readonly email: string;
  readonly password: string;
  readonly confirm?: string | undefined;
}

/** What a password change did besides changing the password. */
export interface PasswordChanged {
  readonly user: User;
  /** How many other sessions it signed out. */
  readonly endedSessions: number;
  /** How many paired devices it unpaired. */
  readonly unpairedDevices: number;
}

/** A session's last use is written at most this often: a busy client costs no write per request. */
export const LAST_USED_RESOLUTION_MS = 60_000;
const USER_AGENT_MAX_CHARS = 256;

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
  /** Wrong pairing codes per client. Default PAIRING_CLIENT_LIMIT. */
  readonly pairingLimit?: FailureLimitOptions;
}

/** Same words whether the email is unknown or the password wrong, so login never reveals which. */
const BAD_LOGIN = 'email or password is incorrect';

/**
 * @example
 *   const auth = new AuthService({ repos, clock, tokens, limiter });
 *   const { token } = await auth.register({ email: 'ana@example.com', password: 'correct horse battery' }, { address: '127.0.0.1', userAgent: '' });
 *   const signedIn = await auth.authenticate(token); // { user, sessionId } | null
 *   auth.endSession(signedIn!.user.id, signedIn!.sessionId); // that token stops verifying
 */
export class AuthService {
  private readonly params: ScryptParams;
  private readonly gate: HashGate;
  private readonly registration: Registration;
  private readonly registrations: FailureLimiter;
  /** Pairing codes and paired devices; their tokens authenticate here too. */
  readonly pairing: DevicePairing;
  /** A hash nobody's password matches, verified against when the email is unknown (timing). */
  private dummyHash: Promise<string> | null = null;

  constructor(private readonly deps: AuthServiceDeps) {
    this.params = deps.passwordParams ?? PASSWORD_SCRYPT;
    this.gate = deps.hashGate ?? new HashGate();
    this.registration = new Registration(deps.repos, deps.clock, deps.registration);
    this.registrations = new FailureLimiter(deps.registerLimit ?? DEFAULT_REGISTER_LIMIT, () => deps.clock.now());
    this.pairing = new DevicePairing({ repos: deps.repos, clock: deps.clock, ...(deps.pairingLimit ? { clientLimit: deps.pairingLimit } : {}) });
  }

  /** Whether an account can be created now, and why not; for the sign-in screen. */
  registrationStatus(): RegistrationStatus {
    return this.registration.status();
  }

  /**
   * What is wrong with a sign-up's password and its confirmation, by field (`password`,
   * `confirm_password`); empty when none. `register` refuses on these; the API also reports them
   * with a body it refuses before calling `register`, so every field is answered at once.
   */
  registrationProblems(password: string, confirm?: string): FieldError[] {
    return newPasswordProblems(SIGN_UP_FORM, { password, confirm });
  }

  /**
   * Creates the account and its first session.
   * @throws 400 naming `password` or `confirm_password`, 403 when registration is closed (a
   *   single-user install that has its account), 429 past the per-client limit, 503 when the
   *   engine is busy hashing, 409 when the email is taken.
   */
  async register(input: Registering, client: ClientInfo): Promise<Session> {
    const { email, password } = input;
    const problems = this.registrationProblems(password, input.confirm);
    if (problems.length > 0) throw validationError(problems);
    this.registration.assertOpen();
    const key = clientKey(client.address);
    const decision = this.registrations.check(key);
    if (!decision.allowed) {
      throw new RateLimitedError(decision.retryAfterMs, `too many registrations from this address: try again in ${Math.ceil(decision.retryAfterMs / 1000)} s`);
    }
    // Taken before any hashing: a known email costs no 64 MiB (the 409 below says as much anyway).
    if (this.deps.repos.users.getCredentialsByEmail(email)) throw conflict('an account with this email already exists');
    this.registrations.recordFailure(key);
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
    return this.session(user, client);
  }

  /**
   * A new session for a correct email and password. Failures count against this client at the
   * account, the client overall and the account's looser total (login-limiter.ts); past their free
   * failures each try from that client waits a little longer (at most a minute with the default
   * limiter), right password or wrong, and is answered with RateLimitedError meanwhile.
   */
  async login(email: string, password: string, client: ClientInfo): Promise<Session> {
    const { repos } = this.deps;
    const attempt = { email, address: client.address };
    const creds = repos.users.getCredentialsByEmail(email);
    // Verify even for an unknown email, so the answer takes as long as for a wrong password.
    const ok = await this.checkPassword(attempt, () => (creds ? Promise.resolve(creds.passwordHash) : this.dummy()), password);
    if (!creds || !ok) throw new DomainError('unauthorized', BAD_LOGIN);
    let checked = creds.passwordHash;
    if (needsRehash(creds.passwordHash, this.params)) {
      // A better hash is a nicety: when the engine is busy it waits for the next login. It replaces
      // only the hash this login checked, never a new password set meanwhile.
      const rehashed = await this.gate.run(() => hashPassword(password, this.params)).catch((err: unknown) => (err instanceof RateLimitedError ? null : Promise.reject(err)));
      if (rehashed && repos.users.setPasswordHash(creds.id, rehashed, creds.passwordHash)) checked = rehashed;
    }
    // The password may have changed while this one was checked: a session of the old password must
    // not outlive the change (it could pair a phone). Read again with nothing awaited before the
    // session row is written, so no change can come between.
    if (repos.users.getCredentialsByEmail(email)?.passwordHash !== checked) throw new DomainError('unauthorized', BAD_LOGIN);
    const user = repos.users.getById(creds.id);
    if (!user) throw new DomainError('unauthorized', BAD_LOGIN);
    return this.session(user, client);
  }

  /**
   * The token's user and session (or paired device), or null when the token is malformed or
   * expired, its session was ended or its device revoked. One read of the database (session or
   * device, and user together), as the user lookup alone was.
   */
  async authenticate(token: string): Promise<Authenticated | null> {
    if (token.startsWith(DEVICE_TOKEN_PREFIX)) {
      const paired = this.pairing.authenticate(token);
      return paired ? { user: paired.user, deviceId: paired.device.id } : null;
    }
    const claims = await this.deps.tokens.verify(token);
    if (!claims) return null;
    const now = this.deps.clock.now();
    const live = this.deps.repos.sessions.getLive(claims.sessionId, now);
    if (!live || live.user.id !== claims.userId) return null;
    if (now - live.session.lastUsedAt >= LAST_USED_RESOLUTION_MS) this.deps.repos.sessions.touch(live.session.id, now);
    return { user: live.user, sessionId: live.session.id };
  }

  /** The user's signed-in sessions, oldest first. */
  sessions(userId: UserId): StoredSession[] {
    return this.deps.repos.sessions.listLive(userId, this.deps.clock.now());
  }

  /** Signs one session out (its token stops verifying). @throws 404 when the user has no such session. */
  endSession(userId: UserId, sessionId: string): void {
    if (!this.deps.repos.sessions.delete(userId, sessionId)) throw notFound('session');
  }

  /** Signs out every session of the user but `keepId`; how many ended. */
  endOtherSessions(userId: UserId, keepId: string): number {
    return this.deps.repos.sessions.deleteOthers(userId, keepId);
  }

  /**
   * Replaces the password after checking the current one (rate-limited like a login) and, in the
   * same transaction, signs out every other session and unpairs every paired device: a password
   * that may have leaked may have paired a phone, and that phone must not outlive it. This session
   * stays signed in. `beforeUnpair` runs inside the transaction for each device before its row goes
   * (the notification channels it subscribed); the pairing codes still showing die too. Every
   * problem is reported at once: a wrong current password, a new one that breaks the rules, a
   * confirmation that differs. The current password is checked even when the new one is refused,
   * so the trader fixes everything in one go; each check counts as a login attempt either way.
   */
  async changePassword(
    auth: { user: User; sessionId: string },
    input: { current: string; next: string; confirm?: string | undefined },
    address: string,
    beforeUnpair: (deviceId: number) => void = () => {},
  ): Promise<PasswordChanged> {
    const { repos } = this.deps;
    const { user, sessionId } = auth;
    const creds = repos.users.getCredentialsByEmail(user.email);
    if (!creds) throw new DomainError('unauthorized', 'sign in again');
    const currentOk = await this.checkPassword({ email: user.email, address }, () => Promise.resolve(creds.passwordHash), input.current);
    const problems: FieldError[] = [];
    if (!currentOk) problems.push({ field: 'current_password', message: 'is incorrect' });
    problems.push(...newPasswordProblems(PASSWORD_CHANGE_FORM, { password: input.next, confirm: input.confirm, current: currentOk ? input.current : undefined }));
    if (problems.length > 0) throw validationError(problems);
    const passwordHash = await this.gate.run(() => hashPassword(input.next, this.params));
    const { endedSessions, unpairedDevices } = repos.transaction(() => {
      // Over the hash checked above only: another change that landed meanwhile is not overwritten.
      if (!repos.users.setPasswordHash(user.id, passwordHash, creds.passwordHash)) throw new DomainError('unauthorized', 'the password was changed meanwhile: sign in again');
      const devices = this.pairing.devices(user.id);
      for (const d of devices) {
        beforeUnpair(d.id);
        this.pairing.revoke(user.id, d.id);
      }
      return { endedSessions: repos.sessions.deleteOthers(user.id, sessionId), unpairedDevices: devices.length };
    });
    this.pairing.forgetCodes(user.id);
    return { user, endedSessions, unpairedDevices };
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

  private async session(user: User, client: ClientInfo): Promise<Session> {
    const { repos, clock, tokens } = this.deps;
    const now = clock.now();
    const session = repos.transaction(() => {
      repos.sessions.deleteExpired(now);
      return repos.sessions.create({
        id: randomToken(16),
        userId: user.id,
        createdAt: now,
        expiresAt: tokens.expiryOfNew(),
        clientAddress: client.address,
        userAgent: Array.from(client.userAgent).slice(0, USER_AGENT_MAX_CHARS).join(''),
      });
    });
    return { token: await tokens.issue({ userId: user.id, sessionId: session.id }), user };
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
