/**
 * START or STOP for one strategy. STOP of a strategy holding a position (or buying one) asks
 * first, in the StopDialog; otherwise it acts at once.
 */
import { useState } from 'react';
import { errorText } from '../../lib/api-client';
import type { StrategyDto } from '../../lib/api-types';
import { toast } from '../../ui/toast';
import { StopDialog } from './stop-dialog';
import { holdsOrBuying, holdsUnsold } from './strategy-metrics';
import { useStrategies } from './strategies-store';

export function RunControls({ strategy: s }: { readonly strategy: StrategyDto }) {
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const name = `${s.symbol} (#${s.id})`;
  // A stopped strategy whose exit was refused still holds shares: STOP sells them (or, keeping
  // them, ends the run once they were closed by hand at the broker).
  const stoppable = s.status === 'running' || holdsUnsold(s);

  const act = async (what: 'start' | 'stop') => {
    setBusy(true);
    try {
      const store = useStrategies.getState();
      await (what === 'start' ? store.start(s.id) : store.stop(s.id, true));
      toast(`${what === 'start' ? 'Started' : 'Stopped'} ${name}`);
    } catch (err) {
      toast(`Could not ${what} ${name}: ${errorText(err)}`, 'error');
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      {stoppable ? (
        <button type="button" className="btn btn--stop" disabled={busy} aria-label={`Stop ${name}`} onClick={() => (holdsOrBuying(s) ? setConfirming(true) : void act('stop'))}>
          STOP
        </button>
      ) : (
        <button type="button" className="btn btn--start" disabled={busy} aria-label={`Start ${name}`} onClick={() => void act('start')}>
          START
        </button>
      )}
      <StopDialog strategy={confirming ? s : null} onClose={() => setConfirming(false)} />
    </>
  );
}
