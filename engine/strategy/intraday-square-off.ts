/**
 * A strategy on an account whose broker squares intraday positions off itself (Kite MIS,
 * BrokerCapabilities.intradaySquareOff): its SELL and its square-off must come strictly before
 * the broker's on the strategy's exchange (Zerodha's differs by segment: cash at 15:20 IST, F&O at
 * 15:25), which would otherwise close the position at market and charge for it; an exit sent at
 * that very second races the broker's own and may be refused while it closes the position; a strategy
 * that names no square-off gets the broker's default one. Times of day are the strategy's, in its
 * zone; the broker's are in its own. Across a daylight-saving change of the strategy's zone a time
 * of day falls at two times of the broker's: the later one is held to the broker's square-off, and
 * the default square-off is the earlier of the two, so it never comes after the broker's default.
 */
import { DateTime } from 'luxon';
import { validationError, type FieldError } from '../core/errors';
import type { StoredStrategySpec } from '../core/strategy-spec';
import type { IntradaySquareOffs } from '../brokers/broker';
import { addDays, type CivilDate } from '../scheduler/civil-date';
import { tradingDateAt } from '../scheduler/trigger-times';

/** Weekly over a year and a day: every offset a zone keeps in a year is met. */
const SAMPLE_WEEKS = 53;

/**
 * `spec` with the broker's default square-off on its exchange when it names none (never before
 * its SELL), or a validation error naming sell_time or square_off_time when one comes at or after
 * the broker's square-off there.
 *
 * @example
 *   fitIntradaySquareOff({ ...spec, exchange: 'NSE', sell_time: '15:10:00' }, kiteIntradaySquareOffs('MIS'), 'kite', now)
 *   // { ...spec, sell_time: '15:10:00', square_off_time: '15:15:00' }
 */
export function fitIntradaySquareOff(spec: StoredStrategySpec, squareOffs: IntradaySquareOffs | null, kind: string, now: number): StoredStrategySpec {
  const broker = squareOffs?.[spec.exchange];
  if (!broker) return spec;
  const days = sampleDays(tradingDateAt(now, spec.timezone));
  const problems: FieldError[] = [];
  for (const field of ['sell_time', 'square_off_time'] as const) {
    const time = spec[field];
    if (time === undefined) continue;
    const latest = latestOf(days.map((d) => moved(d, time, spec.timezone, broker.timezone)));
    if (latest < broker.at) continue;
    const there = spec.timezone === broker.timezone ? '' : ` (${time} ${spec.timezone} is as late as ${latest} there)`;
    problems.push({
      field,
      message: `${field} ${time} is not before this ${kind} account's own square-off of intraday positions in ${broker.segment} (${spec.exchange}) at ${broker.at} ${broker.timezone}${there}: the broker closes what is still open then, at market and for a fee, and an exit sent at that time races it; choose a time before ${broker.at}`,
    });
  }
  if (problems.length > 0) throw validationError(problems);
  if (spec.square_off_time !== undefined) return spec;
  const byDefault = earliestOf(days.map((d) => moved(d, broker.defaultAt, broker.timezone, spec.timezone)));
  return { ...spec, square_off_time: byDefault < spec.sell_time ? spec.sell_time : byDefault };
}

function sampleDays(from: CivilDate): CivilDate[] {
  return Array.from({ length: SAMPLE_WEEKS + 1 }, (_, i) => addDays(from, i * 7));
}

/** `time` on `date` in zone `from`, as a time of day in zone `to` ("HH:MM:SS"). */
function moved(date: CivilDate, time: string, from: string, to: string): string {
  return DateTime.fromISO(`${date}T${time}`, { zone: from }).setZone(to).toFormat('HH:mm:ss');
}

function latestOf(times: readonly string[]): string {
  return times.reduce((a, b) => (b > a ? b : a));
}

function earliestOf(times: readonly string[]): string {
  return times.reduce((a, b) => (b < a ? b : a));
}
