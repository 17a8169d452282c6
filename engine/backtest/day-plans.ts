/**
 * The runs a backtest replays, planned as the engine plans them: the first as a strategy started
 * at the range's first midnight arms it (planRun), each next one as the engine's day turnover
 * does (strategy-manager finishRun: nextRunAfter the run's trading date).
 *
 * The grid plans the trading dates once per spec shape (its exchange, zone, weekdays) and each
 * cell's instants from the date's UTC offset (`GridPlanner`): planning each cell's year through
 * croner cost a third of a cell. A cell whose zone is not the exchange's, or that holds overnight,
 * is planned the plain way (its dates can depend on its times); a day on which the zone's offset
 * changes (DST) takes croner's instant, so its gap and overlap rules hold.
 */
import { DateTime } from 'luxon';
import type { StoredStrategySpec } from '../core/strategy-spec';
import { parseTimeOfDay, secondsOfDay } from '../core/time-of-day';
import type { CivilDate } from '../scheduler/civil-date';
import { addDays } from '../scheduler/civil-date';
import { defaultTimezone, type TradingCalendar } from '../scheduler/trading-calendar';
import { instantOf, nextRunAfter, planRun, type PlannedRun, type StrategyTimes } from '../scheduler/trigger-times';

/** Every run from `from` to `to` (trading dates, both included), oldest first. */
export function planDays(times: StrategyTimes, from: CivilDate, to: CivilDate, calendar: TradingCalendar): PlannedRun[] {
  return [...plannedRuns(times, from, to, calendar)];
}

/** planDays one run at a time (a run is planned only when it is reached). */
export function* plannedRuns(times: StrategyTimes, from: CivilDate, to: CivilDate, calendar: TradingCalendar): Generator<PlannedRun> {
  for (let planned = nextRun(() => planRun(instantOf(from, '00:00:00', times.timezone), times, calendar)); planned !== null && planned.tradingDate <= to; ) {
    yield planned;
    const current = planned;
    planned = nextRun(() => nextRunAfter(current.tradingDate, times, calendar));
  }
}

function nextRun(plan: () => PlannedRun): PlannedRun | null {
  try {
    return plan();
  } catch (err) {
    // No trading day within a year (past the holiday lists): the range is over.
    if (err instanceof RangeError) return null;
    throw err;
  }
}

/** One spec's runs with other BUY and SELL times, the dates planned once. */
export class GridPlanner {
  private dates: CivilDate[] | null = null;
  private readonly offsets = new Map<CivilDate, number | null>();

  constructor(
    private readonly spec: StoredStrategySpec,
    private readonly from: CivilDate,
    private readonly to: CivilDate,
    private readonly calendar: TradingCalendar,
  ) {}

  /** The runs of the spec with `buy_time` and `sell_time` set to these; as planDays plans them. */
  runsOf(buyTime: string, sellTime: string): PlannedRun[] {
    const times = { ...this.spec, buy_time: buyTime, sell_time: sellTime };
    const zone = this.spec.timezone;
    if (zone !== defaultTimezone(this.spec.exchange) || secondsOf(sellTime) <= secondsOf(buyTime)) return planDays(times, this.from, this.to, this.calendar);
    this.dates ??= planDays(this.spec, this.from, this.to, this.calendar).map((p) => p.tradingDate);
    const at = (date: CivilDate, time: string | undefined) => (time === undefined ? null : this.instant(date, time));
    return this.dates.map((date) => ({ tradingDate: date, exchangeDate: date, buyAt: this.instant(date, buyTime), sellAt: this.instant(date, sellTime), reentryCutoffAt: at(date, times.reentry_cutoff), squareOffAt: at(date, times.square_off_time) }));
  }

  /** instantOf(date, time, zone): from the date's offset when the zone's offset holds all day, else croner's. */
  private instant(date: CivilDate, time: string): number {
    const zone = this.spec.timezone;
    let offset = this.offsets.get(date);
    if (offset === undefined) {
      const start = DateTime.fromISO(date, { zone }).offset;
      offset = start === DateTime.fromISO(addDays(date, 1), { zone }).offset ? start : null;
      this.offsets.set(date, offset);
    }
    if (offset === null) return instantOf(date, time, zone);
    return Date.parse(`${date}T00:00:00Z`) + secondsOf(time) * 1000 - offset * 60_000;
  }
}

function secondsOf(time: string): number {
  const t = parseTimeOfDay(time);
  if (t === null) throw new RangeError(`not a time of day: ${time}`);
  return secondsOfDay(t);
}
