/**
 * One CCXT exchange instance per account, built on first use: `import('ccxt')` costs ~2.4 s and
 * ~140 MiB (plan §2), so a daemon without a crypto account never pays it.
 *
 * The instance is CCXT's `pro` class (its WebSocket methods serve the streams later), with
 * CCXT's limiter off (its timers are real; our budget runs on the Clock), request timestamps from
 * the injected Clock (`milliseconds`, read by Binance's `nonce()`), every request through our
 * `fetchImplementation` (ccxt-fetch.ts), and `options` that keep it to the endpoints we use.
 */
import type { Exchange } from 'ccxt';
import type { Clock } from '../../core/clock';
import type { RateBudget } from '../alpaca/rate-budget';
import { ccxtFetch } from './ccxt-fetch';
import type { CcxtSockets } from './ccxt-sockets';
import type { CcxtVenue } from './ccxt-venues';

let loading: Promise<typeof import('ccxt')> | undefined;

/** The CCXT module, imported once per process on first need. */
export function loadCcxt(): Promise<typeof import('ccxt')> {
  return (loading ??= import('ccxt'));
}

export interface CcxtClientConfig {
  readonly venue: CcxtVenue;
  readonly clock: Clock;
  readonly budget: RateBudget;
  readonly apiKey: string;
  readonly secret: string;
  /** The venue's test network (Binance's testnet.binance.vision) instead of the live one. */
  readonly testnet: boolean;
  /**
   * Every endpoint moved to this origin, paths kept (`http://127.0.0.1:4567`: the loopback fake).
   * Every URL CCXT holds is moved, not only the ones we call: one left out would point at the live host.
   */
  readonly endpoint?: string;
  readonly timeoutMs: number;
  readonly onRequest?: (method: string, url: string) => void;
  /** Guards and keeps alive the stream connections (ccxt-sockets.ts). */
  readonly sockets: CcxtSockets;
}

/** The instance with the venue's trade stream and order update stream URLs. */
export interface OpenedExchange {
  readonly exchange: Exchange;
  readonly tradeStreamUrl: string;
  readonly orderStreamUrl: string;
}

/**
 * The venue's CCXT instance, set up as above. Only REST `public` and `private` URLs, and the two
 * stream URLs, are allowed through. CCXT's real-time WS timers are off (keep-alive ping,
 * connection timeout, reconnect backoff): ccxt-sockets.ts and ccxt-watch-loop.ts do that work on
 * the Clock.
 */
export async function openCcxtExchange(config: CcxtClientConfig): Promise<OpenedExchange> {
  const ccxt = await loadCcxt();
  const Ctor = (ccxt.pro as unknown as Record<string, new (args: Record<string, unknown>) => Exchange>)[config.venue.ccxtId];
  if (!Ctor) throw new Error(`CCXT ${ccxt.version} has no exchange "${config.venue.ccxtId}"`);
  const allowed: string[] = [];
  const exchange = new Ctor({
    apiKey: config.apiKey,
    secret: config.secret,
    enableRateLimit: false,
    timeout: config.timeoutMs,
    // `options.ws` is merged into each WsClient's config (`base/Exchange.js` client()): a backoff
    // base of 0 dials at once, so the only reconnect delay is ours.
    options: { ...structuredClone(config.venue.ccxtOptions), ws: { backoff: { base: 0 } } },
    streaming: { keepAlive: false, connectionTimeout: false },
    milliseconds: () => config.clock.now(),
    fetchImplementation: ccxtFetch({ clock: config.clock, budget: config.budget, allowedPrefixes: allowed, ...(config.onRequest ? { onRequest: config.onRequest } : {}) }),
  });
  if (config.testnet) exchange.setSandboxMode(true);
  if (config.endpoint !== undefined) {
    exchange.urls['api'] = moveUrls(exchange.urls['api'], new URL(config.endpoint));
    // CCXT opens a plain ws:// URL only with an http agent loaded first (`Exchange.js` getHttpAgentIfNeeded).
    if (config.endpoint.startsWith('http:')) await exchange.loadHttpProxyAgent();
  }
  const api = exchange.urls['api'] as Record<string, unknown>;
  for (const key of ['public', 'private']) if (typeof api[key] === 'string') allowed.push(api[key]);
  // The key's own permissions (ccxt-readiness.ts): that one path, not its whole API.
  const restrictions = config.venue.keyRestrictions;
  if (restrictions && typeof api[restrictions.api] === 'string') allowed.push(`${api[restrictions.api] as string}/${restrictions.path}`);
  const tradeStreamUrl = urlAt(api, config.venue.tradeStreamUrlAt);
  const orderStreamUrl = urlAt(api, config.venue.orderStreamUrlAt);
  config.sockets.install(exchange, [tradeStreamUrl, orderStreamUrl]);
  return { exchange, tradeStreamUrl, orderStreamUrl };
}

function urlAt(tree: unknown, path: readonly string[]): string {
  const found = path.reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), tree);
  if (typeof found !== 'string') throw new Error(`CCXT holds no URL at urls.api.${path.join('.')}`);
  return found;
}

/** Every URL string in `tree` with its origin replaced by `to`'s (ws:// for a stream URL), path and query kept. */
export function moveUrls(tree: unknown, to: URL): any {
  if (typeof tree === 'string' && /^(https?|wss?):\/\//.test(tree)) {
    const u = new URL(tree);
    const ws = u.protocol === 'ws:' || u.protocol === 'wss:';
    const secure = to.protocol === 'https:';
    return `${ws ? (secure ? 'wss:' : 'ws:') : to.protocol}//${to.host}${u.pathname === '/' ? '' : u.pathname}${u.search}`;
  }
  if (Array.isArray(tree)) return tree.map((t) => moveUrls(t, to));
  if (tree !== null && typeof tree === 'object') return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, moveUrls(v, to)]));
  return tree;
}

/** Every URL string in `tree`, for a test that proves none is left at a live host. */
export function urlsIn(tree: unknown): string[] {
  if (typeof tree === 'string') return /^[a-z]+:\/\//.test(tree) ? [tree] : [];
  if (Array.isArray(tree)) return tree.flatMap(urlsIn);
  if (tree !== null && typeof tree === 'object') return Object.values(tree).flatMap(urlsIn);
  return [];
}
