/**
 * A small deterministic index option chain for the fake's NFO and BFO instruments dumps, as rows
 * of Kite's 12-column CSV (fake-instruments.ts writes them). Sources in SOURCES.md:
 * - Underlyings, strike steps and lot sizes: NIFTY 50 apart, lot 65; BANKNIFTY 100, lot 30;
 *   FINNIFTY 50, lot 60 (NSE's revision effective with the January 2026 expiries); SENSEX 100,
 *   lot 20 (BSE, from November 2024). Only NIFTY and SENSEX list weeklies (SEBI, November 2024).
 * - Expiry days: NSE Tuesday, BSE Thursday, for contracts expiring from September 2025; a holiday
 *   moves an expiry to the trading day before; the monthly is the month's last expiry day; a
 *   future is listed on each monthly.
 * - Tradingsymbols: monthly NIFTY26DEC26000CE / NIFTY26DECFUT, weekly NIFTY26D0826000CE
 *   (year, month as 1–9/O/N/D, day). Tokens: exchange_token × 256 + segment (NFO 2, BFO 5), so
 *   `token & 0xFF` is the ticker's segment.
 * The fake has to list dates somehow, so it computes them from weekdays; Tradeclock never does.
 */
import type { FakeInstrument } from './fake-instruments';

export interface FakeUnderlyingSpec {
  readonly name: string;
  readonly exchange: 'NFO' | 'BFO';
  readonly step: number;
  readonly lotSize: number;
  /** The index level the strikes are centred on. */
  readonly spot: number;
  /** Lists weekly expiries; else monthly only. */
  readonly weekly: boolean;
  /** Expiry weekday, 0 Sunday … 6 Saturday. */
  readonly weekday: number;
}

export const FAKE_UNDERLYINGS: readonly FakeUnderlyingSpec[] = [
  { name: 'NIFTY', exchange: 'NFO', step: 50, lotSize: 65, spot: 26000, weekly: true, weekday: 2 },
  { name: 'BANKNIFTY', exchange: 'NFO', step: 100, lotSize: 30, spot: 59000, weekly: false, weekday: 2 },
  { name: 'FINNIFTY', exchange: 'NFO', step: 50, lotSize: 60, spot: 27500, weekly: false, weekday: 2 },
  { name: 'SENSEX', exchange: 'BFO', step: 100, lotSize: 20, spot: 85000, weekly: true, weekday: 4 },
];

export interface FakeChainOptions {
  /** The IST date the dump is for, YYYY-MM-DD: nothing expiring before it is listed. */
  readonly today: string;
  readonly underlyings?: readonly FakeUnderlyingSpec[];
  /** Exchange holidays (YYYY-MM-DD); weekends are never trading days. */
  readonly holidays?: readonly string[];
  readonly weeklies?: number;
  readonly monthlies?: number;
  readonly strikesEachSide?: number;
}

const DAY = 86_400_000;
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const SEGMENT_ID = { NFO: 2, BFO: 5 } as const;
const FIRST_EXCHANGE_TOKEN = { NFO: 35_000, BFO: 820_000 } as const;

/**
 * The chain's rows: per underlying, options on every listed expiry at `strikesEachSide` strikes
 * either side of the money, and a future on each monthly expiry.
 * @example fakeOptionChain({ today: '2026-12-07' }).filter((r) => r.exchange === 'BFO')
 */
export function fakeOptionChain(o: FakeChainOptions): FakeInstrument[] {
  const holidays = new Set(o.holidays ?? []);
  const today = Date.parse(`${o.today}T00:00:00Z`);
  const next = { NFO: FIRST_EXCHANGE_TOKEN.NFO, BFO: FIRST_EXCHANGE_TOKEN.BFO };
  const rows: FakeInstrument[] = [];
  for (const u of o.underlyings ?? FAKE_UNDERLYINGS) {
    const monthly = monthlyExpiries(u.weekday, today, o.monthlies ?? 3, holidays);
    const weekly = u.weekly ? weeklyExpiries(u.weekday, today, o.weeklies ?? 4, holidays) : [];
    const expiries = [...new Set([...weekly, ...monthly])].sort((a, b) => a - b);
    const atm = Math.round(u.spot / u.step) * u.step;
    const n = o.strikesEachSide ?? 10;
    for (const e of expiries) {
      const isMonthly = monthly.includes(e);
      const tag = symbolDate(e, isMonthly);
      const row = (tradingsymbol: string, instrumentType: string, strike: number): FakeInstrument => {
        const exchangeToken = next[u.exchange]++;
        return { token: exchangeToken * 256 + SEGMENT_ID[u.exchange], tradingsymbol, name: u.name, exchange: u.exchange, segment: `${u.exchange}-${instrumentType === 'FUT' ? 'FUT' : 'OPT'}`, instrumentType, tickSize: 0.05, lotSize: u.lotSize, expiry: iso(e), strike };
      };
      if (isMonthly) rows.push(row(`${u.name}${tag}FUT`, 'FUT', 0));
      for (let k = -n; k <= n; k++) {
        const strike = atm + k * u.step;
        for (const right of ['CE', 'PE']) rows.push(row(`${u.name}${tag}${strike}${right}`, right, strike));
      }
    }
  }
  return rows;
}

/** The next `count` weekday expiries on or after today, each moved back over holidays. */
function weeklyExpiries(weekday: number, today: number, count: number, holidays: ReadonlySet<string>): number[] {
  const out: number[] = [];
  for (let d = today + (((weekday - new Date(today).getUTCDay()) % 7) + 7) % 7 * DAY; out.length < count; d += 7 * DAY) {
    const e = tradingDayOnOrBefore(d, holidays);
    if (e >= today) out.push(e);
  }
  return out;
}

/** The month's last `weekday`, moved back over holidays, for the next `count` months that still have it ahead. */
function monthlyExpiries(weekday: number, today: number, count: number, holidays: ReadonlySet<string>): number[] {
  const out: number[] = [];
  const t = new Date(today);
  for (let m = 0; out.length < count; m++) {
    const lastDay = Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + m + 1, 0);
    const last = lastDay - ((((new Date(lastDay).getUTCDay() - weekday) % 7) + 7) % 7) * DAY;
    const e = tradingDayOnOrBefore(last, holidays);
    if (e >= today) out.push(e);
  }
  return out;
}

function tradingDayOnOrBefore(day: number, holidays: ReadonlySet<string>): number {
  let d = day;
  while ([0, 6].includes(new Date(d).getUTCDay()) || holidays.has(iso(d))) d -= DAY;
  return d;
}

/** Kite's date part of a tradingsymbol: 26DEC for a monthly, 26D08 for a weekly. */
function symbolDate(day: number, monthly: boolean): string {
  const d = new Date(day);
  const yy = String(d.getUTCFullYear() % 100).padStart(2, '0');
  if (monthly) return `${yy}${MONTHS[d.getUTCMonth()]}`;
  return `${yy}${'123456789OND'[d.getUTCMonth()]}${String(d.getUTCDate()).padStart(2, '0')}`;
}

function iso(day: number): string {
  return new Date(day).toISOString().slice(0, 10);
}
