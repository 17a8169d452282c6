/**
 * A Kite account's past minute candles for a backtest (BrokerKind.historicalBars): the
 * instrument's token from the exchange's instruments dump (GET /instruments/{exchange}, which
 * needs no session), then the candles with the day's access token (backtest/kite-candles.ts:
 * 60-day windows, 3 requests a second, paced on the engine's clock). Without today's login there
 * is no access token: said, naming the account's daily login.
 */
import type { Clock } from '../../core/clock';
import { fetchKiteCandles } from '../../backtest/kite-candles';
import { HistoricalFetchError } from '../../backtest/historical-fetch-error';
import type { HistoricalBars } from '../broker-kinds';
import { KiteHttp } from './kite-http';
import { KITE_EXCHANGES, parseInstrumentsCsv, type KiteExchange } from './kite-instruments';
import { kiteCredentialsSchema, kiteOptionsSchema } from './kite-options';

/**
 * @example const bars = kiteHistory({ clock, credentials, options }); await bars({ exchange: 'NSE', symbol: 'INFY' }, start, end)
 */
export function kiteHistory(args: { readonly clock: Clock; readonly credentials: Record<string, string>; readonly options: Record<string, unknown> }): HistoricalBars {
  const creds = kiteCredentialsSchema.parse(args.credentials);
  const o = kiteOptionsSchema.parse(args.options);
  const { clock } = args;
  return async ({ exchange, symbol }, start, end) => {
    const accessToken = creds.access_token;
    if (!accessToken) throw new HistoricalFetchError(`Kite candles of ${symbol}: log in to Kite first (the account's daily login): the candles need today's access token`);
    if (!(KITE_EXCHANGES as readonly string[]).includes(exchange)) throw new HistoricalFetchError(`Kite candles of ${symbol}: only ${KITE_EXCHANGES.join(' and ')} equities are fetched, not ${exchange}`);
    const http = new KiteHttp({ restUrl: o.rest_url, apiKey: creds.api_key, accessToken: () => accessToken, clock, timeoutMs: o.request_timeout_ms });
    let dump: string;
    try {
      dump = (await http.call({ method: 'GET', path: `/instruments/${exchange}`, expect: 'csv', auth: 'if-any', provesSession: false })) as string;
    } catch (err) {
      throw new HistoricalFetchError(`Kite instruments of ${exchange}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const row = parseInstrumentsCsv(dump, exchange as KiteExchange).get(symbol);
    if (!row) throw new HistoricalFetchError(`Kite candles of ${symbol}: not in Kite's ${exchange} instruments`);
    return fetchKiteCandles({ root: o.rest_url, apiKey: creds.api_key, accessToken, wait: (ms) => new Promise((resolve) => clock.setTimer(ms, resolve)) }, row.instrumentToken, symbol, start, end);
  };
}
