/** The engine's codes in the words a trader reads. Unknown codes fall back to plain words. */
import type { RunState } from '../../lib/api-types';
import { humanize } from '../../lib/format';

export const RUN_STATE_LABEL: Record<RunState, string> = {
  ARMED: 'Armed',
  BUYING: 'Buying',
  IN_POSITION: 'In position',
  EXITING: 'Exiting',
  SOLD: 'Sold',
  EXITED_BY_SL: 'Exited by stop-loss',
  MISSED_BUY: 'Missed BUY',
  SKIPPED: 'Skipped',
  ERROR: 'Error',
  STOPPED: 'Stopped',
};

export const runStateLabel = (state: string | null | undefined): string =>
  state && state in RUN_STATE_LABEL ? RUN_STATE_LABEL[state as RunState] : humanize(state);

const LEG_LABEL: Record<string, string> = { BUY: 'BUY', SELL: 'SELL', STOPLOSS: 'Stop-loss', MANUAL_EXIT: 'Manual exit' };

export const legLabel = (leg: string | null | undefined): string => (leg ? (LEG_LABEL[leg] ?? humanize(leg)) : '—');

/** "STOPLOSS_FILLED" → "Stop-loss filled", "BUY_FILLED" → "BUY filled". */
export function actionLabel(code: string | null | undefined): string {
  if (!code) return '—';
  for (const [leg, label] of Object.entries(LEG_LABEL)) {
    if (code === leg) return label;
    if (code.startsWith(`${leg}_`)) return `${label} ${code.slice(leg.length + 1).replace(/_/g, ' ').toLowerCase()}`;
  }
  return runStateLabel(code);
}
