/**
 * Strategies whose stored definition cannot be read: listed, never hidden, each saying why and how
 * to repair it. Nothing of them can be shown or edited; STOP still works while one runs or holds
 * a position (the engine closes it by the run's own plan: a long sold, a short bought back).
 */
import { useState } from 'react';
import { errorText } from '../../lib/api-client';
import type { DamagedStrategyDto } from '../../lib/api-types';
import { toast } from '../../ui/toast';
import { useStrategies } from './strategies-store';

export function DamagedStrategies({ damaged }: { readonly damaged: readonly DamagedStrategyDto[] }) {
  if (damaged.length === 0) return null;
  return (
    <ul className="card notice" aria-label="Damaged strategies">
      {damaged.map((d) => (
        <DamagedRow key={d.id} strategy={d} />
      ))}
    </ul>
  );
}

function DamagedRow({ strategy: d }: { readonly strategy: DamagedStrategyDto }) {
  const [busy, setBusy] = useState(false);
  const stop = async () => {
    setBusy(true);
    try {
      await useStrategies.getState().stop(d.id, true);
      toast(`Stopped ${d.symbol} (#${d.id}); any position is closed at market`);
    } catch (err) {
      toast(errorText(err), 'error');
    } finally {
      setBusy(false);
    }
  };
  return (
    <li data-testid={`damaged-${d.id}`}>
      <strong>
        {d.symbol} ({d.exchange}) #{d.id}
      </strong>{' '}
      · {d.status} · damaged: <span className="small">{d.damaged}</span>{' '}
      {d.stoppable && (
        <button type="button" className="btn btn--danger" onClick={stop} disabled={busy}>
          Stop and close at market
        </button>
      )}
    </li>
  );
}
