/**
 * What a strategy's figures (its state, stop-loss, target, position, last price, P&L: the list's
 * row and the page above its positions table) speak for: its latest run's (`runtime`). A strategy
 * of one position: itself. One of several positions (issue 19): its first position, whose run is
 * the strategy's latest and whose contract the live price follows. Its side, so that a sold
 * position, a short, has its stop above the fill and gains as the premium falls; its stop-loss,
 * target, trail and move to cost each with its unit where it sets its own, else the strategy's (as
 * the engine plans the position's run). Every position is in the page's positions table.
 */
import type { StrategyDto } from '../../lib/api-types';

/**
 * @example figuresSubject(straddle) // { ...straddle, side: 'sell', stop_loss: 30, stop_loss_mode: 'percent', … } (position 1's)
 */
export function figuresSubject(s: StrategyDto): StrategyDto {
  const first = s.positions?.[0];
  if (!first) return s;
  return {
    ...s,
    side: first.side,
    stop_loss: first.stop_loss ?? s.stop_loss,
    stop_loss_mode: first.stop_loss_mode ?? s.stop_loss_mode,
    target: first.target ?? s.target,
    target_mode: first.target_mode ?? s.target_mode,
    trail: first.trail ?? s.trail,
    trail_mode: first.trail_mode ?? s.trail_mode,
    move_stop_to_cost_after: first.move_stop_to_cost_after ?? s.move_stop_to_cost_after,
    move_stop_to_cost_mode: first.move_stop_to_cost_mode ?? s.move_stop_to_cost_mode,
  };
}
