/**
 * What nothing watches while the daemon is down: every strategy still running and every run not
 * finished (armed for a BUY, holding a position, an order in flight, in ERROR). Said before a
 * Ctrl-C stops the daemon, so the trader knows which BUY will be missed and which stop-loss will
 * not trigger.
 */
import type { Repos } from '../../db/repos';
import { UnreadableStrategy } from '../../db/repos/strategies';
import type { AccountMode } from '../brokers/broker-kinds';
import type { BrokerAccountId, StrategyId } from '../core/ids';
import type { RunPlanSpec } from '../core/run-plan-spec';
import type { StoredStrategySpec } from '../core/strategy-spec';
import type { OrderSide, Run, RunState } from '../core/types';
import { defaultTimezone } from '../scheduler/trading-calendar';
import { formatPrice, zonedDayTime } from './words';

export interface WatchItem {
  readonly symbol: string;
  readonly mode: AccountMode;
  /** null: running, with no run armed yet (its next trading day has not been armed). */
  readonly state: RunState | null;
  readonly timezone: string;
  readonly qty: number;
  readonly heldQty: number;
  /** The entry's side: 'sell' for a short (its stop above the price, its exits buy back). */
  readonly side: OrderSide;
  /** The stop as a line says it; null: the strategy's stored definition is damaged (unreadable) and no run says it. */
  readonly stop: WatchStop | null;
  /** The strategy's stored definition cannot be read (its BUY is not placed). */
  readonly damaged: boolean;
  readonly buyAt: number | null;
  readonly sellAt: number | null;
}

/**
 * A stop as a price (the held position's own, trailed or moved to cost, or one given as a price),
 * or, before a fill, as the distance from the fill it was given as.
 */
export type WatchStop = { readonly price: number; readonly trailing: boolean } | { readonly distance: number; readonly unit: 'points' | 'percent' };

/** @example watchList(repos, facts.mode).length === 0 // nothing open: stop at once */
export function watchList(repos: Repos, modeOf: (id: BrokerAccountId) => AccountMode): WatchItem[] {
  const items: WatchItem[] = [];
  const seen = new Set<number>();
  for (const run of repos.runs.listNonTerminalInternal()) {
    const s = factsOf(repos, run.strategyId, run);
    if (!s) continue;
    seen.add(run.strategyId);
    // A held position's levels are its stop now; else the run's plan, which a spec edit cannot move.
    const stop = run.positionQty > 0 && run.levels ? { price: run.levels.stop, trailing: run.levels.stopKind === 'TRAIL_STOP' } : run.plan ? stopOf(run.plan) : s.stop;
    items.push({ ...s, side: run.plan?.side ?? s.side, stop, mode: modeOf(s.brokerAccountId), state: run.state, heldQty: run.positionQty, buyAt: run.buyAt, sellAt: run.sellAt });
  }
  const running = [...repos.strategies.listByStatusInternal('running').map((s) => s.id), ...repos.strategies.unreadableInternal('running').map((u) => u.strategyId)];
  for (const id of running) {
    const s = !seen.has(id) && factsOf(repos, id, undefined);
    if (s) items.push({ ...s, mode: modeOf(s.brokerAccountId), state: null, heldQty: 0, buyAt: null, sellAt: null });
  }
  return items;
}

/**
 * What a line says of a strategy; for one whose stored spec cannot be read, what its identity
 * columns and its run's plan say, with no stop-loss (the line says "damaged" there).
 */
function factsOf(repos: Repos, id: StrategyId, run: Run | undefined): (Pick<WatchItem, 'symbol' | 'timezone' | 'qty' | 'side' | 'stop' | 'damaged'> & { brokerAccountId: BrokerAccountId }) | undefined {
  try {
    const s = repos.strategies.getInternal(id);
    return s && { brokerAccountId: s.brokerAccountId, symbol: s.symbol, timezone: s.spec.timezone, qty: s.spec.qty, side: s.spec.side, stop: stopOf(s.spec), damaged: false };
  } catch (err) {
    if (!(err instanceof UnreadableStrategy)) throw err;
    const s = repos.strategies.identityInternal(id);
    const plan = run?.plan;
    return s && { brokerAccountId: s.brokerAccountId, symbol: plan?.symbol ?? s.symbol, timezone: defaultTimezone(plan?.exchange ?? s.exchange), qty: plan?.qty ?? 0, side: plan?.side ?? 'buy', stop: null, damaged: true };
  }
}

function stopOf(spec: Pick<StoredStrategySpec | RunPlanSpec, 'stop_loss' | 'stop_loss_mode'>): WatchStop {
  return spec.stop_loss_mode === 'price' ? { price: spec.stop_loss, trailing: false } : { distance: spec.stop_loss, unit: spec.stop_loss_mode };
}

/** The stop as a line says it: a price, or how far from the fill (below a long's, above a short's). */
function stopWords(i: WatchItem): string {
  const stop = i.stop;
  if (stop === null) return 'stop-loss: strategy damaged, restore a backup';
  if ('price' in stop) return `${stop.trailing ? 'trailing stop' : 'stop-loss'} ${formatPrice(stop.price)}`;
  return `stop-loss ${formatPrice(stop.distance)}${stop.unit === 'percent' ? ' %' : ' points'} ${i.side === 'sell' ? 'above' : 'below'} the fill`;
}

/** What is held: a long's shares, or a short's. */
const held = (i: WatchItem): string => (i.side === 'sell' ? `short ${i.heldQty}` : `holding ${i.heldQty}`);

/** One line per item, indented: account mode, symbol, state, then `what` says of it. */
const linesOf = (items: readonly WatchItem[], what: (i: WatchItem) => string): string[] => items.map((i) => `  ${i.mode.toUpperCase()} ${i.symbol}  ${i.state ?? 'RUNNING'}: ${what(i)}`);

/** One line per item saying what the daemon watches (printed once it is ready). */
export const watchingLines = (items: readonly WatchItem[]): string[] => linesOf(items, watched);

function watched(i: WatchItem): string {
  const at = (ms: number) => zonedDayTime(ms, i.timezone);
  if (i.heldQty > 0) return `${held(i)}, ${stopWords(i)}${i.sellAt === null ? '' : `, ${i.side === 'sell' ? 'buy back' : 'SELL'} at ${at(i.sellAt)}`}`;
  switch (i.state) {
    case 'ARMED':
      // The BUY of a strategy whose spec cannot be read does not go out (StrategyManager.readable).
      return i.damaged ? `its BUY at ${at(i.buyAt!)} is not placed: strategy damaged, restore a backup` : `${i.side === 'sell' ? 'SELL SHORT' : 'BUY'} ${i.qty} at ${at(i.buyAt!)}, ${stopWords(i)}`;
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
    const sell = i.sellAt === null ? '' : `; if the daemon is still down at ${at(i.sellAt)}, it ${i.side === 'sell' ? 'buys back' : 'sells'} at the next start`;
    return `${held(i)}, ${i.stop === null ? 'its stop-loss (strategy damaged, restore a backup)' : `the ${stopWords(i)}`} is not watched${sell}`;
  }
  switch (i.state) {
    case 'ARMED':
      return `the ${i.side === 'sell' ? 'short sale' : 'BUY'} of ${i.qty} at ${at(i.buyAt!)} is missed if the daemon is still down then`;
    case 'BUYING':
    case 'EXITING':
      return 'an order is in flight; it is looked up at the broker at the next start';
    case null:
      return 'its next trading day is armed at the next start';
    default:
      return 'needs attention at the next start';
  }
}
