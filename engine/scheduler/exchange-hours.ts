/**
 * An exchange's regular session: when its continuous trading opens and closes on a trading day
 * (the calendar says which days). Outside it a price stream is silent by nature, so a silence
 * there says nothing about the stream. Early closes (NYSE's half days) are not listed: the
 * session is taken to run to its regular close.
 */
import type { Exchange } from '../core/types';
import type { TradingCalendar } from './trading-calendar';
import { defaultTimezone } from './trading-calendar';
import { instantOf, tradingDateAt } from './trigger-times';

/** Regular hours in the exchange's own zone (NYSE/NASDAQ: nyse.com hours; NSE/BSE: nseindia.com market timings); null: always open. */
const REGULAR_HOURS: Readonly<Record<Exchange, { readonly open: string; readonly close: string } | null>> = {
  NYSE: { open: '09:30:00', close: '16:00:00' },
  NASDAQ: { open: '09:30:00', close: '16:00:00' },
  NSE: { open: '09:15:00', close: '15:30:00' },
  BSE: { open: '09:15:00', close: '15:30:00' },
  CRYPTO: null,
};

/** Where the session stands at an instant. */
export type SessionAt =
  /** `openedAt`: when this session opened (null: always open); `closesAt`: when it closes (Infinity: never). */
  | { readonly open: true; readonly openedAt: number | null; readonly closesAt: number }
  | { readonly open: false; readonly opensAt: number };

/**
 * The session of `exchange` at `at`.
 *
 * @example
 *   sessionAt('NYSE', Date.parse('2026-03-09T14:00:00Z'), calendar) // { open: true, openedAt: …13:30Z, closesAt: …20:00Z }
 *   sessionAt('NYSE', Date.parse('2026-03-07T14:00:00Z'), calendar) // { open: false, opensAt: Monday 13:30Z }
 */
export function sessionAt(exchange: Exchange, at: number, calendar: TradingCalendar): SessionAt {
  const hours = REGULAR_HOURS[exchange];
  if (hours === null) return { open: true, openedAt: null, closesAt: Number.POSITIVE_INFINITY };
  const zone = defaultTimezone(exchange);
  const today = tradingDateAt(at, zone);
  if (calendar.isTradingDay(exchange, today)) {
    const opensAt = instantOf(today, hours.open, zone);
    const closesAt = instantOf(today, hours.close, zone);
    if (at < opensAt) return { open: false, opensAt };
    if (at < closesAt) return { open: true, openedAt: opensAt, closesAt };
  }
  return { open: false, opensAt: instantOf(calendar.nextTradingDay(exchange, today), hours.open, zone) };
}
