/**
 * Keeps the price streams the running strategies need, the last price of each instrument, and
 * the trigger index (every run's armed levels). The tick path does no I/O and, when nothing is
 * crossed, allocates nothing: a crossing tick calls the crossing handler synchronously, once per
 * level crossed. A RATCHET of a position whose levels it holds (armed `live`) it carries out
 * itself, at the tick: the levels move (run-policy `ratchetAt`, no run read, no policy step), the
 * new stop and next ratchet are armed in the same callback, and its listeners are told (the
 * levels writer, which writes them batched). Those levels are the position's from then on, until
 * the run leaves IN_POSITION (`releaseLevels`): a crossing of the moved stop fires where it moved.
 */
import type { Logger } from 'pino';
import type { EventBus } from '../bus/event-bus';
import type { Clock } from '../core/clock';
import type { BrokerAccountId, RunId, StrategyId, UserId } from '../core/ids';
import { asBrokerAccountId, asStrategyId } from '../core/ids';
import { instrumentKey, type Tick } from '../core/types';
import type { Broker, Instrument } from '../brokers/broker';
import type { BrokerAccountRef } from '../brokers/broker-sessions';
import type { FeedState } from '../core/events';
import { ratchetAt, type StopMove } from '../core/run-policy/levels';
import type { ArmedLevels, Levels, Side } from '../core/run-policy/types';
import { POSITIONS, runKey, TriggerIndex, type Armed, type TriggerItem, type TriggerKind } from './trigger-index';
import { DEFAULT_STALE_AFTER_MS, feedKey, PriceFreshness } from './price-freshness';

/** Where a price came from: the broker's stream, or a REST quote asked because the stream fell silent. */
export type PriceSource = 'stream' | 'rest';

export interface LastPrice {
  readonly price: number;
  /** The tick's (or the quote's trade's) own time. */
  readonly at: number;
  /** When it arrived here, by the engine's clock. */
  readonly receivedAt: number;
  readonly source: PriceSource;
}

/** A watched instrument on which some run has an exit level armed: a position the price guards. */
export interface GuardedFeed {
  readonly key: string;
  readonly accountId: BrokerAccountId;
  readonly broker: Broker;
  readonly instrument: Instrument;
  readonly strategies: readonly StrategyId[];
}

/** A tick crossed an armed level: it fired once and is no longer armed. */
export interface Crossing {
  readonly strategyId: StrategyId;
  /** The strategy's position whose level it was (0 for a strategy without `positions`). */
  readonly positionNo: number;
  /** The leg the level was set for: the run policy ignores a crossing of a leg that is no longer current. */
  readonly legNo: number;
  readonly kind: TriggerKind;
  readonly level: number;
  readonly price: number;
  readonly tickAt: number;
  /** 'rest': a REST quote's price, asked because the stream was silent (StalePriceWatch). */
  readonly source: PriceSource;
  /**
   * How long the stream had been silent when the price was acted on, when that was beyond the
   * stale bound (a REST quote's crossing, or levels set against a last price that old); else null.
   */
  readonly staleForMs: number | null;
}

/** The run a position's live levels belong to (for the levels writer's write and event). */
export interface LevelsOwner {
  readonly runId: RunId;
  readonly userId: UserId;
}

/** A position's levels moved at the tick; `moved`: the stop moved (else the trail's best alone). */
export interface LevelsMoved extends LevelsOwner {
  readonly strategyId: StrategyId;
  readonly legNo: number;
  readonly levels: Levels;
  readonly moved: StopMove | null;
  /** The price that moved them, and when (the engine's clock at the tick). */
  readonly price: number;
  readonly at: number;
}

/** What one position of a strategy watches. */
interface Watched {
  readonly key: string;
  readonly broker: Broker;
  readonly instrument: Instrument;
  readonly strategyId: StrategyId;
  readonly positionNo: number;
}

/** A position's levels held here between ticks. */
interface Live extends LevelsOwner {
  readonly feed: string;
  readonly legNo: number;
  readonly side: Side;
  levels: Levels;
}

const EXIT_KINDS: readonly TriggerKind[] = ['STOPLOSS', 'TRAIL_STOP', 'TARGET'];

export class MarketListener {
  private readonly triggers = new TriggerIndex();
  /** `take`'s output, reused by every tick (a crossing handler that fires again gets its own). */
  private readonly crossed: Armed[] = [];
  private firing = false;
  private readonly last = new Map<string, LastPrice>();
  /** feed key → the runs (runKey: strategy and position) that need it. */
  private readonly watchers = new Map<string, Set<number>>();
  /** runKey → what the strategy's position watches, so that it can be unwatched without asking the broker anything. */
  private readonly watching = new Map<number, Watched>();
  private readonly feedStates = new Map<BrokerAccountId, FeedState>();
  private readonly feedDetails = new Map<BrokerAccountId, string | null>();
  private onCrossing: (hit: Crossing) => void = () => {};
  /** The position's levels (per runKey: strategy and position), moved here at the tick. */
  private readonly live = new Map<number, Live>();
  private readonly levelsListeners = new Set<(m: LevelsMoved) => void>();
  private onFresh: (key: string, price: number) => void = () => {};
  private onLevels: () => void = () => {};
  private readonly tickListeners = new Set<(accountId: BrokerAccountId, tick: Tick) => void>();
  private readonly priceListeners = new Set<(feed: string) => void>();
  private readonly watchListeners = new Set<() => void>();
  /** When each watched instrument's stream last gave a price (the read API of feed freshness). */
  readonly freshness = new PriceFreshness();

  /** A price older than this when levels are set is labelled stale on the crossing it fires. */
  private staleAfterMs: number;

  constructor(
    private readonly deps: { bus: EventBus; clock: Clock; logger: Logger; staleAfterMs?: number },
  ) {
    this.staleAfterMs = deps.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  }

  /** The stale bound changed (the install setting). */
  setStaleAfterMs(ms: number): void {
    this.staleAfterMs = ms;
  }

  /** The stale-price watch's entries: a stream price for a feed it had marked stale, and levels set. */
  setFreshnessHandlers(handlers: { fresh: (key: string, price: number) => void; levels: () => void }): void {
    this.onFresh = handlers.fresh;
    this.onLevels = handlers.levels;
  }

  /** The strategy manager's entry for crossings. */
  setCrossingHandler(handler: (hit: Crossing) => void): void {
    this.onCrossing = handler;
  }

  /** Who hears of the levels moved at the tick (the levels writer, which keeps them); called synchronously, in the tick. */
  onLevelsMoved(listener: (m: LevelsMoved) => void): () => void {
    this.levelsListeners.add(listener);
    return () => this.levelsListeners.delete(listener);
  }

  /** Extra tick consumers (the API's price stream); called after the trigger check. */
  onTick(listener: (accountId: BrokerAccountId, tick: Tick) => void): () => void {
    this.tickListeners.add(listener);
    return () => this.tickListeners.delete(listener);
  }

  /**
   * Who hears that what is watched changed (a position's instrument watched, replaced or dropped:
   * the API's price stream, whose interest is what the strategies watch); called synchronously.
   */
  onWatchesChanged(listener: () => void): () => void {
    this.watchListeners.add(listener);
    return () => this.watchListeners.delete(listener);
  }

  /**
   * What each strategy's position watches now, by feed key ("account|EXCHANGE:SYMBOL"): an
   * option's index before its contract is chosen, its contract after.
   * @example market.watched() // [{ key: '7|NFO:NIFTY26D0826000CE', strategyId: 3, positionNo: 0 }, { key: '7|NFO:NIFTY26D0826000PE', strategyId: 3, positionNo: 1 }]
   */
  watched(): Array<{ readonly key: string; readonly strategyId: StrategyId; readonly positionNo: number }> {
    return [...this.watching.values()].map(({ key, strategyId, positionNo }) => ({ key, strategyId, positionNo }));
  }

  /** Wires a newly opened broker's streams in. */
  attach(account: BrokerAccountRef, broker: Broker): void {
    broker.data.onTick((tick) => this.handleTick(account.id, tick));
    broker.data.onFeedState((state, detail) => {
      this.feedStates.set(account.id, state);
      this.feedDetails.set(account.id, detail);
      this.deps.bus.publish({ type: 'feed_status', userId: account.userId, brokerAccountId: account.id, state, detail, at: this.deps.clock.now() });
    });
  }

  feedState(accountId: BrokerAccountId): FeedState | undefined {
    return this.feedStates.get(accountId);
  }

  /** What the broker said with its feed's last state ("socket closed"); null when it said nothing or never reported. */
  feedDetail(accountId: BrokerAccountId): string | null {
    return this.feedDetails.get(accountId) ?? null;
  }

  /** The last reported state of every open feed. */
  allFeedStates(): ReadonlyMap<BrokerAccountId, FeedState> {
    return this.feedStates;
  }

  /**
   * Subscribes the instrument for a strategy's position (the broker is asked once per instrument);
   * `positionNo` 0 for a strategy without `positions`, whose one instrument it replaces. Each
   * position of a multi-position strategy watches its own contract.
   */
  watch(accountId: BrokerAccountId, broker: Broker, instrument: Instrument, strategyId: StrategyId, positionNo = 0): void {
    const key = feedKey(accountId, instrumentKey(instrument.exchange, instrument.symbol));
    const run = runKey(strategyId, positionNo);
    const before = this.watching.get(run);
    if (before?.key === key && before.broker === broker) return;
    if (before) this.unwatchRun(run);
    let set = this.watchers.get(key);
    if (!set) {
      this.watchers.set(key, (set = new Set()));
      broker.data.subscribe([instrument]);
    }
    set.add(run);
    this.watching.set(run, { key, broker, instrument, strategyId, positionNo });
    this.freshness.watched(key, this.deps.clock.now());
    this.watchesChanged();
  }

  /** Watched instruments on which some run has a stop or target armed, with those runs' strategies. */
  guardedFeeds(): GuardedFeed[] {
    const byKey = new Map<string, { key: string; accountId: BrokerAccountId; broker: Broker; instrument: Instrument; strategies: StrategyId[] }>();
    for (const w of this.watching.values()) {
      if (!EXIT_KINDS.some((kind) => this.triggers.isArmed(w.strategyId, kind, w.positionNo))) continue;
      let feed = byKey.get(w.key);
      if (!feed) byKey.set(w.key, (feed = { key: w.key, accountId: accountOfKey(w.key), broker: w.broker, instrument: w.instrument, strategies: [] }));
      if (!feed.strategies.includes(w.strategyId)) feed.strategies.push(w.strategyId);
    }
    return [...byKey.values()];
  }

  /**
   * Drops the interest of a strategy's position `positionNo`, or of every position without it, if
   * it had any; the last one out unsubscribes an instrument.
   */
  unwatch(strategyId: StrategyId, positionNo?: number): void {
    const before = this.watching.size;
    if (positionNo !== undefined) this.unwatchRun(runKey(strategyId, positionNo));
    else for (let p = 0; p < POSITIONS; p++) this.unwatchRun(runKey(strategyId, p));
    if (this.watching.size !== before) this.watchesChanged();
  }

  /** A listener that throws is logged: the subscription it heard of stands all the same. */
  private watchesChanged(): void {
    for (const listener of this.watchListeners) {
      try {
        listener();
      } catch (err) {
        this.deps.logger.error({ err }, 'a watch listener failed');
      }
    }
  }

  private unwatchRun(run: number): void {
    const watched = this.watching.get(run);
    if (!watched) return;
    this.watching.delete(run);
    const set = this.watchers.get(watched.key);
    if (!set?.delete(run) || set.size > 0) return;
    this.watchers.delete(watched.key);
    watched.broker.data.unsubscribe([watched.instrument]);
  }

  /** Whether the instrument of the strategy's position (default 0) has been handed to its broker to subscribe. */
  isWatching(strategyId: StrategyId, positionNo = 0): boolean {
    return this.watching.has(runKey(strategyId, positionNo));
  }

  lastPrice(accountId: BrokerAccountId, instrument: string): LastPrice | undefined {
    return this.last.get(feedKey(accountId, instrument));
  }

  /**
   * Replaces the levels a strategy's run watches (for leg `legNo`) with `items`, on the
   * instrument's feed. A level the last known price has already crossed fires now: a fill below
   * the stop must not wait for the next tick. `moved` (a ratchet's step): nothing changes once an
   * exit level of the leg has fired (TriggerIndex.set). `live`: the levels the set comes from, to
   * move at the tick from now on (the position's levels until `releaseLevels`); without it, a
   * RATCHET goes to the crossing handler. `positionNo`: the strategy's position the levels are of
   * (0 for a strategy without `positions`); each position's set is its own.
   */
  setTriggers(accountId: BrokerAccountId, instrument: string, strategyId: StrategyId, legNo: number, items: readonly TriggerItem[], moved = false, live?: ArmedLevels & LevelsOwner, positionNo = 0): void {
    const key = feedKey(accountId, instrument);
    try {
      this.triggers.set(key, strategyId, legNo, items, moved, positionNo);
    } catch (err) {
      // The run's other follow-ups (its time exit's job) must still be set, and its levels stay as they were.
      this.deps.logger.error({ err, strategyId, instrument }, 'levels not armed');
      return;
    }
    if (live) this.live.set(runKey(strategyId, positionNo), { feed: key, legNo, side: live.side, levels: live.levels, runId: live.runId, userId: live.userId });
    else this.live.delete(runKey(strategyId, positionNo));
    const last = this.last.get(key);
    if (last) {
      const age = this.deps.clock.now() - last.receivedAt;
      this.fire(key, last.price, last.at, last.source, age > this.staleAfterMs ? age : null);
    }
    if (items.length > 0) this.onLevels();
  }

  /**
   * A REST quote of a feed whose stream is silent: acted on as a tick is (the same trigger path,
   * so a stop is never missed because the stream froze), labelled as from REST with how long the
   * stream had been silent. A quote whose trade is older than the last price known is not a newer
   * price and changes nothing. Neither the tick listeners nor the feed's freshness hear it; the
   * price listeners do (onPrice).
   */
  applyQuote(key: string, quote: { readonly price: number; readonly at: number }, staleForMs: number): void {
    if (!(Number.isFinite(quote.price) && quote.price > 0) || !Number.isFinite(quote.at)) {
      this.deps.logger.warn({ key, price: quote.price }, 'quote dropped: price must be a finite number > 0');
      return;
    }
    const last = this.last.get(key);
    if (last && last.at > quote.at) return;
    this.last.set(key, { price: quote.price, at: quote.at, receivedAt: this.deps.clock.now(), source: 'rest' });
    this.fire(key, quote.price, quote.at, 'rest', staleForMs);
    for (const l of this.priceListeners) l(key);
  }

  /** Drops the levels of every position of the strategy. */
  clearTriggers(strategyId: StrategyId): void {
    this.triggers.clear(strategyId);
    for (let p = 0; p < POSITIONS; p++) this.live.delete(runKey(strategyId, p));
  }

  /** The levels of leg `legNo` of the strategy's position `positionNo` as they stand (moved at the tick); null when none are held here. */
  liveLevels(strategyId: StrategyId, legNo: number, positionNo = 0): Levels | null {
    const l = this.live.get(runKey(strategyId, positionNo));
    return l && l.legNo === legNo ? l.levels : null;
  }

  /**
   * Who acts on a feed's new price from either source, the stream's tick or a REST quote of a
   * silent stream (the group's combined MTM): told the feed (feedKey), after the trigger check;
   * the price is lastPrice's. Unlike onTick, a frozen stream leaves them hearing the REST quotes.
   */
  onPrice(listener: (feed: string) => void): () => void {
    this.priceListeners.add(listener);
    return () => this.priceListeners.delete(listener);
  }

  /**
   * The run left IN_POSITION: its levels no longer move at the tick. A RATCHET still armed goes
   * to the crossing handler, whose step moves nothing outside IN_POSITION.
   */
  releaseLevels(strategyId: StrategyId, positionNo = 0): void {
    this.live.delete(runKey(strategyId, positionNo));
  }

  /** Whether the run's stop is armed: its stop-loss, or its trailing stop once the trail has moved it (any position's without `positionNo`). */
  isStopArmed(strategyId: StrategyId, positionNo?: number): boolean {
    return this.triggers.isArmed(strategyId, 'STOPLOSS', positionNo) || this.triggers.isArmed(strategyId, 'TRAIL_STOP', positionNo);
  }

  /** Levels armed, over every run and feed. */
  armedTriggers(): number {
    return this.triggers.size();
  }

  private handleTick(accountId: BrokerAccountId, tick: Tick): void {
    if (!(Number.isFinite(tick.price) && tick.price > 0) || !Number.isFinite(tick.at)) {
      this.deps.logger.warn({ accountId, symbol: tick.symbol, price: tick.price }, 'tick dropped: price must be a finite number > 0');
      return;
    }
    const key = feedKey(accountId, instrumentKey(tick.exchange, tick.symbol));
    const now = this.deps.clock.now();
    this.last.set(key, { price: tick.price, at: tick.at, receivedAt: now, source: 'stream' });
    const wasStale = this.freshness.note(key, tick.price, tick.at, now);
    this.fire(key, tick.price, tick.at, 'stream', null);
    for (const l of this.tickListeners) l(accountId, tick);
    for (const l of this.priceListeners) l(key);
    if (wasStale) this.onFresh(key, tick.price);
  }

  private fire(key: string, price: number, at: number, source: PriceSource, staleForMs: number | null): void {
    const out = this.firing ? [] : this.crossed;
    const n = this.triggers.take(key, price, out);
    if (n === 0) return;
    const outer = this.firing;
    this.firing = true;
    for (let i = 0; i < n; i++) {
      const a = out[i]!;
      // Each level fired once and is gone from the index: one handler's failure must not lose the others' exits.
      try {
        const live = a.kind === 'RATCHET' ? this.live.get(runKey(a.strategyId, a.positionNo)) : undefined;
        if (live && live.legNo === a.legNo && live.feed === key) this.ratchet(a, live, price);
        else this.onCrossing({ strategyId: asStrategyId(a.strategyId), positionNo: a.positionNo, legNo: a.legNo, kind: a.kind, level: a.level, price, tickAt: at, source, staleForMs });
      } catch (err) {
        this.deps.logger.error({ err, strategyId: a.strategyId, kind: a.kind, level: a.level, price }, 'crossing handler failed');
      }
    }
    this.firing = outer;
    if (!outer) out.length = 0;
  }

  /**
   * A RATCHET of a position held here, carried out at the tick: the levels moved, the stop and the
   * next ratchet armed in their place (none is crossed at `price`: the stop trails it, the ratchet
   * is past it), and the levels handler told. Once an exit level of the leg has fired, its exit is
   * under way and nothing is armed again (TriggerIndex.set `moved`); the levels still move, as the
   * run policy's step would move them while the run is IN_POSITION.
   */
  private ratchet({ strategyId, positionNo }: Armed, live: Live, price: number): void {
    const r = ratchetAt(live.levels, live.side, price);
    this.triggers.set(live.feed, strategyId, live.legNo, r.triggers, true, positionNo);
    if (r.levels === live.levels) return;
    live.levels = r.levels;
    const m: LevelsMoved = { strategyId: asStrategyId(strategyId), runId: live.runId, userId: live.userId, legNo: live.legNo, levels: r.levels, moved: r.moved, price, at: this.deps.clock.now() };
    for (const l of this.levelsListeners) l(m);
  }
}

function accountOfKey(key: string): BrokerAccountId {
  return asBrokerAccountId(Number(key.slice(0, key.indexOf('|'))));
}
