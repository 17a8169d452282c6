/**
 * What the readiness checks read, gathered once per check by the readiness service: the strategy's
 * entry and exit, what the broker says it can do, and what it answered just now. Plain data, so
 * every check is a pure function of it (tests build it by hand).
 */
import type { BrokerAccountSnapshot, BrokerCapabilities, BrokerSessionInfo, TradingPairAssets, TradingPairFacts } from '../brokers/broker';
import type { FeedState } from '../core/events';
import type { Exchange, OrderSide } from '../core/types';
import type { TradingCalendar } from '../scheduler/trading-calendar';

/** The account's snapshot, the reason it could not be had, or nothing to ask (a broker without one). */
export type AccountAnswer =
  | { readonly kind: 'answered'; readonly snapshot: BrokerAccountSnapshot }
  | { readonly kind: 'failed'; readonly reason: string }
  | { readonly kind: 'none' };

/** What the venue lists for the strategy's pair (a crypto venue), the reason it could not be had, or nothing to ask. */
export type PairAnswer =
  | { readonly kind: 'answered'; readonly facts: TradingPairFacts }
  | { readonly kind: 'failed'; readonly reason: string }
  | { readonly kind: 'none' };

/** The pair's two assets (a spot account's funds check), the reason they could not be had, or nothing to ask. */
export type AssetsAnswer =
  | { readonly kind: 'answered'; readonly assets: TradingPairAssets }
  | { readonly kind: 'failed'; readonly reason: string }
  | { readonly kind: 'none' };

/**
 * What is known about the instrument's prices: the broker feed's last reported state (undefined
 * before it reported any) and what it said with it, the stream's last price of the instrument
 * and when it arrived here (null: none yet), and whether the stale-price watch found the stream
 * behind a REST quote.
 */
export interface FeedFacts {
  readonly state: FeedState | undefined;
  /** The broker's words with its state ("socket closed"); null when none. */
  readonly detail: string | null;
  readonly lastPrice: { readonly price: number; readonly at: number } | null;
  readonly streamStale: boolean;
}

export interface ReadinessInputs {
  readonly now: number;
  /** "Alpaca", "Kite", "Paper": how the sentences name the broker. */
  readonly brokerName: string;
  readonly capabilities: BrokerCapabilities;
  readonly symbol: string;
  readonly exchange: Exchange;
  /** The entry's side: a short sells first. */
  readonly side: OrderSide;
  readonly qty: number;
  /** IANA zone the sentences give times in (the strategy's). */
  readonly timezone: string;
  /** When the entry is due, and the last exit the run plans (its square-off, else its SELL). */
  readonly entryAt: number;
  readonly exitAt: number;
  /** The daily login's state (Kite); null for a broker without one. */
  readonly session: BrokerSessionInfo | null;
  readonly account: AccountAnswer;
  readonly pair: PairAnswer;
  readonly assets: AssetsAnswer;
  readonly feed: FeedFacts;
  /**
   * From the order journal, for a broker that takes orders only from a registered IP: when an
   * order of this account was last refused for it, and when one was last taken (null: never).
   */
  readonly orders: { readonly lastIpRefusalAt: number | null; readonly lastTakenAt: number | null };
  readonly calendar: TradingCalendar;
}
