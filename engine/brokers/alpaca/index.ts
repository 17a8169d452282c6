/**
 * The Alpaca broker's public face: the broker-kind entry the composition root registers, and
 * the factory for tests and tools.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock';
import type { BrokerKind } from '../broker-kinds';
import { fetchAlpacaBars } from '../../backtest/alpaca-bars';
import { fetchAlpacaTrades } from '../../backtest/alpaca-trades';
import { alpacaCredentialsSchema, alpacaEndpoints, alpacaOptionsSchema, DEFAULT_ALPACA_TIMING, type AlpacaTiming } from './alpaca-config';
import { createAlpacaBroker } from './alpaca-broker';
import { RateBudget } from './rate-budget';
import { ALPACA_EXCHANGES } from './alpaca-instruments';
import { ALPACA_BACKSTOP_BY_DEFAULT } from './alpaca-resting-stops';

export { ALPACA_CAPABILITIES, createAlpacaBroker, type AlpacaBroker, type AlpacaBrokerOptions } from './alpaca-broker';
export { alpacaCredentialsSchema, alpacaEndpoints, alpacaOptionsSchema, DEFAULT_ALPACA_TIMING, type AlpacaCredentials, type AlpacaEndpoints, type AlpacaOptions, type AlpacaTiming, type AlpacaUserOptions } from './alpaca-config';
export { RateBudget } from './rate-budget';

export interface AlpacaKindDeps {
  /** The daemon's logger (redacting, to its log file); default: pino to stdout. */
  readonly logger?: Logger;
  readonly timing?: Partial<AlpacaTiming>;
}

/**
 * The `alpaca` entry of the broker kinds. Every broker it creates on the same key id shares one
 * request budget (PROTOCOLS.md §1.9: 200/min *per API key*), so the connect form's probe, the
 * running session and a second account on the same keys never add up past Alpaca's limit.
 *
 * @example
 *   const kinds = { ...defaultBrokerKinds(), alpaca: alpacaBrokerKind({ logger }) };
 */
export function alpacaBrokerKind(deps: AlpacaKindDeps = {}): BrokerKind {
  const timing: AlpacaTiming = { ...DEFAULT_ALPACA_TIMING, ...deps.timing };
  const budgets = new Map<string, RateBudget>();
  const budgetFor = (clock: Clock, keyId: string): RateBudget => {
    let budget = budgets.get(keyId);
    if (!budget) budgets.set(keyId, (budget = new RateBudget(clock, timing.requestsPerWindow, timing.rateWindowMs)));
    return budget;
  };
  return {
    title: 'Alpaca (US stocks, paper or live)',
    credentialsSchema: alpacaCredentialsSchema,
    optionsSchema: alpacaOptionsSchema,
    needsSecret: true,
    exchanges: ALPACA_EXCHANGES,
    backstopByDefault: ALPACA_BACKSTOP_BY_DEFAULT,
    // Read through the schema so its default (paper) holds; options it refuses read as live.
    mode: (options) => (alpacaOptionsSchema.safeParse(options).data?.paper === true ? 'paper' : 'live'),
    create: ({ clock, credentials, options }) => {
      const creds = alpacaCredentialsSchema.parse(credentials);
      return createAlpacaBroker({ clock, credentials: creds, options, timing, budget: budgetFor(clock, creds.key_id), ...(deps.logger ? { logger: deps.logger } : {}) });
    },
    // The market-data host and the plan's feed of the account's own options (data_url, feed).
    historicalBars: ({ credentials, options }) => {
      const creds = alpacaCredentialsSchema.parse(credentials);
      const o = alpacaOptionsSchema.parse(options);
      const source = { dataUrl: alpacaEndpoints(o).dataRestUrl, keyId: creds.key_id, secretKey: creds.secret_key, feed: o.feed };
      return (instrument, start, end) => fetchAlpacaBars(source, instrument.symbol, start, end);
    },
    // The same host and feed: GET /v2/stocks/trades (backtest/alpaca-trades.ts).
    historicalTrades: ({ credentials, options }) => {
      const creds = alpacaCredentialsSchema.parse(credentials);
      const o = alpacaOptionsSchema.parse(options);
      const source = { dataUrl: alpacaEndpoints(o).dataRestUrl, keyId: creds.key_id, secretKey: creds.secret_key, feed: o.feed };
      return (instrument, start, end, max) => fetchAlpacaTrades(source, instrument.symbol, start, end, max);
    },
  };
}
