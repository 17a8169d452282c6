/**
 * The day's derivatives of one exchange (NFO or BFO), held compactly: ~90 000 contracts as typed
 * columns and one string of tradingsymbols, not ~90 000 objects. Contracts are numbered in
 * tradingsymbol order, so a symbol is found by binary search over the one string; the chain index
 * (underlying → expiry → strike → CE/PE, and the future) holds only numbers. A contract object is
 * made when one is asked for. Built by `buildDerivativesMaster`; immutable once built.
 */
import type { DerivativeContract, ExpiryCalendar, OptionChain, OptionLadder, OptionRight } from '../../options/option-chain';
import type { KiteDerivativeExchange } from './derivatives-rows';

/** `kinds` column values. */
export const KIND_CODE = { FUT: 0, CE: 1, PE: 2 } as const;
const KIND_NAME = ['FUT', 'CE', 'PE'] as const;

/** Contract i of n, by column; contracts sorted by tradingsymbol. */
export interface ContractColumns {
  readonly tokens: Uint32Array;
  readonly strikes: Float64Array;
  readonly lotSizes: Uint32Array;
  readonly tickSizes: Float64Array;
  readonly kinds: Uint8Array;
  readonly expiryIds: Uint16Array;
  readonly underlyingIds: Uint16Array;
  /** Every tradingsymbol, in contract order, back to back; contract i's ends at symbolEnds[i]. */
  readonly symbolPool: string;
  readonly symbolEnds: Uint32Array;
  readonly expiries: readonly string[];
  readonly underlyings: readonly string[];
}

/** The options of one underlying and expiry: strikes ascending, and the CE / PE contract at each (−1: none). */
export interface LadderColumns {
  readonly strikes: Float64Array;
  readonly ce: Int32Array;
  readonly pe: Int32Array;
}

export interface ExpiryEntry {
  readonly ladder: LadderColumns | null;
  /** The future's contract number, or −1. */
  readonly future: number;
}

export interface UnderlyingEntry {
  readonly calendar: ExpiryCalendar;
  readonly byExpiry: ReadonlyMap<string, ExpiryEntry>;
}

/** What a load read, for the log and the readiness check. */
export interface MasterReport {
  readonly exchange: KiteDerivativeExchange;
  /** When the dump was downloaded (epoch ms). */
  readonly fetchedAt: number;
  /** Data rows in the dump (the header not counted). */
  readonly rows: number;
  readonly contracts: number;
  /** Rows that are not derivatives (an index with an empty expiry, an equity). */
  readonly ignored: number;
  /** Rows skipped as unreadable or ambiguous. */
  readonly bad: number;
  /** The first few bad rows, each naming its line and column. */
  readonly badSamples: readonly string[];
}

export class DerivativesMaster implements OptionChain {
  constructor(
    private readonly columns: ContractColumns,
    private readonly index: ReadonlyMap<string, UnderlyingEntry>,
    readonly report: MasterReport,
  ) {}

  get exchange(): KiteDerivativeExchange {
    return this.report.exchange;
  }

  get fetchedAt(): number {
    return this.report.fetchedAt;
  }

  /** The underlyings with derivatives listed, sorted. */
  underlyings(): string[] {
    return [...this.index.keys()].sort();
  }

  calendar(underlying: string): ExpiryCalendar | null {
    return this.index.get(underlying)?.calendar ?? null;
  }

  ladder(underlying: string, expiry: string): OptionLadder | null {
    const cols = this.index.get(underlying)?.byExpiry.get(expiry)?.ladder;
    if (!cols) return null;
    return {
      underlying,
      expiry,
      strikes: cols.strikes,
      contract: (i: number, right: OptionRight) => {
        const n = (right === 'CE' ? cols.ce : cols.pe)[i];
        return n === undefined || n < 0 ? null : this.contractAt(n);
      },
    };
  }

  future(underlying: string, expiry: string): DerivativeContract | null {
    const n = this.index.get(underlying)?.byExpiry.get(expiry)?.future ?? -1;
    return n < 0 ? null : this.contractAt(n);
  }

  /**
   * The contract with this tradingsymbol, or null.
   * @example master.bySymbol('NIFTY26D2226000CE')?.token
   */
  bySymbol(tradingsymbol: string): DerivativeContract | null {
    let lo = 0;
    let hi = this.columns.tokens.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const s = this.symbolAt(mid);
      if (s === tradingsymbol) return this.contractAt(mid);
      if (s < tradingsymbol) lo = mid + 1;
      else hi = mid;
    }
    return null;
  }

  private symbolAt(i: number): string {
    return this.columns.symbolPool.slice(i === 0 ? 0 : this.columns.symbolEnds[i - 1]!, this.columns.symbolEnds[i]!);
  }

  private contractAt(i: number): DerivativeContract {
    const c = this.columns;
    return {
      tradingsymbol: this.symbolAt(i),
      exchange: this.report.exchange,
      token: c.tokens[i]!,
      underlying: c.underlyings[c.underlyingIds[i]!]!,
      expiry: c.expiries[c.expiryIds[i]!]!,
      kind: KIND_NAME[c.kinds[i]!]!,
      strike: c.strikes[i]!,
      lotSize: c.lotSizes[i]!,
      tickSize: c.tickSizes[i]!,
    };
  }
}
