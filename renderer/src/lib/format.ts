/**
 * How numbers and times read on screen: fixed decimals, tabular figures (CSS), explicit signs on
 * changes, local wall-clock times with seconds (and milliseconds where exactness is the point).
 */

const EM_DASH = '—';

const priceFormat = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 4 });
const qtyFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const pctFormat = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2, signDisplay: 'exceptZero' });
const moneyChange = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2, signDisplay: 'exceptZero' });

export const price = (n: number | null | undefined): string => (n === null || n === undefined ? EM_DASH : priceFormat.format(n));
export const qty = (n: number | null | undefined): string => (n === null || n === undefined ? EM_DASH : qtyFormat.format(n));
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
