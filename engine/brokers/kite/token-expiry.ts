/**
 * When a Kite access token dies, and when to warn about it. Kite tokens are valid until 06:00 IST
 * the next morning (a regulatory rule), so a token that was good at any instant is dead at the
 * first 06:00 IST after it. India keeps no DST, but the arithmetic still goes through luxon so
 * a wall-clock time is never computed by hand.
 */
import { DateTime } from 'luxon';

/** Kite's daily session cut-off, as `BrokerCapabilities.sessionExpiresDaily` states it. */
export const KITE_SESSION_EXPIRY = { at: '06:00', timezone: 'Asia/Kolkata' } as const;

/** The default time of the pre-market login check: half an hour before NSE opens at 09:15. */
export const KITE_PRE_MARKET_CHECK_AT = '08:45';

/**
 * The first instant strictly after `afterMs` at which the wall clock in `timezone` reads `hhmm`.
 *
 * @example nextWallTime(Date.parse('2026-03-09T03:00:00Z'), '08:45', 'Asia/Kolkata') // 2026-03-09T03:15:00Z
 */
export function nextWallTime(afterMs: number, hhmm: string, timezone: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!m) throw new Error(`time must be "HH:MM", got "${hhmm}"`);
  const local = DateTime.fromMillis(afterMs, { zone: timezone });
  if (!local.isValid) throw new Error(`unknown timezone "${timezone}"`);
  let candidate = local.set({ hour: Number(m[1]), minute: Number(m[2]), second: 0, millisecond: 0 });
  if (candidate.toMillis() <= afterMs) candidate = candidate.plus({ days: 1 });
  return candidate.toMillis();
}

/**
 * When an access token that was valid at `validAtMs` (issued, or last confirmed by Kite) expires:
 * the next 06:00 IST strictly after that instant. A token issued at 05:59 IST lives one minute.
 *
 * @example kiteTokenExpiry(Date.parse('2026-03-09T03:30:00Z')) === Date.parse('2026-03-10T00:30:00Z') // 09:00 IST → next day 06:00 IST
 */
export function kiteTokenExpiry(validAtMs: number): number {
  return nextWallTime(validAtMs, KITE_SESSION_EXPIRY.at, KITE_SESSION_EXPIRY.timezone);
}

/**
 * The next instant of the pre-market check (default 08:45 IST) strictly after `afterMs`. The
 * caller skips non-trading days with its own calendar.
 *
 * @example nextPreMarketCheck(clock.now()) // today's or tomorrow's 08:45 IST
 */
export function nextPreMarketCheck(afterMs: number, at: string = KITE_PRE_MARKET_CHECK_AT): number {
  return nextWallTime(afterMs, at, KITE_SESSION_EXPIRY.timezone);
}

/** "YYYY-MM-DD" of an instant in IST: the key of Kite's trading day (daily limits, instrument dumps). */
export function istDate(epochMs: number): string {
  return DateTime.fromMillis(epochMs, { zone: KITE_SESSION_EXPIRY.timezone }).toISODate()!;
}

/**
 * Parses Kite's REST timestamps ("YYYY-MM-DD HH:MM:SS", IST wall time, no zone) to epoch ms;
 * null for empty or malformed values.
 *
 * @example parseKiteTimestamp('2026-03-09 09:15:00') === Date.parse('2026-03-09T03:45:00Z')
 */
export function parseKiteTimestamp(text: unknown): number | null {
  if (typeof text !== 'string' || !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(text)) return null;
  const dt = DateTime.fromFormat(text, 'yyyy-MM-dd HH:mm:ss', { zone: KITE_SESSION_EXPIRY.timezone });
  return dt.isValid ? dt.toMillis() : null;
}
