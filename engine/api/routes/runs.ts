/**
 * GET /runs: the history of the user's runs with their realized P&L, newest trading date first
 * (a day's groups newest first, each by position), narrowed by strategy and trading dates, paged by
 * a (date, run id) cursor; plus the P&L of each
 * trading date over the whole filter, so a page's totals do not depend on where it was cut.
 */
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../core/errors';
import { asRunId, asStrategyId } from '../../core/ids';
import { runPnl, sumPnl } from '../../execution/realized-pnl';
import type Decimal from 'decimal.js';
import type { ApiContext } from '../api-context';
import { signedIn, userOf } from '../authenticate';
import type { DayPnlDto, RunHistoryPage } from '../contract';
import { runFills, runHistoryDto } from '../dto';
import { parse, runHistoryQuery } from '../schemas';

export function runRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { repos } = ctx.deps;
  signedIn(app, ctx.auth, (scope) => {
    scope.get('/runs', async (request): Promise<RunHistoryPage> => {
      const user = userOf(request);
      const q = parse(runHistoryQuery, request.query);
      const strategyId = q.strategy_id === undefined ? undefined : asStrategyId(q.strategy_id);
      if (strategyId !== undefined && !repos.strategies.get(user.id, strategyId)) throw notFound('strategy');
      const filter = { ...(strategyId === undefined ? {} : { strategyId }), ...(q.from === undefined ? {} : { from: q.from }), ...(q.to === undefined ? {} : { to: q.to }) };
      const limit = q.limit ?? 100;
      const before = q.before && { tradingDate: q.before.tradingDate, id: asRunId(q.before.id) };
      const rows = repos.runs.history(user.id, { ...filter, ...(before ? { before } : {}), limit });
      const last = rows.length === limit ? rows.at(-1)?.run : undefined;

      const byDay = new Map<string, { pnl: Decimal[]; runs: number }>();
      for (const row of repos.runs.history(user.id, { ...filter, exitedOnly: true })) {
        const pnl = runPnl(runFills(row.run, row.boughtQty, row.fills));
        if (pnl === null) continue;
        const day = byDay.get(row.run.tradingDate) ?? { pnl: [], runs: 0 };
        day.pnl.push(pnl);
        day.runs += 1;
        byDay.set(row.run.tradingDate, day);
      }
      const days: DayPnlDto[] = [...byDay].map(([date, d]) => ({ trading_date: date, realized_pnl: sumPnl(d.pnl).toNumber(), runs: d.runs }));
      return {
        runs: rows.map(runHistoryDto),
        days,
        total_realized_pnl: sumPnl([...byDay.values()].flatMap((d) => d.pnl)).toNumber(),
        next_before: last ? `${last.tradingDate}:${last.id}` : null,
      };
    });
  });
}
