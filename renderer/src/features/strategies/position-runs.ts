/**
 * A strategy's latest day run by run (issue 19): a strategy with `positions` runs one run per
 * position, and what the row, STOP and the kill switch say must count every one of them, never
 * position 0 alone. Display arithmetic only: the engine decides every exit itself.
 */
import Decimal from 'decimal.js';
import type { RuntimeDto, StrategyDto } from '../../lib/api-types';
import { price, qty } from '../../lib/format';
import { backstopWords } from './exit-levels';
import { runStateLabel } from './labels';
import { positionRuleWords } from './option-view';

/** The latest day's runs by position: `position_runs`, or the one `runtime` of an answer without them. */
export function runsOf(s: Pick<StrategyDto, 'position_runs' | 'runtime'>): readonly RuntimeDto[] {
  if (s.position_runs.length > 0) return s.position_runs;
  return s.runtime ? [s.runtime] : [];
}

/** A run that holds a position or has its entry in flight: STOP and the kill switch close it. */
export const isOpen = (r: RuntimeDto): boolean => r.position_qty > 0 || r.state === 'BUYING';

/**
 * How many of the strategy's positions are open (held, or their entry in flight): 0 or 1 for a
 * strategy of one position, up to one per position for one with `positions`.
 * @example openPositions(straddleBothSold) // 2
 */
export const openPositions = (s: Pick<StrategyDto, 'position_runs' | 'runtime'>): number => runsOf(s).filter(isOpen).length;

/**
 * The row's summary of a strategy with positions: how many are open of how many; null for a
 * strategy of one position (the row's own cells say it) and before its first run.
 * @example groupSummary(straddleOneStopped) // '1 of 2 positions open'
 */
export function groupSummary(s: StrategyDto): string | null {
  if (s.positions === null) return null;
  const runs = runsOf(s);
  if (runs.length === 0) return null;
  const open = runs.filter(isOpen).length;
  if (open === runs.length) return `${open} positions open`;
  return open === 0 ? `${runs.length} positions, none open` : `${open} of ${runs.length} positions open`;
}

/**
 * One line per position of a strategy with positions (null without): its number from 1, side
 * and contract (the rule until chosen), and its run's state, quantity held, entry and stop, and
 * the position's own backstop while it holds (each position rests its own at the broker).
 * @example positionLines(straddle)![0] // 'Position 1 · sell NIFTY26D0826000CE · In position · 130 @ 81.25, stop 121.25 · Backstop 121.25 resting at the broker (1001)'
 */
export function positionLines(s: StrategyDto): string[] | null {
  if (s.positions === null) return null;
  const runs = runsOf(s);
  return s.positions.map((p, i) => {
    const run = runs.find((r) => r.position_no === i);
    const what = run?.contract?.symbol ?? positionRuleWords(p);
    const head = `Position ${i + 1} · ${p.side} ${what}`;
    if (!run) return head;
    const backstop = run.position_qty > 0 ? backstopWords(run.backstop) : null;
    const held = run.position_qty > 0 ? ` · ${qty(run.position_qty)} @ ${price(run.entry_price)}${run.levels ? `, stop ${price(run.levels.stop)}` : ''}${backstop ? ` · ${backstop}` : ''}` : '';
    return `${head} · ${runStateLabel(run.state)}${held}`;
  });
}

/** The realized P&L of the latest day over every position, added in decimal; null while nothing is sold. */
export function realizedOf(s: Pick<StrategyDto, 'position_runs' | 'runtime'>): number | null {
  const sold = runsOf(s).flatMap((r) => (r.realized_pnl === null ? [] : [r.realized_pnl]));
  return sold.length === 0 ? null : sold.reduce((sum, pnl) => sum.plus(pnl), new Decimal(0)).toNumber();
}
