/**
 * Under a running strategy's state: what its readiness check found to fix before the next entry,
 * and a button that checks again now (POST /strategy/:id/readiness; the row then refreshes).
 */
import { useState } from 'react';
import { api, errorText } from '../../lib/api-client';
import type { StrategyDto } from '../../lib/api-types';
import { useStrategies } from './strategies-store';
import { readinessView } from './readiness-view';

export function ReadinessNote({ strategy }: { readonly strategy: StrategyDto }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const view = readinessView(strategy);
  if (!view) return null;
  const again = async () => {
    setBusy(true);
    setError(null);
    try {
      await api('POST /strategy/:id/readiness', undefined, { id: strategy.id });
      await useStrategies.getState().refresh(strategy.id);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className={`readiness readiness--${view.tone} small`} role="status" data-testid="readiness">
      <strong>{view.title}</strong>
      <ul>
        {view.items.map((i) => (
          <li key={i.check}>
            <span className="readiness__check">{i.status === 'fail' ? '✕' : '⚠'} {i.check}:</span> {i.message}
          </li>
        ))}
      </ul>
      <button type="button" className="btn btn--ghost btn--small" onClick={() => void again()} disabled={busy} aria-label={`Check ${strategy.symbol} (#${strategy.id}) again`}>
        {busy ? 'Checking…' : 'Check again'}
      </button>
      {error && <div role="alert">{error}</div>}
    </div>
  );
}
