/**
 * A strategy's re-entries, weekdays and backstop in a line each, as the detail page lists them beside its
 * times and levels (words shared with the form); null when the strategy does not use one.
 */
import type { StrategyDto } from '../../lib/api-types';
import { REENTRY_AFTER_WORDS, WEEKDAY_WORDS } from './strategy-descriptor';

/** @example reentryWords({ reentries: 2, reentry_after: 'stop_loss', reentry_cutoff: '11:30:00', … }) // 'Up to 2 after a stop-loss (or trailing stop) exit, none from 11:30:00' */
export function reentryWords(s: Pick<StrategyDto, 'reentries' | 'reentry_after' | 'reentry_cutoff'>): string | null {
  if (s.reentries <= 0) return null;
  return `Up to ${s.reentries} after ${REENTRY_AFTER_WORDS[s.reentry_after].toLowerCase()}${s.reentry_cutoff ? `, none from ${s.reentry_cutoff}` : ''}`;
}

/**
 * The days a daily strategy trades, "Mon Wed Fri", and the days to expiry an option one enters at,
 * "days to expiry 0, 1"; null: every trading day (or it runs once).
 * @example dayWords({ weekdays: ['mon', 'tue'], dte: [0, 1] }) // 'Mon Tue · days to expiry 0, 1'
 */
export function dayWords(s: Pick<StrategyDto, 'weekdays'> & Partial<Pick<StrategyDto, 'dte'>>): string | null {
  const days = s.weekdays && s.weekdays.length > 0 ? s.weekdays.map((d) => WEEKDAY_WORDS[d]).join(' ') : null;
  const dte = s.dte && s.dte.length > 0 ? `days to expiry ${s.dte.join(', ')}` : null;
  return days && dte ? `${days} · ${dte}` : (days ?? dte);
}

/**
 * Whether its positions get a stop resting at the broker, saying when that is the broker's default,
 * and where it rests (with its take-profit, where the broker rests one with it).
 * @example backstopPlanWords({ backstop: null, backstop_on: true, backstop_margin: 0.5, backstop_margin_mode: 'points', backstop_take_profit: false }) // "On (the broker's default), 0.5 points beyond the stop-loss"
 * @example backstopPlanWords({ backstop: null, backstop_on: true, backstop_margin: null, backstop_margin_mode: 'points', backstop_take_profit: true }) // "On (the broker's default), at the stop-loss, with a take-profit at the target: whichever is reached first"
 */
export function backstopPlanWords(s: Pick<StrategyDto, 'backstop' | 'backstop_on' | 'backstop_margin' | 'backstop_margin_mode' | 'backstop_take_profit'>): string {
  const state = `${s.backstop_on ? 'On' : 'Off'}${s.backstop === null ? " (the broker's default)" : ''}`;
  if (!s.backstop_on) return state;
  const margin = s.backstop_margin ? `${s.backstop_margin}${s.backstop_margin_mode === 'percent' ? ' %' : ' points'} beyond` : null;
  const where = margin ? `${margin} the stop-loss` : 'at the stop-loss';
  const takeProfit = s.backstop_take_profit ? `, with a take-profit ${margin ? `${margin} the target` : 'at the target'}: whichever is reached first` : '';
  return `${state}, ${where}${takeProfit}`;
}
