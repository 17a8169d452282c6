/**
 * The kill switch: stop every running strategy and close every open position at market (a long
 * sold, a short bought back), after one confirmation that says how many of each there are and
 * names the accounts (PAPER or LIVE).
 */
import { useState } from 'react';
import { errorText } from '../lib/api-client';
import { Dialog } from '../ui/dialog';
import { toast } from '../ui/toast';
import { useStrategies } from '../features/strategies/strategies-store';
import { AccountTag } from '../features/strategies/which-money';
import { openPositions } from '../features/strategies/position-runs';
import { holdsUnsold } from '../features/strategies/strategy-metrics';

export function KillSwitch() {
  const byId = useStrategies((s) => s.byId);
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const all = Object.values(byId);
  const running = all.filter((s) => s.status === 'running');
  // Every position of every strategy it closes: the running ones, and a stopped one whose position (any of them) still holds.
  const positions = all.filter((s) => s.status === 'running' || holdsUnsold(s)).reduce((n, s) => n + openPositions(s), 0);
  const accountIds = [...new Set(running.map((s) => s.broker_account_id))];

  const close = () => {
    setOpen(false);
    setError(null);
  };
  const fire = async () => {
    setBusy(true);
    try {
      const { stopped } = await useStrategies.getState().stopAll();
      toast(stopped.length === 0 ? 'Nothing was running' : `Stopped ${stopped.length} strateg${stopped.length === 1 ? 'y' : 'ies'}; open positions are being closed`);
      close();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button type="button" className="btn btn--kill" onClick={() => setOpen(true)} aria-haspopup="dialog" title="Stop all strategies and exit all positions">
        <span aria-hidden="true" className="kill-icon" />
        Stop all
      </button>
      <Dialog
        open={open}
        tone="danger"
        title="Stop everything?"
        onCancel={close}
        actions={
          <>
            <button type="button" className="btn" onClick={close} data-autofocus>
              Cancel
            </button>
            <button type="button" className="btn btn--danger" onClick={fire} disabled={busy}>
              {busy ? 'Stopping…' : 'Stop all and exit all'}
            </button>
          </>
        }
      >
        <p>
          Stops <strong className="num">{running.length}</strong> running strateg{running.length === 1 ? 'y' : 'ies'} and closes{' '}
          <strong className="num">{positions}</strong> open position{positions === 1 ? '' : 's'} at market now (a long is sold, a short bought back).
        </p>
        {accountIds.length > 0 && (
          <div>
            <p className="small">On {accountIds.length === 1 ? 'this account' : 'these accounts'}:</p>
            <ul className="kill-accounts" aria-label="Accounts touched">
              {accountIds.map((id) => (
                <li key={id}>
                  <AccountTag accountId={id} /> <span className="muted small">({running.filter((s) => s.broker_account_id === id).length} running)</span>
                </li>
              ))}
            </ul>
          </div>
        )}
        <p className="muted small">Scheduled BUYs and SELLs are cancelled. Nothing restarts until you press START again.</p>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
      </Dialog>
    </>
  );
}
