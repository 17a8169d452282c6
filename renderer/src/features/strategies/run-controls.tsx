/**
 * START or STOP for one strategy. STOP of a strategy holding a position (or buying one) asks
 * first, in the StopDialog; START on a LIVE account asks first, naming the account; otherwise it
 * acts at once. A START that arms for a later day says so, and why.
 */
import { useState } from 'react';
import { errorText } from '../../lib/api-client';
import type { StrategyDto } from '../../lib/api-types';
import { toast } from '../../ui/toast';
import { StopDialog } from './stop-dialog';
import { holdsOrBuying, holdsUnsold } from './strategy-metrics';
import { useStrategies } from './strategies-store';
import { AccountTag, modeOf, useAccount } from './which-money';
import { Dialog } from '../../ui/dialog';
import { laterDayNotice, price, qty, zoneLabel } from '../../lib/format';
import { useConnection } from '../live/connection-store';

/** After START: the run arms for a later day (weekend, holiday, time passed)? Then why, in words. */
function startNotice(s: StrategyDto): string | null {
  const run = s.runtime;
  if (!run || run.state !== 'ARMED') return null;
  const now = Date.now() + useConnection.getState().clockOffsetMs;
  return laterDayNotice({ tradingDate: run.trading_date, buyAt: run.buy_at, buyTime: s.buy_time, zone: s.timezone, now, tradesWeekends: s.exchange === 'CRYPTO' });
}

export function RunControls({ strategy: s }: { readonly strategy: StrategyDto }) {
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const name = `${s.symbol} (#${s.id})`;
  // A stopped strategy whose exit was refused still holds shares: STOP sells them (or, keeping
  // them, ends the run once they were closed by hand at the broker).
  const stoppable = s.status === 'running' || holdsUnsold(s);

  const account = useAccount(s.broker_account_id);
  const live = modeOf(account) === 'live';
  const [confirmingStart, setConfirmingStart] = useState(false);

  const act = async (what: 'start' | 'stop') => {
    setBusy(true);
    try {
      const store = useStrategies.getState();
      let later: string | null = null;
      if (what === 'start') later = startNotice(await store.start(s.id));
      else await store.stop(s.id, true);
      if (later) toast(`Started ${name}. ${later}`, 'ok', 12_000);
      else toast(`${what === 'start' ? 'Started' : 'Stopped'} ${name}`);
      setConfirmingStart(false);
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
        <button type="button" className="btn btn--start" disabled={busy} aria-label={`Start ${name}`} onClick={() => (live ? setConfirmingStart(true) : void act('start'))}>
          START
        </button>
      )}
      <StopDialog strategy={confirming ? s : null} onClose={() => setConfirming(false)} />
      <Dialog
        open={confirmingStart}
        tone="danger"
        title={`Start ${name} with real money?`}
        onCancel={() => setConfirmingStart(false)}
        actions={
          <>
            <button type="button" className="btn" onClick={() => setConfirmingStart(false)} data-autofocus>
              Cancel
            </button>
            <button type="button" className="btn btn--danger" onClick={() => void act('start')} disabled={busy}>
              {busy ? 'Starting…' : 'Start on LIVE account'}
            </button>
          </>
        }
      >
        <p>
          Orders go to <AccountTag accountId={s.broker_account_id} />: BUY <strong className="num">{qty(s.qty, s.qty_step)}</strong> {s.symbol} on {s.exchange} at{' '}
          <strong className="num">{s.buy_time}</strong>, SELL at <strong className="num">{s.sell_time}</strong> {zoneLabel(s.timezone)} time, stop-loss{' '}
          <strong className="num">{price(s.stop_loss)}</strong>.
        </p>
      </Dialog>
    </>
  );
}
