/**
 * How numbers and times read on screen: fixed decimals, tabular figures (CSS), explicit signs on
 * changes, local wall-clock times with seconds (and milliseconds where exactness is the point).
 */

const EM_DASH = '—';

const priceFormat = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 4 });
/** Up to 8 digits after the point (a satoshi), none shown when whole: 10 reads 10, 0.0015 reads 0.0015. */
const qtyFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 8 });
const stepFormats = new Map<number, Intl.NumberFormat>();
const pctFormat = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2, signDisplay: 'exceptZero' });
const moneyChange = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2, signDisplay: 'exceptZero' });

export const price = (n: number | null | undefined): string => (n === null || n === undefined ? EM_DASH : priceFormat.format(n));
/**
 * A quantity. With its instrument's step (a crypto pair's), with the step's digits, as a venue
 * shows it: 0.0015 at step 0.00001 reads 0.00150; without one, as written, never rounded to 0.
 * @example qty(0.0015, 0.00001) // '0.00150'; qty(10) // '10'
 */
export const qty = (n: number | null | undefined, step?: number | null): string => {
  if (n === null || n === undefined) return EM_DASH;
  if (step === null || step === undefined || !(step > 0)) return qtyFormat.format(n);
  const digits = stepDigits(step);
  let f = stepFormats.get(digits);
  if (!f) stepFormats.set(digits, (f = new Intl.NumberFormat(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits })));
  return f.format(n);
};

/** Digits after the point of a step: 0.00001 has 5, 0.25 has 2, 1 has none; at most 8. */
function stepDigits(step: number): number {
  for (let d = 0; d < 8; d++) if (Number(step.toFixed(d)) === step) return d;
  return 8;
}
export const signedMoney = (n: number | null | undefined): string => (n === null || n === undefined ? EM_DASH : moneyChange.format(n));
export const signedPct = (n: number | null | undefined): string => (n === null || n === undefined ? EM_DASH : `${pctFormat.format(n)} %`);

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Local "HH:MM:SS". */
export function clockTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return EM_DASH;
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Local "HH:MM:SS.mmm", for journal times where milliseconds are the point. */
export function preciseTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return EM_DASH;
  return `${clockTime(ms)}.${pad(new Date(ms).getMilliseconds(), 3)}`;
}

/** Local "YYYY-MM-DD HH:MM:SS". */
export function dateTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return EM_DASH;
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${clockTime(ms)}`;
}

/** Local "YYYY-MM-DD HH:MM", for a moment hours or days away (a login's expiry). */
export function dayTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return EM_DASH;
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** "+12 ms" from `from` to `to`; a dash when either is missing. */
export function deltaMs(from: number | null | undefined, to: number | null | undefined): string {
  if (from === null || from === undefined || to === null || to === undefined) return EM_DASH;
  const d = Math.round(to - from);
  return `${d >= 0 ? '+' : '−'}${Math.abs(d).toLocaleString()} ms`;
}

/**
 * A countdown: "4s", "2m 05s", "3h 07m", "2d 04h"; "now" at or below zero.
 *
 * @example countdown(125_000) === '2m 05s'
 */
export function countdown(ms: number): string {
  if (ms <= 0) return 'now';
  const s = Math.ceil(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${pad(s % 60)}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${pad(m % 60)}m`;
  return `${Math.floor(h / 24)}d ${pad(h % 24)}h`;
}

/** "STOPLOSS_FILLED" → "Stoploss filled". */
export function humanize(code: string | null | undefined): string {
  if (!code) return EM_DASH;
  const words = code.replace(/_/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

// ── Times in a named zone ────────────────────────────────────────────────────────────────────
// A trading time means nothing without its place: every trigger and journal time is shown in the
// strategy's zone, named, and the trader's own clock beside it when that reads differently.

/** The zone this screen runs in (the trader's), e.g. "Europe/Berlin". */
export const localZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

/**
 * A zone as a place: "America/New_York" → "New York", "Asia/Kolkata" → "Kolkata", "UTC" → "UTC".
 *
 * @example zoneLabel('America/Argentina/Buenos_Aires') === 'Buenos Aires'
 */
export function zoneLabel(zone: string): string {
  const place = (zone.split('/').at(-1) ?? zone).replace(/_/g, ' ');
  return RENAMED[place] ?? place;
}

/** Old IANA names some browsers still resolve to (Chromium: "Asia/Calcutta"), by today's name. */
const RENAMED: Readonly<Record<string, string>> = { Calcutta: 'Kolkata', Saigon: 'Ho Chi Minh', Kiev: 'Kyiv', Rangoon: 'Yangon', Katmandu: 'Kathmandu' };

const partFormats = new Map<string, Intl.DateTimeFormat>();
function zonedParts(ms: number, zone: string): Record<'weekday' | 'day' | 'month' | 'year' | 'hour' | 'minute' | 'second', string> {
  let f = partFormats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone: zone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    partFormats.set(zone, f);
  }
  const out: Record<string, string> = {};
  for (const p of f.formatToParts(ms)) out[p.type] = p.value;
  return out as ReturnType<typeof zonedParts>;
}

/**
 * "Mon 7 Dec 09:30" as the wall clock reads in `zone` (seconds only when they are not zero).
 *
 * @example zonedDayTime(Date.UTC(2026, 11, 7, 14, 30), 'America/New_York') === 'Mon 7 Dec 09:30'
 */
export function zonedDayTime(ms: number, zone: string): string {
  const p = zonedParts(ms, zone);
  return `${p.weekday} ${p.day} ${p.month} ${p.hour}:${p.minute}${p.second === '00' ? '' : `:${p.second}`}`;
}

/** "YYYY-MM-DD" of the instant in `zone`: the trading date as the exchange counts it. */
export function zonedDate(ms: number, zone: string): string {
  const d = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
  return d;
}

/**
 * A journal time with its place: "Mon 7 Dec 09:30:00.012 New York".
 *
 * @example zonedStamp(Date.UTC(2026, 11, 7, 14, 30, 0, 12), 'America/New_York') === 'Mon 7 Dec 09:30:00.012 New York'
 */
export function zonedStamp(ms: number | null | undefined, zone: string): string {
  if (ms === null || ms === undefined) return EM_DASH;
  const p = zonedParts(ms, zone);
  return `${p.weekday} ${p.day} ${p.month} ${p.hour}:${p.minute}:${p.second}.${pad(((ms % 1000) + 1000) % 1000, 3)} ${zoneLabel(zone)}`;
}

export interface TriggerText {
  /** "BUY Mon 7 Dec 09:30 New York" */
  readonly when: string;
  /** "in 18h 31m" */
  readonly countdown: string;
  /** "Mon 7 Dec 15:30 your time (Berlin)" when the trader's clock reads differently; else null. */
  readonly local: string | null;
}

/**
 * The next trigger in words: its day, time and zone, how far away, and the trader's own time.
 *
 * @example triggerText('BUY', Date.UTC(2026, 11, 7, 14, 30), 'America/New_York', Date.UTC(2026, 11, 6, 19, 59), 'Europe/Berlin')
 *   // { when: 'BUY Mon 7 Dec 09:30 New York', countdown: 'in 18h 31m', local: 'Mon 7 Dec 15:30 your time (Berlin)' }
 */
export function triggerText(kind: string, at: number, zone: string, now: number, here: string = localZone()): TriggerText {
  const there = zonedDayTime(at, zone);
  const mine = zonedDayTime(at, here);
  const left = at - now;
  return {
    when: `${kind} ${there} ${zoneLabel(zone)}`,
    countdown: left <= 0 ? 'now' : `in ${countdown(left)}`,
    local: mine === there ? null : `${mine} your time (${zoneLabel(here)})`,
  };
}

/**
 * Why a run STARTed now arms for a later day, in words; null when it trades today (in the
 * strategy's zone). `tradesWeekends` for crypto, which has no weekend.
 *
 * @example laterDayNotice({ tradingDate: '2026-12-07', buyAt, buyTime: '09:30:00', zone: 'America/New_York', now: saturdayNoon, tradesWeekends: false })
 *   // 'Armed for Mon 7 Dec, not today: today (Sat 5 Dec) is a weekend day in New York. BUY Mon 7 Dec 09:30 New York.'
 */
export function laterDayNotice(args: { readonly tradingDate: string; readonly buyAt: number; readonly buyTime: string; readonly zone: string; readonly now: number; readonly tradesWeekends: boolean }): string | null {
  const { tradingDate, buyAt, buyTime, zone, now, tradesWeekends } = args;
  const today = zonedDate(now, zone);
  if (tradingDate <= today) return null;
  const todayParts = zonedParts(now, zone);
  const todayText = `${todayParts.weekday} ${todayParts.day} ${todayParts.month}`;
  const nowTime = `${todayParts.hour}:${todayParts.minute}:${todayParts.second}`;
  const weekend = todayParts.weekday === 'Sat' || todayParts.weekday === 'Sun';
  const buyHHMMSS = buyTime.length === 5 ? `${buyTime}:00` : buyTime;
  const why =
    !tradesWeekends && weekend
      ? `today (${todayText}) is a weekend day in ${zoneLabel(zone)}`
      : nowTime >= buyHHMMSS
        ? `today's BUY time ${buyTime.slice(0, 5)} ${zoneLabel(zone)} has passed`
        : `today (${todayText}) is not a trading day (an exchange holiday)`;
  const day = zonedDayTime(buyAt, zone).split(' ').slice(0, 3).join(' ');
  return `Armed for ${day}, not today: ${why}. BUY ${zonedDayTime(buyAt, zone)} ${zoneLabel(zone)}.`;
}

/** The CSS class of a P&L: 'pos' above 0, 'neg' below, '' for none or 0. */
export const pnlTone = (n: number | null | undefined): string => (n == null || n === 0 ? '' : n > 0 ? 'pos' : 'neg');
