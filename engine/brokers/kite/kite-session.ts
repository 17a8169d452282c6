/**
 * The state of the Kite login, so an expired token is never a silent failure: orders are refused
 * with "log in again" before anything is sent, and the engine can show and warn about it. A token
 * Kite accepted at instant t is dead at the first 06:00 IST after t; a timer marks that moment
 * even if no request happens to notice it.
 */
import type { Clock, TimerHandle } from '../../core/clock';
import { kiteTokenExpiry } from './token-expiry';

export type KiteSessionState =
  /** No access token yet: the trader has not logged in through Kite. */
  | 'no_token'
  /** A token is configured but Kite has not confirmed it since it was set. */
  | 'unverified'
  /** Kite accepted the token at `checkedAt`; it lives until `expiresAt`. */
  | 'valid'
  /** Kite refused the token, or 06:00 IST passed: log in again. */
  | 'expired';

/** Plain data, safe to send over the API. */
export interface KiteSession {
  readonly state: KiteSessionState;
  /** Epoch ms of the last answer from Kite that accepted the token. */
  readonly checkedAt: number | null;
  /** Epoch ms at which the token dies (next 06:00 IST after `checkedAt`); null until known. */
  readonly expiresAt: number | null;
  /** A sentence for the trader. */
  readonly message: string;
}

/** Holds the session state and tells listeners when it changes. */
export class KiteSessionTracker {
  private session: KiteSession;
  private expiryTimer: TimerHandle | null = null;
  private readonly listeners = new Set<(s: KiteSession) => void>();

  constructor(
    private readonly clock: Clock,
    hasToken: boolean,
  ) {
    this.session = initial(hasToken);
  }

  /** The current state; reaching 06:00 IST turns `valid` into `expired` even before the timer runs. */
  current(): KiteSession {
    const s = this.session;
    if (s.state === 'valid' && s.expiresAt !== null && this.clock.now() >= s.expiresAt) this.expire('the daily Kite session ended at 06:00 IST');
    return this.session;
  }

  /** Kite just accepted the token. */
  markValid(): void {
    const now = this.clock.now();
    const expiresAt = kiteTokenExpiry(now);
    const was = this.session;
    this.session = { state: 'valid', checkedAt: now, expiresAt, message: 'logged in to Kite' };
    if (was.state !== 'valid' || was.expiresAt !== expiresAt) {
      this.expiryTimer?.cancel();
      this.expiryTimer = this.clock.setTimer(expiresAt - now, () => this.current());
      if (was.state !== 'valid') this.emit();
    }
  }

  /** Kite refused the token (or its time is up). */
  expire(reason: string): void {
    if (this.session.state === 'expired' || this.session.state === 'no_token') return;
    this.expiryTimer?.cancel();
    this.expiryTimer = null;
    this.session = { state: 'expired', checkedAt: this.session.checkedAt, expiresAt: this.session.expiresAt, message: `Kite login needed: ${reason.replace(/[.\s]+$/, '')}. Log in to Kite again from Tradeclock.` };
    this.emit();
  }

  /** A new token was set (or removed). */
  reset(hasToken: boolean): void {
    this.expiryTimer?.cancel();
    this.expiryTimer = null;
    this.session = initial(hasToken);
    this.emit();
  }

  onChange(listener: (s: KiteSession) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop(): void {
    this.expiryTimer?.cancel();
    this.listeners.clear();
  }

  private emit(): void {
    for (const l of this.listeners) l(this.session);
  }
}

function initial(hasToken: boolean): KiteSession {
  return hasToken
    ? { state: 'unverified', checkedAt: null, expiresAt: null, message: 'Kite access token not checked yet' }
    : { state: 'no_token', checkedAt: null, expiresAt: null, message: 'Kite login needed: no access token yet. Log in to Kite from Tradeclock.' };
}
