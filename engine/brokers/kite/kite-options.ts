/**
 * What a trader enters for a Kite account: credentials (secret, kept in the vault) and options
 * (endpoints and settings, not secret). Both are parsed once, strictly, with errors that name the
 * field, so a misspelt option never silently falls back to a default.
 */
import { z } from 'zod';
import { validationError, type FieldError } from '../../core/errors';
import { proxyUrlSchema } from '../proxy-url';
import { KITE_EXCHANGES } from './kite-instruments';

export const KITE_REST_URL = 'https://api.kite.trade';
export const KITE_TICKER_URL = 'wss://ws.kite.trade';
export const KITE_LOGIN_URL = 'https://kite.zerodha.com/connect/login';

// Kite issues keys, secrets and tokens as letters and digits; anything else is a paste error, and
// a ':' or whitespace would corrupt the "token key:token" header.
const kiteId = (what: string, max: number) =>
  z
    .string({ error: `${what} is required` })
    .trim()
    .min(1, { error: `${what} is required` })
    .max(max, { error: `${what} must be at most ${max} characters` })
    .regex(/^[A-Za-z0-9]+$/, { error: `${what} must be letters and digits only, exactly as Kite shows it` });

/** A proxy user name or password: printable, no ':' in the name (it would split the Basic pair). */
function proxySecret(what: 'proxy_username' | 'proxy_password') {
  return z
    .string({ error: `${what} must be text` })
    .min(1, { error: `${what} must not be empty (leave it out when the proxy asks for none)` })
    .max(255, { error: `${what} must be at most 255 characters (SOCKS5's limit)` })
    .regex(what === 'proxy_username' ? /^[\x21-\x39\x3b-\x7e]+$/ : /^[\x20-\x7e]+$/, {
      error: what === 'proxy_username' ? `${what} must be printable ASCII without spaces or ':'` : `${what} must be printable ASCII`,
    });
}

/**
 * Kite credentials. `access_token` is the daily token from the Kite login; absent until the
 * trader has logged in once.
 *
 * @example kiteCredentialsSchema.parse({ api_key: 'abc123', api_secret: 's3cr3t' })
 */
export const kiteCredentialsSchema = z
  .strictObject({
    api_key: kiteId('api_key', 64),
    api_secret: kiteId('api_secret', 128),
    access_token: kiteId('access_token', 128).optional(),
    /** The proxy's user name and password (options.proxy_url), when it asks for them. */
    proxy_username: proxySecret('proxy_username').optional(),
    proxy_password: proxySecret('proxy_password').optional(),
  })
  // Both or neither: a user name alone would make the SOCKS5 agent offer no authentication at all.
  .refine((c) => c.proxy_password === undefined || c.proxy_username !== undefined, { error: 'a proxy password needs a proxy_username', path: ['proxy_username'] })
  .refine((c) => c.proxy_username === undefined || c.proxy_password !== undefined, { error: 'a proxy user name needs a proxy_password', path: ['proxy_password'] });
export type KiteCredentials = z.output<typeof kiteCredentialsSchema>;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** An endpoint URL: the secure scheme, or the plain one on loopback only (the test fakes). */
const endpoint = (secure: 'https:' | 'wss:', plain: 'http:' | 'ws:') =>
  z
    .string({ error: 'must be a URL' })
    .max(2048, { error: 'must be at most 2048 characters' })
    .refine((s) => URL.canParse(s), { error: 'must be an absolute URL' })
    .refine(
      (s) => {
        if (!URL.canParse(s)) return true; // already reported above
        const u = new URL(s);
        return u.protocol === secure || (u.protocol === plain && LOOPBACK.has(u.hostname));
      },
      { error: `must use ${secure.slice(0, -1)}:// (${plain.slice(0, -1)}:// only on 127.0.0.1 / localhost), so the token is never sent in clear` },
    );

const ms = (min: number, max: number) =>
  z
    .number({ error: 'must be a number of milliseconds' })
    .int({ error: 'must be a whole number of milliseconds' })
    .min(min, { error: `must be at least ${min} ms` })
    .max(max, { error: `must be at most ${max} ms` });

/**
 * Kite options; every one has a default.
 *
 * @example kiteOptionsSchema.parse({ mode: 'full', product: 'CNC' })
 */
export const kiteOptionsSchema = z.strictObject({
  rest_url: endpoint('https:', 'http:').default(KITE_REST_URL),
  ticker_url: endpoint('wss:', 'ws:').default(KITE_TICKER_URL),
  login_url: endpoint('https:', 'http:').default(KITE_LOGIN_URL),
  /** Ticker mode: ltp is all a stop-loss needs; quote and full add volume, OHLC, depth. */
  mode: z.enum(['ltp', 'quote', 'full'], { error: 'must be ltp, quote or full' }).default('ltp'),
  /** MIS: intraday (Kite squares it off itself near the close); CNC: delivery. */
  product: z.enum(['MIS', 'CNC'], { error: 'must be MIS (intraday) or CNC (delivery)' }).default('MIS'),
  /** Exchanges whose instrument dumps are downloaded and traded. */
  exchanges: z
    .array(z.enum(KITE_EXCHANGES, { error: `must be one of ${KITE_EXCHANGES.join(', ')}` }))
    .min(1, { error: 'must list at least one exchange' })
    .refine((a) => new Set(a).size === a.length, { error: 'must not repeat an exchange' })
    .default([...KITE_EXCHANGES]),
  /**
   * Kite refuses API market orders without market protection: -1 lets Kite choose it, 1–100 is
   * the percentage band within which the market order may fill.
   */
  market_protection: z
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .refine((n) => n === -1 || (n >= 1 && n <= 100), { error: 'must be -1 (automatic) or a percentage from 1 to 100; Kite refuses market orders without protection' })
    .default(-1),
  /**
   * An options exit (NFO, BFO) goes as a LIMIT this percentage of the last price beyond it (a sell
   * below, a buy above), inside the exchange's band; each re-price of an exit left resting crosses
   * by as much again, up to the band's edge (kite-exit-chase.ts).
   */
  exit_price_buffer_pct: z
    .number({ error: 'must be a number (a percentage of the last price)' })
    .min(0.5, { error: 'must be at least 0.5 (%): a thinner buffer leaves an exit behind a moving premium' })
    .max(40, { error: 'must be at most 40 (%): NSE refuses option prices beyond 40% of the reference (limit price protection)' })
    .default(5),
  /** How long an options exit may rest unfilled before it is re-priced (and between re-prices). */
  exit_reprice_after_ms: ms(500, 60_000).default(2_000),
  /** Re-prices of one options exit at most; Kite refuses the 26th modification of an order. */
  exit_max_modifications: z
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be at least 1' })
    .max(25, { error: 'must be at most 25: Kite allows 25 modifications an order' })
    .default(20),
  /** Per REST call; the SDKs use 7 s. A timed-out order is "unknown" and looked up by tag. */
  request_timeout_ms: ms(500, 60_000).default(7_000),
  /** Silence (not even a heartbeat) after which the ticker is reconnected; Kite heartbeats every second. */
  stale_after_ms: ms(2_000, 120_000).default(5_000),
  /** Cap of the reconnect backoff. */
  reconnect_max_delay_ms: ms(1_000, 300_000).default(30_000),
  /** Longest an order may wait for Tradeclock's own rate limiter before it is refused. */
  max_rate_wait_ms: ms(0, 10_000).default(2_000),
  /**
   * Every REST call (orders above all: Kite takes them only from the registered static IP) goes
   * through this proxy: http(s)://host:port (CONNECT) or socks5://host:port. The ticker stays direct.
   */
  proxy_url: proxyUrlSchema.optional(),
});
export type KiteOptions = z.output<typeof kiteOptionsSchema>;
export type KiteUserOptions = z.input<typeof kiteOptionsSchema>;

/** Parses credentials; throws a `validation_failed` DomainError naming each bad field. */
export function parseKiteCredentials(raw: unknown): KiteCredentials {
  const r = kiteCredentialsSchema.safeParse(raw ?? {});
  if (r.success) return r.data;
  throw validationError(r.error.issues.flatMap((i) => toFieldErrors(i, 'credentials', 'is not a Kite credential')));
}

/** Parses options; throws a `validation_failed` DomainError naming each bad option. */
export function parseKiteOptions(raw: unknown): KiteOptions {
  const r = kiteOptionsSchema.safeParse(raw ?? {});
  if (r.success) return r.data;
  throw validationError(r.error.issues.flatMap((i) => toFieldErrors(i, 'options', 'is not a Kite option')));
}

function toFieldErrors(issue: z.core.$ZodIssue, whole: string, unknownKey: string): FieldError[] {
  const at = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ field: at ? `${at}.${key}` : key, message: unknownKey }));
  return [{ field: at || whole, message: issue.message }];
}
