/**
 * Zerodha Kite Connect: the broker kind the composition root registers, and the public API of
 * this folder (the login helpers the API's loopback route and pre-market check use).
 */
import type { BrokerKind } from '../broker-kinds';
import { createKiteBroker } from './kite-broker';
import { kiteCredentialsSchema, kiteOptionsSchema } from './kite-options';

/**
 * The Kite entry for the broker-kinds registry.
 *
 * @example const kinds = { ...defaultBrokerKinds(), kite: kiteBrokerKind() };
 */
export function kiteBrokerKind(): BrokerKind {
  return {
    title: 'Zerodha Kite Connect (NSE, BSE)',
    credentialsSchema: kiteCredentialsSchema,
    optionsSchema: kiteOptionsSchema,
    needsSecret: true,
    create: ({ clock, credentials, options }) => createKiteBroker({ clock, credentials, options }),
  };
}

export { createKiteBroker, KITE_CAPABILITIES, type KiteBroker, type KiteBrokerArgs } from './kite-broker';
export type { KiteSession, KiteSessionState } from './kite-session';
export type { KiteTickerNotice } from './kite-ticker';
export { kiteCredentialsSchema, kiteOptionsSchema, type KiteCredentials, type KiteOptions, type KiteUserOptions } from './kite-options';
export { exchangeRequestToken, kiteChecksum, kiteLoginUrl, parseKiteRedirect, invalidateAccessToken, type KiteLogin } from './login';
export { kiteTokenExpiry, nextPreMarketCheck, KITE_PRE_MARKET_CHECK_AT, KITE_SESSION_EXPIRY } from './token-expiry';
