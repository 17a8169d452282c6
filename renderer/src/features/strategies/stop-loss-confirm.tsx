/**
 * Asks before saving a stop-loss already reached by the instrument's last price (a long's at or
 * above it, a short's at or below), or a price target already reached (a long's at or below, a
 * short's at or above): either would exit as soon as it is armed, so the engine skips the day's
 * run if the price is still there at the BUY time.
 */
import { Dialog } from '../../ui/dialog';
import type { LevelWarning } from './stop-loss-warning';

interface StopLossConfirmProps {
  readonly warning: LevelWarning | null;
  readonly onKeepEditing: () => void;
  readonly onSaveAnyway: () => void;
}

export function StopLossConfirm({ warning, onKeepEditing, onSaveAnyway }: StopLossConfirmProps) {
  return (
    <Dialog
      open={warning !== null}
      title={warning ? `${warning.level === 'target' ? 'Target' : 'Stop-loss'} ${warning.relation} the last price` : ''}
      onCancel={onKeepEditing}
      actions={
        <>
          <button type="button" className="btn" data-autofocus onClick={onKeepEditing}>
            Keep editing
          </button>
          <button type="button" className="btn btn--primary" onClick={onSaveAnyway}>
            Save anyway
          </button>
        </>
      }
    >
      {warning && (
        <p>
          The {warning.level === 'target' ? 'target' : 'stop-loss'} <strong className="num">{warning.value}</strong> is {warning.relation} the last price of {warning.symbol} on {warning.exchange},{' '}
          <strong className="num">{warning.price}</strong>. It would {warning.side === 'sell' ? 'buy back' : 'sell'} as soon as it is armed: if the price is still
          there at the BUY time, the day's run is skipped and nothing is {warning.side === 'sell' ? 'sold' : 'bought'}.
        </p>
      )}
    </Dialog>
  );
}
