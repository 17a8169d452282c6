/**
 * One row of Kite's NFO/BFO instruments dump read into a contract, or judged: ignored (a row that
 * is not a derivative, such as an index listed with an empty expiry) or bad (named by column, so
 * the load can count and skip it). The columns are Kite's documented twelve
 * (kite.trade/docs/connect/v3/market-quotes, "CSV response columns"); each is found by name, so
 * an added or reordered column does no harm, and a missing one refuses the dump.
 */
import type { ContractKind } from '../../options/option-chain';

export const KITE_DERIVATIVE_EXCHANGES = ['NFO', 'BFO'] as const;
export type KiteDerivativeExchange = (typeof KITE_DERIVATIVE_EXCHANGES)[number];

const NEEDED = ['instrument_token', 'tradingsymbol', 'name', 'expiry', 'strike', 'tick_size', 'lot_size', 'instrument_type', 'segment', 'exchange'] as const;
type Column = (typeof NEEDED)[number];

/** Reads one data row of a dump whose header it was made from. */
export type RowReader = (fields: readonly string[]) => RowReading;

export interface ContractRow {
  readonly kind: 'contract';
  readonly token: number;
  readonly tradingsymbol: string;
  readonly underlying: string;
  readonly expiry: string;
  readonly contractKind: ContractKind;
  readonly strike: number;
  readonly lotSize: number;
  readonly tickSize: number;
}

export type RowReading = ContractRow | { readonly kind: 'ignored' } | { readonly kind: 'bad'; readonly tradingsymbol: string; readonly problem: string };

/**
 * A reader for the rows under this header, of the `exchange` dump. Throws naming the missing
 * columns: a dump in another format must not be read by position.
 *
 * @example
 *   const read = rowReader(headerFields, 'NFO');
 *   read(['12345602', '48225', 'NIFTY26D2226000CE', 'NIFTY', '0', '2026-12-22', '26000', '0.05', '65', 'CE', 'NFO-OPT', 'NFO']).kind // 'contract'
 */
export function rowReader(headerFields: readonly string[], exchange: KiteDerivativeExchange): RowReader {
  const names = headerFields.map((f) => f.toLowerCase());
  const missing = NEEDED.filter((c) => !names.includes(c));
  if (missing.length > 0) throw new Error(`the instruments dump's header lacks column(s) ${missing.join(', ')} (it has: ${headerFields.join(', ').slice(0, 200) || 'nothing'})`);
  const at = Object.fromEntries(NEEDED.map((c) => [c, names.indexOf(c)])) as Record<Column, number>;
  // Valid expiry dates seen in this dump: a few dozen, each read thousands of times.
  const dates = new Set<string>();
  return (fields) => readRow(fields, at, headerFields.length, exchange, dates);
}

const DECIMAL = /^\d+(?:\.\d+)?$/;
const INTEGER = /^\d+$/;
const SYMBOL = /^[A-Z0-9&_.-]{1,40}$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MAX_TOKEN = 0xffff_ffff;

function readRow(fields: readonly string[], at: Readonly<Record<Column, number>>, width: number, exchange: KiteDerivativeExchange, dates: Set<string>): RowReading {
  const get = (c: Column) => fields[at[c]] ?? '';
  const tradingsymbol = get('tradingsymbol');
  const bad = (column: Column | null, problem: string): RowReading => ({ kind: 'bad', tradingsymbol, problem: column ? `column ${column}: ${problem}` : problem });
  if (fields.length !== width) return bad(null, `${fields.length} fields where the header has ${width}`);
  const type = get('instrument_type');
  if (get('segment') === 'INDICES' || type === 'EQ') return { kind: 'ignored' };
  if (get('exchange') !== exchange) return bad('exchange', `"${get('exchange')}" in the ${exchange} dump`);
  if (type !== 'FUT' && type !== 'CE' && type !== 'PE') return bad('instrument_type', `"${type}" is not FUT, CE or PE`);
  const tokenText = get('instrument_token');
  const token = Number(tokenText);
  if (!INTEGER.test(tokenText) || token < 1 || token > MAX_TOKEN) return bad('instrument_token', `"${tokenText}" is not a token (a whole number from 1 to 2^32 − 1)`);
  if (!SYMBOL.test(tradingsymbol)) return bad('tradingsymbol', `"${tradingsymbol}" is not a tradingsymbol`);
  const underlying = get('name');
  if (underlying === '' || underlying.length > 40) return bad('name', underlying === '' ? 'empty: the underlying is not named' : `"${underlying.slice(0, 40)}…" is too long for an underlying`);
  const expiry = get('expiry');
  if (!isDate(expiry, dates)) return bad('expiry', expiry === '' ? 'empty on a derivative' : `"${expiry}" is not a date YYYY-MM-DD`);
  const strikeText = get('strike');
  const strike = Number(strikeText);
  if (type !== 'FUT' && (!DECIMAL.test(strikeText) || !(strike > 0))) return bad('strike', `"${strikeText}" is not a positive strike`);
  const tickText = get('tick_size');
  const tickSize = Number(tickText);
  if (!DECIMAL.test(tickText) || !(tickSize > 0)) return bad('tick_size', `"${tickText}" is not a positive tick size`);
  const lotText = get('lot_size');
  const lotSize = Number(lotText);
  if (!INTEGER.test(lotText) || !(lotSize > 0) || !Number.isSafeInteger(lotSize)) return bad('lot_size', `"${lotText}" is not a whole number of units above 0`);
  return { kind: 'contract', token, tradingsymbol, underlying, expiry, contractKind: type, strike: type === 'FUT' ? 0 : strike, lotSize, tickSize };
}

function isDate(text: string, known: Set<string>): boolean {
  if (known.has(text)) return true;
  const m = ISO_DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Day 0 of the next month is this month's last day.
  const ok = mo >= 1 && mo <= 12 && d >= 1 && d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (ok) known.add(text);
  return ok;
}
