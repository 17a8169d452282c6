/**
 * The header's answer to "is real money at stake right now?": LIVE and how many strategies are
 * running on live accounts, or a quiet "Paper only" / nothing when none runs.
 */
import { useBrokers } from '../features/brokers/brokers-store';
import { useStrategies } from '../features/strategies/strategies-store';
import { modeOf } from '../features/strategies/which-money';

export function LiveArmed() {
  const byId = useStrategies((s) => s.byId);
  const accounts = useBrokers((s) => s.accounts);
  const running = Object.values(byId).filter((s) => s.status === 'running');
  if (running.length === 0) return null;
  // An account not loaded yet counts as live: the safe reading.
  const live = running.filter((s) => modeOf(accounts.find((a) => a.id === s.broker_account_id)) === 'live');
  return live.length > 0 ? (
    <span className="live-armed" data-testid="live-armed" title={`${live.length} running on live accounts: real money`} aria-label={`LIVE: ${live.length} armed on live accounts`}>
      <span className="money money--live">LIVE</span> <span className="live-armed__text">{live.length} armed</span>
    </span>
  ) : (
    <span className="live-armed muted" data-testid="live-armed" title="Every running strategy is on a paper account" aria-label="PAPER only: no live account armed">
      <span className="money money--paper">PAPER</span> <span className="live-armed__text">only</span>
    </span>
  );
}
