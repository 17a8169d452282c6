/** The engine's codes in the words a trader reads. Unknown codes fall back to plain words. */
import type { Leg, RunState } from '../../lib/api-types';
import { humanize } from '../../lib/format';

export const RUN_STATE_LABEL: Record<RunState, string> = {
  ARMED: 'Armed',
  BUYING: 'Buying',
  IN_POSITION: 'In position',
  EXITING: 'Exiting',
  SOLD: 'Sold',
  EXITED_BY_SL: 'Exited by stop-loss',
  EXITED_BY_TARGET: 'Exited at target',
  WAITING_REENTRY: 'Waiting to re-enter',
  MISSED_BUY: 'Missed BUY',
  SKIPPED: 'Skipped',
  ERROR: 'Error',
  STOPPED: 'Stopped',
};

export const runStateLabel = (state: string | null | undefined): string =>
  state && state in RUN_STATE_LABEL ? RUN_STATE_LABEL[state as RunState] : humanize(state);

/**
 * A run's state as the row and the detail say it, in the words of the strategy's side and leg:
 * between legs, which re-entry is next of how many the strategy allows; a short (side 'sell') is
 * sold short and bought back, not bought and sold; an entry missed after the first leg is a missed
 * re-entry. `legNo` is the run's current leg, the one about to enter or entering.
 *
 * @example runStateText('WAITING_REENTRY', 1, 2) // 'Waiting to re-enter (1 of 2)'
 * @example runStateText('BUYING', 0, 0, 'sell') // 'Selling short'
 * @example runStateText('MISSED_BUY', 1, 2) // 'Missed re-entry'
 */
export function runStateText(state: RunState, legNo: number, reentries: number, side: 'buy' | 'sell' = 'buy'): string {
  const short = side === 'sell';
  switch (state) {
    case 'WAITING_REENTRY':
      return legNo > 0 && reentries > 0 ? `${RUN_STATE_LABEL[state]} (${Math.min(legNo, reentries)} of ${reentries})` : RUN_STATE_LABEL[state];
    case 'BUYING':
      return legNo > 0 ? 'Re-entering' : short ? 'Selling short' : RUN_STATE_LABEL[state];
    case 'MISSED_BUY':
      return legNo > 0 ? 'Missed re-entry' : short ? 'Missed short sale' : RUN_STATE_LABEL[state];
    case 'SOLD':
      return short ? 'Bought back' : RUN_STATE_LABEL[state];
    default:
      return RUN_STATE_LABEL[state];
  }
}

/** Every leg the engine names (a Record over Leg, so a new one fails this build until it has words). */
const LEG_LABEL: Record<Leg, string> = { BUY: 'BUY', SELL: 'SELL', STOPLOSS: 'Stop-loss', TRAIL_STOP: 'Trailing stop', TARGET: 'Target', MANUAL_EXIT: 'Manual exit', SQUARE_OFF: 'Square-off', BACKSTOP: 'Backstop', BACKSTOP_TARGET: 'Target at the broker' };

export const legLabel = (leg: string | null | undefined): string => (leg ? (leg in LEG_LABEL ? LEG_LABEL[leg as Leg] : humanize(leg)) : '—');

/** "STOPLOSS_FILLED" → "Stop-loss filled", "BUY_FILLED" → "BUY filled". */
export function actionLabel(code: string | null | undefined): string {
  if (!code) return '—';
  // Longest first: BACKSTOP_TARGET_FILLED is the take-profit's fill, not BACKSTOP's "target filled".
  for (const [leg, label] of Object.entries(LEG_LABEL).sort(([a], [b]) => b.length - a.length)) {
    if (code === leg) return label;
    if (code.startsWith(`${leg}_`)) return `${label} ${code.slice(leg.length + 1).replace(/_/g, ' ').toLowerCase()}`;
  }
  return runStateLabel(code);
}

export interface CloseWords {
  /** The order that closes the position ("sell", a short's "buy back"). */
  readonly close: string;
  readonly closing: string;
  readonly closed: string;
  /** How the position was taken ("bought", a short's "sold short"). */
  readonly opened: string;
}

/** What closing a position is called: a long (side 'buy') sells it, a short (side 'sell') buys it back. */
export const closeWords = (side: 'buy' | 'sell'): CloseWords =>
  side === 'sell'
    ? { close: 'buy back', closing: 'buying back', closed: 'bought back', opened: 'sold short' }
    : { close: 'sell', closing: 'selling', closed: 'sold', opened: 'bought' };
