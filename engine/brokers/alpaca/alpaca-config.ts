/**
 * What a trader types to connect an Alpaca account (key id + secret, paper or live, endpoint
 * overrides, data feed), parsed once with errors that name the field, and the endpoints it
 * resolves to. URLs and their defaults: ../shared/brokers/PROTOCOLS.md §1.1, §1.10, §1.11.
 */
import { z } from 'zod';

/** PROTOCOLS.md §1.1: live and paper REST hosts (paper has its own keys). */
export const ALPACA_LIVE_REST_URL = 'https://api.alpaca.markets';
export const ALPACA_PAPER_REST_URL = 'https://paper-api.alpaca.markets';
/** PROTOCOLS.md §1.1: the market-data REST host (latest trades). */
export const ALPACA_DATA_REST_URL = 'https://data.alpaca.markets';
/** PROTOCOLS.md §1.10: `wss://stream.data.alpaca.markets/{version}/{feed}`. */
export const ALPACA_DATA_STREAM_BASE = 'wss://stream.data.alpaca.markets/v2';

/** Hosts where plain http/ws is tolerated (the loopback fake); keys never cross a network in clear. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

// Alpaca key ids are ~20 and secrets ~40 printable characters; the limits only stop absurd input.
const printable = /^[\x21-\x7e]+$/;
const keyId = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, { error: 'is required' })
  .max(64, { error: 'must be at most 64 characters' })
  .regex(printable, { error: 'must be printable characters without spaces' });
const secretKey = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, { error: 'is required' })
  .max(128, { error: 'must be at most 128 characters' })
  .regex(printable, { error: 'must be printable characters without spaces' });

/**
 * The credentials of an Alpaca account, as the connect form sends them.
 * @example alpacaCredentialsSchema.parse({ key_id: 'PK0123456789ABCDEFGH', secret_key: '…' })
 */
export const alpacaCredentialsSchema = z.strictObject({ key_id: keyId, secret_key: secretKey });
export type AlpacaCredentials = z.output<typeof alpacaCredentialsSchema>;

/**
 * An endpoint override: an absolute URL in one of `schemes`, `secure` unless on loopback (keys
 * travel with every request), no query, fragment or user info, trailing slashes dropped. The CCXT
 * kind's `rest_url` is checked by it too.
 * @example endpointUrl(['https', 'http'], 'https').parse('http://127.0.0.1:4567/') // 'http://127.0.0.1:4567'
 */
export function endpointUrl(schemes: readonly string[], secure: string) {
  return z
    .string({ error: 'must be a URL' })
    .trim()
    .max(500, { error: 'must be at most 500 characters' })
    .superRefine((text, ctx) => {
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be an absolute URL such as ${secure}://host` });
        return;
      }
      if (!schemes.includes(url.protocol.slice(0, -1))) ctx.addIssue({ code: 'custom', message: `must start with ${schemes.map((s) => `${s}://`).join(' or ')}` });
      else if (url.protocol !== `${secure}:` && !LOOPBACK_HOSTS.has(url.hostname)) ctx.addIssue({ code: 'custom', message: `must use ${secure}:// (plain ${url.protocol.slice(0, -1)} is only allowed for localhost): the API keys travel with every request` });
      if (url.search || url.hash) ctx.addIssue({ code: 'custom', message: 'must not have a query string or fragment' });
      if (url.username || url.password) ctx.addIssue({ code: 'custom', message: 'must not carry a user name or password' });
    })
    // One canonical form, so "https://x/" and "https://x" build the same paths.
    .transform((text) => text.replace(/\/+$/, ''));
}

/**
 * User-facing options of an Alpaca account. Unknown keys are an error, so a misspelt override
 * never silently falls back to the production host.
 *
 * @example alpacaOptionsSchema.parse({ paper: false, feed: 'sip' })
 */
export const alpacaOptionsSchema = z.strictObject({
  /** Paper trading (default) or live; they use different hosts and different keys. */
  paper: z.boolean({ error: 'must be true or false' }).default(true),
  /** REST base URL, e.g. a regional host or the test fake; default from `paper`. */
  rest_url: endpointUrl(['https', 'http'], 'https').optional(),
  /** Market-data REST base URL (latest trades, the cross-check of a silent stream); default data.alpaca.markets. */
  data_url: endpointUrl(['https', 'http'], 'https').optional(),
  /** Full market-data stream URL including version and feed; default from `feed`. */
  data_stream_url: endpointUrl(['wss', 'ws'], 'wss').optional(),
  /** Full trade_updates stream URL; default derived from the REST URL, as the JS SDK does. */
  trade_stream_url: endpointUrl(['wss', 'ws'], 'wss').optional(),
  /** Market-data feed: iex (free plan) or sip (paid). Ignored when data_stream_url is set. */
  feed: z.enum(['iex', 'sip'], { error: 'must be "iex" or "sip"' }).default('iex'),
});
export type AlpacaOptions = z.output<typeof alpacaOptionsSchema>;
export type AlpacaUserOptions = z.input<typeof alpacaOptionsSchema>;

export interface AlpacaEndpoints {
  readonly restUrl: string;
  readonly tradeStreamUrl: string;
  readonly dataStreamUrl: string;
  readonly dataRestUrl: string;
}

/**
 * The endpoints an account talks to. Without overrides: PROTOCOLS.md §1.1 hosts; the
 * trade stream is the REST URL with http→ws and `/stream` appended (§1.1, JS SDK), which gives
 * exactly `wss://paper-api.alpaca.markets/stream` and `wss://api.alpaca.markets/stream` (§1.11).
 *
 * @example alpacaEndpoints({ paper: true, feed: 'iex' }).dataStreamUrl === 'wss://stream.data.alpaca.markets/v2/iex'
 */
export function alpacaEndpoints(options: AlpacaOptions): AlpacaEndpoints {
  const restUrl = options.rest_url ?? (options.paper ? ALPACA_PAPER_REST_URL : ALPACA_LIVE_REST_URL);
  return {
    restUrl,
    tradeStreamUrl: options.trade_stream_url ?? `${restUrl.replace(/^http/, 'ws')}/stream`,
    dataStreamUrl: options.data_stream_url ?? `${ALPACA_DATA_STREAM_BASE}/${options.feed}`,
    dataRestUrl: options.data_url ?? ALPACA_DATA_REST_URL,
  };
}

/** Timeouts, retry and heartbeat settings; defaults suit the real service, tests shorten them. */
export interface AlpacaTiming {
  /** A REST call with no answer by then is abandoned (an order's outcome becomes unknown). */
  readonly requestTimeoutMs: number;
  /** PROTOCOLS.md §1.9: 200 requests per minute per API key. */
  readonly requestsPerWindow: number;
  readonly rateWindowMs: number;
  /** Requests held back for orders: polls and warm-ups give way when fewer remain. */
  readonly reservedForOrders: number;
  /** How many times a 429 is waited out before the call gives up (SDKs: 3, §1.9). */
  readonly rateLimitRetries: number;
  /** Reconnect backoff: doubles from base to max, with jitter. */
  readonly reconnectBaseMs: number;
  readonly reconnectMaxMs: number;
  /** Connect + authenticate must finish within this (Alpaca allows 10 s to authenticate, §1.10). */
  readonly handshakeTimeoutMs: number;
  /** WebSocket ping cadence; silence longer than staleAfterMs is 'stale', deadAfterMs reconnects. */
  readonly pingIntervalMs: number;
  readonly staleAfterMs: number;
  readonly deadAfterMs: number;
  /** REST poll cadence for open orders while the trade_updates stream is down. */
  readonly orderPollIntervalMs: number;
}

export const DEFAULT_ALPACA_TIMING: AlpacaTiming = {
  requestTimeoutMs: 10_000,
  requestsPerWindow: 200,
  // One second of slack over Alpaca's minute, so our window and theirs never disagree by a request.
  rateWindowMs: 61_000,
  reservedForOrders: 20,
  rateLimitRetries: 3,
  reconnectBaseMs: 500,
  reconnectMaxMs: 30_000,
  handshakeTimeoutMs: 10_000,
  pingIntervalMs: 10_000,
  staleAfterMs: 20_000,
  deadAfterMs: 40_000,
  orderPollIntervalMs: 2_000,
};
