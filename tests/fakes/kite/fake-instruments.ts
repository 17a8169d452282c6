/**
 * The fake's instruments dump: a few rows per segment the parser cares about, in Kite's 12-column
 * CSV layout (kite.trade/docs/connect/v3/market-quotes). Tokens are chosen so token & 0xFF is the
 * right segment id (1 NSE, 2 NFO, 3 CDS, 4 BSE, 5 BFO, 6 BCD, 9 indices); the rows are ours, not
 * copied. The NFO and BFO option chains come from fake-option-chain.ts.
 */

export interface FakeInstrument {
  readonly token: number;
  readonly tradingsymbol: string;
  readonly name: string;
  readonly exchange: string;
  readonly segment: string;
  readonly instrumentType: string;
  readonly tickSize: number;
  readonly lotSize: number;
  readonly expiry?: string;
  /** An option's strike; 0 (as Kite writes it) for everything else. */
  readonly strike?: number;
}

export const DEFAULT_INSTRUMENTS: readonly FakeInstrument[] = [
  { token: 408065, tradingsymbol: 'INFY', name: 'INFOSYS', exchange: 'NSE', segment: 'NSE', instrumentType: 'EQ', tickSize: 0.05, lotSize: 1 },
  { token: 884737, tradingsymbol: 'TATAMOTORS', name: 'TATA MOTORS', exchange: 'NSE', segment: 'NSE', instrumentType: 'EQ', tickSize: 0.05, lotSize: 1 },
  { token: 779521, tradingsymbol: 'SBIN', name: 'STATE BANK OF INDIA', exchange: 'NSE', segment: 'NSE', instrumentType: 'EQ', tickSize: 0.05, lotSize: 1 },
  { token: 519937, tradingsymbol: 'M&M', name: 'MAHINDRA & MAHINDRA', exchange: 'NSE', segment: 'NSE', instrumentType: 'EQ', tickSize: 0.05, lotSize: 1 },
  { token: 256265, tradingsymbol: 'NIFTY 50', name: 'NIFTY 50', exchange: 'NSE', segment: 'INDICES', instrumentType: 'EQ', tickSize: 0, lotSize: 0 },
  { token: 128083204, tradingsymbol: 'RELIANCE', name: 'RELIANCE INDUSTRIES', exchange: 'BSE', segment: 'BSE', instrumentType: 'EQ', tickSize: 0.05, lotSize: 1 },
  { token: 265, tradingsymbol: 'SENSEX', name: 'SENSEX', exchange: 'BSE', segment: 'INDICES', instrumentType: 'EQ', tickSize: 0, lotSize: 0 },
  { token: 412675, tradingsymbol: 'USDINR26MARFUT', name: 'USDINR', exchange: 'CDS', segment: 'CDS-FUT', instrumentType: 'FUT', tickSize: 0.0025, lotSize: 1, expiry: '2026-03-27' },
  { token: 2222086, tradingsymbol: 'USDINR26MARFUT', name: 'USDINR', exchange: 'BCD', segment: 'BCD-FUT', instrumentType: 'FUT', tickSize: 0.0025, lotSize: 1, expiry: '2026-03-27' },
];

const HEADER = 'instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,instrument_type,segment,exchange';

/** The dump for one exchange, or all of them. */
export function instrumentsCsv(instruments: readonly FakeInstrument[], exchange?: string): string {
  const rows = instruments
    .filter((i) => !exchange || i.exchange === exchange)
    .map((i) => [i.token, i.token >> 8, i.tradingsymbol, `"${i.name}"`, 0, i.expiry ?? '', i.strike ?? 0, i.tickSize, i.lotSize, i.instrumentType, i.segment, i.exchange].join(','));
  return [HEADER, ...rows].join('\n') + '\n';
}
