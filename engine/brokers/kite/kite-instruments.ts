/**
 * Symbol lookup from Kite's instruments dump (GET /instruments/{exchange}, a CSV generated once a
 * day). Each exchange's dump is downloaded at most once per IST date and kept in memory; the
 * tokens of equities do not change from day to day, so a dump fetched before Kite regenerates
 * it in the morning is still right for what Tradeclock trades.
 */
import { parse } from 'csv-parse/sync';
import type { Clock } from '../../core/clock';
import type { Exchange } from '../../core/types';
import type { BrokerInstruments, Instrument, InstrumentMatch } from '../broker';
import { rankMatches } from '../rank-matches';
import type { KiteHttp } from './kite-http';
import { istDate } from './token-expiry';
import { KITE_DERIVATIVE_EXCHANGES, type KiteDerivativeExchange } from './derivatives-rows';
import type { KiteDerivatives } from './kite-derivatives';
import { isIndexSpot } from '../../core/index-underlyings';

/** The equity cash segments, each with its own daily dump read here. */
export const KITE_EXCHANGES = ['NSE', 'BSE'] as const;
export type KiteExchange = (typeof KITE_EXCHANGES)[number];
/** Every exchange Tradeclock trades through Kite: the cash segments and their derivatives (NFO, BFO: kite-derivatives.ts). */
export const KITE_TRADED_EXCHANGES = [...KITE_EXCHANGES, ...KITE_DERIVATIVE_EXCHANGES] as const;

/** The price step of an index's quote (Kite's dump says 0 for an index). */
const INDEX_QUOTE_STEP = 0.01;

const REQUIRED_COLUMNS = ['instrument_token', 'tradingsymbol', 'tick_size', 'segment', 'exchange'] as const;

/** One tradable row of the dump. */
export interface KiteInstrumentRow {
  readonly instrumentToken: number;
  readonly tradingsymbol: string;
  readonly exchange: string;
  readonly segment: string;
  readonly tickSize: number;
  /** The company's name (the dump's `name` column); empty when the dump has none. */
  readonly name: string;
}

const isDerivativeExchange = (exchange: Exchange): exchange is KiteDerivativeExchange => (KITE_DERIVATIVE_EXCHANGES as readonly string[]).includes(exchange);

/**
 * Parses a dump, keeping the rows of `exchange` that can be traded (segment INDICES cannot), and
 * the indices options are chosen from (index-underlyings.ts: their quote is the spot).
 * Throws when the header lacks a column we need: a changed format must not resolve wrongly.
 *
 * @example parseInstrumentsCsv(csvText, 'NSE').get('INFY')?.instrumentToken === 408065
 */
export function parseInstrumentsCsv(csv: string, exchange: KiteExchange): Map<string, KiteInstrumentRow> {
  const rows = parse(csv, { columns: true, skip_empty_lines: true, trim: true, relax_column_count: true }) as Record<string, string>[];
  const header = rows.length > 0 ? Object.keys(rows[0]!) : csv.split(/\r?\n/, 1)[0]!.split(',');
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) throw new Error(`Kite's instruments CSV lacks column(s) ${missing.join(', ')}; cannot resolve symbols`);
  const out = new Map<string, KiteInstrumentRow>();
  for (const r of rows) {
    if (r.exchange !== exchange || (r.segment === 'INDICES' && !isIndexSpot(exchange, r.tradingsymbol ?? ''))) continue;
    const token = Number(r.instrument_token);
    // Kite lists an index with tick_size 0 (it is never ordered); its quote moves in paise.
    const tickSize = r.segment === 'INDICES' && Number(r.tick_size) === 0 ? INDEX_QUOTE_STEP : Number(r.tick_size);
    if (!Number.isSafeInteger(token) || token <= 0 || !(tickSize > 0) || !r.tradingsymbol) continue;
    out.set(r.tradingsymbol, { instrumentToken: token, tradingsymbol: r.tradingsymbol, exchange: r.exchange, segment: r.segment ?? '', tickSize, name: r.name ?? '' });
  }
  return out;
}

/** The seam's instruments part for Kite: one cached dump per enabled exchange and IST date. */
export class KiteInstruments implements BrokerInstruments {
  private readonly loaded = new Map<KiteExchange, { date: string; rows: Promise<Map<string, KiteInstrumentRow>> }>();
  private readonly lastGood = new Map<KiteExchange, Map<string, KiteInstrumentRow>>();

  constructor(
    private readonly http: KiteHttp,
    private readonly clock: Clock,
    private readonly exchanges: readonly KiteExchange[],
    /** What the account's product says of selling first (kiteSellFirst): the same for every instrument. */
    private readonly shortable: boolean | null = null,
    /** The NFO/BFO masters; without them the derivatives exchanges resolve nothing. */
    private readonly derivatives: KiteDerivatives | null = null,
  ) {}

  /**
   * The instrument, or null for a symbol Kite does not list (or an exchange not enabled). Throws
   * when the dump cannot be fetched. An NFO/BFO tradingsymbol is looked up in the derivatives
   * master (held, or downloaded when due: the readiness check warms it before an entry), with its lot size.
   */
  async resolve(symbol: string, exchange: Exchange): Promise<Instrument | null> {
    if (isDerivativeExchange(exchange)) {
      if (!this.derivatives) return null;
      const contract = (await this.derivatives.master(exchange)).bySymbol(symbol.trim().toUpperCase());
      if (!contract) return null;
      return { symbol: contract.tradingsymbol, exchange, brokerRef: String(contract.token), tickSize: contract.tickSize, shortable: this.shortable, lotSize: contract.lotSize };
    }
    if (!(this.exchanges as readonly string[]).includes(exchange)) return null;
    const rows = await this.dump(exchange as KiteExchange);
    const row = rows.get(symbol.trim().toUpperCase());
    if (!row) return null;
    return { symbol: row.tradingsymbol, exchange, brokerRef: String(row.instrumentToken), tickSize: row.tickSize, shortable: this.shortable };
  }

  /** Matches from the day's dumps of the enabled exchanges (each downloaded at most once a day, as for resolve). */
  async search(text: string, options: { readonly exchange?: Exchange | undefined; readonly limit: number }): Promise<InstrumentMatch[]> {
    const exchanges = this.exchanges.filter((x) => options.exchange === undefined || x === options.exchange);
    // Indices are kept for their quote (the spot of an option's strike), never offered to trade.
    const rows = (await Promise.all(exchanges.map((x) => this.dump(x)))).flatMap((m) => [...m.values()]).filter((r) => r.segment !== 'INDICES');
    return rankMatches(rows, text, options.limit, (r) => r.tradingsymbol).map((r) => ({ symbol: r.tradingsymbol, exchange: r.exchange as Exchange, name: r.name || null, tickSize: r.tickSize }));
  }

  private dump(exchange: KiteExchange): Promise<Map<string, KiteInstrumentRow>> {
    const today = istDate(this.clock.now());
    const cached = this.loaded.get(exchange);
    if (cached && cached.date === today) return cached.rows;
    const previous = this.lastGood.get(exchange);
    const rows = this.http
      .call({ method: 'GET', path: `/instruments/${exchange}`, expect: 'csv', auth: 'if-any', provesSession: false })
      .then((text) => {
        if (typeof text !== 'string') throw new Error(`Kite's instruments dump for ${exchange} was not CSV`);
        const parsed = parseInstrumentsCsv(text, exchange);
        this.lastGood.set(exchange, parsed);
        return parsed;
      })
      .catch((err: unknown) => {
        // Forget the failure so the next lookup tries again; meanwhile yesterday's dump still names
        // today's equities correctly. Without one, the error stands.
        if (this.loaded.get(exchange)?.rows === rows) this.loaded.delete(exchange);
        if (previous) return previous;
        throw err;
      });
    this.loaded.set(exchange, { date: today, rows });
    return rows;
  }
}
