/**
 * What nothing watches while the daemon is down: every strategy still running and every run not
 * finished (armed for a BUY, holding a position, an order in flight, in ERROR). Said before a
 * Ctrl-C stops the daemon, so the trader knows which BUY will be missed and which stop-loss will
 * not trigger.
 */
import type { Repos } from '../../db/repos';
import type { AccountMode } from '../brokers/broker-kinds';
import type { BrokerAccountId } from '../core/ids';
import type { RunState } from '../core/types';
import { formatPrice, zonedDayTime } from './words';

export interface WatchItem {
  readonly symbol: string;
  readonly mode: AccountMode;
  /** null: running, with no run armed yet (its next trading day has not been armed). */
  readonly state: RunState | null;
  readonly timezone: string;
  readonly qty: number;
  readonly heldQty: number;
  readonly stopLoss: number;
  readonly buyAt: number | null;
  readonly sellAt: number | null;
}

/** @example watchList(repos, facts.mode).length === 0 // nothing open: stop at once */
export function watchList(repos: Repos, modeOf: (id: BrokerAccountId) => AccountMode): WatchItem[] {
  const items: WatchItem[] = [];
  const seen = new Set<number>();
  for (const run of repos.runs.listNonTerminalInternal()) {
    const s = repos.strategies.getInternal(run.strategyId);
    if (!s) continue;
    seen.add(s.id);
    items.push({ symbol: s.symbol, mode: modeOf(s.brokerAccountId), state: run.state, timezone: s.timezone, qty: s.qty, heldQty: run.positionQty, stopLoss: s.stopLoss, buyAt: run.buyAt, sellAt: run.sellAt });
  }
  for (const s of repos.strategies.listByStatusInternal('running')) {
    if (seen.has(s.id)) continue;
    items.push({ symbol: s.symbol, mode: modeOf(s.brokerAccountId), state: null, timezone: s.timezone, qty: s.qty, heldQty: 0, stopLoss: s.stopLoss, buyAt: null, sellAt: null });
  }
  return items;
}

/** One line per item, indented: account mode, symbol, state, then `what` says of it. */
const linesOf = (items: readonly WatchItem[], what: (i: WatchItem) => string): string[] => items.map((i) => `  ${i.mode.toUpperCase()} ${i.symbol}  ${i.state ?? 'RUNNING'}: ${what(i)}`);

/** One line per item saying what the daemon watches (printed once it is ready). */
export const watchingLines = (items: readonly WatchItem[]): string[] => linesOf(items, watched);

function watched(i: WatchItem): string {
  const at = (ms: number) => zonedDayTime(ms, i.timezone);
  if (i.heldQty > 0) return `holding ${i.heldQty}, stop-loss ${formatPrice(i.stopLoss)}${i.sellAt === null ? '' : `, SELL at ${at(i.sellAt)}`}`;
  switch (i.state) {
    case 'ARMED':
      return `BUY ${i.qty} at ${at(i.buyAt!)}, stop-loss ${formatPrice(i.stopLoss)}`;
    case 'BUYING':
    case 'EXITING':
      return 'an order is in flight';
    case null:
      return 'waiting for its next trading day';
    default:
      return 'needs attention';
  }
}

/** One line per item saying what goes unwatched. */
export const watchListLines = (items: readonly WatchItem[]): string[] => linesOf(items, unwatched);

function unwatched(i: WatchItem): string {
  const at = (ms: number) => zonedDayTime(ms, i.timezone);
  if (i.heldQty > 0) {
    const sell = i.sellAt === null ? '' : `; if the daemon is still down at ${at(i.sellAt)}, it sells at the next start`;
    return `holding ${i.heldQty}, the stop-loss ${formatPrice(i.stopLoss)} is not watched${sell}`;
  }
  switch (i.state) {
    case 'ARMED':
      return `the BUY of ${i.qty} at ${at(i.buyAt!)} is missed if the daemon is still down then`;
    case 'BUYING':
    case 'EXITING':
      return 'an order is in flight; it is looked up at the broker at the next start';
    case null:
      return 'its next trading day is armed at the next start';
    default:
      return 'needs attention at the next start';
  }
}
