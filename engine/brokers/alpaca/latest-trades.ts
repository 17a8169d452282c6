/**
 * The REST cross-check of a silent stream at Alpaca: the latest trade of each symbol from the
 * market-data host, `GET /v2/stocks/trades/latest?symbols=AAPL,TSLA&feed=iex` (alpaca-py
 * `StockHistoricalDataClient.get_stock_latest_trade` at bd1fa9e, its tests'
 * `{"trades":{"AAPL":{"t":…,"x":"D","p":161.2958,"s":100,"c":["@"],"i":22730,"z":"C"}}}`; a symbol
 * without a trade is left out of `trades`). One request for every symbol, sent as optional work
 * inside the key's request budget (PROTOCOLS.md §1.9): it never makes an order wait.
 */
import { z } from 'zod';
import type { Instrument, Quote } from '../broker';
import type { AlpacaOptions } from './alpaca-config';
import type { AlpacaRest } from './alpaca-rest';
import { parseTimestamp } from './alpaca-wire';

const tradeSchema = z.looseObject({
  p: z.number({ error: 'must be a number' }).refine((p) => Number.isFinite(p) && p > 0, { error: 'must be a price above 0' }),
  t: z.string({ error: 'must be a timestamp string' }).refine((t) => parseTimestamp(t) !== null, { error: 'must be an RFC 3339 timestamp' }),
});
const latestTradesSchema = z.looseObject({ trades: z.record(z.string(), tradeSchema, { error: 'must be an object of trades by symbol' }) });

export class AlpacaLatestTrades {
  constructor(
    private readonly rest: AlpacaRest,
    private readonly feed: AlpacaOptions['feed'],
  ) {}

  /**
   * The latest trade of each instrument; throws, naming what was wrong, when Alpaca cannot be
   * asked or its answer cannot be read.
   * @example await trades.quote([aapl]) // [{ symbol: 'AAPL', exchange: 'NASDAQ', price: 161.2958, at: 1647612129722 }]
   */
  async quote(instruments: readonly Instrument[]): Promise<Quote[]> {
    if (instruments.length === 0) return [];
    const symbols = [...new Set(instruments.map((i) => i.symbol))];
    const result = await this.rest.request({ method: 'GET', path: '/v2/stocks/trades/latest', query: { symbols: symbols.join(','), feed: this.feed }, optional: true });
    switch (result.kind) {
      case 'skipped':
        throw new Error("not asked: the API key's request budget is kept for orders");
      case 'transport':
        throw new Error(`no answer from Alpaca's market-data host (${result.reason})`);
      case 'error':
        throw new Error(`Alpaca refused the latest-trades request: ${result.description}`);
      case 'ok':
        break;
    }
    const parsed = latestTradesSchema.safeParse(result.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(`Alpaca's latest-trades answer cannot be read: ${issue.path.map(String).join('.') || 'the body'} ${issue.message}`);
    }
    const quotes: Quote[] = [];
    for (const i of instruments) {
      const trade = parsed.data.trades[i.symbol];
      if (trade) quotes.push({ symbol: i.symbol, exchange: i.exchange, price: trade.p, at: parseTimestamp(trade.t) });
    }
    return quotes;
  }
}
