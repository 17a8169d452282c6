/**
 * The client order id of one of a run's orders. A run of a multi-position strategy (its plan has
 * `position_no`) takes the `tp` format, with the position in it, so the positions of one day never
 * share an id; every other run keeps the `tc`/`tr` ids byte for byte (the journals written so far
 * carry them, and an exit derives its id again after an upgrade).
 */
import { clientOrderId, positionClientOrderId } from '../core/ids';
import type { Run } from '../core/types';

/** What of an order its id is made from: its slot, the slot's attempt and the run's leg. */
export interface OrderIdParts {
  readonly slot: 'entry' | 'exit';
  readonly attempt: number;
  readonly legNo: number;
}

/**
 * @example runOrderId('k3x9a1', run, { slot: 'entry', attempt: 1, legNo: 0 }) // 'tck3x9a116260309E', or 'tpk3x9a17do0001610E' for position 1
 */
export function runOrderId(installId: string, run: Pick<Run, 'strategyId' | 'tradingDate' | 'plan'>, o: OrderIdParts): string {
  const positionNo = run.plan?.position_no;
  return positionNo === undefined
    ? clientOrderId(installId, run.strategyId, run.tradingDate, o.slot, o.attempt, o.legNo)
    : positionClientOrderId(installId, run.strategyId, run.tradingDate, positionNo, o.slot, o.attempt, o.legNo);
}
