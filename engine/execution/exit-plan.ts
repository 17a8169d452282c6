/**
 * What an exit sells, where, and as which attempt (invariants 8 and 9). The account, instrument
 * and quantity come from the position: the BUY that opened it (the journal) and the quantity
 * still held, never from the strategy record, which the trader may have edited since. A new
 * attempt of the exit slot goes out only once the attempt before it is final, so its filled
 * quantity is known and at most what is still held is ever sold.
 */
import { MAX_EXIT_ATTEMPTS } from '../core/ids';
import { FINAL_ORDER_STATUSES, type Exchange, type Order, type Run, type Strategy } from '../core/types';
import type { BrokerAccountId } from '../core/ids';
import type { Repos } from '../../db/repos';

export type ExitPlan =
  | { readonly kind: 'exit'; readonly entry: Order; readonly attempt: number; readonly qty: number }
  /** The BUY is still in flight: the exit goes as soon as it fills. */
  | { readonly kind: 'defer' }
  | { readonly kind: 'none'; readonly reason: string };

/** Synchronous on SQLite, for the journal transaction that writes the exit. */
export function planExit(repos: Pick<Repos, 'orders'>, run: Run): ExitPlan {
  const last = repos.orders.findBySlotInternal(run.id, 'exit');
  if (last && !FINAL_ORDER_STATUSES.has(last.status)) return { kind: 'none', reason: `${last.leg} exit was already sent first` };
  if (run.state === 'BUYING') return { kind: 'defer' };
  // EXITING with a final last attempt: that attempt left shares unsold, and the next one is due.
  const open = run.positionQty > 0 && (run.state === 'IN_POSITION' || run.state === 'ERROR' || (run.state === 'EXITING' && last !== undefined));
  if (!open) return { kind: 'none', reason: `no open position (run is ${run.state})` };
  const attempt = (last?.attempt ?? 0) + 1;
  if (attempt > MAX_EXIT_ATTEMPTS) {
    return { kind: 'none', reason: `the exit was already tried ${MAX_EXIT_ATTEMPTS} times: close the position of ${run.positionQty} at the broker` };
  }
  const entry = repos.orders.findBySlotInternal(run.id, 'entry');
  if (!entry) return { kind: 'none', reason: 'the journal holds no BUY for this position: close it at the broker' };
  return { kind: 'exit', entry, attempt, qty: run.positionQty };
}

/** Where a run trades. */
export interface RunInstrument {
  readonly brokerAccountId: BrokerAccountId;
  readonly symbol: string;
  readonly exchange: Exchange;
}

/**
 * The instrument a run's prices and stop-loss are about: its BUY's once it has one (a position is
 * watched where it was bought), else the strategy's (an armed run buys what the strategy says).
 */
export function runInstrument(repos: Pick<Repos, 'orders'>, run: Run | undefined, strategy: Strategy): RunInstrument {
  const from = (run && repos.orders.findBySlotInternal(run.id, 'entry')) ?? strategy;
  return { brokerAccountId: from.brokerAccountId, symbol: from.symbol, exchange: from.exchange };
}
