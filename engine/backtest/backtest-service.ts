/**
 * A backtest as one request, the same for every front (the CLI now; the API and the UI next):
 * a strategy spec (the API's body; the account is not used), a date range, the fill model and the
 * fees; parsed with zod at the edge, answered with the trades, how each run ended and the report.
 */
import { z } from 'zod';
import type { Repos } from '../../db/repos';
import { fromZodError } from '../core/zod-errors';
import { settledSpec, strategySpec } from '../core/strategy-spec';
import type { Exchange } from '../core/types';
import { isCivilDate } from '../scheduler/civil-date';
import { defaultTimezone, type TradingCalendar } from '../scheduler/trading-calendar';
import { defaultFees } from './fees';
import { report, type BacktestReport } from './report';
import { runBacktest, type BacktestResult } from './run-backtest';

/** A backtest trades no account: the spec's account key is filled with this when left out. */
const NO_ACCOUNT = 1;
/** The longest range one request may replay: ten years. */
const MAX_RANGE_DAYS = 3660;

/** The price step fills and levels are rounded to when the request gives none: NSE/BSE quote in 0.05 for most shares, US and crypto in 0.01. */
export function defaultTickSize(exchange: Exchange): number {
  return exchange === 'NSE' || exchange === 'BSE' ? 0.05 : 0.01;
}

const civilDate = (field: string) => z.string().refine(isCivilDate, { message: `${field} must be a date "YYYY-MM-DD"` });

export const backtestRequest = z
  .strictObject({
    /** A strategy body as the API takes it (engine/core/strategy-spec.ts); `exchange` is required here. */
    spec: z.record(z.string(), z.unknown()),
    from: civilDate('from'),
    to: civilDate('to'),
    slippage_bps: z.number().min(0, { error: 'slippage_bps must be 0 or more' }).max(1000, { error: 'slippage_bps must be at most 1000' }).default(0),
    tick_size: z.number().positive({ error: 'tick_size must be above 0' }).optional(),
    /** 'default': the exchange's schedule (fees.ts); 'none': no fees. */
    fees: z.enum(['default', 'none']).default('default'),
  })
  .refine((r) => r.from <= r.to, { path: ['to'], message: 'to must be on or after from' })
  .refine((r) => Date.parse(r.to) - Date.parse(r.from) <= MAX_RANGE_DAYS * 86_400_000, { path: ['to'], message: `the range must be at most ${MAX_RANGE_DAYS} days` });
export type BacktestRequest = z.input<typeof backtestRequest>;

export interface BacktestAnswer extends BacktestResult {
  readonly report: BacktestReport;
}

/**
 * Throws a `validation_failed` DomainError naming each bad field (`spec.stop_loss`, `from`, …).
 *
 * @example backtest({ repos, calendar }, { spec: { symbol: 'INFY', exchange: 'NSE', qty: 1, buy_time: '09:20', sell_time: '15:10', stop_loss: 1, stop_loss_mode: 'percent' }, from: '2026-03-02', to: '2026-03-31' })
 */
export function backtest(deps: { readonly repos: Pick<Repos, 'historicalBars'>; readonly calendar: TradingCalendar }, raw: unknown): BacktestAnswer {
  const request = backtestRequest.safeParse(raw);
  if (!request.success) throw fromZodError(request.error);
  const r = request.data;
  const parsed = strategySpec.safeParse({ broker_account_id: NO_ACCOUNT, ...r.spec });
  if (!parsed.success) throw fromZodError(new z.ZodError(parsed.error.issues.map((i) => ({ ...i, path: ['spec', ...i.path] }))));
  const exchange = parsed.data.exchange;
  if (!exchange) throw fromZodError(new z.ZodError([{ code: 'custom', path: ['spec', 'exchange'], message: 'exchange is required for a backtest: the bars are stored per exchange', input: undefined }]));
  const spec = settledSpec(parsed.data, exchange, parsed.data.timezone ?? defaultTimezone(exchange));
  const result = runBacktest(spec, {
    from: r.from,
    to: r.to,
    calendar: deps.calendar,
    fill: { slippageBps: r.slippage_bps, tickSize: r.tick_size ?? defaultTickSize(exchange) },
    fees: r.fees === 'none' ? { kind: 'none' } : defaultFees(exchange),
    bars: (from, to) => deps.repos.historicalBars.list(exchange, spec.symbol, from, to),
  });
  return { ...result, report: report(result.trades) };
}
