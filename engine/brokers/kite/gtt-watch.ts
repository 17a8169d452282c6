/**
 * Noticing a Kite GTT that fires while Tradeclock runs (issue 20). Kite sends no event for a GTT:
 * only GET /gtt/triggers/{id} shows it `triggered`, with `orders[0].result.order_result.order_id`
 * naming the LIMIT order it placed (kiteconnectjs `Trigger` type, pykiteconnect `get_gtt`). That
 * order does come as an order update (ticker `{"type":"order"}` frames, postback.json's fields),
 * but nothing in it names the GTT. So two ways, both bounded:
 * - an order update that looks like a watched GTT's order (the GTT's exchange, symbol, side,
 *   quantity and product, a LIMIT at its price, or at its take-profit's on a two-leg GTT) has
 *   that GTT read at once, and again after 1, 2 and 4 s while it still reads active (the order
 *   may be announced before the GTT's status);
 * - every resting GTT is read at least every `pollEveryMs` anyway (the ticker may be down, or
 *   Kite could not place the order, so no update comes).
 * One read a second at most for the whole account (`gapMs`), well inside Kite's 10 requests a
 * second for these endpoints (PROTOCOLS.md §2.9), and none while nothing rests. A read that finds
 * the GTT no longer resting reports it (fired, or gone) and stops watching it; a failed read
 * waits longer each time (doubling up to `maxBackoffMs`, or Kite's Retry-After).
 */
import { z } from 'zod';
import type { Clock, TimerHandle } from '../../core/clock';
import type { RestingStopRef, RestingStopReport } from '../broker';

/**
 * A GTT to watch: the stop it is (brokerRef its trigger id), and its order's limit and product;
 * `targetLimitPrice`: a two-leg GTT's take-profit order's limit (either leg's order may come).
 */
export interface WatchedGtt {
  readonly ref: RestingStopRef & { readonly brokerRef: string };
  readonly limitPrice: number | null;
  readonly targetLimitPrice?: number | null;
  readonly product: string;
}

/** One read of a GTT: where it stands, or a failure with Kite's wait if it named one. */
export type GttRead = { readonly kind: 'ok'; readonly report: RestingStopReport } | { readonly kind: 'failed'; readonly retryAfterMs?: number };

export interface GttWatchDeps {
  readonly clock: Clock;
  /** GET /gtt/triggers/{id} (and the order it placed, when it fired); a GTT Kite no longer has reads 'cancelled'. */
  read(ref: WatchedGtt['ref']): Promise<GttRead>;
  /** A watched GTT that no longer rests. */
  emit(report: RestingStopReport): void;
}

export interface GttWatchOptions {
  readonly pollEveryMs: number;
  readonly gapMs: number;
  readonly recheckMs: readonly number[];
  readonly maxBackoffMs: number;
}

export const GTT_WATCH_DEFAULTS: GttWatchOptions = { pollEveryMs: 10_000, gapMs: 1_000, recheckMs: [1_000, 2_000, 4_000], maxBackoffMs: 60_000 };

const num = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);
/** The fields of an order update a GTT's order is recognised by. */
const orderSchema = z.looseObject({
  order_id: z.union([z.string().min(1), z.number().int().transform(String)]),
  exchange: z.string(),
  tradingsymbol: z.string(),
  transaction_type: z.string(),
  quantity: num,
  product: z.string(),
  order_type: z.string(),
  price: num,
});

interface Entry {
  gtt: WatchedGtt;
  dueAt: number;
  /** Quick re-reads left after an order update that looked like this GTT's order. */
  rechecks: readonly number[];
  failures: number;
  /** Order ids already taken for this GTT's order: each makes one quick read sequence. */
  readonly seen: Set<string>;
}

export class GttWatch {
  private readonly entries = new Map<string, Entry>();
  private timer: TimerHandle | null = null;
  private reading = false;
  private lastReadAt = Number.NEGATIVE_INFINITY;
  private stopped = false;

  constructor(
    private readonly deps: GttWatchDeps,
    private readonly options: GttWatchOptions = GTT_WATCH_DEFAULTS,
  ) {}

  /** Watches a resting GTT (again: a modify's next version replaces the last, its schedule kept). */
  watch(gtt: WatchedGtt): void {
    if (this.stopped) return;
    const id = gtt.ref.brokerRef;
    const entry = this.entries.get(id);
    if (entry) entry.gtt = gtt;
    else this.entries.set(id, { gtt, dueAt: this.deps.clock.monotonic() + this.options.pollEveryMs, rechecks: [], failures: 0, seen: new Set() });
    this.arm();
  }

  /** No longer rests (cancelled, fired, gone) as far as the caller knows. */
  unwatch(triggerId: string): void {
    if (this.entries.delete(triggerId)) this.arm();
  }

  /**
   * An order update (ticker `order` message or postback body): one that may be a watched GTT's
   * order has that GTT read as soon as the account's read budget allows.
   */
  noticeOrder(data: unknown): void {
    const parsed = orderSchema.safeParse(data);
    if (!parsed.success || parsed.data.order_type.toUpperCase() !== 'LIMIT') return;
    const o = parsed.data;
    let matched = false;
    for (const entry of this.entries.values()) {
      const { ref, limitPrice, targetLimitPrice, product } = entry.gtt;
      const atLimit = [limitPrice, targetLimitPrice ?? null].some((p) => p !== null && Math.abs(o.price - p) < 1e-6);
      const same =
        o.exchange === ref.instrument.exchange &&
        o.tradingsymbol === ref.instrument.symbol &&
        o.transaction_type.toUpperCase() === (ref.side === 'buy' ? 'BUY' : 'SELL') &&
        o.quantity === ref.qty &&
        o.product === product &&
        atLimit;
      if (!same || entry.seen.has(o.order_id)) continue;
      entry.seen.add(o.order_id);
      entry.dueAt = Math.min(entry.dueAt, this.deps.clock.monotonic());
      entry.rechecks = this.options.recheckMs;
      matched = true;
    }
    if (matched) this.arm();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
    this.entries.clear();
  }

  private arm(): void {
    this.timer?.cancel();
    this.timer = null;
    if (this.stopped || this.reading || this.entries.size === 0) return;
    const next = Math.min(...[...this.entries.values()].map((e) => e.dueAt));
    const now = this.deps.clock.monotonic();
    const at = Math.max(next, this.lastReadAt + this.options.gapMs);
    this.timer = this.deps.clock.setTimer(at - now, () => void this.readDue());
  }

  /** Reads the GTT most overdue, then arms for the next. */
  private async readDue(): Promise<void> {
    this.timer = null;
    const now = this.deps.clock.monotonic();
    const entry = [...this.entries.values()].filter((e) => e.dueAt <= now).sort((a, b) => a.dueAt - b.dueAt)[0];
    if (!entry) return this.arm();
    const gtt = entry.gtt;
    this.reading = true;
    this.lastReadAt = now;
    let read: GttRead;
    try {
      read = await this.deps.read(gtt.ref);
    } catch {
      read = { kind: 'failed' };
    } finally {
      this.reading = false;
    }
    if (this.stopped) return;
    const after = this.deps.clock.monotonic();
    const id = gtt.ref.brokerRef;
    if (this.entries.get(id) !== entry) return this.arm();
    if (entry.gtt !== gtt) {
      // Modified while it was read: the answer may name the version before; read the new one.
      entry.dueAt = after;
    } else if (read.kind === 'failed') {
      entry.failures++;
      const backoff = Math.min(this.options.pollEveryMs * 2 ** (entry.failures - 1), this.options.maxBackoffMs);
      entry.dueAt = after + Math.max(backoff, read.retryAfterMs ?? 0);
    } else if (read.report.status === 'resting') {
      entry.failures = 0;
      const [quick, ...rest] = entry.rechecks;
      entry.rechecks = rest;
      entry.dueAt = after + (quick ?? this.options.pollEveryMs);
    } else {
      this.entries.delete(id);
      this.deps.emit(read.report);
    }
    this.arm();
  }
}
