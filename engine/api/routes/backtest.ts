/**
 * Backtests (signed in): POST /backtest (a strategy id or a spec, a date range, slippage and fees:
 * the trades, how each run ended, the report), POST /backtest/grid (entry × exit time windows: the
 * grid of cells), GET /strategy/:id/backtest.csv (that backtest's trades as CSV). A strategy id is
 * looked up among the signed-in user's strategies only (invariant 5): another's is not found.
 *
 * Run in slices that yield to the event loop (backtest-service.ts inSlices), not in a worker
 * thread: the replay is pure and already steps one run at a time, the bars are read from the
 * daemon's own SQLite handle a month a slice, and a worker would need its own database connection
 * and the engine's modules loaded again; a live tick or timer waits at most one slice. One at a
 * time per user (one-at-a-time.ts): a second while the first runs is a 409. With `fetch_missing`
 * the days the store lacks are first fetched from the strategy's (or spec's) broker account
 * (brokers/account-history.ts); with `fetch_ticks`, the trades of the days the tick store lacks too.
 */
import type { FastifyInstance } from 'fastify';
import { notFound, validationError } from '../../core/errors';
import { asStrategyId } from '../../core/ids';
import type { UserId } from '../../core/ids';
import { backtestJob, backtestScope, gridJob, inSlices, type BacktestDeps } from '../../backtest/backtest-service';
import { oneAtATime } from '../../backtest/one-at-a-time';
import { fillFromAccount, fillTicksFromAccount } from '../../brokers/account-history';
import type { Trade } from '../../backtest/run-backtest';
import type { ApiContext } from '../api-context';
import type { BacktestDto, BacktestGridDto } from '../contract';
import { signedIn, userOf } from '../authenticate';
import { backtestCsvQuery, idParams, parse } from '../schemas';

const CSV_COLUMNS = ['date', 'weekday', 'leg', 'side', 'qty', 'entry_at', 'entry_price', 'exit_at', 'exit_price', 'exit_kind', 'gross', 'fees', 'net'] as const;

export function backtestRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { repos, engine } = ctx.deps;
  const deps = (userId: UserId): BacktestDeps => ({ repos, calendar: engine.calendar, storedSpec: (id) => repos.strategies.get(userId, asStrategyId(id))?.spec ?? null });
  const slots = oneAtATime<UserId>();

  /** With `fetch_missing`, the trading days the store lacks are fetched from the account first; with `fetch_ticks`, their trades. */
  const fillFirst = async (userId: UserId, body: unknown, grid: boolean): Promise<void> => {
    const scope = backtestScope(deps(userId), body, grid);
    const history = { repos, calendar: engine.calendar, accounts: ctx.deps.brokerAccounts };
    for (const [field, asked] of [['fetch_missing', scope.fetchMissing], ['fetch_ticks', scope.fetchTicks]] as const) {
      if (!asked) continue;
      if (scope.accountId === null) throw validationError([{ field: 'spec.broker_account_id', message: `name the broker account to fetch from (spec.broker_account_id), or leave ${field} out` }]);
      if (field === 'fetch_missing') await fillFromAccount(history, userId, scope.accountId, scope, field);
      else await fillTicksFromAccount(history, userId, scope.accountId, scope, field);
    }
  };

  signedIn(app, ctx.auth, (scope) => {
    scope.post('/backtest', async (request): Promise<BacktestDto> => {
      const user = userOf(request).id;
      return snakeKeys(
        await slots.run(user, async () => {
          await fillFirst(user, request.body, false);
          return inSlices(backtestJob(deps(user), request.body));
        }),
      ) as BacktestDto;
    });

    scope.post('/backtest/grid', async (request): Promise<BacktestGridDto> => {
      const user = userOf(request).id;
      return snakeKeys(
        await slots.run(user, async () => {
          await fillFirst(user, request.body, true);
          return inSlices(gridJob(deps(user), request.body));
        }),
      ) as BacktestGridDto;
    });

    scope.get('/strategy/:id/backtest.csv', async (request, reply) => {
      const user = userOf(request);
      const id = parse(idParams, request.params).id;
      if (!repos.strategies.get(user.id, asStrategyId(id))) throw notFound('strategy');
      const q = parse(backtestCsvQuery, request.query);
      const answer = await slots.run(user.id, () => inSlices(backtestJob(deps(user.id), { strategy_id: id, from: q.from, to: q.to, ...(q.slippage_bps === undefined ? {} : { slippage_bps: q.slippage_bps }), ...(q.fees === undefined ? {} : { fees: q.fees }), ...(q.lot_size === undefined ? {} : { lot_size: q.lot_size }) })));
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="backtest-${id}-${q.from}-${q.to}.csv"`)
        .send(tradesCsv(answer.trades));
    });
  });
}

/** The answer on the wire: every key snake_case, as every other answer (`entryPrice` → `entry_price`). */
function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snakeKeys(v)]));
}

/** The trades as CSV, a header row first; instants as ISO-8601 UTC. An option strategy's trades end with the contract each traded. */
export function tradesCsv(trades: readonly Trade[]): string {
  const iso = (ms: number) => new Date(ms).toISOString();
  const option = trades.some((t) => t.contract !== undefined);
  const rows = trades.map((t) => [t.date, t.weekday, t.legNo, t.side, t.qty, iso(t.entryAt), t.entryPrice, iso(t.exitAt), t.exitPrice, t.exitKind, t.gross, t.fees, t.net, ...(option ? [t.contract ?? ''] : [])].join(','));
  return `${[[...CSV_COLUMNS, ...(option ? ['contract'] : [])].join(','), ...rows].join('\n')}\n`;
}
