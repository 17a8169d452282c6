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
 * exceeded.", kite.trade forum discussions 9201 and 9212, staff; §2.9), counted here as the more
 * of the order's own history (its MODIFIED entries, as `order_info.json` walks them: a restart
 * knows what was spent) and the modifies Kite took from this process (a history read may lag the
 * last one); a modify is a write that counts toward the 10 orders a second (forum comment
 * 35150), so it takes a slot of the order limiter; the quote takes a slot of the 1 a second.
 *
 * What ends a chase is the order: COMPLETE, CANCELLED or REJECTED. The engine hears of it through
 * the order stream, its lookups and the chase's own last read (`onFinal`), and its exit attempt
 * rules take over from there. A chase that cannot go on (the modifications spent, Kite refusing
 * more, the contract's tick unknown) never leaves the order resting at a stale price: it cancels
 * it (DELETE /orders/regular/{order_id}) and the cancel's report says the adapter ended it and it
 * passes (`lasting: false`, `cancelReason`), so the engine places a new attempt under a new tag
 * (and notifies the trader, exit_retry_scheduled). The mark that says so is set only as the
 * DELETE goes, and removed when Kite refuses it: a trader's cancel while the chase waits is the
 * trader's. A crash between the DELETE and that report leaves a cancel no one here remembers: a
 * lookup passes it when the order's history has spent exit_max_modifications
 * (cancelledBeforeRestart); otherwise the engine takes it as possibly the trader's and the run goes
 * to ERROR, which is notified too.
 *
 * A round that cannot decide (no quote, a dead session, Kite's interim states, no slot of the
 * order limiter) looks again later, each failure in a row doubling the wait up to
 * MAX_BACKOFF_MS, and logs only the 1st, 2nd, 4th, 8th… of them.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Clock, TimerHandle } from '../../core/clock';
import type { OrderSide } from '../../core/types';
import { atBandEdge, exitLimitPrice, nextExitPrice, priceBand, stepBack, type BandQuote } from './exit-price';
import { KiteError } from './kite-errors';
import { namesPriceLimit } from './kite-refusals';
import type { KiteHttp } from './kite-http';
import { FINAL_STATUSES, type KiteOrder } from './kite-orders';
import { historyRow, quoteRow, type ChasedExit } from './chased-exit';
import type { KiteOptions } from './kite-options';
import type { RateLimiter } from './rate-limiter';

export interface KiteExitChaseDeps {
  readonly http: KiteHttp;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly options: Pick<KiteOptions, 'exit_price_buffer_pct' | 'exit_reprice_after_ms' | 'exit_max_modifications' | 'max_rate_wait_ms'>;
  /** Kite's 1 quote request a second, shared with the LTP reader. */
  readonly quoteLimiter: RateLimiter;
  /** Kite's order writes (placements and modifications). */
  readonly orderLimiter: RateLimiter;
  /** The contract's tick from the instrument master; null when the master does not list it; throws when the master cannot be read. */
  tickSizeOf(exchange: string, symbol: string): Promise<number | null>;
}


/** The longest wait between two looks of a chase whose rounds keep failing. */
export const MAX_BACKOFF_MS = 30_000;
/** The opening quote's budget, for its slot and again for its answer: an exit does not wait longer for its price (then MARKET with protection). */
export const OPENING_QUOTE_MS = 1_000;
/** The oldest ticker price that stands in for a failed /quote: older, the band may have moved under it. */
export const MAX_TICK_AGE_MS = 10_000;
/** The oldest last-known circuit a ticker price is judged by: Kite's bands move through the day. */
export const MAX_QUOTE_AGE_MS = 60_000;
/** Kite's words when an order's modifications are spent (kite.trade forum discussions 9201, 9212). */
const MODIFICATIONS_SPENT = /maximum allowed order modifications/i;

/** One GET /quote waiting for its slot: callers that ask meanwhile add their contracts to it. */
interface QuoteBatch {
  readonly keys: Set<string>;
  answer: Promise<Record<string, unknown> | null>;
}

interface Chase {
  exit: ChasedExit;
  timer: TimerHandle | null;
  /** Modifications Kite accepted in this process: the history read may not show the last one yet. */
  modified: number;
  /** Rounds failed in a row: the next look waits longer, and only some are logged. */
  failures: number;
  /** A price the exchange refused naming a price limit, and the last price then: the next stays halfway back. */
  refused: { readonly price: number; readonly lastPrice: number } | null;
  /** Why the chase gave up: it cancels the order, and its report says so. */
  givingUp: string | null;
}


export class KiteExitChase {
  private readonly chases = new Map<string, Chase>();
  /** Orders this process cancelled because the chase gave up, with why: their cancel passes. */
  private readonly cancelled = new Map<string, string>();
  /** The last quote of each chased contract and its ticker's last price since: the stand-in when /quote fails. */
  private readonly quotes = new Map<string, BandQuote & { readonly atMs: number }>();
  private readonly ticks = new Map<string, { readonly price: number; readonly atMs: number }>();
  /** Exits found resting on a lookup whose tick is being read (or read again after a failed master download). */
  private readonly adopting = new Map<string, TimerHandle | null>();
  /** Waits for a rate slot, with how to end each: stop() ends them at once (the code after each sees `stopped`), leaving no timer behind. */
  private readonly sleeps = new Map<TimerHandle, () => void>();
  private readonly finalListeners = new Set<(order: KiteOrder) => void>();
  /** The quote request of each kind not sent yet, open to more contracts. */
  private readonly waiting = new Map<'opening' | 'round', QuoteBatch>();
  private stopped = false;

  constructor(private readonly deps: KiteExitChaseDeps) {}

  /**
   * The quote the chase prices by: GET /quote for the last price and the day's circuit. Throws,
   * naming what was wrong, when Kite cannot be asked or its answer lacks them. `opening`: an
   * exit's first price, which waits at most OPENING_QUOTE_MS for its slot and as long for the
   * answer. Callers who ask while a request of their kind waits for its slot share it: the legs of
   * a straddle exiting together are priced by one request, not one a second.
   */
  async quote(exchange: string, symbol: string, opening = false): Promise<BandQuote> {
    const key = `${exchange}:${symbol}`;
    const data = await this.ask(key, opening ? 'opening' : 'round');
    const row = quoteRow.safeParse(data?.[key]);
    if (!row.success) throw new Error(`Kite's quote of ${key} cannot price an exit: ${row.error.issues[0]?.path.join('.') || key} ${row.error.issues[0]?.message ?? 'is missing'}`);
    const q = { lastPrice: row.data.last_price, lowerCircuit: row.data.lower_circuit_limit, upperCircuit: row.data.upper_circuit_limit };
    this.quotes.set(key, { ...q, atMs: this.deps.clock.now() });
    this.ticks.delete(key);
    return q;
  }

  /** Joins the request of this kind waiting for its slot, else starts the next one. */
  private ask(key: string, kind: 'opening' | 'round'): Promise<Record<string, unknown> | null> {
    const open = this.waiting.get(kind);
    if (open) {
      open.keys.add(key);
      return open.answer;
    }
    const batch: QuoteBatch = { keys: new Set([key]), answer: Promise.resolve(null) };
    this.waiting.set(kind, batch);
    batch.answer = this.send(batch, kind);
    return batch.answer;
  }

  private async send(batch: QuoteBatch, kind: 'opening' | 'round'): Promise<Record<string, unknown> | null> {
    const leave = () => this.waiting.get(kind) === batch && this.waiting.delete(kind);
    const slot = this.deps.quoteLimiter.reserve(kind === 'opening' ? OPENING_QUOTE_MS : this.deps.options.max_rate_wait_ms);
    if (!slot.ok) {
      leave();
      throw new Error(slot.message);
    }
    await this.sleep(slot.waitMs);
    leave();
    if (this.stopped) throw new Error('the Kite exit chase stopped');
    return (await this.deps.http.call({ method: 'GET', path: '/quote', query: { i: [...batch.keys] }, ...(kind === 'opening' ? { timeoutMs: OPENING_QUOTE_MS } : {}) })) as Record<string, unknown> | null;
  }

  /**
   * The first price of an exit, or null (logged) when there is none within OPENING_QUOTE_MS of
   * rate wait and as much of answer, or inside the band: it then goes as MARKET with protection,
   * and the chase prices it later.
   */
  async openingPrice(exchange: string, symbol: string, side: OrderSide, tickSize: number, tag: string): Promise<number | null> {
    try {
      const price = exitLimitPrice(side, await this.quote(exchange, symbol, true), tickSize, this.deps.options.exit_price_buffer_pct, 0);
      if (price === null) this.deps.logger.warn({ tag, exchange, symbol }, 'Kite exit: no price inside the band (the last price is beyond the circuit), so it goes as MARKET with market protection');
      return price;
    } catch (err) {
      this.deps.logger.warn({ tag, exchange, symbol, err: messageOf(err) }, 'Kite exit: no quote to price it, so it goes as MARKET with market protection and is re-priced if it rests');
      return null;
    }
  }

  /** A ticker price of a contract: kept for a chased one, as its last price when /quote fails. */
  noteTick(exchange: string, symbol: string, price: number): void {
    const key = `${exchange}:${symbol}`;
    if (this.quotes.has(key)) this.ticks.set(key, { price, atMs: this.deps.clock.now() });
  }

  /** Follows an exit Kite accepted: looked at after `exit_reprice_after_ms`, re-priced while it rests. */
  follow(exit: ChasedExit, givingUp: string | null = null): void {
    if (this.stopped || this.chases.has(exit.orderId)) return;
    if (givingUp !== null) this.deps.logger.error({ orderId: exit.orderId, tag: exit.tag, exchange: exit.exchange, symbol: exit.symbol, why: givingUp }, `Kite exit chase gives up (${givingUp}): the order is cancelled and the engine places a new attempt`);
    const c: Chase = { exit, timer: null, modified: 0, failures: 0, refused: null, givingUp };
    this.chases.set(exit.orderId, c);
    this.later(c);
  }

  /**
   * An exit found live on a lookup (after a restart: nothing here follows it yet) is followed from
   * where it rests; one whose contract the master does not list is cancelled for a new attempt
   * (the engine places it with the instrument's tick). A master that cannot be read is read again,
   * backing off, while the order rests where it is: a failed download is no reason to cancel a
   * healthy exit. A no-op for one already followed or being adopted.
   */
  adopt(order: KiteOrder, tag: string): void {
    if (this.stopped || this.chases.has(order.order_id) || this.adopting.has(order.order_id) || FINAL_STATUSES.has(order.status.toUpperCase())) return;
    const { exchange, tradingsymbol: symbol, transaction_type: side } = order;
    if (!exchange || !symbol || (side !== 'BUY' && side !== 'SELL')) return;
    const exit = { orderId: order.order_id, tag, exchange, symbol, side: side === 'BUY' ? ('buy' as const) : ('sell' as const), tickSize: 0, step: 0 };
    this.adopting.set(exit.orderId, null);
    this.readTick(exit, order.status, 0);
  }

  private readTick(exit: ChasedExit, status: string, failures: number): void {
    const { orderId, tag, exchange, symbol } = exit;
    void this.deps.tickSizeOf(exchange, symbol).then(
      (tickSize) => {
        // Ended meanwhile (final on the stream, or stopped): nothing to follow.
        if (this.stopped || !this.adopting.has(orderId)) return;
        this.adopting.delete(orderId);
        if (tickSize === null) return this.follow(exit, 'its contract is not in the instrument master, so it cannot be re-priced');
        this.deps.logger.info({ orderId, tag, exchange, symbol, status }, 'Kite exit found resting on a lookup: its chase resumes');
        // Its step is not known here: the next crosses by two buffers, and never below where it rests.
        this.follow({ ...exit, tickSize });
      },
      (err: unknown) => {
        if (this.stopped || !this.adopting.has(orderId)) return;
        const wait = this.backoff(failures + 1);
        const n = failures + 1;
        if ((n & (n - 1)) === 0) this.deps.logger.warn({ orderId, tag, exchange, symbol, err: messageOf(err), retryInMs: wait, failuresInARow: n }, 'Kite exit found resting on a lookup, but the instrument master could not be read; the order rests as it is and the master is read again later');
        this.adopting.set(orderId, this.deps.clock.setTimer(wait, () => this.adopting.has(orderId) && this.readTick(exit, status, n)));
      },
    );
  }

  /** Why this process cancelled the order (the chase gave up), or null: its cancel is not the trader's. */
  cancelReason(orderId: string): string | null {
    return this.cancelled.get(orderId) ?? null;
  }

  /**
   * Why a chased exit found CANCELLED with no mark of ours was still ours, or null: a crash between
   * the chase's DELETE and its report leaves no mark, so an order whose history has spent
   * `exit_max_modifications` (the chase's own give-up point) is taken as cancelled by the chase. A
   * trader's cancel of an order with modifications left stays the trader's; so does any order whose
   * history cannot be read (the engine then asks the trader).
   */
  async cancelledBeforeRestart(orderId: string): Promise<string | null> {
    if (this.cancelled.has(orderId)) return this.cancelled.get(orderId)!;
    let history: z.output<typeof historyRow>[];
    try {
      history = z.array(historyRow).min(1).parse(await this.deps.http.call({ method: 'GET', path: `/orders/${encodeURIComponent(orderId)}` }));
    } catch (err) {
      this.deps.logger.warn({ orderId, err: messageOf(err) }, "Kite exit found cancelled, and its history could not be read to tell whether the chase cancelled it; it is taken as the trader's");
      return null;
    }
    const max = this.deps.options.exit_max_modifications;
    const spent = history.filter((h) => h.status.toUpperCase() === 'MODIFIED').length;
    if (spent < max) return null;
    return `Tradeclock cancelled the exit at Kite before a restart: unfilled after ${spent} re-prices (exit_max_modifications ${max}); a new attempt follows`;
  }

  /** The order's final state as the chase read it (its history's last row): for the engine, in case the stream missed it. */
  onFinal(listener: (order: KiteOrder) => void): () => void {
    this.finalListeners.add(listener);
    return () => this.finalListeners.delete(listener);
  }

  /** The order is final (the stream said so): its chase ends now, not at its next look. */
  end(orderId: string): void {
    const c = this.chases.get(orderId);
    c?.timer?.cancel();
    this.chases.delete(orderId);
    this.adopting.get(orderId)?.cancel();
    this.adopting.delete(orderId);
    // The contract's last quote and ticks serve only chases of it still running. (`cancelled` stays: a later lookup of the order reads why.)
    if (c) {
      const key = `${c.exit.exchange}:${c.exit.symbol}`;
      if (![...this.chases.values()].some((o) => `${o.exit.exchange}:${o.exit.symbol}` === key)) {
        this.quotes.delete(key);
        this.ticks.delete(key);
      }
    }
  }

  /** How many contracts the quote request of this kind waiting for its slot prices (for tests and the log). */
  quoteWaiting(kind: 'opening' | 'round'): number {
    return this.waiting.get(kind)?.keys.size ?? 0;
  }

  /** The exits being chased, by order id (for tests and the log). */
  following(): readonly ChasedExit[] {
    return [...this.chases.values()].map((c) => c.exit);
  }

  stop(): void {
    this.stopped = true;
    for (const c of this.chases.values()) c.timer?.cancel();
    this.chases.clear();
    for (const t of this.adopting.values()) t?.cancel();
    this.adopting.clear();
    const waking = [...this.sleeps];
    this.sleeps.clear();
    for (const [t, wake] of waking) {
      t.cancel();
      wake();
    }
  }

  /** The wait before the next look after `failures` failed rounds in a row. */
  private backoff(failures: number): number {
    const every = this.deps.options.exit_reprice_after_ms;
    return failures === 0 ? every : Math.min(MAX_BACKOFF_MS, every * 2 ** failures);
  }

  /** A rate slot's wait on the engine clock; stop() ends it early, and every caller checks `stopped` after it. */
  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = this.deps.clock.setTimer(ms, () => {
        this.sleeps.delete(t);
        resolve();
      });
      this.sleeps.set(t, resolve);
    });
  }

  /**
   * The next look of this chase, `c` itself: a chase that ended, or was replaced by another of the
   * same order (a stale lookup adopting it again), schedules nothing, so one order never has two
   * rounds (two modifies) under way.
   */
  private later(c: Chase): void {
    const { orderId } = c.exit;
    if (this.stopped || this.chases.get(orderId) !== c) return;
    c.timer = this.deps.clock.setTimer(this.backoff(c.failures), () => {
      c.timer = null;
      this.round(c).then(
        (next) => {
          if (this.chases.get(orderId) !== c) return;
          if (next === 'over') return void this.chases.delete(orderId);
          c.failures = next === 'failed' ? c.failures + 1 : 0;
          this.later(c);
        },
        (err: unknown) => {
          if (this.chases.get(orderId) !== c) return;
          c.failures += 1;
          this.deps.logger.error({ orderId, err: messageOf(err) }, 'Kite exit chase failed a round; it looks again');
          this.later(c);
        },
      );
    });
  }

  /** Whether this failure, the (failures + 1)th in a row, is logged: the 1st, 2nd, 4th, 8th… */
  private logsFailure(c: Chase): boolean {
    const n = c.failures + 1;
    return (n & (n - 1)) === 0;
  }

  /** One look at the order, and a re-price (or the cancel of a chase given up) when it rests. */
  private async round(c: Chase): Promise<'again' | 'failed' | 'over'> {
    if (this.stopped || this.chases.get(c.exit.orderId) !== c) return 'over';
    const { exit } = c;
    const { orderId } = exit;
    const log = { orderId, tag: exit.tag, exchange: exit.exchange, symbol: exit.symbol };
    const warn = (more: Record<string, unknown>, msg: string) => {
      if (this.logsFailure(c)) this.deps.logger.warn({ ...log, ...more, failuresInARow: c.failures + 1 }, msg);
    };
    let history: z.output<typeof historyRow>[];
    try {
      const data = await this.deps.http.call({ method: 'GET', path: `/orders/${encodeURIComponent(orderId)}` });
      history = z.array(historyRow).min(1).parse(data);
    } catch (err) {
      warn({ err: messageOf(err) }, 'Kite exit chase could not read the order; it looks again later');
      return 'failed';
    }
    const order = history[history.length - 1]!;
    const status = order.status.toUpperCase();
    if (FINAL_STATUSES.has(status)) {
      this.deps.logger.info({ ...log, status, filledQty: order.filled_quantity ?? 0, price: order.average_price ?? null }, 'Kite exit chase over: the order is final');
      const final = { ...order, tag: order.tag ?? exit.tag };
      for (const l of this.finalListeners) l(final);
      return 'over';
    }
    if (c.givingUp !== null) return this.cancel(c, log);
    // Kite's interim states (a modify under way, the trigger of an SL) take no modify: "Order cannot be modified as it is being processed" (forum comment 40055).
    if (status !== 'OPEN') return 'failed';
    const max = this.deps.options.exit_max_modifications;
    const spent = Math.max(history.filter((h) => h.status.toUpperCase() === 'MODIFIED').length, c.modified);
    if (spent >= max) return this.giveUp(c, log, `unfilled after ${spent} re-prices (exit_max_modifications ${max})`);

    const quote = await this.quoteOrTick(c, warn);
    if (!quote) return 'failed';
    const band = priceBand(quote, exit.tickSize);
    const resting = order.price !== null && order.price !== undefined && order.price > 0 ? order.price : null;
    const step = exit.step + 1;
    const stepPrice = exitLimitPrice(exit.side, quote, exit.tickSize, this.deps.options.exit_price_buffer_pct, step);
    if (!band || stepPrice === null) {
      warn({ lastPrice: quote.lastPrice, lowerCircuit: quote.lowerCircuit, upperCircuit: quote.upperCircuit }, 'Kite exit chase has no price inside the band this round (the last price is beyond the circuit); it looks again later');
      return 'failed';
    }
    let price = nextExitPrice(exit.side, resting, stepPrice, band);
    // The exchange refused a price (its LPP range is narrower than ours): halfway back toward where it rests, until the market moves a buffer.
    if (c.refused && Math.abs(quote.lastPrice - c.refused.lastPrice) > quote.lastPrice * (this.deps.options.exit_price_buffer_pct / 100)) c.refused = null;
    if (c.refused && resting !== null) {
      const back = stepBack(exit.side, resting, c.refused.price, exit.tickSize);
      price = back === null ? resting : exit.side === 'buy' ? Math.min(price, back) : Math.max(price, back);
    }
    if (resting !== null && Math.abs(price - resting) < exit.tickSize / 2) return 'again'; // at the band's edge and the band has not moved: nothing to gain
    const slot = this.deps.orderLimiter.reserve(this.deps.options.max_rate_wait_ms);
    if (!slot.ok) {
      warn({ err: slot.message }, 'Kite exit chase got no slot of the order rate limit for its re-price; it looks again later');
      return 'failed';
    }
    await this.sleep(slot.waitMs);
    // Stopped, or ended by the stream (filled) while this round waited: no modify.
    if (this.stopped || this.chases.get(orderId) !== c) return 'over';
    try {
      // Only what changes (pykiteconnect's modify_order sends only the fields given): the quantity stays the order's, the filled part included.
      await this.deps.http.call({ method: 'PUT', path: `/orders/regular/${encodeURIComponent(orderId)}`, form: { order_type: 'LIMIT', price: String(price), validity: 'DAY' } });
    } catch (err) {
      const said = err instanceof KiteError ? err.kiteMessage : null;
      if (said && MODIFICATIONS_SPENT.test(said)) return this.giveUp(c, log, `Kite refused a re-price: "${said}"`);
      if (said && namesPriceLimit(said)) {
        c.refused = { price, lastPrice: quote.lastPrice };
        warn({ from: resting, to: price, err: messageOf(err) }, 'Kite refused the re-price naming a price limit; the next steps back halfway toward the resting price');
        // Backs off as a failed round: a band that stays narrower than ours is not asked every round.
        return 'failed';
      }
      warn({ from: resting, to: price, err: messageOf(err) }, 'Kite refused to re-price the exit; it looks again later');
      return 'failed';
    }
    c.exit = { ...exit, step };
    c.modified = spent + 1;
    this.deps.logger.info(
      { ...log, from: resting, to: price, step, lastPrice: quote.lastPrice, band, filledQty: order.filled_quantity ?? 0, modification: spent + 1, atEdge: atBandEdge(exit.side, price, band, exit.tickSize) },
      `Kite exit re-priced from ${resting ?? 'market'} to ${price} (modification ${spent + 1} of at most ${max})`,
    );
    return 'again';
  }

  /** A fresh quote, or the ticker's last price within the last known circuit when /quote fails; null when neither. */
  private async quoteOrTick(c: Chase, warn: (more: Record<string, unknown>, msg: string) => void): Promise<BandQuote | null> {
    const key = `${c.exit.exchange}:${c.exit.symbol}`;
    try {
      return await this.quote(c.exit.exchange, c.exit.symbol);
    } catch (err) {
      const known = this.quotes.get(key);
      const tick = this.ticks.get(key);
      const now = this.deps.clock.now();
      // Only a recent tick within a recent circuit: an old one prices by a market that has moved.
      if (known && tick && now - tick.atMs <= MAX_TICK_AGE_MS && now - known.atMs <= MAX_QUOTE_AGE_MS) {
        warn({ err: messageOf(err), lastPrice: tick.price }, "Kite exit chase has no quote this round; it prices by the ticker's last price within the last known circuit");
        return { lastPrice: tick.price, lowerCircuit: known.lowerCircuit, upperCircuit: known.upperCircuit };
      }
      warn({ err: messageOf(err) }, 'Kite exit chase has no quote this round; it looks again later');
      return null;
    }
  }

  /** The chase cannot go on: the order is cancelled (its report then passes) so the engine places a new attempt. */
  private async giveUp(c: Chase, log: Record<string, unknown>, why: string): Promise<'again' | 'failed' | 'over'> {
    c.givingUp = why;
    this.deps.logger.error({ ...log, why }, `Kite exit chase gives up (${why}): the order is cancelled and the engine places a new attempt`);
    return this.cancel(c, log);
  }

  /**
   * The DELETE of a chase given up. Its order is marked as cancelled by us only right before the
   * DELETE goes (the stream's CANCELLED can arrive before its answer) and unmarked when Kite refuses
   * it: a cancel of the trader's while this waits for a slot or backs off stays the trader's, and
   * is never taken for ours (which would place a second exit beside the trader's own).
   */
  private async cancel(c: Chase, log: Record<string, unknown>): Promise<'again' | 'failed' | 'over'> {
    const why = c.givingUp ?? 'the chase gave up';
    const { orderId } = c.exit;
    const slot = this.deps.orderLimiter.reserve(this.deps.options.max_rate_wait_ms);
    if (!slot.ok) {
      if (this.logsFailure(c)) this.deps.logger.warn({ ...log, err: slot.message }, 'Kite exit chase got no slot of the order rate limit for its cancel; it tries again later');
      return 'failed';
    }
    await this.sleep(slot.waitMs);
    // Stopped, or ended by the stream (final) while this waited: no DELETE.
    if (this.stopped || this.chases.get(orderId) !== c) return 'over';
    this.cancelled.set(orderId, `Tradeclock cancelled the exit at Kite: ${why}; a new attempt follows`);
    try {
      await this.deps.http.call({ method: 'DELETE', path: `/orders/regular/${encodeURIComponent(orderId)}` });
      return 'again';
    } catch (err) {
      // Refused outright (it filled, or is being processed): nothing was cancelled by us, so no mark.
      // Unknown (a timeout): the DELETE may have gone through, so the mark stays. The next look decides.
      if (err instanceof KiteError && err.outcome === 'rejected') this.cancelled.delete(orderId);
      if (this.logsFailure(c)) this.deps.logger.warn({ ...log, err: messageOf(err) }, 'Kite exit chase could not cancel the order; it looks again later');
      return 'failed';
    }
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
