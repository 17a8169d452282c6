/**
 * JSON bodies exactly as Alpaca's documentation gives them: field names, string decimals, null
 * timestamps, RFC 3339 with sub-second digits. SOURCES.md says where each shape comes from.
 */

/** Epoch ms as Alpaca writes timestamps: RFC 3339, UTC, nine fractional digits. */
export function alpacaTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

/** Decimals travel as strings (PROTOCOLS.md §1.2); no float noise like "0.30000000000000004". */
export function decimal(n: number): string {
  return String(Number(n.toFixed(9)));
}

export interface FakeAccount {
  readonly id: string;
  readonly keyId: string;
  readonly secretKey: string;
  readonly accountNumber: string;
  cash: number;
  readonly feeds: readonly string[];
  readonly blocked: boolean;
  readonly createdAt: number;
  dayTradeCount: number;
  patternDayTrader: boolean;
}

/** PROTOCOLS.md §1.3 Account (OAS components.schemas.Account). */
export function accountJson(a: FakeAccount, positionsValue: number): Record<string, unknown> {
  const equity = a.cash + positionsValue;
  return {
    id: a.id,
    account_number: a.accountNumber,
    status: 'ACTIVE',
    crypto_status: 'INACTIVE',
    currency: 'USD',
    cash: decimal(a.cash),
    buying_power: decimal(a.cash),
    regt_buying_power: decimal(a.cash),
    daytrading_buying_power: '0',
    effective_buying_power: decimal(a.cash),
    non_marginable_buying_power: decimal(a.cash),
    bod_dtbp: '0',
    accrued_fees: '0',
    portfolio_value: decimal(equity),
    equity: decimal(equity),
    last_equity: decimal(equity),
    long_market_value: decimal(positionsValue),
    short_market_value: '0',
    position_market_value: decimal(positionsValue),
    initial_margin: '0',
    maintenance_margin: '0',
    last_maintenance_margin: '0',
    sma: '0',
    multiplier: '1',
    daytrade_count: a.dayTradeCount,
    pattern_day_trader: a.patternDayTrader,
    trading_blocked: a.blocked,
    transfers_blocked: false,
    account_blocked: a.blocked,
    trade_suspended_by_user: false,
    shorting_enabled: false,
    crypto_tier: 0,
    created_at: alpacaTime(a.createdAt),
  };
}

export interface FakeAsset {
  readonly id: string;
  readonly symbol: string;
  readonly exchange: string;
  readonly class: string;
  readonly status: 'active' | 'inactive';
  readonly tradable: boolean;
  readonly name: string;
  readonly shortable: boolean;
  readonly easyToBorrow: boolean;
}

/** alpaca-docs data/webapi/entities/asset-v2.yaml (its example, plus `name`). */
export function assetJson(a: FakeAsset): Record<string, unknown> {
  return {
    id: a.id,
    class: a.class,
    exchange: a.exchange,
    symbol: a.symbol,
    name: a.name,
    status: a.status,
    tradable: a.tradable,
    marginable: a.tradable,
    shortable: a.shortable,
    easy_to_borrow: a.easyToBorrow,
    fractionable: a.tradable,
    maintenance_margin_requirement: 30,
  };
}

export interface FakeOrder {
  readonly id: string;
  /** Ours for orders we placed; Alpaca's own (a fresh UUID) for a replacement. */
  readonly clientOrderId: string;
  readonly keyId: string;
  readonly asset: FakeAsset;
  readonly qty: number;
  readonly side: 'buy' | 'sell';
  readonly createdAt: number;
  status: string;
  updatedAt: number;
  filledQty: number;
  /** Sum of price × shares over the fills, for filled_avg_price. */
  filledValue: number;
  filledAt: number | null;
  canceledAt: number | null;
  failedAt: number | null;
  replacedAt?: number | null;
  /** Id of the order that replaced this one. */
  replacedBy?: string | null;
  /** Id of the order this one replaced. */
  replaces?: string | null;
  /** Its trade_updates events are not sent (a replacement the adapter must find by GET /v2/orders/{id}). */
  silent?: boolean;
  /** `market` when absent; a `stop` or `stop_limit` rests until its stop price trades (fake-stop-orders.ts). */
  type?: 'market' | 'stop' | 'stop_limit';
  stopPrice?: number | null;
  limitPrice?: number | null;
  /** `day` when absent. */
  timeInForce?: string;
  /** A stop whose stop price traded: it is now a market (or limit) order. */
  triggered?: boolean;
}

const nullable = (ms: number | null) => (ms === null ? null : alpacaTime(ms));

/**
 * PROTOCOLS.md §1.5 Order (alpaca-docs data/webapi/entities/order-v2.yaml example). With
 * `numbers`, qty, filled_qty and filled_avg_price go as JSON numbers, as alpaca-py's own test
 * replies have them (alpaca-py bd1fa9e tests/trading/trading_client/test_order_routes.py:
 * `"qty": 1, "filled_qty": 0, "filled_avg_price": 0`), and filled_avg_price is 0 before a fill.
 */
export function orderJson(o: FakeOrder, numbers = false): Record<string, unknown> {
  const avg = o.filledQty > 0 ? o.filledValue / o.filledQty : null;
  return {
    id: o.id,
    client_order_id: o.clientOrderId,
    created_at: alpacaTime(o.createdAt),
    updated_at: alpacaTime(o.updatedAt),
    submitted_at: alpacaTime(o.createdAt),
    filled_at: nullable(o.filledAt),
    expired_at: null,
    canceled_at: nullable(o.canceledAt),
    failed_at: nullable(o.failedAt),
    replaced_at: nullable(o.replacedAt ?? null),
    replaced_by: o.replacedBy ?? null,
    replaces: o.replaces ?? null,
    asset_id: o.asset.id,
    symbol: o.asset.symbol,
    asset_class: o.asset.class,
    notional: null,
    qty: numbers ? o.qty : String(o.qty),
    filled_qty: numbers ? Number(decimal(o.filledQty)) : decimal(o.filledQty),
    filled_avg_price: numbers ? (avg === null ? 0 : Number(decimal(avg))) : avg === null ? null : decimal(avg),
    order_class: '',
    order_type: o.type ?? 'market',
    type: o.type ?? 'market',
    side: o.side,
    time_in_force: o.timeInForce ?? 'day',
    limit_price: o.limitPrice === null || o.limitPrice === undefined ? null : decimal(o.limitPrice),
    stop_price: o.stopPrice === null || o.stopPrice === undefined ? null : decimal(o.stopPrice),
    status: o.status,
    extended_hours: false,
    legs: null,
    trail_percent: null,
    trail_price: null,
    hwm: null,
  };
}

/**
 * GET /v2/positions[/{symbol_or_asset_id}]: alpaca-docs data/webapi/entities/position.yaml and the
 * OAS `Position` examples (every value a string), field types from alpaca-py bd1fa9e
 * alpaca/trading/models.py `Position`. A short has a negative `qty`, `market_value` and
 * `cost_basis` with `side: "short"` (Alpaca-API#86). `qty` is signed net shares; `available` is
 * `qty_available` (signed like `qty`). Day-change fields are **ours**: the fake has no previous
 * close, so lastday_price is the current price and the day's change 0.
 */
export function positionJson(asset: FakeAsset, qty: number, available: number, avgEntryPrice: number, currentPrice: number): Record<string, unknown> {
  const costBasis = qty * avgEntryPrice;
  const marketValue = qty * currentPrice;
  const pl = marketValue - costBasis;
  const plpc = costBasis === 0 ? 0 : pl / Math.abs(costBasis);
  return {
    asset_id: asset.id,
    symbol: asset.symbol,
    exchange: asset.exchange,
    asset_class: asset.class,
    asset_marginable: asset.tradable,
    avg_entry_price: decimal(avgEntryPrice),
    qty: String(qty),
    qty_available: String(available),
    side: qty < 0 ? 'short' : 'long',
    market_value: decimal(marketValue),
    cost_basis: decimal(costBasis),
    unrealized_pl: decimal(pl),
    unrealized_plpc: decimal(plpc),
    unrealized_intraday_pl: decimal(pl),
    unrealized_intraday_plpc: decimal(plpc),
    current_price: decimal(currentPrice),
    lastday_price: decimal(currentPrice),
    change_today: '0',
  };
}

/** alpaca-docs data/webapi/entities/clock.yaml. */
export function clockJson(nowMs: number): Record<string, unknown> {
  return { timestamp: alpacaTime(nowMs), is_open: true, next_open: alpacaTime(nowMs + 86_400_000), next_close: alpacaTime(nowMs + 3_600_000) };
}

/** PROTOCOLS.md §1.8: `{"code": <8-digit int>, "message": "…"}`, sometimes with context fields. */
export function apiError(code: number, message: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...extra, code, message };
}
