/**
 * Keeps the prices of watched instruments as 1-minute bars (db price_bars), so a chart opened
 * after a reload shows the day. Off the hot path: a tick only updates an in-memory bar; finished
 * minutes are written once a minute in one non-durable transaction that never waits for the write
 * lock, and bars older than `keepDays` are pruned. A failed write is logged and dropped: prices
 * for a chart are never worth holding up an order (invariant 10).
 */
import type { Clock, TimerHandle } from '../core/clock';
import type { BrokerAccountId } from '../core/ids';
import type { Tick } from '../core/types';
import type { PriceBar, Repos } from '../../db/repos';
import type { Logger } from 'pino';

export const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** At most this many finished bars wait for a write (a long-blocked disk): the oldest go first. */
const MAX_PENDING = 50_000;

export interface BarRecorderOptions {
  /** Days of bars kept (default 7). */
  readonly keepDays?: number;
  /** How often finished minutes are written (default one minute). */
  readonly flushMs?: number;
}

type OnTick = (listener: (accountId: BrokerAccountId, tick: Tick) => void) => () => void;

export class BarRecorder {
  private readonly open = new Map<string, { -readonly [K in keyof PriceBar]: PriceBar[K] }>();
  private pending: PriceBar[] = [];
  private timer: TimerHandle | null = null;
  private off: (() => void) | null = null;
  private lastPrune = -Infinity;
  private readonly keepMs: number;
  private readonly flushMs: number;

  constructor(
    private readonly deps: { readonly onTick: OnTick; readonly repos: Repos; readonly clock: Clock; readonly logger: Pick<Logger, 'warn'> },
    options: BarRecorderOptions = {},
  ) {
    this.keepMs = (options.keepDays ?? 7) * DAY_MS;
    this.flushMs = options.flushMs ?? MINUTE_MS;
  }

  start(): void {
    if (this.off) return;
    this.off = this.deps.onTick((accountId, tick) => this.record(accountId, tick));
  }

  /** Stops listening and writes every bar, the unfinished minutes too (merged if they go on after a restart). */
  stop(): void {
    this.off?.();
    this.off = null;
    this.timer?.cancel();
    this.timer = null;
    this.pending.push(...this.open.values());
    this.open.clear();
    this.flush();
  }

  /** The hot path's share: one map lookup and a few comparisons. */
  record(accountId: BrokerAccountId, tick: Tick): void {
    const key = `${accountId}|${tick.exchange}:${tick.symbol}`;
    const minute = Math.floor(tick.at / MINUTE_MS) * MINUTE_MS;
    const bar = this.open.get(key);
    if (bar && bar.minute === minute) {
      if (tick.price > bar.high) bar.high = tick.price;
      if (tick.price < bar.low) bar.low = tick.price;
      bar.close = tick.price;
      bar.ticks += 1;
      return;
    }
    // A tick of an earlier minute than the open bar (a late one) is left out rather than reopen a written minute.
    if (bar && minute < bar.minute) return;
    if (bar) this.pending.push(bar);
    if (this.pending.length > MAX_PENDING) this.pending.splice(0, this.pending.length - MAX_PENDING);
    this.open.set(key, { brokerAccountId: accountId, exchange: tick.exchange, symbol: tick.symbol, minute, open: tick.price, high: tick.price, low: tick.price, close: tick.price, ticks: 1 });
    if (!this.timer && this.off) this.schedule();
  }

  /**
   * The instrument's bars not written yet (finished minutes waiting for the flush, and the minute
   * being built), oldest first: with the stored ones, a chart reaches up to the last tick.
   */
  unwritten(accountId: BrokerAccountId, exchange: string, symbol: string): PriceBar[] {
    const mine = (b: PriceBar) => b.brokerAccountId === accountId && b.exchange === exchange && b.symbol === symbol;
    const open = this.open.get(`${accountId}|${exchange}:${symbol}`);
    return [...this.pending.filter(mine), ...(open ? [{ ...open }] : [])];
  }

  /** Writes the finished bars, and prunes at most once an hour. */
  flush(): void {
    const now = this.deps.clock.now();
    // A minute that ended without a later tick is finished too.
    for (const [key, bar] of this.open) {
      if (bar.minute + MINUTE_MS <= now) {
        this.pending.push(bar);
        this.open.delete(key);
      }
    }
    const bars = this.pending;
    const prune = now - this.lastPrune >= 3_600_000;
    if (bars.length === 0 && !prune) return;
    try {
      this.deps.repos.transaction(
        () => {
          if (bars.length > 0) this.deps.repos.priceBars.saveInternal(bars);
          if (prune) this.deps.repos.priceBars.pruneBeforeInternal(now - this.keepMs);
        },
        { durable: false, waitForLock: false },
      );
      this.pending = [];
      if (prune) this.lastPrune = now;
    } catch (err) {
      // Kept for the next flush (bounded by MAX_PENDING).
      this.deps.logger.warn({ err, bars: bars.length }, 'price bars not written; trying again in a minute');
    }
  }

  /**
   * The flush timer runs only while there are bars to write: no prices, no timer (a day without
   * ticks, or a test that moves a fake clock over days, pays nothing for it).
   */
  private schedule(): void {
    this.timer = this.deps.clock.setTimer(this.flushMs, () => {
      this.timer = null;
      this.flush();
      if (this.off && (this.open.size > 0 || this.pending.length > 0)) this.schedule();
    });
  }
}

/**
 * Stored bars with the unwritten ones of the same instrument, one bar per minute, oldest first. A
 * minute in both (a part written before a restart, the rest still open) is merged as the store
 * merges it: the first open, the extremes of both, the later close.
 *
 * @example withUnwritten([{ minute: 0, open: 1, high: 2, low: 1, close: 2 }], [{ minute: 0, open: 2, high: 3, low: 2, close: 3 }])
 *   // [{ minute: 0, open: 1, high: 3, low: 1, close: 3 }]
 */
export function withUnwritten<B extends Pick<PriceBar, 'minute' | 'open' | 'high' | 'low' | 'close'>>(stored: readonly B[], unwritten: readonly B[]): B[] {
  const byMinute = new Map<number, B>();
  for (const b of stored) byMinute.set(b.minute, b);
  for (const b of unwritten) {
    const had = byMinute.get(b.minute);
    byMinute.set(b.minute, had ? { ...had, high: Math.max(had.high, b.high), low: Math.min(had.low, b.low), close: b.close } : b);
  }
  return [...byMinute.values()].sort((a, b) => a.minute - b.minute);
}
