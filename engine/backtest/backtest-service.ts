/**
 * A backtest or a grid as one request, the same for every front (the CLI, the API, the UI through
 * the API): a strategy (a spec body, or the id of a stored strategy, which the caller looks up for
 * its user), a date range, the fill model and the fees; parsed with zod at the edge, answered with
 * the trades, how each run ended and the report, or with the grid of entry × exit cells.
 *
 * The work is a generator (one yield a replayed run, or a month of bars read): the CLI drains it
 * at once, the API in slices of a few milliseconds that yield to the event loop (`inSlices`), so
 * live ticks and timers of running strategies are handled while a backtest runs. Bounded: a range
 * of at most MAX_RANGE_DAYS, a grid of at most MAX_GRID_CELLS cells over at most MAX_GRID_DAYS.
 */
import { z } from 'zod';
import type { Repos } from '../../db/repos';
import type { HistoricalBar } from '../../db/repos/historical-bars';
import { notFound } from '../core/errors';
import { fromZodError } from '../core/zod-errors';
import { settledSpec, strategySpec, type StoredStrategySpec } from '../core/strategy-spec';
import { formatTimeOfDay, parseTimeOfDay, secondsOfDay } from '../core/time-of-day';
import type { Exchange } from '../core/types';
import { addDays, isCivilDate } from '../scheduler/civil-date';
import { defaultTimezone, type TradingCalendar } from '../scheduler/trading-calendar';
import { instantOf } from '../scheduler/trigger-times';
import { barSeries } from './bar-series';
import { cellSteps, gridSteps, type Grid } from './backtest-grid';
import { defaultFees, type FeeSchedule } from './fees';
import type { FillModel } from './replay-day';
import { report, type BacktestReport } from './report';
import { optionContracts } from './option-entry';
import { backtestSteps, drain, type BacktestResult } from './run-backtest';
import { hasStoredTicks, storedTicks } from './stored-ticks';

/** A backtest trades no account: the spec's account key is filled with this when left out. */
const NO_ACCOUNT = 1;
/** The longest range one backtest may replay: ten years. */
export const MAX_RANGE_DAYS = 3660;
/** The most cells one grid may have, and the longest range it may cover: a year of 1-minute bars × 200 cells is a few tens of seconds of work. */
export const MAX_GRID_CELLS = 200;
export const MAX_GRID_DAYS = 366;
/** The longest range `fetch_ticks` may fetch: a month of a liquid stock's trades is several million (the store's cap, historical-ticks.ts). */
export const MAX_TICK_FETCH_DAYS = 31;
/** Bars are read for a grid a month at a time, yielding between. */
const READ_DAYS = 31;

/** The price step fills and levels are rounded to when the request gives none: NSE/BSE quote in 0.05 for most shares and NFO/BFO for index options, US and crypto in 0.01. */
export function defaultTickSize(exchange: Exchange): number {
  return exchange === 'NSE' || exchange === 'BSE' || exchange === 'NFO' || exchange === 'BFO' ? 0.05 : 0.01;
}
/** The largest lot a request may name (NIFTY's has been 25 to 75; a typo of 10× is still refused). */
const MAX_LOT_SIZE = 10_000;

const civilDate = (field: string) => z.string().max(10).refine(isCivilDate, { message: `${field} must be a date "YYYY-MM-DD"` });
const days = (r: { from: string; to: string }) => (Date.parse(r.to) - Date.parse(r.from)) / 86_400_000;

const common = {
  /** The id of one of the user's strategies (the API looks it up), or `spec`. */
  strategy_id: z.number().int({ error: 'strategy_id must be a whole number' }).positive({ error: 'strategy_id must be positive' }).max(Number.MAX_SAFE_INTEGER).optional(),
  /** A strategy body as the API takes it (engine/core/strategy-spec.ts); `exchange` is required here. */
  spec: z.record(z.string().max(64), z.unknown()).optional(),
  from: civilDate('from'),
  to: civilDate('to'),
  slippage_bps: z.number({ error: 'slippage_bps must be a number of basis points' }).min(0, { error: 'slippage_bps must be 0 or more' }).max(1000, { error: 'slippage_bps must be at most 1000' }).default(0),
  tick_size: z.number({ error: 'tick_size must be a number' }).positive({ error: 'tick_size must be above 0' }).optional(),
  /** 'default': the exchange's schedule (fees.ts); 'none': no fees. */
  fees: z.enum(['default', 'none']).default('default'),
  /**
   * Fetch the trading days the store lacks from the broker account first (the stored strategy's
   * account, or `spec.broker_account_id`): the API does it (routes/backtest.ts), since only it
   * holds the accounts and the vault. The replay itself reads the store alone.
   */
  fetch_missing: z.boolean({ error: 'fetch_missing must be true or false' }).default(false),
  /**
   * Fetch the trades of the trading days the tick store lacks from the same account first (a
   * broker with historical trades: Alpaca), at most MAX_TICK_FETCH_DAYS. A run whose day has its
   * trades stored walks them (`prices: 'ticks'`) whether or not this is set.
   */
  fetch_ticks: z.boolean({ error: 'fetch_ticks must be true or false' }).default(false),
  /**
   * An option strategy's units per lot (its qty counts lots): required then, since the exchange
   * changes an index's lot size over the years (NIFTY 25 → 75 → 65) and no table here holds its
   * history. Refused for a strategy of shares.
   */
  lot_size: z.number({ error: 'lot_size must be a whole number of units' }).int({ error: 'lot_size must be a whole number of units' }).positive({ error: 'lot_size must be above 0' }).max(MAX_LOT_SIZE, { error: `lot_size must be at most ${MAX_LOT_SIZE}` }).optional(),
};
type Common = { strategy_id?: number | undefined; spec?: Record<string, unknown> | undefined; from: string; to: string; fetch_ticks?: boolean };
const oneStrategy: [(r: Common) => boolean, { path: string[]; message: string }] = [(r) => (r.strategy_id === undefined) !== (r.spec === undefined), { path: ['spec'], message: 'give either strategy_id or spec, not both' }];
const ordered: [(r: Common) => boolean, { path: string[]; message: string }] = [(r) => r.from <= r.to, { path: ['to'], message: 'to must be on or after from' }];
const tickRange: [(r: Common) => boolean, { path: string[]; message: string }] = [(r) => r.fetch_ticks !== true || days(r) < MAX_TICK_FETCH_DAYS, { path: ['fetch_ticks'], message: `fetch_ticks fetches at most ${MAX_TICK_FETCH_DAYS} days of trades: narrow the range, or leave fetch_ticks out` }];

export const backtestRequest = z
  .strictObject(common)
  .refine(...oneStrategy)
  .refine(...ordered)
  .refine(...tickRange)
  .refine((r) => days(r) <= MAX_RANGE_DAYS, { path: ['to'], message: `the range must be at most ${MAX_RANGE_DAYS} days` });
export type BacktestRequest = z.input<typeof backtestRequest>;

/** Times of day from `from` to `to` (both "HH:MM", included) every `every_minutes`. */
const timeWindow = (field: string) =>
  z
    .strictObject({
      from: z.string().max(8).refine((t) => parseTimeOfDay(t) !== null, { message: `${field}.from must be a time "HH:MM"` }),
      to: z.string().max(8).refine((t) => parseTimeOfDay(t) !== null, { message: `${field}.to must be a time "HH:MM"` }),
      every_minutes: z.number({ error: `${field}.every_minutes must be a whole number of minutes` }).int({ error: `${field}.every_minutes must be a whole number` }).min(1, { error: `${field}.every_minutes must be at least 1` }).max(240, { error: `${field}.every_minutes must be at most 240` }).default(5),
    })
    .refine((w) => secondsOfDay(parseTimeOfDay(w.from)!) <= secondsOfDay(parseTimeOfDay(w.to)!), { path: ['to'], message: `${field}.to must not be before ${field}.from` })
    .transform((w) => {
      const out: string[] = [];
      for (let s = secondsOfDay(parseTimeOfDay(w.from)!); s <= secondsOfDay(parseTimeOfDay(w.to)!); s += w.every_minutes * 60) out.push(formatTimeOfDay({ hour: Math.floor(s / 3600), minute: Math.floor(s / 60) % 60, second: s % 60 }));
      return out;
    });

export const gridRequest = z
  .strictObject({ ...common, buy: timeWindow('buy'), sell: timeWindow('sell') })
  .refine(...oneStrategy)
  .refine(...ordered)
  .refine(...tickRange)
  .refine((r) => days(r) <= MAX_GRID_DAYS, { path: ['to'], message: `a grid's range must be at most ${MAX_GRID_DAYS} days` })
  // A window refused above is still an object here (zod runs the refinements on), not a list of times: only two lists are counted.
  .refine((r) => !Array.isArray(r.buy) || !Array.isArray(r.sell) || r.buy.length * r.sell.length <= MAX_GRID_CELLS, { path: ['sell'], message: `a grid may have at most ${MAX_GRID_CELLS} cells (buy times × sell times)` });
export type GridRequest = z.input<typeof gridRequest>;

export interface BacktestAnswer extends BacktestResult {
  readonly report: BacktestReport;
  /** The trading dates whose runs walked the day's trades (the rest walked bars). */
  readonly tickDays: readonly string[];
}

export interface BacktestDeps {
  readonly repos: Pick<Repos, 'historicalBars' | 'historicalTicks'>;
  readonly calendar: TradingCalendar;
  /** The caller's stored strategy by id (the API's, scoped to the signed-in user); none: strategy_id is refused. */
  readonly storedSpec?: (id: number) => StoredStrategySpec | null;
}

/**
 * Throws a `validation_failed` DomainError naming each bad field (`spec.stop_loss`, `from`, …);
 * `not_found` for a strategy_id that is not the caller's.
 *
 * @example backtest({ repos, calendar }, { spec: { symbol: 'INFY', exchange: 'NSE', qty: 1, buy_time: '09:20', sell_time: '15:10', stop_loss: 1, stop_loss_mode: 'percent' }, from: '2026-03-02', to: '2026-03-31' })
 */
export function backtest(deps: BacktestDeps, raw: unknown): BacktestAnswer {
  return drain(backtestJob(deps, raw));
}

/** backtest as a generator: parsed at once (throws on a bad request before the first yield), then one yield a run. */
export function backtestJob(deps: BacktestDeps, raw: unknown): Generator<void, BacktestAnswer> {
  const r = parseWith(backtestRequest, raw);
  const { spec, fill, fees, lotSize } = settle(deps, r);
  const steps = replaySteps(deps, spec, { from: r.from, to: r.to, fill, fees, lotSize });
  return (function* () {
    const result = yield* steps;
    return { ...result, report: report(result.trades), tickDays: result.runs.filter((run) => run.prices === 'ticks').map((run) => run.date) };
  })();
}

/**
 * The replay of `spec` over the range, one yield a run: an option's qty counts lots, so the replay
 * trades units, each run the contract its entry chose from the store (option-entry.ts).
 */
function replaySteps(deps: BacktestDeps, spec: StoredStrategySpec, r: { from: string; to: string; fill: FillModel; fees: FeeSchedule; lotSize: number | null }): Generator<void, BacktestResult> {
  const store = deps.repos.historicalBars;
  const common = { from: r.from, to: r.to, calendar: deps.calendar, fill: r.fill, fees: r.fees, bars: (from: number, to: number) => store.list(spec.exchange, spec.symbol, from, to) };
  if (r.lotSize === null) return backtestSteps(spec, { ...common, ticks: storedTicks(deps.repos, deps.calendar, spec) });
  return backtestSteps({ ...spec, qty: spec.qty * r.lotSize }, { ...common, contractOf: optionContracts(store, spec, { lotSize: r.lotSize, tickSize: r.fill.tickSize }) });
}

/** What a request asks of the store before it runs: the instrument, the range, and from which account to fetch what is missing (null: none named). */
export interface BacktestScope {
  readonly exchange: Exchange;
  readonly symbol: string;
  readonly from: string;
  readonly to: string;
  readonly fetchMissing: boolean;
  readonly fetchTicks: boolean;
  readonly accountId: number | null;
}

/** The scope of a backtest (`grid` false) or grid request; throws as backtestJob and gridJob do on a bad one. */
export function backtestScope(deps: BacktestDeps, raw: unknown, grid: boolean): BacktestScope {
  const r = grid ? parseWith(gridRequest, raw) : parseWith(backtestRequest, raw);
  const { spec, lotSize } = settle(deps, r);
  for (const field of ['fetch_missing', 'fetch_ticks'] as const) {
    if (r[field] && lotSize !== null) {
      throw fromZodError(new z.ZodError([{ code: 'custom', path: [field], message: `${field} is for a strategy of shares: an option backtest reads the contracts' bars imported on ${spec.exchange} (tradeclock backtest --bars) and the index's`, input: true }]));
    }
  }
  const named = r.strategy_id !== undefined || (r.spec !== undefined && r.spec.broker_account_id !== undefined);
  return { exchange: spec.exchange, symbol: spec.symbol, from: r.from, to: r.to, fetchMissing: r.fetch_missing, fetchTicks: r.fetch_ticks, accountId: named ? spec.broker_account_id : null };
}

/** The grid: parsed at once, then (shares) the bars read a month a yield, then one yield a replayed run. */
export function gridJob(deps: BacktestDeps, raw: unknown): Generator<void, Grid> {
  const r = parseWith(gridRequest, raw);
  const { spec, fill, fees, lotSize } = settle(deps, r);
  for (const [field, times] of [['buy', r.buy], ['sell', r.sell]] as const) {
    const probe = strategySpec.safeParse({ ...spec, buy_time: field === 'buy' ? times[0] : r.buy[0], sell_time: field === 'sell' ? times.at(-1) : r.sell.at(-1), broker_account_id: NO_ACCOUNT });
    if (!probe.success) throw fromZodError(new z.ZodError(probe.error.issues.map((i) => ({ ...i, path: [field, ...i.path] }))));
  }
  // An option's cell is the whole option backtest of its times: each entry time chooses its own contracts, whose bars are read per run.
  // So is a share strategy's over a range with stored trades: a run on a tick day walks its trades, which the one-read bar series has not.
  if (lotSize !== null || hasStoredTicks(deps.repos, spec, r.from, r.to)) return cellSteps(r.buy, r.sell, (buyTime, sellTime) => replaySteps(deps, { ...spec, buy_time: buyTime, sell_time: sellTime }, { from: r.from, to: r.to, fill, fees, lotSize }));
  return (function* () {
    const bars: HistoricalBar[] = [];
    for (let from = addDays(r.from, -1); from <= r.to; from = addDays(from, READ_DAYS)) {
      const [a, b] = [instantOf(from, '00:00:00', 'UTC'), instantOf(addDays(from, READ_DAYS), '00:00:00', 'UTC')];
      bars.push(...deps.repos.historicalBars.list(spec.exchange, spec.symbol, a, b));
      yield;
    }
    return yield* gridSteps(spec, r.buy, r.sell, { from: r.from, to: r.to, calendar: deps.calendar, fill, fees, series: barSeries(bars) });
  })();
}

/**
 * Runs a job in slices of `steps` yields (a run's replay is a millisecond or two, a month of bars
 * read a few tens), yielding to the event loop (setImmediate) between: a tick or a timer of a live
 * strategy waits at most one slice. Counted in steps, not timed: the engine reads no clock here.
 */
export async function inSlices<T>(job: Generator<void, T>, steps = 4): Promise<T> {
  for (;;) {
    for (let i = 0; i < steps; i++) {
      const next = job.next();
      if (next.done) return next.value;
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

function parseWith<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw fromZodError(parsed.error);
  return parsed.data;
}

/** The request's strategy, fill model and fees; `lotSize` is an option strategy's (null: shares). */
function settle(deps: BacktestDeps, r: { strategy_id?: number | undefined; spec?: Record<string, unknown> | undefined; slippage_bps: number; tick_size?: number | undefined; fees: 'default' | 'none'; lot_size?: number | undefined }): { spec: StoredStrategySpec; fill: FillModel; fees: FeeSchedule; lotSize: number | null } {
  const from = r.strategy_id !== undefined ? 'strategy_id' : 'spec';
  const spec = backtestable(r.strategy_id !== undefined ? stored(deps, r.strategy_id) : specOf(r.spec!), from);
  const option = spec.option_right !== undefined;
  if (option && r.lot_size === undefined) {
    throw fromZodError(new z.ZodError([{ code: 'custom', path: ['lot_size'], message: `lot_size is required for an option strategy: ${spec.symbol}'s units per lot over the backtest's dates (the strategy's qty counts lots; the exchange changes the lot size)`, input: undefined }]));
  }
  if (!option && r.lot_size !== undefined) throw fromZodError(new z.ZodError([{ code: 'custom', path: ['lot_size'], message: 'lot_size applies only to an option strategy (option_right set): leave it out', input: r.lot_size }]));
  return { spec, fill: { slippageBps: r.slippage_bps, tickSize: r.tick_size ?? defaultTickSize(spec.exchange) }, fees: r.fees === 'none' ? { kind: 'none' } : defaultFees(spec.exchange), lotSize: option ? r.lot_size! : null };
}

/**
 * `spec`, when a backtest can run it: one option leg is (each run's contract chosen from the
 * store, option-entry.ts); several positions are not, since the engine does not run them yet.
 * Refused naming the key.
 */
function backtestable(spec: StoredStrategySpec, from: 'strategy_id' | 'spec'): StoredStrategySpec {
  if (spec.positions === undefined) return spec;
  const why = 'a strategy of several positions is not backtested, since the engine does not run them yet';
  const issue = from === 'spec' ? { path: ['spec', 'positions'], message: `positions is set: ${why}` } : { path: ['strategy_id'], message: 'strategy_id names a strategy of several positions, which is not backtested: the engine does not run them yet' };
  throw fromZodError(new z.ZodError([{ code: 'custom', ...issue, input: undefined }]));
}

function stored(deps: BacktestDeps, id: number): StoredStrategySpec {
  if (!deps.storedSpec) throw fromZodError(new z.ZodError([{ code: 'custom', path: ['strategy_id'], message: 'strategy_id is for the API: give the strategy as spec here', input: id }]));
  const spec = deps.storedSpec(id);
  if (!spec) throw notFound('strategy');
  return spec;
}

function specOf(body: Record<string, unknown>): StoredStrategySpec {
  const parsed = strategySpec.safeParse({ broker_account_id: NO_ACCOUNT, ...body });
  if (!parsed.success) throw fromZodError(new z.ZodError(parsed.error.issues.map((i) => ({ ...i, path: ['spec', ...i.path] }))));
  const exchange = parsed.data.exchange;
  if (!exchange) throw fromZodError(new z.ZodError([{ code: 'custom', path: ['spec', 'exchange'], message: 'exchange is required for a backtest: the bars are stored per exchange', input: undefined }]));
  return settledSpec(parsed.data, exchange, parsed.data.timezone ?? defaultTimezone(exchange));
}
