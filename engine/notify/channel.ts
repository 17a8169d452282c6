/**
 * What every channel is to the delivery worker: one `send` with an abort signal, and a refusal
 * as data it can act on. A channel's messages never hold its secret (the worker scrubs them too).
 */
import type { NotifyTopic } from './policy';

/** What a channel sends: the notification's words and facts, the same on every channel. */
export interface OutgoingNotification {
  readonly deliveryId: number;
  readonly title: string;
  readonly body: string;
  readonly urgency: 'normal' | 'critical';
  /** A topic, or `test` for "send test". */
  readonly topic: NotifyTopic | 'test';
  /** The engine event it tells of ('test' for a test). */
  readonly event: string;
  readonly strategyId: number | null;
  /** When the event happened, epoch ms. */
  readonly at: number;
}

export interface ChannelSender {
  /**
   * Sends one notification; resolves once the other side has taken it.
   * @throws DeliveryError saying why not, and whether trying again may help.
   */
  send(note: OutgoingNotification, signal: AbortSignal): Promise<void>;
  /** Releases what it holds (an SMTP pool); idempotent. */
  close(): void;
}

/** What a failed delivery tells the worker beyond its words. */
export interface DeliveryErrorDetails {
  /**
   * The destination no longer exists (a push subscription the push service answered 404 or 410
   * for): the channel is removed, as RFC 8030 section 7.3 asks, and the delivery ends.
   */
  readonly gone?: boolean;
  /** The other side asked to wait this long (a 429's Retry-After): the next attempt is no sooner. */
  readonly retryAfterMs?: number;
}

/**
 * A delivery that did not happen. `permanent`: the same request will be refused again (a bad
 * token, a 4xx), so the delivery ends now instead of using up its attempts.
 */
export class DeliveryError extends Error {
  readonly gone: boolean;
  readonly retryAfterMs: number | null;

  constructor(
    message: string,
    readonly permanent = false,
    details: DeliveryErrorDetails = {},
  ) {
    super(message);
    this.name = 'DeliveryError';
    this.gone = details.gone ?? false;
    this.retryAfterMs = details.retryAfterMs ?? null;
  }
}

/**
 * A Retry-After header (RFC 9110 section 10.2.3: delay-seconds or an HTTP date) as a wait in ms
 * from `now`; null when absent or unreadable.
 * @example retryAfterMs('120', 0) === 120_000
 */
export function retryAfterMs(header: string | null | undefined, now: number): number | null {
  if (!header) return null;
  const text = header.trim();
  if (/^\d{1,9}$/.test(text)) return Number(text) * 1000;
  // An HTTP date names its day and month in letters; Date.parse would take '-5' as a year.
  const at = /^[A-Za-z]{3}, /.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * `text` with every secret cut out: a library's error may quote a URL with a token in it.
 * @example scrub('GET /bot123:AAE/sendMessage failed', ['123:AAE']) === 'GET /bot[secret]/sendMessage failed'
 */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[secret]');
  return out;
}
