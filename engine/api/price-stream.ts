/**
 * Live prices for the UI: each signed-in socket gets ticks of the instruments its user's
 * strategies watch (every position's: an option's index until its contract is chosen, then the
 * contract, whose price is the position's premium), at most one message per instrument every
 * THROTTLE_MS (the latest price wins, and the last one of a burst is always delivered). The
 * engine's stop-loss check sees every tick; only the display is thinned.
 */
import type { Clock, TimerHandle } from '../core/clock';
import type { BrokerAccountId, StrategyId, UserId } from '../core/ids';
import { instrumentKey, type Tick } from '../core/types';
import type { Repos } from '../../db/repos';
import type { Engine } from '../engine';
import type { TickDto } from './contract';

export const THROTTLE_MS = 250;


type Send = (msg: TickDto) => void;

export class PriceStream {
  private readonly subscribers = new Map<UserId, Set<Send>>();
  /**
   * "account|EXCHANGE:SYMBOL" → users whose strategies watch it (the market listener's watches:
   * set when a strategy arms or a contract is chosen, dropped when it stops or its day is over);
   * rebuilt at the first tick after they change.
   */
  private interest: Map<string, Set<UserId>> | null = null;
  private readonly lastSent = new Map<string, number>();
  private readonly pending = new Map<string, { tick: TickDto; timer: TimerHandle }>();
  private readonly offs: Array<() => void>;
  private readonly market: Engine['market'];

  constructor(
    engine: Engine,
    private readonly repos: Repos,
    private readonly clock: Clock,
  ) {
    const invalidate = () => {
      this.interest = null;
    };
    // The engine's own watches, not events: a contract chosen at the warm-up changes no run's
    // state, and is watched only once the broker has the instrument.
    this.market = engine.market;
    this.offs = [engine.market.onTick((accountId, tick) => this.onTick(accountId, tick)), engine.market.onWatchesChanged(invalidate)];
  }

  /** Sends the user's ticks to `send` until the returned function is called. */
  subscribe(userId: UserId, send: Send): () => void {
    let set = this.subscribers.get(userId);
    if (!set) this.subscribers.set(userId, (set = new Set()));
    set.add(send);
    return () => {
      set.delete(send);
      if (set.size === 0) this.subscribers.delete(userId);
    };
  }

  close(): void {
    for (const off of this.offs) off();
    for (const p of this.pending.values()) p.timer.cancel();
    this.pending.clear();
  }

  private onTick(accountId: BrokerAccountId, tick: Tick): void {
    if (this.subscribers.size === 0) return;
    const key = `${accountId}|${instrumentKey(tick.exchange, tick.symbol)}`;
    const users = (this.interest ??= this.buildInterest()).get(key);
    if (!users) return;
    const msg: TickDto = { type: 'tick', broker_account_id: accountId, exchange: tick.exchange, symbol: tick.symbol, price: tick.price, at: tick.at };
    const now = this.clock.now();
    const wait = (this.lastSent.get(key) ?? -Infinity) + THROTTLE_MS - now;
    const queued = this.pending.get(key);
    if (queued) {
      queued.tick = msg;
      return;
    }
    if (wait <= 0) {
      this.deliver(key, users, msg);
      return;
    }
    // The users interested when the tick was queued get it, even if their strategy ended since:
    // the last price before an exit (the crossing tick) is the one the chart must show.
    const entry = { tick: msg, timer: this.clock.setTimer(wait, () => {
      this.pending.delete(key);
      this.deliver(key, users, entry.tick);
    }) };
    this.pending.set(key, entry);
  }

  private deliver(key: string, users: ReadonlySet<UserId>, msg: TickDto): void {
    this.lastSent.set(key, this.clock.now());
    for (const user of users) for (const send of this.subscribers.get(user) ?? []) send(msg);
  }

  private buildInterest(): Map<string, Set<UserId>> {
    const map = new Map<string, Set<UserId>>();
    const owners = new Map<StrategyId, UserId | undefined>();
    for (const { key, strategyId } of this.market.watched()) {
      if (!owners.has(strategyId)) owners.set(strategyId, this.repos.strategies.identityInternal(strategyId)?.userId);
      const userId = owners.get(strategyId);
      if (userId === undefined) continue;
      let set = map.get(key);
      if (!set) map.set(key, (set = new Set()));
      set.add(userId);
    }
    return map;
  }
}
