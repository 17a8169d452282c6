/**
 * A CCXT `watch*` call kept going: CCXT has no reconnect loop (a dropped connection rejects the
 * pending watch, and the next call dials again), so this calls `run` again after each failure,
 * with Tradeclock's capped, jittered backoff (alpaca/backoff.ts) on the injected Clock. `run`
 * says `ready()` once its connection serves (then the backoff starts over); one that is not ready
 * within the handshake timeout is told to give up (`onHandshakeTimeout`).
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../core/clock';
import { backoffDelay, type UniformSource } from '../alpaca/backoff';
import type { CcxtStreamTiming } from './ccxt-sockets';

export interface WatchLoopDeps {
  readonly name: string;
  readonly clock: Clock;
  readonly timing: CcxtStreamTiming;
  readonly uniform: UniformSource;
  readonly logger: Logger;
  /**
   * One connection's life: resolves or throws when it is over. `ready()`: it serves (the backoff
   * starts over); `ready(false)`: its connection is up but nothing of its own came yet (it joined
   * an open connection), so the handshake is over and the backoff is kept: a watch the venue keeps
   * refusing on a live connection backs off as far as any other.
   */
  readonly run: (ready: (served?: boolean) => void, live: () => boolean) => Promise<void>;
  /** It ended (the detail scrubbed by the caller); a retry follows unless stopped. */
  readonly onDown: (detail: string) => void;
  readonly onHandshakeTimeout: () => void;
}

export class WatchLoop {
  private running = false;
  private attempt = 0;
  /** Bumped per run: a run that outlived a stop or a newer run changes nothing. */
  private generation = 0;
  private retryTimer: TimerHandle | undefined;
  private handshakeTimer: TimerHandle | undefined;
  private markReady: ((served?: boolean) => void) | undefined;

  constructor(private readonly deps: WatchLoopDeps) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.next();
  }

  stop(): void {
    this.running = false;
    this.generation++;
    this.retryTimer?.cancel();
    this.handshakeTimer?.cancel();
  }

  /**
   * The connection it shares came up: a run in progress is ready, and one waiting out a backoff
   * tries now rather than after it.
   */
  connected(): void {
    if (!this.running) return;
    if (!this.retryTimer) return this.markReady?.();
    this.retryTimer.cancel();
    this.retryTimer = undefined;
    this.next();
  }

  private next(): void {
    const gen = ++this.generation;
    const { clock, timing } = this.deps;
    this.retryTimer = undefined;
    let ready = false;
    this.handshakeTimer = clock.setTimer(timing.handshakeTimeoutMs, () => {
      if (gen === this.generation && !ready) this.deps.onHandshakeTimeout();
    });
    const live = () => gen === this.generation;
    const markReady = (served = true) => {
      if (!live()) return;
      if (served) this.attempt = 0;
      if (ready) return;
      ready = true;
      this.handshakeTimer?.cancel();
    };
    this.markReady = markReady;
    this.deps.run(markReady, live).then(
      () => this.ended(gen, 'the stream ended'),
      (err: unknown) => this.ended(gen, err instanceof Error ? err.message : describe(err)),
    );
  }

  private ended(gen: number, detail: string): void {
    if (gen !== this.generation || !this.running) return;
    this.handshakeTimer?.cancel();
    this.deps.onDown(detail);
    const { clock, timing, uniform, logger, name } = this.deps;
    const delayMs = backoffDelay(this.attempt++, timing.reconnectBaseMs, timing.reconnectMaxMs, uniform);
    logger.warn({ stream: name, delayMs, attempt: this.attempt }, 'ccxt stream down; watching again after a backoff');
    this.retryTimer = clock.setTimer(delayMs, () => {
      if (gen === this.generation && this.running) this.next();
    });
  }
}

/** CCXT rejects some watches with the venue's raw message (an object), not an Error. */
function describe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
