/**
 * Small pieces of wording for the terminal: a time with its place, a price as typed, a delay.
 * They read as the UI's (renderer/src/lib/format.ts), which the engine cannot import.
 */

const formats = new Map<string, Intl.DateTimeFormat>();

function parts(ms: number, zone: string): Record<string, string> {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone: zone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    formats.set(zone, f);
  }
  const out: Record<string, string> = {};
  for (const p of f.formatToParts(ms)) out[p.type] = p.value;
  return out;
}

/** Old IANA names some systems still resolve to, by today's name. */
const RENAMED: Readonly<Record<string, string>> = { Calcutta: 'Kolkata', Saigon: 'Ho Chi Minh', Kiev: 'Kyiv', Rangoon: 'Yangon', Katmandu: 'Kathmandu' };

/** "America/New_York" → "New York". */
export function zoneLabel(zone: string): string {
  const place = (zone.split('/').at(-1) ?? zone).replace(/_/g, ' ');
  return RENAMED[place] ?? place;
}

/**
 * A moment as the wall clock reads it in `zone`, with the place.
 * @example zonedStamp(Date.UTC(2026, 11, 7, 14, 30, 0, 12), 'America/New_York') === 'Mon 7 Dec 09:30:00.012 New York'
 */
export function zonedStamp(ms: number, zone: string): string {
  const p = parts(ms, zone);
  const millis = String(((ms % 1000) + 1000) % 1000).padStart(3, '0');
  return `${p.weekday} ${p.day} ${p.month} ${p.hour}:${p.minute}:${p.second}.${millis} ${zoneLabel(zone)}`;
}

/** "09:30:00 New York" (a trigger's time: whole seconds). */
export function zonedTime(ms: number, zone: string): string {
  const p = parts(ms, zone);
  return `${p.hour}:${p.minute}:${p.second} ${zoneLabel(zone)}`;
}

/** "Mon 7 Dec 09:30:00 New York" (a trigger on another day than the line's). */
export function zonedDayTime(ms: number, zone: string): string {
  const p = parts(ms, zone);
  return `${p.weekday} ${p.day} ${p.month} ${zonedTime(ms, zone)}`;
}

/** A price as the trader typed it: no float noise, no trailing zeros. */
export function formatPrice(n: number): string {
  return Number.isFinite(n) ? String(Number(n.toFixed(8))) : String(n);
}

/** "2 min 5 s", "45 s", "1 h 3 min". */
export function formatDelay(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 === 0 ? `${m} min` : `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** "+12 ms", "-3 ms": how late (or early) something happened against when it was due. */
export function lateness(actual: number, due: number): string {
  const ms = Math.round(actual - due);
  return `${ms < 0 ? '-' : '+'}${Math.abs(ms)} ms`;
}

/** `text` without a trailing full stop (reasons come from brokers with or without one). */
export function clause(text: string): string {
  return text.trim().replace(/[.]+$/, '');
}
