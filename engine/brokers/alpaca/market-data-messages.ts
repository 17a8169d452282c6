/**
 * Frames of Alpaca's market-data stream v2 (PROTOCOLS.md §1.10), parsed at the edge. Every
 * server frame is a JSON array; data messages may be batched. A trade whose price is not a
 * finite number above zero, or whose time does not parse, is `invalid`: it is logged and
 * dropped, never turned into a NaN tick.
 */
import { setsLastPrice } from '../../core/last-sale';
import { parseJson, parseTimestamp } from './alpaca-wire';

export type DataMessage =
  | { readonly kind: 'success'; readonly msg: string }
  | { readonly kind: 'error'; readonly code: number; readonly msg: string }
  /** The full current subscription set (§1.10 "always contains the full set"). */
  | { readonly kind: 'subscription'; readonly trades: readonly string[] }
  | { readonly kind: 'trade'; readonly symbol: string; readonly price: number; readonly at: number }
  /** Quotes, bars, statuses, corrections…: valid, but Tradeclock trades on trades only; a trade that sets no last price (core/last-sale.ts: an odd lot, out of sequence …) is 'other' too. */
  | { readonly kind: 'other'; readonly type: string }
  | { readonly kind: 'invalid'; readonly reason: string; readonly raw: unknown };

/**
 * The messages of one frame, in order.
 * @example parseDataFrame('[{"T":"t","S":"AAPL","p":126.55,"t":"2021-02-22T15:51:44.208Z"}]')[0].kind === 'trade'
 */
export function parseDataFrame(text: string): DataMessage[] {
  const json = parseJson(text);
  if (!Array.isArray(json)) return [{ kind: 'invalid', reason: json === undefined ? 'frame is not JSON' : 'frame is not a JSON array', raw: text.slice(0, 200) }];
  return json.map(parseMessage);
}

function parseMessage(item: unknown): DataMessage {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return { kind: 'invalid', reason: 'message is not an object', raw: item };
  const m = item as Record<string, unknown>;
  switch (m.T) {
    case 'success':
      return typeof m.msg === 'string' ? { kind: 'success', msg: m.msg } : { kind: 'invalid', reason: 'success without msg', raw: item };
    case 'error':
      return typeof m.code === 'number' && Number.isInteger(m.code)
        ? { kind: 'error', code: m.code, msg: typeof m.msg === 'string' ? m.msg : '' }
        : { kind: 'invalid', reason: 'error without a numeric code', raw: item };
    case 'subscription': {
      const trades = m.trades ?? [];
      return Array.isArray(trades) && trades.every((s) => typeof s === 'string')
        ? { kind: 'subscription', trades }
        : { kind: 'invalid', reason: 'subscription.trades is not a list of symbols', raw: item };
    }
    case 't':
      return parseTrade(m);
    default:
      return typeof m.T === 'string' ? { kind: 'other', type: m.T } : { kind: 'invalid', reason: 'message without a type T', raw: item };
  }
}

/** §1.10 trade: `S` symbol, `p` price (a JSON number), `t` RFC 3339 with nanoseconds, `c` sale conditions. */
function parseTrade(m: Record<string, unknown>): DataMessage {
  if (typeof m.S !== 'string' || m.S === '') return { kind: 'invalid', reason: 'trade without a symbol S', raw: m };
  const price = m.p;
  if (typeof price !== 'number' || !Number.isFinite(price) || price <= 0) return { kind: 'invalid', reason: `trade price ${JSON.stringify(price) ?? 'missing'} is not a number above 0`, raw: m };
  const at = parseTimestamp(typeof m.t === 'string' ? m.t : null);
  if (at === null) return { kind: 'invalid', reason: `trade time ${JSON.stringify(m.t) ?? 'missing'} is not an RFC 3339 timestamp`, raw: m };
  const conditions = Array.isArray(m.c) ? m.c.filter((c): c is string => typeof c === 'string') : null;
  if (!setsLastPrice(conditions)) return { kind: 'other', type: `t (${conditions!.join(',')})` };
  return { kind: 'trade', symbol: m.S, price, at };
}

/**
 * What each documented error code means for the connection (§1.10 error table):
 * - `reconnect`: this connection is finished (the server closes it after these); connect again.
 * - `refused`: the server will keep refusing (keys, plan, feed); connect again, slowly, and say why.
 * - `partial`: the connection is fine but some subscriptions are not.
 * - `ignore`: harmless (e.g. already authenticated).
 */
export type ErrorAction = 'reconnect' | 'refused' | 'partial' | 'ignore';

export const DATA_ERROR_ACTIONS: Readonly<Record<number, { readonly action: ErrorAction; readonly explain: string }>> = {
  400: { action: 'reconnect', explain: 'the stream did not understand a message we sent (invalid syntax)' },
  401: { action: 'reconnect', explain: 'a subscription was sent before authentication' },
  402: { action: 'refused', explain: 'the market-data stream refused the API key (auth failed)' },
  403: { action: 'ignore', explain: 'already authenticated' },
  404: { action: 'reconnect', explain: 'authentication timed out' },
  405: { action: 'partial', explain: 'symbol limit exceeded for this plan (IEX: 30 symbols); some symbols get no prices' },
  406: { action: 'refused', explain: 'connection limit exceeded: another program is using this account’s market-data connection' },
  407: { action: 'reconnect', explain: 'the stream dropped us as a slow client' },
  408: { action: 'refused', explain: 'market data v2 is not enabled for this account' },
  409: { action: 'refused', explain: 'insufficient subscription: the account’s plan does not include this feed (try feed "iex")' },
  410: { action: 'partial', explain: 'invalid subscribe action for this feed' },
  411: { action: 'refused', explain: 'insufficient scope for market data' },
  500: { action: 'reconnect', explain: 'internal error at Alpaca' },
};
