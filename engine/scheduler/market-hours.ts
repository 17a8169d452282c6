/**
 * The regular trading session of each exchange, in its own zone, and the early closes known: the
 * readiness check asks whether an entry and its exit fall inside it. Full-day closures are the
 * trading calendar's (holidays, weekends); this file adds the hours.
 *
 * `sessionAt` answers the same for an instant: the price-feed watch asks it, since outside the
 * session a stream is silent by nature and a silence there says nothing about the stream.
 *
 * Sources: NSE/BSE (and their derivatives segments NFO/BFO) normal market 09:15–15:30 IST (nseindia.com, market timings); NYSE and Nasdaq
 * core trading 09:30–16:00 ET and the 13:00 early closes (nyse.com/markets/hours-calendars, which
 * nyse.json cites). Check the early closes against NYSE's calendar each year, as the holidays.
 */
import { DateTime } from 'luxon';
import type { Exchange } from '../core/types';
import type { CivilDate } from './civil-date';
import { defaultTimezone, type TradingCalendar } from './trading-calendar';
import { instantOf, tradingDateAt } from './trigger-times';

interface Hours {
  readonly open: string;
  readonly close: string;
}

const REGULAR: Readonly<Record<Exclude<Exchange, 'CRYPTO'>, Hours>> = {
  NSE: { open: '09:15:00', close: '15:30:00' },
  BSE: { open: '09:15:00', close: '15:30:00' },
  NFO: { open: '09:15:00', close: '15:30:00' },
  BFO: { open: '09:15:00', close: '15:30:00' },
  NYSE: { open: '09:30:00', close: '16:00:00' },
  NASDAQ: { open: '09:30:00', close: '16:00:00' },
};

/** US early closes (13:00 ET), shared by NYSE and Nasdaq: the day after Thanksgiving, Christmas Eve. */
const US_EARLY_CLOSES: ReadonlyMap<CivilDate, string> = new Map([
  ['2026-11-27', '13:00:00'],
  ['2026-12-24', '13:00:00'],
  ['2027-11-26', '13:00:00'],
]);

/** An exchange's session on one of its dates. `early`: it closes before its regular close that day. */
export type MarketSession =
  | { readonly kind: 'closed'; readonly why: string }
  | { readonly kind: 'always' }
  | { readonly kind: 'hours'; readonly open: string; readonly close: string; readonly early: boolean; readonly timezone: string };

/**
 * @example sessionOn('NYSE', '2026-11-27', calendar) // { kind: 'hours', open: '09:30:00', close: '13:00:00', early: true, timezone: 'America/New_York' }
 * @example sessionOn('NYSE', '2026-12-25', calendar) // { kind: 'closed', why: 'Christmas Day' }
 */
export function sessionOn(exchange: Exchange, date: CivilDate, calendar: TradingCalendar): MarketSession {
  if (exchange === 'CRYPTO') return { kind: 'always' };
  if (!calendar.isTradingDay(exchange, date)) return { kind: 'closed', why: calendar.holidayName(exchange, date) ?? 'a weekend' };
  const hours = REGULAR[exchange];
  const early = exchange === 'NYSE' || exchange === 'NASDAQ' ? US_EARLY_CLOSES.get(date) : undefined;
  return { kind: 'hours', open: hours.open, close: early ?? hours.close, early: early !== undefined, timezone: defaultTimezone(exchange) };
}

/** An instant as the exchange's date and time of day ("HH:mm:ss"). */
export function exchangeTimeOf(epochMs: number, exchange: Exchange): { readonly date: CivilDate; readonly time: string } {
  const t = DateTime.fromMillis(epochMs, { zone: defaultTimezone(exchange) });
  return { date: t.toISODate()!, time: t.toFormat('HH:mm:ss') };
}

/** Where the session stands at an instant. */
export type SessionAt =
  /** `openedAt`: when this session opened (null: always open); `closesAt`: when it closes (Infinity: never). */
  | { readonly open: true; readonly openedAt: number | null; readonly closesAt: number }
  | { readonly open: false; readonly opensAt: number };

/**
 * The session of `exchange` at `at`, early closes included.
 *
 * @example
 *   sessionAt('NYSE', Date.parse('2026-03-09T14:00:00Z'), calendar) // { open: true, openedAt: …13:30Z, closesAt: …20:00Z }
 *   sessionAt('NYSE', Date.parse('2026-03-07T14:00:00Z'), calendar) // { open: false, opensAt: Monday 13:30Z }
 */
export function sessionAt(exchange: Exchange, at: number, calendar: TradingCalendar): SessionAt {
  if (exchange === 'CRYPTO') return { open: true, openedAt: null, closesAt: Number.POSITIVE_INFINITY };
  const zone = defaultTimezone(exchange);
  const today = tradingDateAt(at, zone);
  const session = sessionOn(exchange, today, calendar);
  if (session.kind === 'hours') {
    const opensAt = instantOf(today, session.open, zone);
    const closesAt = instantOf(today, session.close, zone);
    if (at < opensAt) return { open: false, opensAt };
    if (at < closesAt) return { open: true, openedAt: opensAt, closesAt };
  }
  const next = calendar.nextTradingDay(exchange, today);
  const nextSession = sessionOn(exchange, next, calendar);
  return { open: false, opensAt: instantOf(next, nextSession.kind === 'hours' ? nextSession.open : REGULAR[exchange].open, zone) };
}
