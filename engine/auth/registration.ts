/**
 * Who may create an account. A desktop install is one trader's: once its first account exists,
 * registration closes, so nobody else who can reach the port (another local user, a LAN client
 * with --allow-remote) can make an account and start hashing passwords at will. An install meant
 * for several traders opts in with `open: true` (the daemon's TRADECLOCK_OPEN_REGISTRATION=1).
 */
import type { Repos, User } from '../../db/repos';
import type { Clock } from '../core/clock';
import { DomainError } from '../core/errors';
import { asUserId } from '../core/ids';
import type { FailureLimitOptions } from './login-limiter';

export interface RegistrationOptions {
  /** true: anyone who can reach the API may create an account. Default false: the first account only. */
  readonly open?: boolean;
}

/** What GET /auth/registration answers. */
export interface RegistrationStatus {
  /** Whether POST /auth/register may create an account now. */
  readonly open: boolean;
  /** Why not, in words for the sign-in screen; null while open. */
  readonly reason: string | null;
}

/** Registrations per client address in this window (TRADECLOCK_REGISTER_LIMIT changes the count). */
export const REGISTER_WINDOW_MS = 15 * 60_000;
export const DEFAULT_REGISTER_LIMIT: FailureLimitOptions = { maxFailures: 5, windowMs: REGISTER_WINDOW_MS };

/**
 * The daemon's registration settings: `open` from its config, else TRADECLOCK_OPEN_REGISTRATION=1;
 * the per-client count from TRADECLOCK_REGISTER_LIMIT (a whole number ≥ 1), else 5.
 *
 * @example registrationSettings(undefined, { TRADECLOCK_OPEN_REGISTRATION: '1', TRADECLOCK_REGISTER_LIMIT: '50' })
 *   // { registration: { open: true }, registerLimit: { maxFailures: 50, windowMs: 900000 } }
 * @throws DomainError validation_failed for a TRADECLOCK_REGISTER_LIMIT that is not a whole number ≥ 1
 */
export function registrationSettings(open: boolean | undefined, env: Readonly<Record<string, string | undefined>>): { registration: RegistrationOptions; registerLimit: FailureLimitOptions } {
  const limit = env.TRADECLOCK_REGISTER_LIMIT;
  if (limit !== undefined && limit !== '' && !/^[1-9]\d{0,6}$/.test(limit)) {
    throw new DomainError('validation_failed', `TRADECLOCK_REGISTER_LIMIT must be a whole number of registrations per client in 15 minutes, got ${JSON.stringify(limit)}`);
  }
  return {
    registration: { open: open ?? env.TRADECLOCK_OPEN_REGISTRATION === '1' },
    registerLimit: limit ? { maxFailures: Number(limit), windowMs: REGISTER_WINDOW_MS } : DEFAULT_REGISTER_LIMIT,
  };
}

/** Set in the same transaction as the first account, and never cleared. */
const FIRST_ACCOUNT_KEY = 'first_account_at';

export const REGISTRATION_CLOSED =
  'this Tradeclock is a single-user install and already has its account, so registration is closed: sign in with that account. ' +
  'To allow more accounts, start Tradeclock with TRADECLOCK_OPEN_REGISTRATION=1';

/**
 * @example
 *   const registration = new Registration(repos, clock, { open: false });
 *   registration.assertOpen(); // throws 403 once an account exists
 *   const user = registration.create({ email, passwordHash });
 */
export class Registration {
  private readonly open: boolean;

  constructor(
    private readonly repos: Repos,
    private readonly clock: Clock,
    options: RegistrationOptions = {},
  ) {
    this.open = options.open ?? false;
  }

  status(): RegistrationStatus {
    return this.open || !this.hasAccount() ? { open: true, reason: null } : { open: false, reason: REGISTRATION_CLOSED };
  }

  /** @throws DomainError 403 when registration is closed. */
  assertOpen(): void {
    if (!this.status().open) throw new DomainError('forbidden', REGISTRATION_CLOSED);
  }

  /**
   * Creates the account if registration is still open, checked in the same synchronous step as
   * the insert, so two first registrations racing cannot both succeed on a single-user install.
   * @throws DomainError 403 when closed; UniqueViolation when the email is taken.
   */
  create(input: { email: string; passwordHash: string }): User {
    return this.repos.transaction(() => {
      this.assertOpen();
      const now = this.clock.now();
      const user = this.repos.users.create({ ...input, createdAt: now });
      this.repos.settings.getOrCreate(FIRST_ACCOUNT_KEY, () => String(now));
      return user;
    });
  }

  private hasAccount(): boolean {
    // The marker; or, for an install whose accounts predate it, its first account (ids start at 1
    // and accounts are never deleted).
    return this.repos.settings.get(FIRST_ACCOUNT_KEY) !== undefined || this.repos.users.getById(asUserId(1)) !== undefined;
  }
}
