/**
 * Keeps the price streams the running strategies need, the last price of each instrument, and
 * the stop-loss index. The tick path does no I/O: a crossing tick calls `onStopLoss` synchronously.
 */
import type { Logger } from 'pino';
import type { EventBus } from '../bus/event-bus';
import type { Clock } from '../core/clock';
import type { BrokerAccountId, StrategyId } from '../core/ids';
import { asStrategyId } from '../core/ids';
import { instrumentKey, type Tick } from '../core/types';
import type { Broker, Instrument } from '../brokers/broker';
import type { BrokerAccountRef } from '../brokers/broker-sessions';
import type { FeedState } from '../core/events';
import { StopLossIndex } from './stop-loss-index';

export interface LastPrice {
  readonly price: number;
  readonly at: number;
}

export interface StopLossHit {
  readonly strategyId: StrategyId;
  readonly price: number;
  readonly stopLoss: number;
  readonly tickAt: number;
}

const feedKey = (accountId: BrokerAccountId, instrument: string) => `${accountId}|${instrument}`;

export class MarketListener {
  private readonly stops = new StopLossIndex();
  private readonly last = new Map<string, LastPrice>();
  /** feed key → strategies that need it. */
  private readonly watchers = new Map<string, Set<StrategyId>>();
  /** strategy → what it watches, so that it can be unwatched without asking the broker anything. */
  private readonly watching = new Map<StrategyId, { readonly key: string; readonly broker: Broker; readonly instrument: Instrument }>();
  private readonly feedStates = new Map<BrokerAccountId, FeedState>();
  private onStopLoss: (hit: StopLossHit) => void = () => {};
  private readonly tickListeners = new Set<(accountId: BrokerAccountId, tick: Tick) => void>();

  constructor(
    private readonly deps: { bus: EventBus; clock: Clock; logger: Logger },
  ) {}

  /** The execution engine's entry for crossings. */
  setStopLossHandler(handler: (hit: StopLossHit) => void): void {
    this.onStopLoss = handler;
  }

  /** Extra tick consumers (the API's price stream); called after the stop-loss check. */
  onTick(listener: (accountId: BrokerAccountId, tick: Tick) => void): () => void {
    this.tickListeners.add(listener);
    return () => this.tickListeners.delete(listener);
  }

  /** Wires a newly opened broker's streams in. */
  attach(account: BrokerAccountRef, broker: Broker): void {
    broker.data.onTick((tick) => this.handleTick(account.id, tick));
    broker.data.onFeedState((state, detail) => {
      this.feedStates.set(account.id, state);
      this.deps.bus.publish({ type: 'feed_status', userId: account.userId, brokerAccountId: account.id, state, detail, at: this.deps.clock.now() });
    });
  }

  feedState(accountId: BrokerAccountId): FeedState | undefined {
    return this.feedStates.get(accountId);
  }

  /** The last reported state of every open feed. */
  allFeedStates(): ReadonlyMap<BrokerAccountId, FeedState> {
    return this.feedStates;
  }

  /** Subscribes the instrument for a strategy (the broker is asked once per instrument). */
  watch(accountId: BrokerAccountId, broker: Broker, instrument: Instrument, strategyId: StrategyId): void {
    const key = feedKey(accountId, instrumentKey(instrument.exchange, instrument.symbol));
    const before = this.watching.get(strategyId);
    if (before?.key === key && before.broker === broker) return;
    if (before) this.unwatch(strategyId);
    let set = this.watchers.get(key);
    if (!set) {
      this.watchers.set(key, (set = new Set()));
      broker.data.subscribe([instrument]);
    }
    set.add(strategyId);
    this.watching.set(strategyId, { key, broker, instrument });
  }

  /** Drops a strategy's interest, if it had any; the last one out unsubscribes the instrument. */
  unwatch(strategyId: StrategyId): void {
    const watched = this.watching.get(strategyId);
    if (!watched) return;
    this.watching.delete(strategyId);
    const set = this.watchers.get(watched.key);
    if (!set?.delete(strategyId) || set.size > 0) return;
    this.watchers.delete(watched.key);
    watched.broker.data.unsubscribe([watched.instrument]);
  }

  /** Whether the strategy's instrument has been handed to its broker to subscribe. */
  isWatching(strategyId: StrategyId): boolean {
    return this.watching.has(strategyId);
  }

  lastPrice(accountId: BrokerAccountId, instrument: string): LastPrice | undefined {
    return this.last.get(feedKey(accountId, instrument));
  }

  /**
   * Arms a strategy's stop. If the last known price is already at or below it, the stop fires
   * now (a fill below the stop must not wait for the next tick).
   */
  armStop(accountId: BrokerAccountId, instrument: string, strategyId: StrategyId, stopLoss: number): void {
    const key = feedKey(accountId, instrument);
    this.stops.arm(key, strategyId, stopLoss);
    const last = this.last.get(key);
    if (last) this.fire(key, last.price, last.at);
  }

  disarmStop(strategyId: StrategyId): void {
    this.stops.disarm(strategyId);
  }

  isStopArmed(strategyId: StrategyId): boolean {
    return this.stops.isArmed(strategyId);
  }

  armedStops(): number {
    return this.stops.size();
  }

  private handleTick(accountId: BrokerAccountId, tick: Tick): void {
    if (!(Number.isFinite(tick.price) && tick.price > 0) || !Number.isFinite(tick.at)) {
      this.deps.logger.warn({ accountId, symbol: tick.symbol, price: tick.price }, 'tick dropped: price must be a finite number > 0');
      return;
    }
    const key = feedKey(accountId, instrumentKey(tick.exchange, tick.symbol));
    this.last.set(key, { price: tick.price, at: tick.at });
    this.fire(key, tick.price, tick.at);
    for (const l of this.tickListeners) l(accountId, tick);
  }

  private fire(key: string, price: number, at: number): void {
    for (const hit of this.stops.takeTriggered(key, price)) {
      this.onStopLoss({ strategyId: asStrategyId(hit.strategyId), price, stopLoss: hit.stopLoss, tickAt: at });
    }
  }
}
