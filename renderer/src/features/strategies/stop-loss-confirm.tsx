/**
 * Asks before saving a stop-loss at or above the instrument's last price, or a price target at or
 * below it: either would sell as soon as it is armed, so the engine skips the day's run if the
 * price is still there at the BUY time.
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
      title={warning?.level === 'target' ? 'Target at or below the last price' : 'Stop-loss at or above the last price'}
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
          The {warning.level === 'target' ? 'target' : 'stop-loss'} <strong className="num">{warning.value}</strong> is at or {warning.level === 'target' ? 'below' : 'above'} the last price of {warning.symbol} on {warning.exchange},{' '}
          <strong className="num">{warning.price}</strong>. It would sell as soon as it is armed: if the price is still there at the BUY
          time, the day's run is skipped and nothing is bought.
        </p>
      )}
    </Dialog>
  );
}
