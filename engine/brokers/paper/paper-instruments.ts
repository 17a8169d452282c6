/**
 * The paper broker's instrument list. A real broker knows a fixed set of instruments and refuses
 * any other symbol when a strategy is saved; the paper broker does the same, so a typo ("APPL")
 * is caught in paper trading before it costs anything live. The list holds the US and Indian
 * equities and the crypto pairs the demo, the tests and a first-time trader are likely to use,
 * plus every instrument the account's own options name (`startPrices`, `scripts`): a trader who
 * scripts a price for "NSE:PENNY" has put PENNY on this simulated market.
 */
import { EXCHANGES, instrumentKey, type Exchange } from '../../core/types';
import type { BrokerInstruments, Instrument, InstrumentMatch } from '../broker';
import type { PaperBrokerConfig } from './paper-config';
import { rankMatches } from '../rank-matches';
import { isIndexSpot } from '../../core/index-underlyings';
import type { PaperOptionChain } from './paper-option-chain';

/** One listing: where the instrument trades and what it is called. */
export interface PaperListing {
  readonly symbol: string;
  readonly exchange: Exchange;
  readonly name: string;
}

/**
 * A crypto pair the paper market trades in fractions, as a spot venue does: its quantity step,
 * least quantity and least order value in the quote currency (Binance's LOT_SIZE stepSize, minQty
 * and NOTIONAL minNotional for the pair), and the price it starts at, so a realistic order clears
 * the minimum value.
 */
export interface PaperPair extends PaperListing {
  readonly qtyStep: number;
  readonly minQty: number;
  readonly minNotional: number;
  readonly startPrice: number;
}

const pair = (symbol: string, name: string, qtyStep: number, minNotional: number, startPrice: number): PaperPair => ({ symbol, exchange: 'CRYPTO', name, qtyStep, minQty: qtyStep, minNotional, startPrice });

/** The pairs traded in fractions (BASE/QUOTE, CCXT's unified symbol). */
export const PAPER_PAIRS: readonly PaperPair[] = [
  pair('BTC/USDT', 'Bitcoin / Tether', 0.00001, 5, 60_000),
  pair('ETH/USDT', 'Ether / Tether', 0.0001, 5, 3_000),
  pair('SOL/USDT', 'Solana / Tether', 0.001, 5, 150),
];

/** "CRYPTO:BTC/USDT" → the pair's start price, for the paper market (a price set in the account's options wins). */
export const PAPER_PAIR_PRICES: Readonly<Record<string, number>> = Object.fromEntries(PAPER_PAIRS.map((p) => [instrumentKey(p.exchange, p.symbol), p.startPrice]));

const us = (exchange: 'NYSE' | 'NASDAQ', rows: readonly (readonly [string, string])[]): PaperListing[] => rows.map(([symbol, name]) => ({ symbol, exchange, name }));

/** Indian equities are listed on both NSE and BSE, as they are in life. */
const india = (rows: readonly (readonly [string, string])[]): PaperListing[] =>
  rows.flatMap(([symbol, name]) => (['NSE', 'BSE'] as const).map((exchange) => ({ symbol, exchange, name })));

/** What the paper market lists whatever the account's options say. */
export const PAPER_LISTINGS: readonly PaperListing[] = [
  ...us('NASDAQ', [
    ['AAPL', 'Apple Inc.'],
    ['MSFT', 'Microsoft Corporation'],
    ['GOOGL', 'Alphabet Inc. Class A'],
    ['AMZN', 'Amazon.com, Inc.'],
    ['NVDA', 'NVIDIA Corporation'],
    ['META', 'Meta Platforms, Inc.'],
    ['TSLA', 'Tesla, Inc.'],
    ['QQQ', 'Invesco QQQ Trust'],
  ]),
  ...us('NYSE', [
    ['IBM', 'International Business Machines'],
    ['SPY', 'SPDR S&P 500 ETF Trust'],
    ['BRK.B', 'Berkshire Hathaway Inc. Class B'],
    ['JPM', 'JPMorgan Chase & Co.'],
    ['KO', 'The Coca-Cola Company'],
    ['XOM', 'Exxon Mobil Corporation'],
    ['DIS', 'The Walt Disney Company'],
    ['V', 'Visa Inc.'],
  ]),
  ...india([
    ['INFY', 'Infosys'],
    ['TCS', 'Tata Consultancy Services'],
    ['RELIANCE', 'Reliance Industries'],
    ['SBIN', 'State Bank of India'],
    ['HDFCBANK', 'HDFC Bank'],
    ['ICICIBANK', 'ICICI Bank'],
    ['TATAMOTORS', 'Tata Motors'],
    ['M&M', 'Mahindra & Mahindra'],
    ['ITC', 'ITC'],
    ['WIPRO', 'Wipro'],
  ]),
  ...[
    ['BTC', 'Bitcoin'],
    ['ETH', 'Ether'],
    ['SOL', 'Solana'],
    ['DOGE', 'Dogecoin'],
    ['ADA', 'Cardano'],
    ['XRP', 'XRP'],
    ['BTCUSD', 'Bitcoin / US dollar'],
    ['ETHUSD', 'Ether / US dollar'],
  ].map(([symbol, name]) => ({ symbol: symbol!, exchange: 'CRYPTO' as const, name: name! })),
  ...PAPER_PAIRS.map(({ symbol, exchange, name }) => ({ symbol, exchange, name })),
];

const PAIR_BY_SYMBOL = new Map(PAPER_PAIRS.map((p) => [p.symbol, p]));

/**
 * The quantity step the paper market takes for an instrument: a pair's own, else whole units.
 * @example paperQtyStep('CRYPTO', 'BTC/USDT') // 0.00001; paperQtyStep('NSE', 'INFY') // 1
 */
export function paperQtyStep(exchange: Exchange, symbol: string): number {
  return (exchange === 'CRYPTO' ? PAIR_BY_SYMBOL.get(symbol)?.qtyStep : undefined) ?? 1;
}

/** US equities: an order is routed by symbol whatever the listing venue (as at Alpaca), so either US exchange takes a US listing. */
const US_VENUES: readonly Exchange[] = ['NYSE', 'NASDAQ'];

/**
 * The instruments part of a paper broker configured by `config`. brokerRef is "EXCHANGE:SYMBOL";
 * every instrument moves in the account's price step (`tickSize`) and can be sold first (a
 * simulated market has no borrow to run out of). The pairs of PAPER_PAIRS trade in fractions on
 * their step (`qtyStep`, `minQty`, `minNotional`); everything else in whole units. With `chain`, the NFO/BFO contracts it lists
 * resolve too (their own tick and lot size), and the indices they are priced from resolve for
 * their quote; neither is offered by search (a strategy chooses its contract at entry).
 *
 * @example await paperInstruments(config).resolve('APPL', 'NASDAQ') // null: not listed
 */
export function paperInstruments(config: Pick<PaperBrokerConfig, 'tickSize' | 'startPrices' | 'scripts'>, chain: PaperOptionChain | null = null): BrokerInstruments {
  const known = new Set<string>();
  for (const l of PAPER_LISTINGS) for (const venue of US_VENUES.includes(l.exchange) ? US_VENUES : [l.exchange]) known.add(instrumentKey(venue, l.symbol));
  const extra: PaperListing[] = [];
  for (const l of namedInOptions(config)) {
    if (known.has(instrumentKey(l.exchange, l.symbol))) continue;
    known.add(instrumentKey(l.exchange, l.symbol));
    extra.push(l);
  }
  const listings = [...PAPER_LISTINGS, ...extra];
  const { tickSize } = config;
  return {
    async resolve(symbol: string, exchange: Exchange): Promise<Instrument | null> {
      const contract = chain?.bySymbol(symbol, exchange);
      if (contract) return { symbol, exchange, brokerRef: instrumentKey(exchange, symbol), tickSize: contract.tickSize, shortable: true, lotSize: contract.lotSize };
      if (chain && isIndexSpot(exchange, symbol)) return { symbol, exchange, brokerRef: instrumentKey(exchange, symbol), tickSize, shortable: false };
      if (!known.has(instrumentKey(exchange, symbol))) return null;
      const listed = { symbol, exchange, brokerRef: instrumentKey(exchange, symbol), tickSize, shortable: true };
      const fractional = exchange === 'CRYPTO' ? PAIR_BY_SYMBOL.get(symbol) : undefined;
      return fractional ? { ...listed, qtyStep: fractional.qtyStep, minQty: fractional.minQty, minNotional: fractional.minNotional } : listed;
    },
    async search(text: string, { exchange, limit }: { exchange?: Exchange | undefined; limit: number }): Promise<InstrumentMatch[]> {
      const wanted = exchange === undefined ? listings : listings.filter((l) => l.exchange === exchange);
      return rankMatches(wanted, text, limit).map((l) => ({ symbol: l.symbol, exchange: l.exchange, name: l.name || null, tickSize }));
    },
  };
}

function namedInOptions(config: Pick<PaperBrokerConfig, 'startPrices' | 'scripts'>): PaperListing[] {
  const out: PaperListing[] = [];
  for (const key of [...Object.keys(config.startPrices), ...Object.keys(config.scripts)]) {
    const colon = key.indexOf(':');
    const exchange = key.slice(0, colon) as Exchange;
    if (EXCHANGES.includes(exchange)) out.push({ symbol: key.slice(colon + 1), exchange, name: '' });
  }
  return out;
}
