/**
 * Builds a DerivativesMaster from the rows of an NFO/BFO dump as they stream in. A bad row is
 * skipped and counted, with its line and column named; two rows that claim the same contract
 * (same underlying, expiry, strike and right, or the same tradingsymbol) are both dropped, since
 * neither can be trusted to carry the right token. The whole dump is refused (and the caller keeps
 * the master it had) when it cannot be read to its end, lacks a column, lists no derivative, runs
 * past MAX_DUMP_ROWS, or has more bad rows than a stray one or two: more than MAX_BAD_SHARE of its
 * rows and more than MIN_BAD_TO_REFUSE. Nothing is half-loaded: the master exists only once every row was read.
 */
import type { CsvRow } from '../../csv/csv-rows';
import { DerivativesMaster, KIND_CODE, type ContractColumns, type ExpiryEntry, type UnderlyingEntry } from './derivatives-master';
import { rowReader, type ContractRow, type KiteDerivativeExchange, type RowReader } from './derivatives-rows';

export const MAX_BAD_SHARE = 0.01;
export const MIN_BAD_TO_REFUSE = 10;
export const MAX_BAD_SAMPLES = 20;
/** NFO lists ~90 000 rows; a dump five times that is not one, and is not held in memory to find out. */
export const MAX_DUMP_ROWS = 500_000;
const YIELD_EVERY_ROWS = 2_000;

/** The dump as a whole cannot be used; the message says why. */
export class DumpRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DumpRefusedError';
  }
}

/** Columns as rows arrive, before they are sorted and packed. */
class RawContracts {
  readonly tokens: number[] = [];
  readonly strikes: number[] = [];
  readonly lotSizes: number[] = [];
  readonly tickSizes: number[] = [];
  readonly kinds: number[] = [];
  readonly expiryIds: number[] = [];
  readonly underlyingIds: number[] = [];
  readonly symbols: string[] = [];
  readonly lines: number[] = [];
  readonly expiryIdOf = new Map<string, number>();
  readonly underlyingIdOf = new Map<string, number>();

  add(r: ContractRow, line: number): void {
    this.tokens.push(r.token);
    this.strikes.push(r.strike);
    this.lotSizes.push(r.lotSize);
    this.tickSizes.push(r.tickSize);
    this.kinds.push(KIND_CODE[r.contractKind]);
    this.expiryIds.push(idOf(this.expiryIdOf, r.expiry, 'expiries'));
    this.underlyingIds.push(idOf(this.underlyingIdOf, r.underlying, 'underlyings'));
    this.symbols.push(r.tradingsymbol);
    this.lines.push(line);
  }
}

/** A small id for a repeated string; ids are stored as 16 bits. */
function idOf(ids: Map<string, number>, key: string, what: string): number {
  let id = ids.get(key);
  if (id === undefined) {
    if (ids.size > 0xffff) throw new DumpRefusedError(`the dump lists more than 65 536 distinct ${what}; it is not an instruments dump Tradeclock knows`);
    id = ids.size;
    ids.set(key, id);
  }
  return id;
}

/**
 * Reads every row, then packs and indexes the contracts.
 *
 * @example const master = await buildDerivativesMaster(csvRows(body), 'NFO', clock.now());
 */
export async function buildDerivativesMaster(rows: AsyncIterable<CsvRow>, exchange: KiteDerivativeExchange, fetchedAt: number, maxRows = MAX_DUMP_ROWS): Promise<DerivativesMaster> {
  let read: RowReader | null = null;
  const raw = new RawContracts();
  let dataRows = 0;
  let ignored = 0;
  let bad = 0;
  const samples: string[] = [];
  const badRow = (line: number, symbol: string, problem: string) => {
    bad++;
    if (samples.length < MAX_BAD_SAMPLES) samples.push(`line ${line}${symbol ? ` (${symbol})` : ''}: ${problem}`);
  };
  for await (const row of rows) {
    // Rows already downloaded are parsed in microtasks, which would hold timers back (an entry's
    // trigger) for the whole load: let the event loop turn every few thousand rows.
    if (dataRows % YIELD_EVERY_ROWS === YIELD_EVERY_ROWS - 1) await turn();
    if (read === null) {
      read = rowReader(row.fields, exchange);
      continue;
    }
    if (++dataRows > maxRows) throw new DumpRefusedError(`the ${exchange} instruments dump has more than ${maxRows} rows; it is not read further`);
    const r = read(row.fields);
    if (r.kind === 'contract') raw.add(r, row.line);
    else if (r.kind === 'ignored') ignored++;
    else badRow(row.line, r.tradingsymbol, r.problem);
  }
  if (read === null) throw new DumpRefusedError(`the ${exchange} instruments dump is empty`);

  const expiryRank = rankOf(raw.expiryIdOf);
  const keyOrder = sortedIndices(raw.tokens.length, (a, b) => raw.underlyingIds[a]! - raw.underlyingIds[b]! || expiryRank[raw.expiryIds[a]!]! - expiryRank[raw.expiryIds[b]!]! || raw.strikes[a]! - raw.strikes[b]! || raw.kinds[a]! - raw.kinds[b]!);
  const dead = new Uint8Array(raw.tokens.length);
  const sameKey = (a: number, b: number) => raw.underlyingIds[a] === raw.underlyingIds[b] && raw.expiryIds[a] === raw.expiryIds[b] && raw.strikes[a] === raw.strikes[b] && raw.kinds[a] === raw.kinds[b];
  dropRuns(keyOrder, sameKey, dead, (i, first) => badRow(raw.lines[i]!, raw.symbols[i]!, `the same contract as line ${raw.lines[first]} (underlying, expiry, strike and type); both are skipped`));
  await turn();
  const symbolOrder = sortedIndices(raw.tokens.length, (a, b) => (raw.symbols[a]! < raw.symbols[b]! ? -1 : raw.symbols[a]! > raw.symbols[b]! ? 1 : 0));
  dropRuns(symbolOrder, (a, b) => raw.symbols[a] === raw.symbols[b], dead, (i, first) => badRow(raw.lines[i]!, raw.symbols[i]!, `the same tradingsymbol as line ${raw.lines[first]}; both are skipped`));

  const alive = symbolOrder.filter((i) => dead[i] === 0);
  if (bad > MIN_BAD_TO_REFUSE && bad > dataRows * MAX_BAD_SHARE) {
    throw new DumpRefusedError(`the ${exchange} instruments dump has ${bad} bad rows of ${dataRows} (more than ${MAX_BAD_SHARE * 100}%), so none of it is used; first: ${samples.slice(0, 3).join('; ')}`);
  }
  if (alive.length === 0) throw new DumpRefusedError(`the ${exchange} instruments dump lists no derivative (${dataRows} rows, ${ignored} not derivatives, ${bad} bad)`);

  await turn();
  const numberOf = new Int32Array(raw.tokens.length).fill(-1);
  alive.forEach((old, i) => (numberOf[old] = i));
  const columns = packColumns(raw, alive);
  await turn();
  const index = indexChains(raw, keyOrder.filter((i) => dead[i] === 0), numberOf, columns);
  return new DerivativesMaster(columns, index, { exchange, fetchedAt, rows: dataRows, contracts: alive.length, ignored, bad, badSamples: samples });
}

/** Lets timers and I/O run before going on. */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function sortedIndices(n: number, compare: (a: number, b: number) => number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order.sort(compare);
}

/** Marks every member of each run of equal neighbours dead, reporting each against the run's first. */
function dropRuns(order: Uint32Array, same: (a: number, b: number) => boolean, dead: Uint8Array, report: (i: number, first: number) => void): void {
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && same(order[start]!, order[end]!)) end++;
    if (end - start > 1) {
      for (let k = start; k < end; k++) {
        if (dead[order[k]!] === 0) report(order[k]!, order[k === start ? start + 1 : start]!);
        dead[order[k]!] = 1;
      }
    }
    start = end;
  }
}

/** Each id's position when the keys are sorted (ISO dates sort as strings). */
function rankOf(ids: ReadonlyMap<string, number>): Uint16Array {
  const rank = new Uint16Array(ids.size);
  [...ids.keys()].sort().forEach((key, r) => (rank[ids.get(key)!] = r));
  return rank;
}

function packColumns(raw: RawContracts, alive: Uint32Array): ContractColumns {
  const m = alive.length;
  const c = {
    tokens: new Uint32Array(m),
    strikes: new Float64Array(m),
    lotSizes: new Uint32Array(m),
    tickSizes: new Float64Array(m),
    kinds: new Uint8Array(m),
    expiryIds: new Uint16Array(m),
    underlyingIds: new Uint16Array(m),
    symbolEnds: new Uint32Array(m),
  };
  const symbols = new Array<string>(m);
  let end = 0;
  for (let i = 0; i < m; i++) {
    const o = alive[i]!;
    c.tokens[i] = raw.tokens[o]!;
    c.strikes[i] = raw.strikes[o]!;
    c.lotSizes[i] = raw.lotSizes[o]!;
    c.tickSizes[i] = raw.tickSizes[o]!;
    c.kinds[i] = raw.kinds[o]!;
    c.expiryIds[i] = raw.expiryIds[o]!;
    c.underlyingIds[i] = raw.underlyingIds[o]!;
    symbols[i] = raw.symbols[o]!;
    end += symbols[i]!.length;
    c.symbolEnds[i] = end;
  }
  return { ...c, symbolPool: symbols.join(''), expiries: namesById(raw.expiryIdOf), underlyings: namesById(raw.underlyingIdOf) };
}

function namesById(ids: ReadonlyMap<string, number>): string[] {
  const names = new Array<string>(ids.size);
  for (const [name, id] of ids) names[id] = name;
  return names;
}

/** underlying → expiry → ladder and future, walking the contracts in (underlying, expiry, strike, type) order. */
function indexChains(raw: RawContracts, keyed: Uint32Array, numberOf: Int32Array, columns: ContractColumns): Map<string, UnderlyingEntry> {
  const index = new Map<string, { calendar: { underlying: string; optionExpiries: string[]; futureExpiries: string[] }; byExpiry: Map<string, ExpiryEntry> }>();
  for (let start = 0; start < keyed.length; ) {
    const first = keyed[start]!;
    let end = start;
    while (end < keyed.length && raw.underlyingIds[keyed[end]!] === raw.underlyingIds[first] && raw.expiryIds[keyed[end]!] === raw.expiryIds[first]) end++;
    const underlying = columns.underlyings[raw.underlyingIds[first]!]!;
    const expiry = columns.expiries[raw.expiryIds[first]!]!;
    let future = -1;
    const strikes: number[] = [];
    const ce: number[] = [];
    const pe: number[] = [];
    for (let k = start; k < end; k++) {
      const old = keyed[k]!;
      const kind = raw.kinds[old]!;
      if (kind === KIND_CODE.FUT) {
        future = numberOf[old]!;
        continue;
      }
      if (strikes[strikes.length - 1] !== raw.strikes[old]) {
        strikes.push(raw.strikes[old]!);
        ce.push(-1);
        pe.push(-1);
      }
      (kind === KIND_CODE.CE ? ce : pe)[strikes.length - 1] = numberOf[old]!;
    }
    let entry = index.get(underlying);
    if (!entry) index.set(underlying, (entry = { calendar: { underlying, optionExpiries: [], futureExpiries: [] }, byExpiry: new Map() }));
    if (strikes.length > 0) entry.calendar.optionExpiries.push(expiry);
    if (future >= 0) entry.calendar.futureExpiries.push(expiry);
    entry.byExpiry.set(expiry, { future, ladder: strikes.length > 0 ? { strikes: Float64Array.from(strikes), ce: Int32Array.from(ce), pe: Int32Array.from(pe) } : null });
    start = end;
  }
  return index;
}
