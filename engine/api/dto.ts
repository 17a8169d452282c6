/**
 * Domain objects as they go on the wire: snake_case, plain JSON, times as epoch ms numbers, and
 * nothing secret (a broker account shows its credentials' masks only, a user never a hash or a
 * token version). The shapes are in contract.ts; this file maps domain objects onto them.
 */
import type { BrokerAccount, RunHistoryRow, StoredEvent, StoredSession, User } from '../../db/repos';
import type { BackstopDto, BrokerAccountDto, InstrumentFactsDto, QuoteDto, SignedInSessionDto, EventDto, LevelsDto, LoggedEventDto, NextTriggerDto, OptionContractDto, OrderDto, PositionDto, ReadinessDto, RunHistoryDto, RuntimeDto, StrategyDto, UserDto } from './contract';
import type { ReadinessReport } from '../readiness/readiness-service';
import { legFills, runPnl, runSoldQty, type LegFill, type RunFills } from '../execution/realized-pnl';

export type * from './contract';
import type { EngineEvent, FeedState } from '../core/events';
import type { BrokerSessionInfo, QtyRules } from '../brokers/broker';
import type { Quote } from '../brokers/instrument-finder';
import { currencyPair } from '../core/currency-pair';
import { OPEN_BACKSTOP_STATES, type Backstop, type Levels, type Order, type Run, type Strategy } from '../core/types';
import type { StoredStrategySpec } from '../core/strategy-spec';
import type { PositionSpec } from '../core/position-spec';
import type { AccountFacts } from '../brokers/broker-kinds';
import type { RemovalBlocker } from '../brokers/removal-blockers';
import type { StaleNow } from '../market/stale-price-watch';
import { defaultTimezone } from '../scheduler/trading-calendar';
import { describeUserAgent } from './user-agent';

export const userDto = (u: Pick<User, 'id' | 'email'>): UserDto => ({ id: u.id, email: u.email });

/** A session for the settings screen: `currentId` is the session of the token that asked. */
export function signedInSessionDto(s: StoredSession, currentId: string | null): SignedInSessionDto {
  return {
    id: s.id,
    created_at: s.createdAt,
    last_used_at: s.lastUsedAt,
    expires_at: s.expiresAt,
    client_address: s.clientAddress,
    client: describeUserAgent(s.userAgent),
    current: s.id === currentId,
  };
}

export function brokerAccountDto(
  a: BrokerAccount,
  feedState: FeedState | null,
  session: BrokerSessionInfo | null,
  facts: AccountFacts,
  blockers: readonly RemovalBlocker[],
): BrokerAccountDto {
  return {
    id: a.id,
    broker: a.broker,
    label: a.label,
    status: a.status,
    credentials_masked: { ...a.credentialsMasked },
    options: a.options,
    mode: facts.mode,
    backstop_by_default: facts.backstopByDefault,
    markets: facts.exchanges.map((exchange) => ({ exchange, timezone: defaultTimezone(exchange) })),
    feed_state: feedState,
    session: session && { state: session.state, expires_at: session.expiresAt, checked_at: session.checkedAt, message: session.message },
    created_at: a.createdAt,
    removal_blocked_by: blockers.map((b) => ({ strategy_id: b.strategyId, symbol: b.symbol, status: b.status, action: b.action })),
  };
}

/** What fires next: the BUY while armed, the SELL while buying or holding, else nothing. */
export function nextTrigger(run: Run): NextTriggerDto | null {
  if (run.state === 'ARMED') return { kind: 'BUY', at: run.buyAt };
  if (run.state === 'BUYING' || run.state === 'IN_POSITION') return { kind: 'SELL', at: run.sellAt };
  return null;
}

/**
 * What realized-pnl.ts needs of a run, leg by leg: `boughtQty` is what its entries filled over
 * every leg (null: no entry order), `fills` its filled orders when it re-entered (none otherwise).
 */
export const runFills = (run: Run, boughtQty: number | null, fills: readonly LegFill[] = []): RunFills[] =>
  legFills({ entryPrice: run.entryPrice, exitPrice: run.exitPrice, heldQty: run.positionQty, unsoldQty: run.unsoldQty, short: run.plan?.side === 'sell' }, boughtQty, fills);

/** `backstop`: the current leg's backstop row, if it has one (only one that may rest is shown). */
export function runtimeDto(run: Run, boughtQty: number | null = null, legs: readonly LegFill[] = [], backstop: Backstop | undefined = undefined): RuntimeDto {
  const fills = runFills(run, boughtQty, legs);
  return {
    run_id: run.id,
    trading_date: run.tradingDate,
    position_no: positionNoOf(run),
    state: run.state,
    position_qty: run.positionQty,
    entry_price: run.entryPrice,
    exit_price: run.exitPrice,
    exit_leg: run.exitLeg,
    sold_qty: runSoldQty(fills),
    realized_pnl: runPnl(fills)?.toNumber() ?? null,
    last_action: run.lastAction,
    last_action_at: run.lastActionAt,
    reason: run.reason,
    buy_at: run.buyAt,
    sell_at: run.sellAt,
    next_trigger: nextTrigger(run),
    leg_no: run.legNo,
    levels: run.levels && levelsDto(run.levels),
    backstop: backstop ? backstopDto(backstop) : null,
    contract: contractDto(run),
  };
}

/** The run's position when its strategy has positions (its plan says so: ids and keys follow the plan), else null. */
const positionNoOf = (run: Run): number | null => (run.plan?.position_no === undefined ? null : run.positionNo);

function contractDto(run: Run): OptionContractDto | null {
  const c = run.plan?.option_contract;
  if (!c) return null;
  return { symbol: run.plan!.symbol, exchange: run.plan!.exchange, underlying: c.underlying, expiry: c.expiry, strike: c.strike, right: c.right, lots: c.lots, lot_size: c.lot_size, qty: run.plan!.qty, spot: c.spot, premium: c.premium, chosen_at: c.resolved_at };
}

function backstopDto(b: Backstop): BackstopDto | null {
  const open = OPEN_BACKSTOP_STATES.find((s) => s === b.state);
  return open ? { state: open, trigger_price: b.triggerPrice, target_price: b.targetPrice, broker_ref: b.brokerRef } : null;
}

function levelsDto(l: Levels): LevelsDto {
  return { entry: l.entry, stop: l.stop, stop_kind: l.stopKind, target: l.target, trail_best: l.trail?.best ?? null, cost_at: l.costAt };
}

/** A run of GET /runs, with its instrument as traded and its realized P&L. */
export function runHistoryDto(row: RunHistoryRow): RunHistoryDto {
  const { run } = row;
  const fills = runFills(run, row.boughtQty, row.fills);
  return {
    run_id: run.id,
    strategy_id: run.strategyId,
    symbol: row.symbol,
    exchange: row.exchange,
    broker_account_id: row.brokerAccountId,
    trading_date: run.tradingDate,
    position_no: positionNoOf(run),
    contract: contractDto(run),
    state: run.state,
    buy_at: run.buyAt,
    sell_at: run.sellAt,
    bought_qty: row.boughtQty,
    sold_qty: runSoldQty(fills),
    position_qty: run.positionQty,
    entry_price: run.entryPrice,
    exit_price: run.exitPrice,
    exit_leg: run.exitLeg,
    realized_pnl: runPnl(fills)?.toNumber() ?? null,
    reason: run.reason,
  };
}

/**
 * The keys of a strategy's spec its answer carries that every spec has: v1's, the exits' modes
 * and the re-entry's count and kind.
 */
const STRATEGY_DTO_KEYS = [
  'broker_account_id',
  'symbol',
  'exchange',
  'side',
  'qty',
  'buy_time',
  'sell_time',
  'stop_loss',
  'stop_loss_mode',
  'target_mode',
  'trail_mode',
  'move_stop_to_cost_mode',
  'reentries',
  'reentry_after',
  'timezone',
  'repeat',
  'buy_grace_seconds',
] as const satisfies readonly (keyof StoredStrategySpec & keyof StrategyDto)[];

/** `spec`'s keys in `keys`, in that order. */
function specKeys<K extends keyof StoredStrategySpec>(spec: StoredStrategySpec, keys: readonly K[]): Pick<StoredStrategySpec, K> {
  return Object.fromEntries(keys.map((k) => [k, spec[k]])) as Pick<StoredStrategySpec, K>;
}

function positionDto(p: PositionSpec): PositionDto {
  return {
    side: p.side,
    option_right: p.option_right,
    // Left out: a future's month, an option's nearest expiry (an edit sends it back as shown).
    option_expiry: p.option_expiry ?? (p.option_right === 'FUT' ? 'current_month' : 'current_week'),
    option_strike: p.option_strike ?? 'atm',
    lots: p.lots ?? null,
    stop_loss: p.stop_loss ?? null,
    stop_loss_mode: p.stop_loss_mode ?? null,
    target: p.target ?? null,
    target_mode: p.target_mode ?? null,
    trail: p.trail ?? null,
    trail_mode: p.trail_mode ?? null,
    move_stop_to_cost_after: p.move_stop_to_cost_after ?? null,
    move_stop_to_cost_mode: p.move_stop_to_cost_mode ?? null,
    reentries: p.reentries ?? null,
  };
}

/** A readiness report on the wire. */
export function readinessDto(r: ReadinessReport): ReadinessDto {
  return { strategy_id: r.strategyId, run_id: r.runId, trigger: r.trigger, checked_at: r.checkedAt, entry_at: r.entryAt, exit_at: r.exitAt, status: r.status, checks: r.checks.map((c) => ({ check: c.check, status: c.status, message: c.message })) };
}

/** What the engine knows of a strategy now, beside its stored rows: its latest readiness check and the stale price its stop watches, if any. */
export interface StrategyNow {
  readonly readiness?: ReadinessReport | undefined;
  readonly stale?: StaleNow | null | undefined;
  /** Whether its account's broker places a backstop when the strategy leaves `backstop` out (AccountFacts.backstopByDefault). */
  readonly backstopByDefault?: boolean | undefined;
  /** Whether its account's broker rests a take-profit with the backstop (AccountFacts.backstopOco). */
  readonly backstopOco?: boolean | undefined;
  /** The instrument's quantity step, least quantity and least order value, as the account last resolved it (db instruments); null: not resolved. */
  readonly qtyRules?: QtyRules | null | undefined;
}

/**
 * An instrument's pair (read from its symbol) and its quantity rules (null: not resolved, so none known).
 * @example instrumentFactsDto('BTC/USDT', { qtyStep: 0.00001, minQty: 0.00001, minNotional: 5 })
 *   // { base: 'BTC', quote: 'USDT', qty_step: 0.00001, min_qty: 0.00001, min_notional: 5 }
 */
export function instrumentFactsDto(symbol: string, rules: QtyRules | null): InstrumentFactsDto {
  const pair = currencyPair(symbol);
  return { base: pair?.base ?? null, quote: pair?.quote ?? null, qty_step: rules?.qtyStep ?? null, min_qty: rules?.minQty ?? null, min_notional: rules?.minNotional ?? null };
}

/** A last price for the form, with what the instrument says of its quantities when it is listed. */
export function quoteDto(q: Quote): QuoteDto {
  return { symbol: q.symbol, exchange: q.exchange, known: q.known, price: q.price, at: q.at, instrument: q.rules ? instrumentFactsDto(q.symbol, q.rules) : null };
}

/**
 * `runs`: the latest trading day's runs by position (runtimeDto of each; empty before the first
 * START), the first of them the strategy's `runtime`; `now`: its readiness and the stale price its
 * stop watches (StalePriceWatch.staleOf).
 */
export function strategyDto(s: Strategy, runs: readonly RuntimeDto[], now: StrategyNow = {}): StrategyDto {
  return {
    id: s.id,
    ...specKeys(s.spec, STRATEGY_DTO_KEYS),
    // The keys a strategy may leave out are null when it has none.
    target: s.spec.target ?? null,
    trail: s.spec.trail ?? null,
    move_stop_to_cost_after: s.spec.move_stop_to_cost_after ?? null,
    square_off_time: s.spec.square_off_time ?? null,
    reentry_cutoff: s.spec.reentry_cutoff ?? null,
    weekdays: s.spec.weekdays ?? null,
    dte: s.spec.dte ?? null,
    backstop: s.spec.backstop ?? null,
    backstop_on: s.spec.backstop ?? now.backstopByDefault ?? false,
    backstop_take_profit: (s.spec.backstop ?? now.backstopByDefault ?? false) && s.spec.target != null && (now.backstopOco ?? false),
    // Kept only where they differ from the default (strategy-spec.ts keptUnlessDefault).
    backstop_margin: s.spec.backstop_margin ?? null,
    backstop_margin_mode: s.spec.backstop_margin_mode ?? 'points',
    option_right: s.spec.option_right ?? null,
    option_expiry: s.spec.option_expiry ?? 'current_week',
    option_strike: s.spec.option_strike ?? 'atm',
    positions: s.spec.positions?.map(positionDto) ?? null,
    // The group's rules, null when left out: a form then shows them empty and sends nothing for them.
    mtm_stop: s.spec.mtm_stop ?? null,
    mtm_target: s.spec.mtm_target ?? null,
    on_position_failure: s.spec.on_position_failure ?? null,
    stops_to_cost_on_stop: s.spec.stops_to_cost_on_stop ?? null,
    ...instrumentFactsDto(s.spec.symbol, now.qtyRules ?? null),
    status: s.status,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
    runtime: runs[0] ?? null,
    position_runs: runs,
    readiness: now.readiness ? readinessDto(now.readiness) : null,
    stale_price: now.stale ? { since: now.stale.since, last_price: now.stale.lastPrice, last_price_at: now.stale.lastPriceAt } : null,
  };
}

export function orderDto(o: Order): OrderDto {
  return {
    id: o.id,
    run_id: o.runId,
    strategy_id: o.strategyId,
    broker_account_id: o.brokerAccountId,
    leg: o.leg,
    side: o.side,
    slot: o.slot,
    leg_no: o.legNo,
    client_order_id: o.clientOrderId,
    broker_order_id: o.brokerOrderId,
    symbol: o.symbol,
    exchange: o.exchange,
    qty: o.qty,
    status: o.status,
    scheduled_at: o.scheduledAt,
    dispatched_at: o.dispatchedAt,
    acked_at: o.ackedAt,
    filled_at: o.filledAt,
    filled_qty: o.filledQty,
    fill_price: o.fillPrice,
    reject_reason: o.rejectReason,
    created_at: o.createdAt,
    updated_at: o.updatedAt,
  };
}

/**
 * An engine event for the WebSocket: fields renamed to snake_case, the user id dropped (the
 * socket is the user's own).
 *
 * @example eventDto({ type: 'order_filled', userId, strategyId: 3, fillPrice: 100, ... })
 *   // { type: 'order_filled', strategy_id: 3, fill_price: 100, ... }
 */
export function eventDto(event: EngineEvent | Readonly<Record<string, unknown>>): EventDto {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (key === 'userId') continue;
    out[snakeCase(key)] = value;
  }
  return { ...out, type: String(event.type) };
}

/** A stored audit-log row as the wire event it was, with its id. */
export function loggedEventDto(e: StoredEvent): LoggedEventDto {
  return { ...eventDto(e.payload), type: e.type, id: e.id, at: e.at };
}

const snakeCase = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
