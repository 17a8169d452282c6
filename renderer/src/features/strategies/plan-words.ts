/**
 * A strategy's re-entries, days and square-off in a line each, as the detail page lists them
 * beside its times and levels; null when the strategy does not use one.
 */
import type { StrategyDto } from '../../lib/api-types';

const AFTER: Readonly<Record<StrategyDto['reentry_after'], string>> = {
  stop_loss: 'a stop-loss (or trailing stop) exit',
  target: 'a target exit',
  either: 'either exit',
};

const DAY: Readonly<Record<NonNullable<StrategyDto['weekdays']>[number], string>> = { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' };

/** @example reentryWords({ reentries: 2, reentry_after: 'stop_loss', reentry_cutoff: '11:30:00', … }) // 'Up to 2 after a stop-loss (or trailing stop) exit, none from 11:30:00' */
export function reentryWords(s: Pick<StrategyDto, 'reentries' | 'reentry_after' | 'reentry_cutoff'>): string | null {
  if (s.reentries <= 0) return null;
  return `Up to ${s.reentries} after ${AFTER[s.reentry_after]}${s.reentry_cutoff ? `, none from ${s.reentry_cutoff}` : ''}`;
}

/** The days a daily strategy trades, "Mon Wed Fri"; null: every trading day (or it runs once). */
export function dayWords(s: Pick<StrategyDto, 'weekdays'>): string | null {
  return s.weekdays && s.weekdays.length > 0 ? s.weekdays.map((d) => DAY[d]).join(' ') : null;
}
