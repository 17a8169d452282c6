/**
 * A price feed that cannot go silently stale. While a run holds a position (a stop or target
 * armed on a watched instrument), a stream silent beyond `staleAfterMs` during the exchange's
 * session is cross-checked with a REST quote: one request per account for all its silent
 * instruments, at most one every `quoteEveryMs` per account (so per instrument too), never two in
 * flight, and the Alpaca adapter's as optional work inside the key's budget.
 *
 * - The quote shows the stream current (its trade no newer than the stream's last, or at a broker
 *   whose quote has no time, the same price): the market is quiet, nothing is wrong. Asked again
 *   after twice the last wait (30 s, 60 s…, at most `quietMaxMs`, never less than the bound) while
 *   quotes keep agreeing; a stream price, or a quote that does not agree, brings the wait back
 *   to `staleAfterMs`.
 * - It shows a newer price, or cannot be had (no quote at this broker, a failed request): the
 *   stop is watching a stale price. Each run on it gets `price_stale`; quotes go on every
 *   `quoteEveryMs`, each acted on as a tick (MarketListener.applyQuote, labelled REST), until the
 *   stream gives a price again (`price_fresh`).
 *
 * Outside the session silence is normal: nothing is asked or raised, and a stale episode that
 * reaches the close, or whose position closes, ends without an event.
 */
import type { Logger } from 'pino';
import type { EventBus } from '../bus/event-bus';
import type { Clock, TimerHandle } from '../core/clock';
import type { BrokerAccountId, RunId, StrategyId, UserId } from '../core/ids';
import { instrumentKey, type Exchange } from '../core/types';
import type { Quote } from '../brokers/broker';
import type { TradingCalendar } from '../scheduler/trading-calendar';
import { sessionAt, type SessionAt } from '../scheduler/market-hours';
import type { GuardedFeed, MarketListener } from './market-listener';
import { DEFAULT_STALE_AFTER_MS } from './price-freshness';

export interface StalePriceOptions {
  /** Silence during the session beyond which a position's stream is cross-checked. */
  readonly staleAfterMs: number;
  /** While stale, the REST quote's cadence per account (and so per instrument). */
  readonly quoteEveryMs: number;
  /** The longest wait between quotes that keep finding a quiet market (the bound, if that is longer). */
  readonly quietMaxMs: number;
}

export const DEFAULT_STALE_PRICE_OPTIONS: StalePriceOptions = { staleAfterMs: DEFAULT_STALE_AFTER_MS, quoteEveryMs: 5_000, quietMaxMs: 60_000 };

/** A quiet market: when a quote last found the stream current, and how many in a row have. */
interface Quiet {
  readonly at: number;
  readonly streak: number;
}

/** What a strategy row shows while its stop watches a stale price. */
export interface StaleNow {
  /** When the episode began (the cross-check that found it). */
  readonly since: number;
  readonly lastPrice: number | null;
  /** When the stream's last price arrived; null: none since watched. */
  readonly lastPriceAt: number | null;
}

/** A feed due for a cross-check, with when its session opened (null: always open). */
interface DueFeed {
  readonly feed: GuardedFeed;
  readonly openedAt: number | null;
}

interface Episode {
  readonly since: number;
  /** When the stream last gave a price before the episode (or was first watched). */
  readonly silentSince: number;
  /** The strategies told (price_stale), with their run. */
  readonly told: Map<StrategyId, { readonly userId: UserId; readonly runId: RunId }>;
  quotePrice: number | null;
  detail: string;
}

export interface StalePriceWatchDeps {
  readonly market: MarketListener;
  readonly clock: Clock;
  readonly bus: EventBus;
  readonly calendar: TradingCalendar;
  readonly logger: Logger;
  /** The strategy's run now, to scope its events; undefined when it has none. */
  readonly runOf: (strategyId: StrategyId) => { readonly userId: UserId; readonly runId: RunId } | undefined;
  readonly options?: Partial<StalePriceOptions>;
}

export class StalePriceWatch {
  private options: StalePriceOptions;
  private readonly episodes = new Map<string, Episode>();
  /** Feed → the quotes that found its stream current: its silence counts again from the last. */
  private readonly quiet = new Map<string, Quiet>();
  /** Account → when its next quote may go; and the accounts with one in flight. */
  private readonly accountNextAt = new Map<BrokerAccountId, number>();
  private readonly inFlight = new Set<BrokerAccountId>();
  private timer: { handle: TimerHandle; at: number } | null = null;
  /** Each exchange's session as last worked out, good from `from` until it opens or closes (working it out builds two crons). */
  private readonly sessions = new Map<Exchange, { readonly from: number; readonly session: SessionAt }>();
  private closed = false;
  private readonly offTick: () => void;

  constructor(private readonly deps: StalePriceWatchDeps) {
    this.options = { ...DEFAULT_STALE_PRICE_OPTIONS, ...deps.options };
    // Levels set (an entry filled, a ratchet's step): a check within the bound at the latest, so a
    // position newly guarded is checked in time, and a trail moving on every tick costs nothing.
    deps.market.setFreshnessHandlers({ fresh: (key, price) => this.fresh(key, price), levels: () => this.soon(this.options.staleAfterMs) });
    // A stream price ends a quiet spell: its next quote is due a bound after it, maybe sooner than the one armed.
    this.offTick = deps.market.onTick(() => {
      if (this.quiet.size > 0) this.soon(this.options.staleAfterMs);
    });
  }

  /** The strategy's stale price, while its stop watches one; null otherwise. */
  staleOf(strategyId: StrategyId): StaleNow | null {
    for (const [key, episode] of this.episodes) {
      if (!episode.told.has(strategyId)) continue;
      const stream = this.deps.market.freshness.of(key);
      return { since: episode.since, lastPrice: stream?.price ?? null, lastPriceAt: stream?.receivedAt ?? null };
    }
    return null;
  }

  /** The stale bound changed (the install setting): the next check follows it. */
  setStaleAfterMs(ms: number): void {
    this.options = { ...this.options, staleAfterMs: ms };
    this.deps.market.setStaleAfterMs(ms);
    this.timer?.handle.cancel();
    this.timer = null;
    this.soon(0);
  }

  /** No more checks, quotes or events. */
  close(): void {
    this.closed = true;
    this.offTick();
    this.timer?.handle.cancel();
    this.timer = null;
  }

  /** Makes sure a check runs within `ms`. */
  private soon(ms: number): void {
    if (this.closed) return;
    const at = this.deps.clock.now() + ms;
    if (this.timer && this.timer.at <= at) return;
    this.timer?.handle.cancel();
    this.timer = { at, handle: this.deps.clock.setTimer(ms, () => this.check()) };
  }

  private check(): void {
    this.timer = null;
    if (this.closed) return;
    const { clock, market } = this.deps;
    const now = clock.now();
    const feeds = market.guardedFeeds();
    this.forgetUnguarded(feeds);
    let next = Number.POSITIVE_INFINITY;
    const due = new Map<BrokerAccountId, DueFeed[]>();
    for (const feed of feeds) {
      const session = this.sessionOf(feed.instrument.exchange, now);
      if (!session.open) {
        // Silence outside the session is normal: an episode ends with it, and nothing is asked.
        this.endEpisode(feed.key);
        next = Math.min(next, session.opensAt);
        continue;
      }
      const episode = this.episodes.get(feed.key);
      if (episode) this.tell(feed, episode, now);
      const stream = market.freshness.of(feed.key);
      const streamAt = stream?.receivedAt ?? stream?.watchedAt ?? now;
      const quiet = this.quietOf(feed.key, streamAt);
      const quietSince = Math.max(streamAt, session.openedAt ?? Number.NEGATIVE_INFINITY, quiet?.at ?? Number.NEGATIVE_INFINITY);
      const checkAt = episode ? now : quietSince + this.quietWait(quiet);
      if (checkAt > now) {
        next = Math.min(next, checkAt, session.closesAt);
        continue;
      }
      const list = due.get(feed.accountId) ?? [];
      list.push({ feed, openedAt: session.openedAt });
      due.set(feed.accountId, list);
      next = Math.min(next, session.closesAt);
    }
    for (const [accountId, list] of due) {
      const freeAt = this.accountNextAt.get(accountId) ?? Number.NEGATIVE_INFINITY;
      if (this.inFlight.has(accountId)) continue; // its answer schedules the next check
      if (freeAt > now) next = Math.min(next, freeAt);
      else void this.crossCheck(accountId, list);
    }
    if (next !== Number.POSITIVE_INFINITY) this.soon(Math.max(0, next - now));
  }

  /** The feed's quiet spell, unless the stream gave a price since its last quote (then it is over). */
  private quietOf(key: string, streamAt: number): Quiet | undefined {
    const quiet = this.quiet.get(key);
    if (quiet && streamAt > quiet.at) this.quiet.delete(key);
    return this.quiet.get(key);
  }

  /** How long a silence is let run before the next quote: the bound, doubled for each quote in a row that found the market quiet. */
  private quietWait(quiet: Quiet | undefined): number {
    const { staleAfterMs, quietMaxMs } = this.options;
    if (!quiet) return staleAfterMs;
    return Math.min(staleAfterMs * 2 ** Math.min(quiet.streak, 20), Math.max(quietMaxMs, staleAfterMs));
  }

  private sessionOf(exchange: Exchange, now: number): SessionAt {
    const known = this.sessions.get(exchange);
    if (known && now >= known.from && now < (known.session.open ? known.session.closesAt : known.session.opensAt)) return known.session;
    const session = sessionAt(exchange, now, this.deps.calendar);
    this.sessions.set(exchange, { from: now, session });
    return session;
  }

  /** One REST quote for the account's silent instruments, and what it shows. */
  private async crossCheck(accountId: BrokerAccountId, due: readonly DueFeed[]): Promise<void> {
    const { clock, logger } = this.deps;
    const feeds = due.map((d) => d.feed);
    const broker = feeds[0]!.broker;
    this.inFlight.add(accountId);
    this.accountNextAt.set(accountId, clock.now() + this.options.quoteEveryMs);
    let quotes: readonly Quote[] | null = null;
    let failure: string | null = null;
    try {
      if (broker.data.quote) quotes = await broker.data.quote(feeds.map((f) => f.instrument));
      else failure = 'this broker has no REST quote to cross-check it with';
    } catch (err) {
      failure = `the REST quote failed: ${err instanceof Error ? err.message : String(err)}`;
      logger.warn({ err, accountId }, 'REST quote of a silent price stream failed');
    } finally {
      this.inFlight.delete(accountId);
    }
    if (this.closed) return;
    for (const { feed, openedAt } of due) {
      const quote = quotes?.find((q) => q.exchange === feed.instrument.exchange && q.symbol === feed.instrument.symbol);
      this.weigh(feed, openedAt, quote ?? null, failure ?? `the REST quote has no price for ${instrumentKey(feed.instrument.exchange, feed.instrument.symbol)}`);
    }
    this.soon(Math.max(0, (this.accountNextAt.get(accountId) ?? 0) - clock.now()));
  }

  /** What one instrument's quote says: current (quiet market), or a stale stream, whose quote is acted on. */
  private weigh(feed: GuardedFeed, openedAt: number | null, quote: Quote | null, missing: string): void {
    const { clock, market } = this.deps;
    const now = clock.now();
    const stream = market.freshness.of(feed.key);
    const silentForMs = now - (stream?.receivedAt ?? stream?.watchedAt ?? now);
    // A last trade from before this session's open is no price for it (an IEX feed may not have
    // traded yet today): nothing newer than the stream, and never acted on.
    const beforeOpen = quote !== null && quote.at !== null && openedAt !== null && quote.at < openedAt;
    let episode = this.episodes.get(feed.key);
    if (!episode) {
      if (beforeOpen || (quote && stream?.price != null && !newer(quote, stream.price, stream.tickAt))) {
        const quiet = this.quietOf(feed.key, stream?.receivedAt ?? stream?.watchedAt ?? now);
        this.quiet.set(feed.key, { at: now, streak: (quiet?.streak ?? 0) + 1 });
        return;
      }
      this.quiet.delete(feed.key);
      episode = { since: now, silentSince: now - silentForMs, told: new Map(), quotePrice: null, detail: '' };
      this.episodes.set(feed.key, episode);
      market.freshness.markStale(feed.key, true);
    }
    if (beforeOpen) return;
    episode.quotePrice = quote?.price ?? null;
    episode.detail = quote ? `a REST quote shows ${quote.price}; it is acted on as a tick until the stream is back` : missing;
    this.tell(feed, episode, now);
    if (quote) market.applyQuote(feed.key, { price: quote.price, at: quote.at ?? now }, silentForMs);
  }

  /** price_stale for each run on the feed not told yet. */
  private tell(feed: GuardedFeed, episode: Episode, now: number): void {
    const stream = this.deps.market.freshness.of(feed.key);
    const lastPriceAt = stream?.receivedAt ?? null;
    for (const strategyId of feed.strategies) {
      if (episode.told.has(strategyId)) continue;
      const run = this.deps.runOf(strategyId);
      if (!run) continue;
      episode.told.set(strategyId, run);
      this.deps.bus.publish({
        type: 'price_stale',
        ...run,
        strategyId,
        instrument: instrumentKey(feed.instrument.exchange, feed.instrument.symbol),
        lastPrice: stream?.price ?? null,
        lastPriceAt,
        lastPriceAgeMs: now - (lastPriceAt ?? stream?.watchedAt ?? now),
        quotePrice: episode.quotePrice,
        detail: episode.detail,
        at: now,
      });
    }
  }

  /** The stream gave a price for a feed marked stale: each run told hears it is fresh. */
  private fresh(key: string, price: number): void {
    const episode = this.episodes.get(key);
    this.episodes.delete(key);
    this.quiet.delete(key);
    if (!episode || this.closed) return;
    const now = this.deps.clock.now();
    const instrument = key.slice(key.indexOf('|') + 1);
    for (const [strategyId, run] of episode.told) {
      this.deps.bus.publish({ type: 'price_fresh', ...run, strategyId, instrument, price, silentForMs: now - episode.silentSince, at: now });
    }
  }

  /** Episodes and confirmations of feeds no position is guarding any more end without an event. */
  private forgetUnguarded(feeds: readonly GuardedFeed[]): void {
    const guarded = new Map(feeds.map((f) => [f.key, new Set(f.strategies)]));
    for (const [key, episode] of this.episodes) {
      const strategies = guarded.get(key);
      if (!strategies) this.endEpisode(key);
      else for (const id of episode.told.keys()) if (!strategies.has(id)) episode.told.delete(id);
    }
    for (const key of this.quiet.keys()) if (!guarded.has(key)) this.quiet.delete(key);
  }

  private endEpisode(key: string): void {
    if (!this.episodes.delete(key)) return;
    this.deps.market.freshness.markStale(key, false);
  }
}

/** Whether the quote is a newer price than the stream's last: a later trade, or where it has no time, another price. */
function newer(quote: Quote, streamPrice: number, streamTickAt: number | null): boolean {
  if (quote.at !== null && streamTickAt !== null) return quote.at > streamTickAt;
  return quote.price !== streamPrice;
}
