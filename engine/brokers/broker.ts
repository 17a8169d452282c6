/**
 * The broker seam. Every broker (paper, Alpaca, Kite, …) implements this one interface and states
 * its differences as capabilities, so engine code never asks which broker it is talking to.
 */
import type { Exchange, OrderSide, Tick } from '../core/types';
import type { BrokerSessionState, FeedState } from '../core/events';
import type { OptionChain } from '../options/option-chain';

export interface BrokerCapabilities {
  /** Broker kind as stored on the account: 'paper', 'alpaca', 'kite'. */
  readonly kind: string;
  readonly exchanges: readonly Exchange[];
  readonly orderTypes: readonly 'market'[];
  /** Alpaca refuses a reused client_order_id; Kite does not, so a lookup must precede any resend. */
  readonly rejectsDuplicateClientOrderId: boolean;
  /**
   * Where a reused client order id is taken (Kite): the longest from a placement request leaving
   * (`PlaceOrderRequest.sending`, the journal's sending mark) until the broker lists the order, if
   * it took it. After a restart, an order an earlier process marked and whose answer it never wrote
   * is looked up at once and, if the broker has none, again once this long has passed since its
   * mark: none then, it never took it, and it is placed again at once. null where the broker refuses
   * a reused id (a resend is its own lookup).
   */
  readonly placedOrderListedWithinMs: number | null;
  readonly clientOrderIdMaxLength: number;
  /** Order placement budget the engine must stay under; null where the broker states none. */
  readonly ordersPerSecond: number | null;
  readonly ordersPerMinute: number | null;
  /** Kite's access token dies daily at 06:00 IST; null where sessions do not expire. */
  readonly sessionExpiresDaily: { readonly at: string; readonly timezone: string } | null;
  /** Fractions of any instrument (Alpaca's fractional shares); an instrument's own `qtyStep` wins over it. */
  readonly fractionalQty: boolean;
  /**
   * The broker names an order by its instrument as well as its client order id (Binance: symbol and
   * `origClientOrderId`), so a lookup is given the order's instrument. Absent or false: the id alone.
   */
  readonly lookupNeedsInstrument?: boolean;
  /**
   * The broker may take its fee out of the asset a buy receives (Binance spot, unless the fee is
   * paid in BNB), so the account holds less than the buy filled: 0.0015 BTC bought is 0.0014985
   * held, and a sale of 0.0015 is refused for good (-2010). Every exit attempt, the first too, then
   * sells at most what `netQty` says is held, floored to the instrument's step; what is left unsold
   * is reported, not chased. Absent or false: a first attempt sells what the entry filled, unasked.
   */
  readonly feeInBoughtAsset?: boolean;
  /**
   * The highest taker fee rate the venue takes out of what a buy receives, at any account tier
   * (Binance spot: 0.001, the regular tier's 0.1 %; higher tiers and BNB pay less). When what is
   * held cannot be asked, an exit sells the position less this share, floored to the step: never
   * more than is held, so never refused for the balance (held-qty.ts `heldByFee`).
   */
  readonly maxFeeInBoughtAssetRate?: number;
  /**
   * How this account can sell first (open a short, covered later by a buy):
   * - 'none': it cannot (a Kite account trading CNC, delivery: a sell needs the shares).
   * - 'per_instrument': where the instrument's `shortable` is true (Alpaca: shortable and easy to
   *   borrow today; paper: always). False or null (not known) means it cannot be sold first.
   * - 'intraday_product': the account trades an intraday product (Kite MIS), in which any
   *   instrument can be sold first as far as the broker's API can tell (`shortable` is null: the
   *   broker's own list of shortable stocks is not in its API, and its RMS refuses the others at
   *   placement); the broker squares the position off itself before the close.
   */
  readonly sellFirst: 'none' | 'per_instrument' | 'intraday_product';
  /**
   * The broker's own square-off of intraday positions (Kite MIS), per exchange, since it differs by
   * segment (Zerodha: 15:20 IST for equity cash, 15:25 for equity derivatives): what is still open
   * at `at` ("HH:MM:SS" in `timezone`) it closes itself, at market and for a fee, so a strategy's
   * SELL and square-off must come strictly before it; `defaultAt` is the square-off of a strategy that
   * names none. null, or an exchange left out: the broker closes nothing there by itself.
   */
  readonly intradaySquareOff: IntradaySquareOffs | null;
  /**
   * The broker is a simulation on this machine (paper): it fills at any hour, has no funds limit and
   * keeps this machine's clock, so the readiness check has nothing to ask it about those.
   */
  readonly simulated?: boolean;
  /**
   * The account is held to the pattern-day-trader rule (Alpaca: FINRA 4210), whose inputs its
   * `account` snapshot answers. Absent or false: the readiness check says the rule does not apply.
   */
  readonly patternDayTradeRule?: boolean;
  /**
   * A signed request is refused when its timestamp is `aheadMs` or more ahead of the broker's clock,
   * or more than `behindMs` behind it (Binance: -1021, "1000ms ahead of the server's time" or
   * "outside of the recvWindow"); absent where the broker has no such window.
   */
  readonly signedRequestWindow?: { readonly aheadMs: number; readonly behindMs: number };
  /**
   * The account's money is a free balance per asset and its key is proven by a signed request, not
   * a daily login (a crypto venue through CCXT): the readiness check answers the login, orders and
   * funds checks from the venue's signed answer (`BrokerAccountSnapshot.spot`), and says unknown,
   * never the generic "keys do not expire", when that answer could not be had.
   */
  readonly spotAccount?: boolean;
  /**
   * Orders are taken only from the IP address the account registered (Kite's static-IP rule since
   * 1 April 2026); the broker has no way to test it short of placing an order.
   */
  readonly ordersFromRegisteredIp?: boolean;
}

export interface IntradaySquareOff {
  /** The segment it is the square-off of, in a trader's words ("equity cash", "equity derivatives"). */
  readonly segment: string;
  readonly at: string;
  readonly defaultAt: string;
  readonly timezone: string;
}

/** A broker's square-off of intraday positions on each exchange that has one (BrokerCapabilities.intradaySquareOff). */
export type IntradaySquareOffs = Readonly<Partial<Record<Exchange, IntradaySquareOff>>>;

/** A symbol on an exchange as the broker knows it. */
export interface Instrument {
  readonly symbol: string;
  readonly exchange: Exchange;
  /** The broker's own handle for it (Kite's instrument_token, Alpaca's asset id or symbol). */
  readonly brokerRef: string;
  /** Smallest price step; fills and prices are rounded to it. */
  readonly tickSize: number;
  /**
   * Whether this account can sell it first (open a short) today; null when the broker cannot say
   * (Kite's API lists no shortable stocks; an instrument read back from storage after a restart).
   * Read it with `capabilities.sellFirst`.
   */
  readonly shortable: boolean | null;
  /**
   * Units per lot where the instrument trades in lots (an index option: NIFTY 65), from the
   * broker's master; absent for what trades in single units (equities, crypto).
   */
  readonly lotSize?: number;
  /**
   * The quantity's step (BTC/USDT 0.00001), the least quantity and the least value in the quote
   * currency an order may have, where the instrument states them (a crypto pair). A stated step
   * wins over `capabilities.fractionalQty`; absent or null: none stated, and the quantity is whole
   * units unless the broker trades fractions of anything.
   * @example { qtyStep: 0.00001, minQty: 0.00001, minNotional: 5 }
   */
  readonly qtyStep?: number | null;
  readonly minQty?: number | null;
  readonly minNotional?: number | null;
}

/** What an instrument says of the quantities it can be ordered in. */
export type QtyRules = Pick<Instrument, 'qtyStep' | 'minQty' | 'minNotional'>;

/**
 * A market order carrying the journal's deterministic client order id.
 * @example { clientOrderId: 'tck3x9a116260309E', instrument, side: 'buy', qty: 10 }
 */
export interface PlaceOrderRequest {
  readonly clientOrderId: string;
  readonly instrument: Instrument;
  readonly side: OrderSide;
  readonly qty: number;
  /**
   * True when the order opens a position (a run's entry: a long's buy, a short's sale), false when
   * it closes one (every exit: a long's sale, a short's buy-back). The side alone does not say it.
   */
  readonly opens: boolean;
  /**
   * Called synchronously just before the request that may place the order goes on the wire (after
   * any checks of the adapter's own, and its rate wait), each time it goes: the engine writes the
   * journal's sending mark here. An adapter whose broker takes a reused client order id must call
   * it: an order an earlier process journaled without the mark is taken as never sent, and placed
   * again after one lookup. It never throws.
   */
  readonly sending?: () => void;
}

/**
 * What placing an order told us, in three classes (invariant 9):
 * - `accepted`: placed.
 * - `rejected`: refused for good, this order will never exist. `lasting` says the reason will not
 *   pass by trying again (no position or holding to sell, the account blocked or not permitted):
 *   an exit is then not attempted again and the trader is alerted. Without it the reason may pass
 *   (a price band, a temporary exchange refusal) and an exit gets a new attempt.
 * - `unknown`: not placed *yet*, or not known to be. A timeout, a dropped connection, a 5xx or an
 *   ambiguous answer may have placed it, so the engine looks it up by the client order id before
 *   placing it again; `notPlaced` says the broker (or our own limiter) certainly did not take it
 *   (a rate limit, a session that cannot be used right now), so it is placed again without a
 *   lookup. `retryAfterMs` is the wait the broker named (its rate window), if any. Never a reason
 *   to end an order: a BUY is tried again within its grace, an exit for as long as it is open.
 */
export type PlaceOrderResult =
  | { readonly kind: 'accepted'; readonly brokerOrderId: string; readonly at: number }
  | { readonly kind: 'rejected'; readonly reason: string; readonly lasting?: boolean }
  | { readonly kind: 'unknown'; readonly reason: string; readonly notPlaced?: boolean; readonly retryAfterMs?: number };

export type BrokerOrderStatus = 'accepted' | 'partially_filled' | 'filled' | 'rejected' | 'cancelled';

/** The broker's view of one order, from its update stream or a lookup. */
export interface OrderReport {
  readonly clientOrderId: string;
  readonly brokerOrderId: string;
  readonly status: BrokerOrderStatus;
  /** Cumulative filled quantity. */
  readonly filledQty: number;
  /** Average fill price of `filledQty`; null before any fill. */
  readonly avgFillPrice: number | null;
  /** Broker time of this status, epoch ms. */
  readonly at: number;
  readonly reason: string | null;
  /** On a rejected or cancelled report: the reason will not pass by trying again (see PlaceOrderResult). */
  readonly lasting?: boolean;
}

export type CredentialCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** An instrument a search found: where, under what name, and its price step. */
export interface InstrumentMatch {
  readonly symbol: string;
  /** The exchange the broker lists it on. */
  readonly exchange: Exchange;
  /** Company or pair name, when the broker's list has one. */
  readonly name: string | null;
  readonly tickSize: number;
}

export interface BrokerInstruments {
  /** Resolves (symbol, exchange) to an instrument, or null when the broker does not know it. */
  resolve(symbol: string, exchange: Exchange): Promise<Instrument | null>;
  /**
   * Up to `limit` instruments whose symbol starts with `text` (then whose name contains it), on
   * `exchange` or on any exchange of the broker. Searches a list the broker holds (the paper list,
   * Kite's daily dump), never one request per call: the form asks at every keystroke. A broker
   * without such a list leaves it out, and the instruments it resolved before are searched instead.
   * @example await broker.instruments.search?.('INF', { limit: 8 }) // [{ symbol: 'INFY', exchange: 'NSE', … }, …]
   */
  search?(text: string, options: { readonly exchange?: Exchange | undefined; readonly limit: number }): Promise<InstrumentMatch[]>;
}

/**
 * The instrument an order was journaled with, as a lookup names it: the journal's symbol and
 * exchange, which stay true of the order even when the instrument no longer trades (a halted or
 * delisted pair) and the instrument cache has nothing for it.
 */
export type OrderInstrument = Pick<Instrument, 'symbol' | 'exchange'>;

export interface BrokerExecution {
  validateCredentials(): Promise<CredentialCheck>;
  placeOrder(req: PlaceOrderRequest): Promise<PlaceOrderResult>;
  /**
   * Looks an order up by its client order id (reconciliation); null when the broker has none.
   * `instrument`: the order's, given where `capabilities.lookupNeedsInstrument` (else it may be left out).
   */
  lookupOrder(clientOrderId: string, instrument?: OrderInstrument): Promise<OrderReport | null>;
  cancelOrder(clientOrderId: string, instrument?: OrderInstrument): Promise<void>;
  /** Every status change of every order on the account; returns the unsubscribe function. */
  onOrderUpdate(listener: (report: OrderReport) => void): () => void;
  /**
   * Each time the order-update stream starts listening (at start, and after every reconnect): an
   * update the broker sent while it was not listening reached no one, so the engine looks up at
   * once the orders it is waiting on. Returns the unsubscribe function. Absent where updates
   * cannot be missed (the paper broker's are in-process).
   */
  onListening?(listener: () => void): () => void;
  /**
   * Opens or refreshes the connection to the order endpoint, so an order a few seconds from now
   * does not pay for TCP/TLS setup. The engine calls it shortly before every time trigger.
   */
  warm?(): Promise<void>;
  /**
   * The account's net position in `instrument` right now, signed: long positive, short negative,
   * 0 when none is held. A sell-to-close can sell at most `max(0, net)`, a buy-to-cover buy at
   * most `max(0, -net)` (`closableQty`). Null when the broker cannot tell (the paper broker's book
   * after a restart: it lives in memory); throws, naming what was wrong, when the broker cannot be
   * asked or its answer cannot be read (the engine waits and asks again), never 0 for "unknown".
   * @example await broker.execution.netQty?.(aapl) // 10 after a BUY of 10, -5 after a short sale of 5
   */
  netQty?(instrument: Instrument): Promise<number | null>;
}

export interface BrokerData {
  subscribe(instruments: readonly Instrument[]): void;
  unsubscribe(instruments: readonly Instrument[]): void;
  onTick(listener: (tick: Tick) => void): () => void;
  onFeedState(listener: (state: FeedState, detail: string | null) => void): () => void;
  /**
   * The instrument's price now, without a subscription, where the broker has it at hand (the paper
   * market); null when it has none. Others leave it out: the last tick of a watched instrument is used.
   */
  lastPrice?(instrument: Instrument): number | null;
  /**
   * The last trade of each instrument, asked over REST rather than the stream: the cross-check of
   * a stream gone silent while a position is open (market/stale-price-watch.ts). One request for
   * all of them, inside the broker's rate limits; an instrument the broker has no trade for is
   * left out of the answer. Throws, naming what was wrong, when the broker cannot be asked or its
   * answer cannot be read. Absent where the broker has no such endpoint.
   * @example await broker.data.quote?.([aapl]) // [{ symbol: 'AAPL', exchange: 'NASDAQ', price: 161.29, at: 1647612129722 }]
   */
  quote?(instruments: readonly Instrument[]): Promise<Quote[]>;
  /**
   * One instrument's last trade for a screen (the strategy form's least order value), as optional
   * work: asked only while the account's request budget keeps a reserve for orders, and kept a few
   * seconds per instrument, so no burst of form quotes ever makes an exit wait for a token. Null
   * when it was skipped for the budget or the broker has no price; throws when the answer cannot
   * be read. Absent where the broker does not offer it: the form then shows no price.
   * @example await broker.data.optionalQuote?.(btcUsdt) // { symbol: 'BTC/USDT', exchange: 'CRYPTO', price: 60000, at: null }, or null
   */
  optionalQuote?(instrument: Instrument): Promise<Quote | null>;
}

/** A last-trade price asked over REST. `at`: the trade's time, epoch ms; null where the broker does not say (Kite's LTP). */
export interface Quote {
  readonly symbol: string;
  readonly exchange: Exchange;
  readonly price: number;
  readonly at: number | null;
}

/**
 * A protective stop resting at the broker (issue 20): it closes the position when the daemon
 * cannot (the PC asleep, off or offline). The engine's own exits stay primary: before any of them
 * the engine cancels the resting stop and waits for this seam's answer, so the two can never both
 * fill.
 * @example { clientOrderId: 'tpk3x9a17do000160A', instrument, side: 'sell', qty: 10, triggerPrice: 98.5, limitPrice: null }
 */
export interface RestingStopRequest {
  /**
   * The journal's deterministic id for this version of the stop. The broker's client order id
   * where it takes one (Alpaca: a replace gets the next version's id); kept only by us where it
   * takes none (a Kite GTT, found again by `lookup` from its instrument, side, quantity and trigger).
   */
  readonly clientOrderId: string;
  readonly instrument: Instrument;
  /** The exit's side: 'sell' protects a long, 'buy' a short. */
  readonly side: OrderSide;
  readonly qty: number;
  /** The price at which it fires: a long's stop fires at or below it, a short's at or above. */
  readonly triggerPrice: number;
  /**
   * The limit of the order it becomes when it fires; null for a market order. A broker whose
   * resting stop can only become a limit order (a Kite GTT) needs one: the engine sets it beyond
   * the trigger by the strategy's margin.
   */
  readonly limitPrice: number | null;
  /**
   * A take-profit beside the stop, one-cancels-other (a Kite two-leg GTT), where the broker has
   * them (`oco`) and the leg has a target; left out or null: the stop alone.
   */
  readonly target?: RestingTarget | null;
}

/**
 * The take-profit side of a two-leg resting stop: fires when the price reaches `triggerPrice` from
 * the stop's other side (up for a long), and its order trades at `limitPrice`.
 * @example { triggerPrice: 105, limitPrice: 103.95 }
 */
export interface RestingTarget {
  readonly triggerPrice: number;
  readonly limitPrice: number | null;
}

/**
 * Where a resting stop stands at the broker.
 * - 'resting': placed, not fired; it can still be cancelled or modified.
 * - 'fired': it triggered and became an order; `filledQty` and `avgFillPrice` say what filled so
 *   far, `done` whether that order is finished.
 * - 'cancelled': it can no longer fire, and nothing of it filled (a partly filled order that was
 *   cancelled is 'fired' with `done`).
 * - 'rejected': the broker refused it for good; nothing rests.
 */
export type RestingStopStatus = 'resting' | 'fired' | 'cancelled' | 'rejected';

/** The broker's view of one resting stop, from `lookup`, `cancel`, `modify` or its update stream. */
export interface RestingStopReport {
  readonly clientOrderId: string;
  /** Alpaca: the stop order's id; Kite: the GTT trigger id. */
  readonly brokerRef: string;
  readonly status: RestingStopStatus;
  readonly triggerPrice: number;
  readonly limitPrice: number | null;
  readonly qty: number;
  /** Cumulative filled quantity of the order it became; 0 unless fired. */
  readonly filledQty: number;
  readonly avgFillPrice: number | null;
  /** On 'fired': the order it became is finished (filled, or cancelled/rejected after partial fills). */
  readonly done: boolean;
  /** Broker time of this status, epoch ms. */
  readonly at: number;
  readonly reason: string | null;
  /** The take-profit that rests with the stop (a two-leg GTT); absent or null: the stop alone. */
  readonly target?: RestingTarget | null;
  /** On 'fired': which side fired, the stop or the take-profit (a two-leg GTT); absent: the stop. */
  readonly firedLeg?: 'stop' | 'target';
}

/** Names a resting stop: the journal's id, and the broker's once known (null after a crash before the answer). */
export interface RestingStopRef {
  readonly clientOrderId: string;
  readonly brokerRef: string | null;
  readonly instrument: Instrument;
  readonly side: OrderSide;
  readonly qty: number;
  readonly triggerPrice: number;
  /** The take-profit's trigger when one rests with it: a lookup without `brokerRef` matches it too. */
  readonly targetPrice?: number | null;
  /**
   * Broker refs of other resting stops the engine knows (other runs' and legs'): a lookup with
   * `brokerRef` null must not take one of them for this stop. A broker without client ids (a Kite
   * GTT) finds a stop by its instrument, side, quantity and trigger, and two runs may share them.
   */
  readonly excludeBrokerRefs?: readonly string[];
  /**
   * Epoch ms the stop's journal row was written, before its first placement was sent: a broker
   * that finds a stop without its id never takes one it created earlier (allowing for its clock).
   */
  readonly notBefore?: number;
}

/**
 * Placing, modifying or cancelling a resting stop: the three classes of PlaceOrderResult. On
 * `unknown` the engine looks the stop up (`lookup`) before it tries again.
 */
export type RestingStopResult =
  | {
      readonly kind: 'done';
      readonly report: RestingStopReport;
      /**
       * cancel(): the stop was found cancelled already (Binance: -2011 "Unknown order sent.", then a
       * lookup), so this request did not cancel it: the trader may have, and may have sold its
       * quantity since. Absent: the cancel's own answer.
       */
      readonly foundCancelled?: true;
    }
  | {
      readonly kind: 'rejected';
      readonly reason: string;
      /**
       * modify() by cancel and place (Binance): the version to move was cancelled, as this report
       * says, and its next version refused (the price already through the new trigger, "Order
       * would trigger immediately."): nothing rests now. Absent: the version to move rests on.
       */
      readonly cancelledVersion?: RestingStopReport;
    }
  | { readonly kind: 'unknown'; readonly reason: string; readonly notPlaced?: boolean; readonly retryAfterMs?: number };

/** A broker's resting stops; absent where it has none (the engine's own stop is then all there is). */
export interface BrokerRestingStops {
  /** 'stop_order': an order the exchange or broker holds (Alpaca stop); 'gtt': a broker-side trigger that places an order when it fires (Kite GTT). */
  readonly kind: 'stop_order' | 'gtt';
  /**
   * True where the broker holds the position for the resting stop, so another exit of it is
   * refused until the stop is cancelled (Alpaca: "insufficient qty available"). The engine then
   * waits for the cancel to be confirmed before it sends its own exit, as it does everywhere else.
   */
  readonly reservesPosition: boolean;
  /** Whether its order may be a market order when it fires; false: `limitPrice` is required (Kite GTT). */
  readonly marketOnFire: boolean;
  /**
   * Whether a take-profit can rest with the stop, one cancelling the other (Kite: a two-leg GTT).
   * False: a request's `target` is not asked for (Alpaca's backstop is a stop order alone).
   */
  readonly oco: boolean;
  /** Modifications per minute the engine keeps to for one stop (a trailing stop moves it). */
  readonly modifiesPerMinute: number;
  /**
   * True where a move keeps the stop's broker id (Kite: PUT /gtt/triggers/{id}): a move whose
   * answer was lost is read back by that id (did the trigger move?), never searched for by its
   * levels, which another stop at the same trigger may share. False where a move makes a new order
   * under the new version's client id (Alpaca's replace, Binance's cancel and place, paper).
   */
  readonly modifiesInPlace: boolean;
  /**
   * Whether a strategy that leaves `backstop` out gets one here: true where the stop rests apart
   * from the engine (Alpaca, Kite); false on paper, where the simulated stop would fire on the same
   * price as the engine's own and only doubles the record.
   */
  readonly onByDefault: boolean;
  place(req: RestingStopRequest): Promise<RestingStopResult>;
  /** Moves the trigger (and limit) of a resting stop; `next.clientOrderId` is the new version's id. */
  modify(ref: RestingStopRef, next: RestingStopRequest): Promise<RestingStopResult>;
  /**
   * Cancels it and answers where it stands after: 'cancelled' (it can no longer fire) or 'fired'
   * (it fired first; its fills are the position's exit). `done` only once the broker confirmed:
   * an answer still pending is `unknown`, and the engine asks again with `lookup`.
   */
  cancel(ref: RestingStopRef): Promise<RestingStopResult>;
  /** Where it stands now; null when the broker has no such stop (never placed). */
  lookup(ref: RestingStopRef): Promise<RestingStopReport | null>;
  /** Every status change of the account's resting stops, where the broker streams them. */
  onUpdate?(listener: (report: RestingStopReport) => void): () => void;
}

/**
 * The account's money and the broker's clock, read for the readiness check before an entry (issue 20).
 * @example { buyingPower: 25_000, dayTrading: { patternDayTrader: false, dayTradeCount: 2, equity: 24_000 }, brokerTime: { date, sentAt, receivedAt, resolutionMs: 1_000 } }
 */
export interface BrokerAccountSnapshot {
  /**
   * What a new entry can spend now, in the account's currency (Alpaca `buying_power`, Kite's equity
   * margin `net`); null for a spot account, whose money is a balance per asset (`spot`).
   */
  readonly buyingPower: number | null;
  /** The pattern-day-trader rule's inputs (Alpaca); null where the broker has no such rule. */
  readonly dayTrading: { readonly patternDayTrader: boolean; readonly dayTradeCount: number; readonly equity: number } | null;
  /** The broker's clock; null where its answer states none (no Date header) or it could not be read (`brokerTimeFailure`). */
  readonly brokerTime: BrokerTime | null;
  /**
   * Why the broker's time could not be read, where it is asked apart from the account (Binance GET
   * /api/v3/time): the clock check names it, and the rest of the snapshot still stands.
   */
  readonly brokerTimeFailure?: string;
  /** A spot account's signed answer (Binance GET /api/v3/account); absent where the money is `buyingPower`. */
  readonly spot?: SpotAccountAnswer;
}

/**
 * The broker's time as it answered (epoch ms), and when the request went out and its answer came
 * back on this machine's clock. The broker's instant lies in [date, date + resolutionMs): 1 000 for
 * an HTTP `Date` header (whole seconds), 1 for a time in ms (Binance `serverTime`).
 */
export interface BrokerTime {
  readonly date: number;
  readonly sentAt: number;
  readonly receivedAt: number;
  readonly resolutionMs: number;
}

/**
 * A spot account's answer to a signed request: its free balance of each asset held (decimal
 * strings, as the venue wrote them), whether the account may trade (`canTrade`) and its trading
 * permissions (Binance `permissions`: "SPOT", "TRD_GRP_…"), and what the API key itself may do
 * (`key`); or the venue refused the key, its signature or its permissions (`refused`); or no
 * readable answer came (`failed`). Reasons name the venue's code and words, never a secret.
 */
export type SpotAccountAnswer =
  | { readonly kind: 'answered'; readonly free: Readonly<Record<string, string>>; readonly canTrade: boolean; readonly permissions: readonly string[]; readonly key: SpotKeyAnswer }
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'failed'; readonly reason: string };

/**
 * What the API key may do, apart from the account (Binance GET /sapi/v1/account/apiRestrictions: a
 * read-only key reads the account too): whether it may trade spot, whether it is restricted to IP
 * addresses, and when its trading permission runs out (epoch ms; null: no end stated). `unknown`
 * where the venue could not be asked (Binance's testnet serves no /sapi), naming why.
 * @example { kind: 'answered', spotTrading: true, ipRestricted: false, tradingExpiresAt: 1_767_225_600_000 }
 */
export type SpotKeyAnswer =
  | { readonly kind: 'answered'; readonly spotTrading: boolean; readonly ipRestricted: boolean; readonly tradingExpiresAt: number | null }
  | { readonly kind: 'unknown'; readonly reason: string };

/**
 * What a venue lists for one trading pair now (Binance `GET /api/v3/exchangeInfo?symbol=`): its
 * status word (TRADING; END_OF_DAY, HALT, BREAK take no orders), whether that status takes orders, and the account
 * permissions it may be traded with (`permissionSets`: an account trades it when it holds at least
 * one permission of every set).
 * @example { status: 'TRADING', trading: true, permissionSets: [['SPOT']] }
 */
export interface TradingPairFacts {
  readonly status: string;
  readonly trading: boolean;
  readonly permissionSets: readonly (readonly string[])[];
}

/** The two assets of a trading pair: BTC/USDT buys BTC (`baseAsset`) with USDT (`quoteAsset`). */
export interface TradingPairAssets {
  readonly baseAsset: string;
  readonly quoteAsset: string;
}

/** A broker account's funds, asked for at a bounded rate; absent where there is nothing to ask (paper). */
export interface BrokerAccountInfo {
  /**
   * One request under the broker's own rate budget. Throws, naming what was wrong, when the broker
   * cannot be asked or its answer cannot be read (no answer, an error, a reply that is not an account).
   * @example await broker.account?.snapshot() // { buyingPower: 25000, dayTrading: null, brokerTime: … }
   */
  snapshot(): Promise<BrokerAccountSnapshot>;
  /**
   * The pair's status and permission sets as the venue lists them now, for a venue whose pairs can
   * be halted apart from any calendar (a crypto venue); absent elsewhere. Throws, naming what was
   * wrong, when the venue cannot be asked or does not list the pair.
   * @example await broker.account?.pair?.('BTC/USDT') // { status: 'HALT', trading: false, permissionSets: [['SPOT']] }
   */
  pair?(symbol: string): Promise<TradingPairFacts>;
  /**
   * The pair's two assets from the markets already loaded (no request), for the funds check of a
   * spot account; absent elsewhere. Throws when the pair is not listed.
   * @example await broker.account?.assets?.('BTC/USDT') // { baseAsset: 'BTC', quoteAsset: 'USDT' }
   */
  assets?(symbol: string): Promise<TradingPairAssets>;
}

/** Where a broker that needs a daily login stands. */
export type { BrokerSessionState } from '../core/events';

export interface BrokerSessionInfo {
  readonly state: BrokerSessionState;
  /** Epoch ms of the last check with the broker; null before any. */
  readonly checkedAt: number | null;
  /** Epoch ms when the access token dies (Kite: 06:00 IST); null when unknown. */
  readonly expiresAt: number | null;
  /** A sentence for the trader, saying what to do when the state is not 'valid'. */
  readonly message: string;
}

/**
 * Brokers whose access token must be renewed by a login every day (Kite). Optional: brokers with
 * long-lived keys (Alpaca, paper) have none.
 */
export interface BrokerLogin {
  current(): BrokerSessionInfo;
  onChange(listener: (session: BrokerSessionInfo) => void): () => void;
  /** Asks the broker now whether the token still works. */
  check(): Promise<BrokerSessionInfo>;
  /** Installs the day's new access token; streams reconnect with it, subscriptions kept. */
  setAccessToken(accessToken: string): void;
}

/**
 * The option chains a broker lists (issue 19): Kite's NFO/BFO masters, the paper broker's
 * simulated chain. A leg's contract is chosen from `current` at entry, so `warm` must have loaded
 * it before (the readiness check, minutes before each entry): resolution never waits on a download.
 */
export interface BrokerOptionChains {
  /**
   * Loads the exchange's chain when the one held is stale or missing. Throws, naming what went
   * wrong, only when no chain was ever loaded.
   * @example await broker.optionChains?.warm('NFO')
   */
  warm(exchange: 'NFO' | 'BFO'): Promise<void>;
  /** The chain held now, without loading; null before the first load. */
  current(exchange: 'NFO' | 'BFO'): OptionChain | null;
}

export interface Broker {
  /** Index options (issue 19); absent where the broker lists none. */
  readonly optionChains?: BrokerOptionChains;
  readonly capabilities: BrokerCapabilities;
  readonly login?: BrokerLogin;
  readonly instruments: BrokerInstruments;
  readonly execution: BrokerExecution;
  readonly data: BrokerData;
  /** The account's funds and the broker's clock (the readiness check); absent where there is nothing to ask. */
  readonly account?: BrokerAccountInfo;
  /** Protective stops resting at the broker (issue 20); absent where the broker has none. */
  readonly restingStops?: BrokerRestingStops;
  /** Opens connections and streams. */
  start(): Promise<void>;
  /** Closes everything; no callback fires afterwards. */
  stop(): Promise<void>;
}
