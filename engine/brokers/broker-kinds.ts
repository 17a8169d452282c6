/**
 * The brokers Tradeclock can connect to, each with the shape of its credentials and options and
 * how to build it. Adding a broker is adding an entry here; nothing else asks which broker it is.
 */
import { z } from 'zod';
import type { Clock } from '../core/clock';
import type { Broker } from './broker';
import { createPaperBroker } from './paper/paper-broker';
import { paperBrokerOptionsSchema } from './paper/paper-config';
import { PAPER_BACKSTOP_BY_DEFAULT } from './paper/paper-resting-stops';
import { kiteBrokerKind } from './kite';
import { alpacaBrokerKind } from './alpaca';
import { BINANCE, ccxtBrokerKind } from './ccxt';
import type { Logger } from 'pino';
import type { HistoricalBar } from '../../db/repos/historical-bars';
import type { HistoricalTick } from '../../db/repos/historical-ticks';
import { EXCHANGES, type Exchange } from '../core/types';

export interface BrokerKind {
  /** Label for the connect form. */
  readonly title: string;
  /** Credentials as the trader enters them; validated before anything is stored. */
  readonly credentialsSchema: z.ZodType<Record<string, string>>;
  /** Endpoint overrides and settings; never secret. */
  readonly optionsSchema: z.ZodType<Record<string, unknown>>;
  /** False for paper: nothing to encrypt, no keychain needed. */
  readonly needsSecret: boolean;
  create(args: { readonly clock: Clock; readonly credentials: Record<string, string>; readonly options: Record<string, unknown> }): Broker;
  /** Brokers whose access token comes from a daily browser login (Kite). */
  readonly dailyLogin?: DailyLogin;
  /**
   * The exchanges an account of this kind trades, the first being what a strategy gets when it
   * names none: the same list as the broker's capabilities, known before the broker is opened.
   */
  readonly exchanges?: readonly Exchange[];
  /** Whether an account with these options moves real money. Left out: live, the safe reading. */
  readonly mode?: (options: Record<string, unknown>) => AccountMode;
  /**
   * Whether a strategy that leaves `backstop` out gets one at this broker: its resting stops'
   * `onByDefault`, known before a broker is opened. Left out: false (no resting stops).
   */
  readonly backstopByDefault?: boolean;
  /**
   * Past 1-minute bars from this broker, for a backtest to fill the store with (POST /backtest
   * `fetch_missing`). Left out: the broker offers none (paper's market is simulated).
   */
  readonly historicalBars?: (args: { readonly clock: Clock; readonly credentials: Record<string, string>; readonly options: Record<string, unknown> }) => HistoricalBars;
  /**
   * Past trades (ticks) from this broker, for a backtest's tick store (POST /backtest
   * `fetch_ticks`). Left out: none (Kite's historical API has candles only; paper's market is simulated).
   */
  readonly historicalTrades?: (args: { readonly credentials: Record<string, string>; readonly options: Record<string, unknown> }) => HistoricalTrades;
  /** Whether its backstop takes a leg's target along (its resting stops' `oco`: Kite's two-leg GTT). Left out: false. */
  readonly backstopOco?: boolean;
  /**
   * Credentials a person chooses rather than a broker issues (a proxy's password): shown as '••••'
   * whatever their length, since even four characters of a chosen, perhaps reused, password leak
   * it. Left out: none (issued keys show their first and last two characters).
   */
  readonly chosenSecrets?: readonly string[];
}

/**
 * One instrument's bars with start ≤ minute < end (epoch ms), oldest first. Rejects with a
 * HistoricalFetchError (engine/backtest) naming the instrument, never a key, when the broker
 * refuses or answers what cannot be read.
 */
export type HistoricalBars = (instrument: { readonly exchange: Exchange; readonly symbol: string }, start: number, end: number) => Promise<HistoricalBar[]>;

/**
 * One instrument's trades that set the last price (core/last-sale.ts) with start ≤ at < end, oldest
 * first in the tape's order; more than `max` rejects. Rejects with a HistoricalFetchError naming
 * the instrument, never a key.
 */
export type HistoricalTrades = (instrument: { readonly exchange: Exchange; readonly symbol: string }, start: number, end: number, max: number) => Promise<HistoricalTick[]>;

/** PAPER: simulated or a broker's paper endpoint; LIVE: real money. */
export type AccountMode = 'paper' | 'live';

/** What an account trades (first: the default) and with which money. */
export interface AccountFacts {
  readonly mode: AccountMode;
  readonly exchanges: readonly Exchange[];
  /** Whether a strategy that leaves `backstop` out gets one (BrokerKind.backstopByDefault). */
  readonly backstopByDefault: boolean;
  /** Whether the backstop rests with a take-profit at a leg's target (BrokerKind.backstopOco). */
  readonly backstopOco: boolean;
}

/** What an account trades and with which money, from its kind and options alone. */
export function accountFacts(kind: BrokerKind | undefined, options: Record<string, unknown>): AccountFacts {
  return { mode: kind?.mode?.(options) ?? 'live', exchanges: kind?.exchanges ?? [], backstopByDefault: kind?.backstopByDefault ?? false, backstopOco: kind?.backstopOco ?? false };
}

export interface DailyLogin {
  /** The credentials field that holds the day's access token. */
  readonly tokenField: string;
  /** The page the trader opens to log in; `state` comes back on the redirect. */
  loginUrl(credentials: Record<string, string>, options: Record<string, unknown>, state: Record<string, string>): string;
  /** Reads what the redirect (or a pasted URL or token) brought back. */
  parseRedirect(input: string): { ok: true; requestToken: string; params: Record<string, string> } | { ok: false; reason: string };
  /** Trades the request token for the day's access token. */
  complete(args: { clock: Clock; credentials: Record<string, string>; options: Record<string, unknown>; requestToken: string }): Promise<{ accessToken: string; expiresAt: number }>;
}

export type BrokerKinds = Readonly<Record<string, BrokerKind>>;

/** Every broker this build supports. The logger reaches adapters that log (reconnects, refusals). */
export function defaultBrokerKinds(deps: { readonly logger?: Logger } = {}): BrokerKinds {
  return {
    paper: {
      title: 'Paper trading (simulated market)',
      credentialsSchema: z.strictObject({}),
      optionsSchema: paperBrokerOptionsSchema,
      needsSecret: false,
      exchanges: EXCHANGES,
      mode: () => 'paper',
      backstopByDefault: PAPER_BACKSTOP_BY_DEFAULT,
      create: ({ clock, options }) => createPaperBroker({ clock, ...options }),
    },
    alpaca: alpacaBrokerKind(deps.logger ? { logger: deps.logger } : {}),
    kite: kiteBrokerKind(deps.logger ? { logger: deps.logger } : {}),
    binance: ccxtBrokerKind(BINANCE, deps.logger ? { logger: deps.logger } : {}),
  };
}
