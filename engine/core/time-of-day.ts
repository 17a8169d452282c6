/** Wall-clock times of day as the trader types them: "HH:MM" or "HH:MM:SS", 24-hour. */

export interface TimeOfDay {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const PATTERN = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/;

/** Parses "HH:MM" or "HH:MM:SS"; returns null for anything else (e.g. "9:30", "24:00"). */
export function parseTimeOfDay(text: string): TimeOfDay | null {
  const m = PATTERN.exec(text);
  if (!m) return null;
  return { hour: Number(m[1]), minute: Number(m[2]), second: m[3] ? Number(m[3]) : 0 };
}

/** "HH:MM:SS", the stored form. */
export function formatTimeOfDay(t: TimeOfDay): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(t.hour)}:${p(t.minute)}:${p(t.second)}`;
}

export function secondsOfDay(t: TimeOfDay): number {
  return t.hour * 3600 + t.minute * 60 + t.second;
}
