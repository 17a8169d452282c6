/**
 * The logger's JSON lines as the terminal shows them when it shows trading events: warnings and
 * errors as one readable line each, everything below (request logs, start-up details) left to the
 * log file. A line that is not the logger's JSON passes as it is.
 */
import { zonedStamp } from './words';

const LEVELS: Readonly<Record<number, string>> = { 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const OWN_KEYS = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'err']);
const MAX_VALUE_CHARS = 120;

/**
 * @example
 * readableLogLine('{"level":40,"time":1796573414397,"gapMs":61000,"msg":"wall clock jumped"}\n', 'UTC')
 * // 'Sat 5 Dec 16:10:14.397 UTC  WARN  wall clock jumped (gapMs=61000)\n'
 */
export function readableLogLine(line: string, zone: string): string | null {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (typeof entry !== 'object' || entry === null || typeof entry.level !== 'number') return line;
  if (entry.level < 40) return null;
  const level = LEVELS[entry.level] ?? 'FATAL';
  const when = typeof entry.time === 'number' ? `${zonedStamp(entry.time, zone)}  ` : '';
  const details = [
    ...(errorText(entry.err) ? [errorText(entry.err)!] : []),
    ...Object.entries(entry)
      .filter(([k, v]) => !OWN_KEYS.has(k) && v !== undefined)
      .map(([k, v]) => `${k}=${short(typeof v === 'string' ? v : JSON.stringify(v))}`),
  ];
  return `${when}${level}  ${String(entry.msg ?? '')}${details.length > 0 ? ` (${details.join('; ')})` : ''}\n`;
}

function errorText(err: unknown): string | null {
  if (typeof err !== 'object' || err === null) return null;
  const { message, code } = err as { message?: unknown; code?: unknown };
  return typeof message === 'string' ? `${message}${typeof code === 'string' ? ` [${code}]` : ''}` : null;
}

function short(text: string): string {
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}
