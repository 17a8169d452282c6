/**
 * The chase of an options exit at Kite (NFO, BFO). NSE refuses SL-M on index options, and a MARKET
 * order with `market_protection` becomes a LIMIT at the protection price that "can continue to
 * remain open/pending" once the market runs past it, under the same order id (kite.trade forum
 * comments 52940 and 52991, staff). Kite does not re-price it. So an exit goes as a LIMIT that
 * crosses the market (exit-price.ts) and, while it rests OPEN, is re-priced by PUT
 * /orders/regular/{order_id} (PROTOCOLS.md §2.7): the same order, so the same tag, and never a
 * second order. Each step reads the quote again (the band moves), crosses by one more buffer, up to
 * the band's edge, and never pulls the price back while it is inside the band.
 *
 * Bounded: Kite takes at most 25 modifications an order ("Maximum allowed order modifications
 * exceeded.", kite.trade forum discussions 9201 and 9212, staff; §2.9), counted here from the
 * order's own history (its MODIFIED entries, as `order_info.json` walks them), so a restart knows
 * what was spent; a modify is a write that counts toward the 10 orders a second (forum comment
 * 35150), so it takes a slot of the order limiter; the quote takes a slot of the 1 a second.
 *
 * What ends a chase is the order: COMPLETE, CANCELLED or REJECTED. The engine hears of it through
 * the order stream and its lookups as of any order, and its exit attempt rules take over from there.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Clock, TimerHandle } from '../../core/clock';
import { parseClientOrderId } from '../../core/ids';
import type { OrderSide } from '../../core/types';
import { atBandEdge, exitLimitPrice, nextExitPrice, priceBand, type BandQuote } from './exit-price';
import type { KiteHttp } from './kite-http';
import { kiteOrderSchema, type KiteOrder } from './kite-orders';
import type { KiteOptions } from './kite-options';
import { sleepOn, type RateLimiter } from './rate-limiter';

export interface KiteExitChaseDeps {
  readonly http: KiteHttp;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly options: Pick<KiteOptions, 'exit_price_buffer_pct' | 'exit_reprice_after_ms' | 'exit_max_modifications' | 'max_rate_wait_ms'>;
  /** Kite's 1 quote request a second, shared with the LTP reader. */
  readonly quoteLimiter: RateLimiter;
  /** Kite's order writes (placements and modifications). */
  readonly orderLimiter: RateLimiter;
  /** The contract's tick from the instrument master; null when the master does not list it. */
  tickSizeOf(exchange: string, symbol: string): Promise<number | null>;
}

/** One exit being chased. */
export interface ChasedExit {
  readonly orderId: string;
  readonly tag: string;
  readonly exchange: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly tickSize: number;
  /** The step of the price it rests at (0: the first price). */
  readonly step: number;
}

const num = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);
const historyRow = kiteOrderSchema.extend({ price: num.nullish(), order_type: z.string().nullish() });
const quoteRow = z.looseObject({
  last_price: z.number().positive({ error: 'must be a price above 0 (no trade yet?)' }),
  lower_circuit_limit: z.number().nonnegative({ error: 'must be a price' }),
  upper_circuit_limit: z.number().positive({ error: 'must be a price above 0' }),
});

const FINAL = new Set(['COMPLETE', 'CANCELLED', 'REJECTED']);

/**
 * Whether an order is an options exit this chase prices: an option contract (a Kite symbol ending
 * CE or PE) on NFO or BFO that closes a position: `opens === false` on a placement; on a lookup,
 * where only the tag is known, a Tradeclock client order id of the exit slot. Futures and equity
 * orders, and every entry, go as MARKET with protection as before.
 * @example isChasedExit({ clientOrderId: 'tpk3x9a17do0001610X', instrument: { exchange: 'NFO', symbol: 'NIFTY26D0826000CE' } }) // true
 */
export function isChasedExit(o: { readonly clientOrderId: string; readonly opens?: boolean; readonly instrument: { readonly exchange: string; readonly symbol: string } }): boolean {
  if ((o.instrument.exchange !== 'NFO' && o.instrument.exchange !== 'BFO') || !/(?:CE|PE)$/.test(o.instrument.symbol)) return false;
  if (o.opens !== undefined) return !o.opens;
  try {
    return parseClientOrderId(o.clientOrderId).slot === 'exit';
  } catch {
    return false; // not an id Tradeclock makes: not ours to chase
  }
}

export class KiteExitChase {
  private readonly chases = new Map<string, { exit: ChasedExit; timer: TimerHandle | null }>();
  private stopped = false;

  constructor(private readonly deps: KiteExitChaseDeps) {}

  /**
   * The quote the chase prices by: GET /quote for the last price and the day's circuit. Throws,
   * naming what was wrong, when Kite cannot be asked or its answer lacks them.
   */
  async quote(exchange: string, symbol: string): Promise<BandQuote> {
    const slot = this.deps.quoteLimiter.reserve(this.deps.options.max_rate_wait_ms);
    if (!slot.ok) throw new Error(slot.message);
    await sleepOn(this.deps.clock, slot.waitMs);
    const key = `${exchange}:${symbol}`;
    const data = (await this.deps.http.call({ method: 'GET', path: '/quote', query: { i: [key] } })) as Record<string, unknown> | null;
    const row = quoteRow.safeParse(data?.[key]);
    if (!row.success) throw new Error(`Kite's quote of ${key} cannot price an exit: ${row.error.issues[0]?.path.join('.') || key} ${row.error.issues[0]?.message ?? 'is missing'}`);
    return { lastPrice: row.data.last_price, lowerCircuit: row.data.lower_circuit_limit, upperCircuit: row.data.upper_circuit_limit };
  }

  /** The first price of an exit, or null (logged) when the quote cannot be had: it then goes as MARKET with protection, and the chase prices it later. */
  async openingPrice(exchange: string, symbol: string, side: OrderSide, tickSize: number, tag: string): Promise<number | null> {
    try {
      return exitLimitPrice(side, await this.quote(exchange, symbol), tickSize, this.deps.options.exit_price_buffer_pct, 0);
    } catch (err) {
      this.deps.logger.warn({ tag, exchange, symbol, err: messageOf(err) }, 'Kite exit: no quote to price it, so it goes as MARKET with market protection and is re-priced if it rests');
      return null;
    }
  }

  /** Follows an exit Kite accepted: looked at after `exit_reprice_after_ms`, re-priced while it rests. */
  follow(exit: ChasedExit): void {
    if (this.stopped || this.chases.has(exit.orderId)) return;
    this.chases.set(exit.orderId, { exit, timer: null });
    this.later(exit.orderId);
  }

  /**
   * An exit found live on a lookup (after a restart: nothing here follows it yet) is followed from
   * where it rests. A no-op for one already followed.
   */
  adopt(order: KiteOrder, tag: string): void {
    if (this.stopped || this.chases.has(order.order_id) || FINAL.has(order.status.toUpperCase())) return;
    const { exchange, tradingsymbol: symbol, transaction_type: side } = order;
    if (!exchange || !symbol || (side !== 'BUY' && side !== 'SELL')) return;
    void this.deps.tickSizeOf(exchange, symbol).then(
      (tickSize) => {
        if (tickSize === null) return void this.deps.logger.error({ orderId: order.order_id, tag, exchange, symbol }, 'Kite exit found resting, but its contract is not in the instrument master: it is not re-priced');
        this.deps.logger.info({ orderId: order.order_id, tag, exchange, symbol, status: order.status }, 'Kite exit found resting on a lookup: its chase resumes');
        // Its step is not known here: the next crosses by two buffers, and never below where it rests.
        this.follow({ orderId: order.order_id, tag, exchange, symbol, side: side === 'BUY' ? 'buy' : 'sell', tickSize, step: 0 });
      },
      (err: unknown) => this.deps.logger.error({ orderId: order.order_id, tag, err: messageOf(err) }, 'Kite exit found resting, but the instrument master could not be read: it is not re-priced'),
    );
  }

  /** The exits being chased, by order id (for tests and the log). */
  following(): readonly ChasedExit[] {
    return [...this.chases.values()].map((c) => c.exit);
  }

  stop(): void {
    this.stopped = true;
    for (const c of this.chases.values()) c.timer?.cancel();
    this.chases.clear();
  }

  private later(orderId: string): void {
    const c = this.chases.get(orderId);
    if (!c || this.stopped) return;
    c.timer = this.deps.clock.setTimer(this.deps.options.exit_reprice_after_ms, () => {
      c.timer = null;
      this.round(orderId).then(
        (go) => (go ? this.later(orderId) : this.chases.delete(orderId)),
        (err: unknown) => {
          this.deps.logger.error({ orderId, err: messageOf(err) }, 'Kite exit chase failed a round; it looks again');
          this.later(orderId);
        },
      );
    });
  }

  /** One look at the order, and a re-price when it rests; false once the chase is over. */
  private async round(orderId: string): Promise<boolean> {
    const c = this.chases.get(orderId);
    if (!c || this.stopped) return false;
    const { exit } = c;
    const log = { orderId, tag: exit.tag, exchange: exit.exchange, symbol: exit.symbol };
    let history: z.output<typeof historyRow>[];
    try {
      const data = await this.deps.http.call({ method: 'GET', path: `/orders/${encodeURIComponent(orderId)}` });
      history = z.array(historyRow).min(1).parse(data);
    } catch (err) {
      this.deps.logger.warn({ ...log, err: messageOf(err) }, 'Kite exit chase could not read the order; it looks again');
      return true;
    }
    const order = history[history.length - 1]!;
    const status = order.status.toUpperCase();
    if (FINAL.has(status)) {
      this.deps.logger.info({ ...log, status, filledQty: order.filled_quantity ?? 0, price: order.average_price ?? null }, 'Kite exit chase over: the order is final');
      return false;
    }
    // Kite's interim states (a modify under way, the trigger of an SL) take no modify: "Order cannot be modified as it is being processed" (forum comment 40055).
    if (status !== 'OPEN') return true;
    const quantity = order.quantity;
    if (!quantity) {
      this.deps.logger.error({ ...log }, 'Kite exit chase: the order row names no quantity, so it cannot be modified; it looks again');
      return true;
    }
    const spent = history.filter((h) => h.status.toUpperCase() === 'MODIFIED').length;
    if (spent >= this.deps.options.exit_max_modifications) {
      this.deps.logger.error({ ...log, modifications: spent }, `Kite exit rests unfilled after ${spent} re-prices (exit_max_modifications): it stays at its price; Kite takes at most 25 modifications an order`);
      return false;
    }
    let quote: BandQuote;
    try {
      quote = await this.quote(exit.exchange, exit.symbol);
    } catch (err) {
      this.deps.logger.warn({ ...log, err: messageOf(err) }, 'Kite exit chase has no quote this round; it looks again');
      return true;
    }
    const band = priceBand(quote);
    const resting = order.price !== null && order.price !== undefined && order.price > 0 ? order.price : null;
    const step = exit.step + 1;
    const price = nextExitPrice(exit.side, resting, exitLimitPrice(exit.side, quote, exit.tickSize, this.deps.options.exit_price_buffer_pct, step), band);
    if (resting !== null && Math.abs(price - resting) < exit.tickSize / 2) return true; // at the band's edge and the band has not moved: nothing to gain
    const slot = this.deps.orderLimiter.reserve(this.deps.options.max_rate_wait_ms);
    if (!slot.ok) return true;
    await sleepOn(this.deps.clock, slot.waitMs);
    if (this.stopped) return false;
    try {
      await this.deps.http.call({
        method: 'PUT',
        path: `/orders/regular/${encodeURIComponent(orderId)}`,
        form: { order_type: 'LIMIT', price: String(price), quantity: String(quantity), validity: 'DAY' },
      });
    } catch (err) {
      this.deps.logger.warn({ ...log, from: resting, to: price, err: messageOf(err) }, 'Kite refused to re-price the exit; it looks again');
      return true;
    }
    c.exit = { ...exit, step };
    this.deps.logger.info(
      { ...log, from: resting, to: price, step, lastPrice: quote.lastPrice, band, filledQty: order.filled_quantity ?? 0, modification: spent + 1, atEdge: atBandEdge(exit.side, price, band, exit.tickSize) },
      `Kite exit re-priced from ${resting ?? 'market'} to ${price} (modification ${spent + 1} of at most ${this.deps.options.exit_max_modifications})`,
    );
    return true;
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
