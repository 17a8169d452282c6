/**
 * STOP of a strategy that holds a position (or has a BUY in flight) says what happens to the
 * position before it happens: sold at market now (a short's bought back), unless the trader
 * chooses to keep it open. A strategy with positions names each of them and how many are open.
 */
import { AccountTag } from './which-money';
import { useState } from 'react';
import { errorText } from '../../lib/api-client';
import type { StrategyDto } from '../../lib/api-types';
import { price, qty } from '../../lib/format';
import { Dialog } from '../../ui/dialog';
import { toast } from '../../ui/toast';
import { closeWords } from './labels';
import { useStrategies } from './strategies-store';
import { openPositions, positionLines } from './position-runs';

interface StopDialogProps {
  readonly strategy: StrategyDto | null;
  readonly onClose: () => void;
}

export function StopDialog({ strategy, onClose }: StopDialogProps) {
  const [keepOpen, setKeepOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = strategy?.runtime;
  const buying = run?.state === 'BUYING';
  const held = run?.position_qty ?? 0;
  const short = strategy?.side === 'sell';
  // A strategy with positions: each has its own side, so the words are a position's, not the strategy's.
  const lines = strategy ? positionLines(strategy) : null;
  const words = lines ? { close: 'close', closing: 'closing', closed: 'closed', opened: 'held' } : closeWords(short ? 'sell' : 'buy');
  const Close = words.close[0]!.toUpperCase() + words.close.slice(1);

  const close = () => {
    setKeepOpen(false);
    setError(null);
    onClose();
  };
  const stop = async () => {
    if (!strategy) return;
    setBusy(true);
    try {
      await useStrategies.getState().stop(strategy.id, !keepOpen);
      toast(keepOpen ? `Stopped ${strategy.symbol}; position left open` : `Stopped ${strategy.symbol}; ${words.closing} at market`);
      close();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={strategy !== null}
      title={`Stop ${strategy?.symbol ?? ''} (#${strategy?.id ?? ''})?`}
      tone="danger"
      onCancel={close}
      actions={
        <>
          <button type="button" className="btn" onClick={close} data-autofocus>
            Cancel
          </button>
          <button type="button" className="btn btn--danger" onClick={stop} disabled={busy}>
            {keepOpen ? 'Stop, keep position' : `Stop and ${words.close} at market`}
          </button>
        </>
      }
    >
      {lines && strategy ? (
        <>
          <p>
            This strategy has <strong className="num">{openPositions(strategy)}</strong> of {lines.length} positions open. Stopping it <strong>closes each open one at market now</strong> (shorts bought back first, then longs sold).
          </p>
          <ul className="position-list small tnum" aria-label="Positions">
            {lines.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </>
      ) : buying ? (
        <p>
          {short ? 'The entry (a SELL)' : 'A BUY'} order is in flight. If it fills, the position is <strong>{words.closed} at market at once</strong>, unless you keep it open below.
        </p>
      ) : (
        <p>
          This strategy holds <strong className="num">{qty(held, strategy?.qty_step)}</strong> {strategy?.symbol} {words.opened} at{' '}
          <strong className="num">{price(run?.entry_price)}</strong>. Stopping it <strong>{short ? 'buys the position back' : 'sells the position'} at market now</strong>.
        </p>
      )}
      {strategy && (
        <p className="small">
          Account: <AccountTag accountId={strategy.broker_account_id} />
        </p>
      )}
      <fieldset className="choice">
        <legend className="visually-hidden">What to do with the position</legend>
        <label className="choice__option">
          <input type="radio" name="position" checked={!keepOpen} onChange={() => setKeepOpen(false)} />
          <span>
            <strong>{Close} at market</strong> (recommended)
          </span>
        </label>
        <label className="choice__option">
          <input type="radio" name="position" checked={keepOpen} onChange={() => setKeepOpen(true)} />
          <span>
            <strong>Keep the position open.</strong> Tradeclock will no longer watch its stop-loss or SELL time; you close it at the broker yourself.
          </span>
        </label>
      </fieldset>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </Dialog>
  );
}
