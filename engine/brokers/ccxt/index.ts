/**
 * The CCXT venues' public face: the broker-kind entry the composition root registers for each
 * venue of the table (ccxt-venues.ts), so another venue is a row there and a line in
 * `defaultBrokerKinds`, not code. CCXT itself is imported only when an account is first used.
 *
 * @example
 *   const kinds = { ...defaultBrokerKinds(), binance: ccxtBrokerKind(BINANCE, { logger }) };
 */
import type { Logger } from 'pino';
import type { BrokerKind } from '../broker-kinds';
import { ccxtCredentialsSchema, ccxtOptionsSchema, createCcxtAccount } from './ccxt-account';
import { CCXT_EXCHANGE } from './ccxt-instruments';
import { CCXT_BACKSTOP_BY_DEFAULT } from './ccxt-resting-stops';
import type { CcxtVenue } from './ccxt-venues';

export { BINANCE, CCXT_VENUES, type CcxtVenue } from './ccxt-venues';
export { ccxtCredentialsSchema, ccxtOptionsSchema, createCcxtAccount, type CcxtAccount } from './ccxt-account';

export interface CcxtKindDeps {
  /** The daemon's logger (redacting, to its log file); default: pino to stdout. */
  readonly logger?: Logger;
}

/**
 * The broker kind of one CCXT venue: its API key and secret in the vault, testnet unless set
 * false (then 'paper' money, as Alpaca's paper endpoint), CRYPTO pairs only; a backstop (a STOP_LOSS
 * order at the venue) by default. No past prices for a backtest yet.
 */
export function ccxtBrokerKind(venue: CcxtVenue, deps: CcxtKindDeps = {}): BrokerKind {
  return {
    title: `${venue.title} (crypto pairs through CCXT, testnet or live)`,
    credentialsSchema: ccxtCredentialsSchema,
    optionsSchema: ccxtOptionsSchema,
    needsSecret: true,
    exchanges: [CCXT_EXCHANGE],
    backstopByDefault: CCXT_BACKSTOP_BY_DEFAULT,
    // Read through the schema so its default (testnet) holds; options it refuses read as live.
    mode: (options) => (ccxtOptionsSchema.safeParse(options).data?.testnet === true ? 'paper' : 'live'),
    create: ({ clock, credentials, options }) =>
      createCcxtAccount({ venue, clock, credentials: ccxtCredentialsSchema.parse(credentials), options: ccxtOptionsSchema.parse(options), ...(deps.logger ? { logger: deps.logger } : {}) }),
  };
}
