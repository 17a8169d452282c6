/**
 * Which listed expiry a leg trades, chosen from the master's own dates. Nothing here computes an
 * expiry from a weekday: the exchanges have moved expiry days (NSE Thursday → Tuesday and BSE
 * Tuesday → Thursday from September 2025) and a holiday moves an expiry to the trading day before,
 * so only the listing knows.
 *
 * The rules, as option traders use them (AlgoTest's "weekly / next weekly / monthly"):
 * - current_week: the nearest listed expiry on or after today (today's own expiry counts: the
 *   contract trades until the close).
 * - next_week: the listed expiry after that one.
 * - current_month: the nearest monthly expiry on or after today; once this month's has passed,
 *   next month's.
 * - date: exactly that listed expiry.
 * A monthly expiry is one with a future listed on it (the index futures are monthly only), so a
 * weekly moved back over a holiday into the previous month is not taken for that month's monthly.
 * For far months beyond the listed futures (quarterlies), the month's last listed expiry is its
 * monthly.
 * The weekly rules are refused for an underlying that lists monthly expiries only (BANKNIFTY,
 * FINNIFTY since November 2024): its "current week" would silently be a month away.
 */
import { resolved, unresolved, type ExpiryCalendar, type Resolved } from './option-chain';

export type ExpiryRule =
  | { readonly kind: 'current_week' }
  | { readonly kind: 'next_week' }
  | { readonly kind: 'current_month' }
  | { readonly kind: 'date'; readonly date: string };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const month = (isoDate: string) => isoDate.slice(0, 7);

/**
 * The monthly expiries among the calendar's option expiries, ascending.
 * @example monthlyExpiries({ underlying: 'NIFTY', optionExpiries: ['2026-12-22', '2026-12-29', '2027-01-05'], futureExpiries: ['2026-12-29'] }) // ['2026-12-29', '2027-01-05']
 */
export function monthlyExpiries(calendar: ExpiryCalendar): string[] {
  const futures = new Set(calendar.futureExpiries);
  // Futures are listed for the near months without a gap; a month up to the last of them that has
  // none is one whose monthly has expired (what is left in it are weeklies).
  const lastFutureMonth = calendar.futureExpiries.reduce((m, e) => (month(e) > m ? month(e) : m), '');
  const options = calendar.optionExpiries;
  return options.filter((e, i) => futures.has(e) || (month(e) > lastFutureMonth && (i === options.length - 1 || month(options[i + 1]!) !== month(e))));
}

/** True when the underlying lists an expiry that is not a monthly one. */
export function hasWeeklySeries(calendar: ExpiryCalendar): boolean {
  return monthlyExpiries(calendar).length < calendar.optionExpiries.length;
}

/**
 * The expiry the rule names for `today` (the IST date, `YYYY-MM-DD`), or why there is none.
 *
 * @example selectExpiry(calendar, { kind: 'current_month' }, '2026-12-30') // { ok: true, value: '2027-01-26' }
 */
export function selectExpiry(calendar: ExpiryCalendar, rule: ExpiryRule, today: string): Resolved<string> {
  const { underlying } = calendar;
  if (!ISO_DATE.test(today)) return unresolved('bad_request', `today must be a date YYYY-MM-DD, got "${today}"`);
  const live = calendar.optionExpiries.filter((e) => e >= today);
  if (live.length === 0) return unresolved('no_expiry', `${underlying} lists no option expiry on or after ${today}`);
  switch (rule.kind) {
    case 'current_week':
    case 'next_week': {
      if (!hasWeeklySeries(calendar)) {
        return unresolved('no_weekly_series', `${underlying} lists monthly expiries only (${shown(live)}): choose the current month or a date`);
      }
      const at = rule.kind === 'current_week' ? 0 : 1;
      return live[at] !== undefined ? resolved(live[at]) : unresolved('no_expiry', `${underlying} lists no expiry after ${live[0]} (next week)`);
    }
    case 'current_month': {
      const monthly = monthlyExpiries(calendar).find((e) => e >= today);
      return monthly !== undefined ? resolved(monthly) : unresolved('no_expiry', `${underlying} lists no monthly expiry on or after ${today} (listed: ${shown(live)})`);
    }
    case 'date': {
      if (!ISO_DATE.test(rule.date)) return unresolved('bad_request', `an expiry date must be YYYY-MM-DD, got "${rule.date}"`);
      if (rule.date < today) return unresolved('no_expiry', `the expiry ${rule.date} has passed (today is ${today})`);
      return live.includes(rule.date) ? resolved(rule.date) : unresolved('no_expiry', `${underlying} has no expiry on ${rule.date} (listed: ${shown(live)})`);
    }
  }
}

const DAY_MS = 86_400_000;

/**
 * Days to expiry as Indian option traders count them (AlgoTest's DTE filter): calendar days from
 * `today` to `expiry` (both `YYYY-MM-DD`, the exchange's dates), 0 on the expiry day, so with a
 * Tuesday expiry Monday is 1 and the Friday before is 4 (the weekend counts).
 * @example daysToExpiry('2026-12-04', '2026-12-08') // 4
 */
export function daysToExpiry(today: string, expiry: string): number {
  const utc = (iso: string) => Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10)));
  return Math.round((utc(expiry) - utc(today)) / DAY_MS);
}

/** The first few live expiries, for a message. */
function shown(live: readonly string[]): string {
  return live.length > 6 ? `${live.slice(0, 6).join(', ')}, …` : live.join(', ');
}
