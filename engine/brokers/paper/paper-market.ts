/**
 * The paper broker's simulated market and data feed: one price per instrument, moved by a seeded
 * random walk or by a script, and ticks for the subscribed ones on the injected clock.
 */
import type { Clock, TimerHandle } from '../../core/clock';
import { validationError } from '../../core/errors';
import type { FeedState } from '../../core/events';
import { EXCHANGES, instrumentKey, type Exchange, type Tick } from '../../core/types';
import type { BrokerData, Instrument, Quote } from '../broker';
import { PAPER_INSTRUMENT_KEY_PATTERN, type PaperBrokerConfig, type PaperScriptPoint } from './paper-config';
import { PaperDecimal, roundToTick, walkStep } from './paper-price';
import { seededUniform, type UniformSource } from './paper-random';
import { notifyAll } from './paper-listeners';
import { PAPER_INDEX_LEVELS } from './paper-option-chain';
import { PAPER_PAIR_PRICES } from './paper-instruments';

const DEFAULT_START_PRICE = 100;

/**
 * Instruments whose price is derived from another's rather than walked (the paper option chain's
 * contracts, priced from their index): each follows an instrument the market walks, and is priced
 * from it whenever asked (a tick, a fill, a quote).
 */
export interface DerivedPrices {
  /** The instrument `exchange:symbol` follows, or null when it is an ordinary one. */
  follows(exchange: Exchange, symbol: string): { readonly exchange: Exchange; readonly symbol: string } | null;
  /** Its price now, on its tick. */
  price(exchange: Exchange, symbol: string): number;
}

/** What the market remembers about an instrument, subscribed or not, for the broker's lifetime. */
interface InstrumentState {
  readonly key: string;
  readonly symbol: string;
  readonly exchange: Exchange;
  /** Last price, on the tick grid: what ticks show and fills start from. */
  price: number;
  /** The walk's unrounded price, so sub-tick moves accumulate. */
  walk: PaperDecimal;
  readonly script: readonly PaperScriptPoint[] | undefined;
  uniform: UniformSource | undefined;
}

/** One subscription's schedule; replaced (not reused) on resubscribe so a stale timer can tell. */
interface Stream {
  readonly state: InstrumentState;
  /** Monotonic time the schedule counts from: subscribe time, or start time if subscribed earlier. */
  origin: number;
  /** Index of the next cadence tick (at origin + k × tickIntervalMs). */
  nextBeat: number;
  /** Index of the next script point to play. */
  nextPoint: number;
  timer: TimerHandle | undefined;
}

/**
 * Subscriptions are a set, as at Kite and Alpaca: subscribing twice is subscribing once, and one
 * unsubscribe stops the ticks. Counting interested strategies is the MarketListener's job.
 *
 * Each subscribed instrument ticks at subscribe time and then every `tickIntervalMs`; a scripted
 * one also ticks at exactly `subscribe time + afterMs` of each script point, with that point's
 * price (a point that coincides with a beat gives one tick, with the script's price).
 */
export class PaperMarket implements BrokerData {
  private readonly instruments = new Map<string, InstrumentState>();
  private readonly streams = new Map<string, Stream>();
  private readonly tickListeners = new Set<(tick: Tick) => void>();
  private readonly feedListeners = new Set<(state: FeedState, detail: string | null) => void>();
  private readonly moveListeners = new Set<(key: string, price: number) => void>();
  private started = false;
  private stopped = false;
  private feed: FeedState = 'up';
  /** Keys subscribed by a caller; a derived instrument's subscription also streams what it follows, which is not listed here. */
  private readonly asked = new Set<string>();
  private derived: DerivedPrices | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly config: PaperBrokerConfig,
    private readonly seed: number,
  ) {}

  /** Installs the derived instruments (the paper option chain, built on this market's prices). */
  derive(derived: DerivedPrices): void {
    this.derived = derived;
  }

  /** Opens the feed: emits 'up' and starts the ticks of instruments subscribed so far. */
  start(): void {
    if (this.stopped) throw new Error('paper broker was stopped; create a new one');
    if (this.started) return;
    this.started = true;
    this.setFeed('up');
    for (const stream of this.streams.values()) this.begin(stream);
  }

  /** Cancels every timer and drops every listener; nothing is emitted afterwards. */
  stop(): void {
    this.stopped = true;
    for (const stream of this.streams.values()) stream.timer?.cancel();
    this.streams.clear();
    this.tickListeners.clear();
    this.feedListeners.clear();
    this.moveListeners.clear();
  }

  subscribe(instruments: readonly Instrument[]): void {
    if (this.stopped) return;
    for (const instrument of instruments) {
      this.asked.add(instrumentKey(instrument.exchange, instrument.symbol));
      // A derived price moves only when what it follows does, and that walks only while streamed.
      const follows = this.derived?.follows(instrument.exchange, instrument.symbol);
      if (follows) this.stream(follows.exchange, follows.symbol);
      this.stream(instrument.exchange, instrument.symbol);
    }
  }

  unsubscribe(instruments: readonly Instrument[]): void {
    for (const instrument of instruments) {
      const key = instrumentKey(instrument.exchange, instrument.symbol);
      this.asked.delete(key);
      this.endStream(key);
      const follows = this.derived?.follows(instrument.exchange, instrument.symbol);
      if (follows) this.endUnfollowed(instrumentKey(follows.exchange, follows.symbol));
    }
  }

  private stream(exchange: Exchange, symbol: string): void {
    const state = this.stateOf(exchange, symbol);
    if (this.streams.has(state.key)) return;
    const stream: Stream = { state, origin: 0, nextBeat: 0, nextPoint: 0, timer: undefined };
    this.streams.set(state.key, stream);
    if (this.started) this.begin(stream);
  }

  private endStream(key: string): void {
    this.streams.get(key)?.timer?.cancel();
    this.streams.delete(key);
  }

  /** Ends the stream of `key` when no caller asked for it and no streamed instrument follows it. */
  private endUnfollowed(key: string): void {
    if (this.asked.has(key)) return;
    for (const stream of this.streams.values()) {
      const f = this.derived?.follows(stream.state.exchange, stream.state.symbol);
      if (f && instrumentKey(f.exchange, f.symbol) === key) return;
    }
    this.endStream(key);
  }

  onTick(listener: (tick: Tick) => void): () => void {
    this.tickListeners.add(listener);
    return () => this.tickListeners.delete(listener);
  }

  onFeedState(listener: (state: FeedState, detail: string | null) => void): () => void {
    this.feedListeners.add(listener);
    return () => this.feedListeners.delete(listener);
  }

  /**
   * Every move of a price, told before its tick and whatever the feed's state: the broker's side
   * of the market (a resting stop firing) goes on while the trader's feed is down.
   */
  onPriceMove(listener: (key: string, price: number) => void): () => void {
    this.moveListeners.add(listener);
    return () => this.moveListeners.delete(listener);
  }

  /** The instrument's current price: its last tick, or its start price if it never ticked; a derived one's as it stands now. */
  priceOf(exchange: Exchange, symbol: string): number {
    if (this.derived?.follows(exchange, symbol)) return this.derived.price(exchange, symbol);
    return this.stateOf(exchange, symbol).price;
  }

  /** The seam's price-at-hand: the simulated market always has one. */
  lastPrice(instrument: Instrument): number | null {
    return this.priceOf(instrument.exchange, instrument.symbol);
  }

  /**
   * The seam's REST quote: the simulated market's price now, whether or not its ticks reach the
   * stream (a feed set down keeps moving underneath). No trade time: the paper market keeps none.
   */
  async quote(instruments: readonly Instrument[]): Promise<Quote[]> {
    return instruments.map((i) => ({ symbol: i.symbol, exchange: i.exchange, price: this.priceOf(i.exchange, i.symbol), at: null }));
  }

  /** Keys of the instruments currently streamed (subscribed, or followed by a subscribed option), for tests and diagnostics. */
  subscriptions(): readonly string[] {
    return [...this.streams.keys()];
  }

  /**
   * Forces a price (rounded to the tick); a subscribed instrument ticks it at once, synchronously,
   * if the feed is up. The walk or script carries on from it at the next beat.
   */
  setPrice(key: string, price: number): void {
    const parsed = parseKey(key);
    if (!parsed) throw validationError([{ field: 'instrumentKey', message: `must be "EXCHANGE:SYMBOL", got "${key}"` }]);
    const follows = this.derived?.follows(parsed.exchange, parsed.symbol);
    if (follows) throw validationError([{ field: 'instrumentKey', message: `${key} is priced from ${follows.exchange}:${follows.symbol}: set that price instead` }]);
    if (!Number.isFinite(price) || price <= 0) throw validationError([{ field: 'price', message: `must be a price above 0, got ${price}` }]);
    const state = this.stateOf(parsed.exchange, parsed.symbol);
    state.price = roundToTick(price, this.config.tickSize);
    state.walk = new PaperDecimal(state.price);
    this.emitMove(state);
    if (this.started && this.streams.has(key)) this.emitTick(state);
  }

  /**
   * Sets the feed state and reports it to feed listeners. Anything but 'up' pauses ticks while
   * prices keep moving underneath, as in a real outage: the first tick after 'up' may have jumped.
   */
  setFeed(state: FeedState, detail: string | null = null): void {
    if (this.stopped) return;
    this.feed = state;
    notifyAll(this.feedListeners, (listener) => listener(state, detail));
  }

  private stateOf(exchange: Exchange, symbol: string): InstrumentState {
    const key = instrumentKey(exchange, symbol);
    let state = this.instruments.get(key);
    if (!state) {
      const derived = this.derived?.follows(exchange, symbol) ? this.derived.price(exchange, symbol) : null;
      const price = derived ?? roundToTick(this.config.startPrices[key] ?? PAPER_INDEX_LEVELS[key] ?? PAPER_PAIR_PRICES[key] ?? DEFAULT_START_PRICE, this.config.tickSize);
      state = { key, symbol, exchange, price, walk: new PaperDecimal(price), script: this.config.scripts[key], uniform: undefined };
      this.instruments.set(key, state);
    }
    return state;
  }

  private begin(stream: Stream): void {
    stream.origin = this.clock.monotonic();
    stream.nextBeat = 0;
    stream.nextPoint = 0;
    this.scheduleNext(stream);
  }

  private scheduleNext(stream: Stream): void {
    const offset = this.nextOffset(stream);
    // Measured from the origin rather than chained, so a late timer on the real clock does not push every later tick.
    const delay = Math.max(0, stream.origin + offset - this.clock.monotonic());
    stream.timer = this.clock.setTimer(delay, () => this.fire(stream, offset));
  }

  private nextOffset(stream: Stream): number {
    const beat = stream.nextBeat * this.config.tickIntervalMs;
    const point = stream.state.script?.[stream.nextPoint];
    return point ? Math.min(beat, point.afterMs) : beat;
  }

  private fire(stream: Stream, offset: number): void {
    if (this.stopped || this.streams.get(stream.state.key) !== stream) return;
    const { state } = stream;
    const isBeat = offset === stream.nextBeat * this.config.tickIntervalMs;
    if (this.derived?.follows(state.exchange, state.symbol)) {
      state.price = this.derived.price(state.exchange, state.symbol);
    } else if (state.script) {
      // Several points may share one offset; the last of them is the price at that instant.
      let point = state.script[stream.nextPoint];
      while (point && point.afterMs <= offset) {
        state.walk = new PaperDecimal(point.price);
        state.price = roundToTick(point.price, this.config.tickSize);
        point = state.script[++stream.nextPoint];
      }
    } else if (isBeat && stream.nextBeat > 0) {
      // The tick at subscribe time shows the price as it is; the walk moves from the next beat on.
      state.uniform ??= seededUniform(this.seed, state.key);
      state.walk = walkStep(state.walk, state.uniform(), this.config.volatilityBps, this.config.tickSize);
      state.price = roundToTick(state.walk, this.config.tickSize);
    }
    if (isBeat) stream.nextBeat++;
    this.emitMove(state);
    this.emitTick(state);
    this.scheduleNext(stream);
  }

  private emitMove(state: InstrumentState): void {
    if (this.stopped) return;
    notifyAll(this.moveListeners, (listener) => listener(state.key, state.price));
  }

  private emitTick(state: InstrumentState): void {
    if (this.stopped || this.feed !== 'up') return;
    const tick: Tick = { symbol: state.symbol, exchange: state.exchange, price: state.price, at: this.clock.now() };
    notifyAll(this.tickListeners, (listener) => listener(tick));
  }
}

function parseKey(key: string): { exchange: Exchange; symbol: string } | null {
  if (!PAPER_INSTRUMENT_KEY_PATTERN.test(key)) return null;
  const colon = key.indexOf(':');
  const exchange = EXCHANGES.find((e) => e === key.slice(0, colon));
  return exchange ? { exchange, symbol: key.slice(colon + 1) } : null;
}
