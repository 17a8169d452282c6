/** The strategy list with live state, and the create/edit form above it when open. */
import { useEffect, useMemo, useState } from 'react';
import { errorText } from '../../lib/api-client';
import type { StrategyDto } from '../../lib/api-types';
import { useEngineNow } from '../../lib/use-now';
import { Dialog } from '../../ui/dialog';
import { toast } from '../../ui/toast';
import { hrefOf } from '../../app/router';
import { useBrokers } from '../brokers/brokers-store';
import { strategyList, useStrategies } from './strategies-store';
import { StrategyForm } from './strategy-form';
import { StrategyRow } from './strategy-row';
import { DamagedStrategies } from './damaged-strategies';
import { realizedByDay } from '../history/realized';
import { pnlTone, signedMoney } from '../../lib/format';

type FormState = { readonly mode: 'closed' } | { readonly mode: 'create' } | { readonly mode: 'edit'; readonly strategy: StrategyDto };

export function StrategiesScreen() {
  // Accounts can be connected or removed elsewhere (another tab, the CLI); there is no event for that.
  useEffect(() => void useBrokers.getState().load(), []);
  const byId = useStrategies((s) => s.byId);
  const loaded = useStrategies((s) => s.loaded);
  const loadError = useStrategies((s) => s.loadError);
  const damaged = useStrategies((s) => s.damaged);
  const brokers = useBrokers((s) => s.accounts);
  const brokersLoaded = useBrokers((s) => s.loaded);
  const strategies = useMemo(() => strategyList(byId), [byId]);
  const now = useEngineNow(250);
  const [form, setForm] = useState<FormState>({ mode: 'closed' });
  const [deleting, setDeleting] = useState<StrategyDto | null>(null);
  const running = strategies.filter((s) => s.status === 'running').length;
  // Not on every 250 ms tick of the clock: only when the strategies change.
  const today = useMemo(() => realizedByDay(strategies).slice(0, 1), [strategies]);

  return (
    <main className="page" aria-labelledby="strategies-title">
      <header className="page__header">
        <div>
          <h1 id="strategies-title">Strategies</h1>
          <p className="muted small">
            {strategies.length} total · {running} running
            {today.map((d) => (
              <span key={d.tradingDate} data-testid="realized-today">
                {' '}
                · realized {d.tradingDate}: <span className={pnlTone(d.pnl)}>{signedMoney(d.pnl)}</span> (<a href={hrefOf({ name: 'history' })}>history</a>)
              </span>
            ))}
          </p>
        </div>
        {form.mode === 'closed' && (
          <button type="button" className="btn btn--primary" onClick={() => setForm({ mode: 'create' })} disabled={brokersLoaded && brokers.length === 0}>
            New strategy
          </button>
        )}
      </header>

      {brokersLoaded && brokers.length === 0 && (
        <p className="notice">
          Connect a broker first: <a href={hrefOf({ name: 'brokers' })}>Brokers</a>. Paper trading needs no account.
        </p>
      )}

      {form.mode !== 'closed' && (
        <StrategyForm
          key={form.mode === 'edit' ? form.strategy.id : 'new'}
          editing={form.mode === 'edit' ? form.strategy : undefined}
          onDone={() => setForm({ mode: 'closed' })}
        />
      )}

      {loadError && (
        <p className="form-error" role="alert">
          Could not load strategies: {loadError}
        </p>
      )}

      <DamagedStrategies damaged={damaged} />

      {loaded && strategies.length === 0 && form.mode === 'closed' && brokers.length > 0 && (
        <p className="empty card">No strategies yet. Create one: a symbol, a quantity, a BUY time, a SELL time and a stop-loss.</p>
      )}

      {strategies.length > 0 && (
        <div className="table-wrap card">
          <table className="table strategies" aria-label="Strategies">
            <thead>
              <tr>
                <th scope="col">Strategy</th>
                <th scope="col">State</th>
                <th scope="col">Next</th>
                <th scope="col">Last action</th>
                <th scope="col" className="num">
                  Position
                </th>
                <th scope="col" className="num">
                  Last price
                </th>
                <th scope="col" className="num">
                  P&amp;L
                </th>
                <th scope="col" className="num">
                  Stop
                </th>
                <th scope="col" className="num">
                  Target
                </th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {strategies.map((s) => (
                <StrategyRow key={s.id} strategy={s} now={now} onEdit={(x) => setForm({ mode: 'edit', strategy: x })} onDelete={setDeleting} />
              ))}
            </tbody>
          </table>
        </div>
      )}

      <DeleteDialog strategy={deleting} onClose={() => setDeleting(null)} />
    </main>
  );
}

function DeleteDialog({ strategy, onClose }: { readonly strategy: StrategyDto | null; readonly onClose: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const close = () => {
    setError(null);
    onClose();
  };
  const remove = async () => {
    if (!strategy) return;
    try {
      await useStrategies.getState().remove(strategy.id);
      toast(`Deleted ${strategy.symbol} (#${strategy.id})`);
      close();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <Dialog
      open={strategy !== null}
      title={`Delete ${strategy?.symbol ?? ''} (#${strategy?.id ?? ''})?`}
      tone="danger"
      onCancel={close}
      actions={
        <>
          <button type="button" className="btn" onClick={close} data-autofocus>
            Keep it
          </button>
          <button type="button" className="btn btn--danger" onClick={remove}>
            Delete strategy
          </button>
        </>
      }
    >
      <p>Its runs and its order journal are deleted with it. Export the journal (CSV, on its detail page) first if you need it.</p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </Dialog>
  );
}
