/**
 * How fresh each watched instrument's price is: when its stream last gave a price, by this
 * machine's clock (a tick's own time is the exchange's, and says nothing about a stream that
 * froze). Only the stream counts: a price asked over REST keeps the stop checked but does not make
 * the stream live. The readiness check and the stale-price watch read it.
 */
import type { BrokerAccountId } from '../core/ids';

/** A watched stream silent this long during its exchange's session, while a position is open, is cross-checked. */
export const DEFAULT_STALE_AFTER_MS = 15_000;

/** The key of one feed: an instrument ("NYSE:AAPL") on one broker account. */
export const feedKey = (accountId: BrokerAccountId, instrument: string) => `${accountId}|${instrument}`;

/** What the stream last gave for one feed. */
export interface StreamPrice {
  /** The last price from the stream; null before its first. */
  price: number | null;
  /** The tick's own time (the exchange's, where the broker sends one); null before the first. */
  tickAt: number | null;
  /** When it arrived here, epoch ms by the engine's clock; null before the first. */
  receivedAt: number | null;
  /** When the feed was first watched: its silence counts from here until its first price. */
  readonly watchedAt: number;
  /** Set by the stale-price watch; the next stream price clears it (and reports the feed fresh). */
  stale: boolean;
}

export class PriceFreshness {
  private readonly feeds = new Map<string, StreamPrice>();

  /** A feed is watched from `now` (a feed seen before keeps what it had). */
  watched(key: string, now: number): void {
    if (!this.feeds.has(key)) this.feeds.set(key, { price: null, tickAt: null, receivedAt: null, watchedAt: now, stale: false });
  }

  /** A price from the stream. Whether the feed had been marked stale (the flag is cleared). */
  note(key: string, price: number, tickAt: number, now: number): boolean {
    let feed = this.feeds.get(key);
    if (feed === undefined) this.feeds.set(key, (feed = { price, tickAt, receivedAt: now, watchedAt: now, stale: false }));
    const wasStale = feed.stale;
    feed.price = price;
    feed.tickAt = tickAt;
    feed.receivedAt = now;
    feed.stale = false;
    return wasStale;
  }

  /** The feed's record, or undefined when it was never watched nor ticked. */
  of(key: string): Readonly<StreamPrice> | undefined {
    return this.feeds.get(key);
  }

  markStale(key: string, stale: boolean): void {
    const feed = this.feeds.get(key);
    if (feed) feed.stale = stale;
  }

  /**
   * When the stream last gave `instrument` a price on this account, epoch ms; null when it never did.
   * @example freshness.lastPriceAt(account, 'NYSE:AAPL') // 1773063000250
   */
  lastPriceAt(accountId: BrokerAccountId, instrument: string): number | null {
    return this.feeds.get(feedKey(accountId, instrument))?.receivedAt ?? null;
  }

  /**
   * How old the stream's last price of `instrument` is at `now`, ms; null when it never gave one.
   * @example freshness.ageMs(account, 'NSE:INFY', clock.now()) // 40000: no tick for 40 s
   */
  ageMs(accountId: BrokerAccountId, instrument: string, now: number): number | null {
    const at = this.lastPriceAt(accountId, instrument);
    return at === null ? null : now - at;
  }
}
