/** A strategy's state in words and colour: the latest run's state (between legs, which re-entry is next), or why there is none. */
import type { RunState, StrategyDto } from '../../lib/api-types';
import { runStateText } from './labels';
import { figuresSubject } from './figures-subject';

const TONE: Record<RunState, string> = {
  ARMED: 'info',
  BUYING: 'busy',
  IN_POSITION: 'ok',
  EXITING: 'busy',
  SOLD: 'done',
  EXITED_BY_SL: 'bad',
  EXITED_BY_TARGET: 'done',
  WAITING_REENTRY: 'info',
  MISSED_BUY: 'warn',
  SKIPPED: 'warn',
  ERROR: 'bad-solid',
  STOPPED: 'neutral',
};

export function stateLabel(s: StrategyDto): string {
  if (!s.runtime) return s.status === 'idle' ? 'Not started' : s.status;
  return runStateText(s.runtime.state, s.runtime.leg_no, s.reentries, figuresSubject(s).side);
}

export function StateBadge({ strategy }: { readonly strategy: StrategyDto }) {
  const run = strategy.runtime;
  const label = run ? runStateText(run.state, run.leg_no, strategy.reentries, figuresSubject(strategy).side) : 'Not started';
  const tone = run ? TONE[run.state] : 'neutral';
  return (
    <span className={`badge badge--${tone}`} data-state={run?.state ?? 'NONE'} title={run?.reason ?? undefined}>
      {label}
    </span>
  );
}
