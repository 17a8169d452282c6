/**
 * Zerodha Kite Connect: the broker kind the composition root registers, and the public API of
 * this folder (the login helpers the API's loopback route and pre-market check use).
 */
import type { BrokerKind } from '../broker-kinds';
import { createKiteBroker, KITE_CAPABILITIES } from './kite-broker';
import { kiteHistory } from './kite-history';
import { kiteCredentialsSchema, kiteOptionsSchema } from './kite-options';
import { KITE_BACKSTOP_BY_DEFAULT, KITE_BACKSTOP_OCO } from './kite-resting-stops';
import { exchangeRequestToken, kiteLoginUrl, parseKiteRedirect } from './login';
import type { BrokerLogin } from '../broker';
import type { Logger } from 'pino';

/**
 * The Kite entry for the broker-kinds registry.
 *
 * @example const kinds = { ...defaultBrokerKinds(), kite: kiteBrokerKind({ logger }) };
 */
export function kiteBrokerKind(deps: { readonly logger?: Logger } = {}): BrokerKind {
  return {
    title: 'Zerodha Kite Connect (NSE, BSE, NFO, BFO)',
    credentialsSchema: kiteCredentialsSchema,
    optionsSchema: kiteOptionsSchema,
    needsSecret: true,
    exchanges: KITE_CAPABILITIES.exchanges,
    backstopByDefault: KITE_BACKSTOP_BY_DEFAULT,
    backstopOco: KITE_BACKSTOP_OCO,
    chosenSecrets: ['proxy_password'],
    // Kite Connect has no paper endpoint: every account is real money.
    mode: () => 'live',
    create: ({ clock, credentials, options }) => {
      const kite = createKiteBroker({ clock, credentials, options, ...(deps.logger ? { logger: deps.logger } : {}) });
      // The broker seam's daily-login part, so the engine never asks which broker this is.
      const login: BrokerLogin = {
        current: () => kite.session(),
        onChange: (listener) => kite.onSessionChange(listener),
        check: () => kite.checkSession(),
        setAccessToken: (token) => kite.setAccessToken(token),
      };
      return Object.assign(kite, { login });
    },
    historicalBars: (args) => kiteHistory(args),
    dailyLogin: {
      tokenField: 'access_token',
      loginUrl: (credentials, options, state) => kiteLoginUrl(credentials.api_key!, { loginUrl: kiteOptionsSchema.parse(options).login_url, redirectParams: state }),
      parseRedirect: (input) => parseKiteRedirect(input),
      complete: async ({ clock, credentials, options, requestToken }) => {
        const done = await exchangeRequestToken({ apiKey: credentials.api_key!, apiSecret: credentials.api_secret!, requestToken, clock, restUrl: kiteOptionsSchema.parse(options).rest_url });
        return { accessToken: done.accessToken, expiresAt: done.expiresAt };
      },
    },
  };
}

export { createKiteBroker, KITE_CAPABILITIES, type KiteBroker, type KiteBrokerArgs } from './kite-broker';
export type { KiteSession, KiteSessionState } from './kite-session';
export type { KiteTickerNotice } from './kite-ticker';
export { kiteCredentialsSchema, kiteOptionsSchema, type KiteCredentials, type KiteOptions, type KiteUserOptions } from './kite-options';
export { exchangeRequestToken, kiteChecksum, kiteLoginUrl, parseKiteRedirect, invalidateAccessToken, type KiteLogin } from './login';
export { kiteTokenExpiry, nextPreMarketCheck, KITE_PRE_MARKET_CHECK_AT, KITE_SESSION_EXPIRY } from './token-expiry';
