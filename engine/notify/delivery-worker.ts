/**
 * The durable delivery queue's worker (issue 21). A notification becomes one `notify_deliveries`
 * row per enabled channel of its user that takes its topic; the worker sends due rows, one at a
 * time per channel (so a channel gets them in order) and channels side by side, each attempt
 * bounded by a timeout on the injected clock. A failure that may pass is tried again with backoff;
 * a refusal that will repeat (a bad token) ends the delivery at once. Each attempt's outcome is the
 * channel's health: failing after FAILING_AFTER failures in a row.
 *
 * Nothing here is on the trading path: the notifier hands a notification over behind the turn's
 * orders, `enqueue` only writes rows, and every send runs on its own promise.
 */
import type { Logger } from 'pino';
import type { NotifyChannel, NotifyDelivery, Repos } from '../../db/repos';
import type { Clock, TimerHandle } from '../core/clock';
import { DeliveryError, scrub, type ChannelSender, type OutgoingNotification } from './channel';
import type { TraderNotification } from './notifier';

export interface DeliveryOptions {
  /** One attempt's limit, then it counts as failed. */
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  /** The wait before the second attempt; it doubles each time, up to maxRetryMs. */
  readonly firstRetryMs: number;
  readonly maxRetryMs: number;
  /** How long finished deliveries stay in the log. */
  readonly keepMs: number;
}

export const DEFAULT_DELIVERY_OPTIONS: DeliveryOptions = { timeoutMs: 15_000, maxAttempts: 8, firstRetryMs: 5_000, maxRetryMs: 600_000, keepMs: 7 * 86_400_000 };

/** A channel is shown as failing once this many attempts in a row failed. */
export const FAILING_AFTER = 3;

const PRUNE_EVERY_MS = 3_600_000;
const DUE_BATCH = 100;

/** The longest Retry-After obeyed: a service asking for more is tried again after this. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/** The wait before attempt `attempts + 1`: 5 s, 10 s, 20 s, … up to 10 min. */
export function retryDelayMs(attempts: number, o: Pick<DeliveryOptions, 'firstRetryMs' | 'maxRetryMs'> = DEFAULT_DELIVERY_OPTIONS): number {
  return Math.min(o.maxRetryMs, o.firstRetryMs * 2 ** Math.max(0, attempts - 1));
}

export interface MadeSender {
  readonly sender: ChannelSender;
  /** What must never appear in an error: the channel's secret values. */
  readonly secrets: readonly string[];
}

export interface DeliveryWorkerDeps {
  readonly repos: Pick<Repos, 'notifyChannels' | 'notifyDeliveries' | 'transaction'>;
  readonly clock: Clock;
  readonly logger: Pick<Logger, 'warn' | 'error' | 'info'>;
  /** The channel's sender. @throws DeliveryError when it cannot be made (its secret cannot be unsealed). */
  senderOf(channel: NotifyChannel): Promise<MadeSender>;
  /** The channel's destination is gone for good (DeliveryError `gone`): remove the channel. */
  onGone(channel: NotifyChannel): void;
  readonly options?: Partial<DeliveryOptions>;
}

export interface AttemptResult {
  readonly delivered: boolean;
  readonly error: string | null;
}

export class DeliveryWorker {
  private readonly o: DeliveryOptions;
  /** Channels with a queued attempt on its way. */
  private readonly busy = new Set<number>();
  /** Every attempt on its way (tests too), cut short by stop. */
  private readonly aborts = new Set<AbortController>();
  private readonly running = new Set<Promise<unknown>>();
  private timer: TimerHandle | null = null;
  private prunedAt = Number.NEGATIVE_INFINITY;
  private stopped = true;

  constructor(private readonly deps: DeliveryWorkerDeps) {
    this.o = { ...DEFAULT_DELIVERY_OPTIONS, ...deps.options };
  }

  /** Attempts a crash cut short are due again; then everything due is sent. */
  start(): void {
    this.stopped = false;
    const again = this.deps.repos.notifyDeliveries.resetSendingInternal(this.deps.clock.now());
    if (again > 0) this.deps.logger.info({ deliveries: again }, 'notifications cut short by a stop are sent again');
    this.kick();
  }

  /**
   * Queues `note` for every enabled channel of its user that takes its topic, and starts what is due.
   * Returns the deliveries queued.
   */
  enqueue(note: TraderNotification): number {
    const { repos, clock } = this.deps;
    const channels = repos.notifyChannels.list(note.userId).filter((c) => c.enabled && c.topics.includes(note.topic));
    if (channels.length === 0) return 0;
    // The log, not the journal: a power cut may lose a notification, never an order.
    repos.transaction(() => repos.notifyDeliveries.enqueue(channels.map((c) => ({ channelId: c.id, userId: note.userId, topic: note.topic, payload: note })), clock.now()), { durable: false });
    this.kick();
    return channels.length;
  }

  /** "Send test": one attempt now, no retry, its outcome returned and logged like any other. */
  async sendTest(channel: NotifyChannel): Promise<AttemptResult> {
    const now = this.deps.clock.now();
    const payload = { title: 'Test from Tradeclock', body: `The ${channel.label} channel works: notifications will arrive here.`, urgency: 'normal', key: `test:${now}`, topic: 'test', event: 'test', userId: channel.userId, strategyId: null, at: now };
    const [row] = this.deps.repos.notifyDeliveries.enqueue([{ channelId: channel.id, userId: channel.userId, topic: 'test', payload }], now);
    return this.track(this.attempt(row!, false));
  }

  /** Resolves when no attempt is on its way (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Cuts every attempt short (they are sent again at the next start) and arms nothing more. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
    for (const c of this.aborts) c.abort();
    await this.idle();
  }

  /** Starts the oldest due delivery of every idle channel, then arms the timer for the next. */
  private kick(): void {
    if (this.stopped) return;
    const { repos, clock } = this.deps;
    const now = clock.now();
    if (now - this.prunedAt >= PRUNE_EVERY_MS) {
      this.prunedAt = now;
      repos.notifyDeliveries.pruneInternal(now - this.o.keepMs);
    }
    const started = new Set<number>();
    for (const d of repos.notifyDeliveries.dueInternal(now, DUE_BATCH, [...this.busy])) {
      if (started.has(d.channelId)) continue;
      started.add(d.channelId);
      void this.track(this.attempt(d, true));
    }
    this.timer?.cancel();
    this.timer = null;
    const next = repos.notifyDeliveries.nextDueAtInternal([...this.busy]);
    if (next !== null) this.timer = clock.setTimer(Math.max(0, next - now), () => this.kick());
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
    return p;
  }

  private async attempt(d: NotifyDelivery, retries: boolean): Promise<AttemptResult> {
    const { repos, clock, logger } = this.deps;
    const channel = repos.notifyChannels.getInternal(d.channelId);
    if (!channel) return { delivered: false, error: 'the channel was deleted' };
    if (!channel.enabled && d.topic !== 'test') {
      repos.notifyDeliveries.markDone(d.id, { state: 'failed', error: 'the channel was turned off' }, clock.now());
      return { delivered: false, error: 'the channel was turned off' };
    }
    const abort = new AbortController();
    // A test goes beside the queue: it neither waits for the channel nor frees it for the next row.
    if (retries) this.busy.add(channel.id);
    this.aborts.add(abort);
    repos.notifyDeliveries.markSending(d.id, clock.now());
    const limit = clock.setTimer(this.o.timeoutMs, () => abort.abort());
    let failure: DeliveryError | null = null;
    let secrets: readonly string[] = [];
    try {
      const made = await this.deps.senderOf(channel);
      secrets = made.secrets;
      await Promise.race([made.sender.send(outgoing(d), abort.signal), whenAborted(abort.signal, this.o.timeoutMs)]);
    } catch (err) {
      failure = err instanceof DeliveryError ? err : new DeliveryError(err instanceof Error ? err.message : String(err));
    } finally {
      limit.cancel();
      if (retries) this.busy.delete(channel.id);
      this.aborts.delete(abort);
    }
    // Stopping: the row stays `sending`, and the next start sends it again.
    if (this.stopped) return { delivered: false, error: 'Tradeclock is stopping' };
    const now = clock.now();
    if (failure === null) {
      // The log keeps why an earlier attempt failed.
      repos.notifyDeliveries.markDone(d.id, { state: 'sent', error: d.lastError }, now);
      repos.notifyChannels.recordOutcomeInternal(channel.id, { ok: true, at: now });
      this.kick();
      return { delivered: true, error: null };
    }
    const error = scrub(failure.message, secrets);
    if (failure.gone) {
      // Its deliveries go with it: nothing is left to send there.
      this.deps.onGone(channel);
      logger.warn({ channelId: channel.id, kind: channel.kind, deliveryId: d.id, error }, 'notification channel removed: its destination is gone');
      this.kick();
      return { delivered: false, error };
    }
    const attempts = d.attempts + 1;
    const again = retries && !failure.permanent && attempts < this.o.maxAttempts;
    // A service that said how long to wait is not asked sooner (within MAX_RETRY_AFTER_MS).
    const wait = Math.max(retryDelayMs(attempts, this.o), Math.min(failure.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
    repos.notifyDeliveries.markDone(d.id, again ? { state: 'pending', error, retryAt: now + wait } : { state: 'failed', error }, now);
    repos.notifyChannels.recordOutcomeInternal(channel.id, { ok: false, at: now, error });
    logger.warn({ channelId: channel.id, kind: channel.kind, deliveryId: d.id, attempts, retry: again, error }, 'notification not delivered');
    this.kick();
    return { delivered: false, error };
  }
}

function outgoing(d: NotifyDelivery): OutgoingNotification {
  const p = d.payload as TraderNotification;
  return { deliveryId: d.id, title: p.title, body: p.body, urgency: p.urgency, topic: d.topic as OutgoingNotification['topic'], event: p.event, strategyId: p.strategyId, at: p.at };
}

/** Rejects when `signal` aborts: a sender that ignores its signal still cannot hold its channel. */
function whenAborted(signal: AbortSignal, timeoutMs: number): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new DeliveryError(`no answer within ${Math.round(timeoutMs / 1000)} s`)), { once: true }));
}
