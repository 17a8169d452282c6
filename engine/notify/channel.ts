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

/**
 * A delivery that did not happen. `permanent`: the same request will be refused again (a bad
 * token, a 4xx), so the delivery ends now instead of using up its attempts.
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent = false,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
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
