/**
 * GET /strategy/:id/bars: the 1-minute price bars of a strategy's instrument (its account,
 * exchange and symbol) that the daemon recorded while watching it, for the chart after a reload:
 * the stored ones and those not written yet, up to the minute being built.
 * Read only through a strategy the user owns (invariant 5).
 */
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../core/errors';
import { asStrategyId } from '../../core/ids';
import type { ApiContext } from '../api-context';
import { signedIn, userOf } from '../authenticate';
import type { PriceBarsDto } from '../contract';
import { idParams, parse, priceBarsQuery } from '../schemas';
import { withUnwritten } from '../../market/bar-recorder';

/** A day and a bit: enough for a trading session, little enough for one answer. */
export const MAX_BARS = 2_000;
const DAY_MS = 86_400_000;

export function barRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { repos, clock, engine } = ctx.deps;
  signedIn(app, ctx.auth, (scope) => {
    scope.get('/strategy/:id/bars', async (request): Promise<PriceBarsDto> => {
      const user = userOf(request);
      const strategy = repos.strategies.get(user.id, asStrategyId(parse(idParams, request.params).id));
      if (!strategy) throw notFound('strategy');
      const q = parse(priceBarsQuery, request.query);
      const to = q.to ?? clock.now();
      // The newest MAX_BARS minutes of a longer range: the chart's right edge is what matters.
      const from = Math.max(q.from ?? to - DAY_MS, to - (MAX_BARS - 1) * 60_000);
      const stored = repos.priceBars.listInternal(strategy.brokerAccountId, strategy.exchange, strategy.symbol, from, to, MAX_BARS);
      // Up to the last tick: the minutes the recorder has not written yet (it writes once a minute).
      const unwritten = engine.bars.unwritten(strategy.brokerAccountId, strategy.exchange, strategy.symbol).filter((b) => b.minute >= from && b.minute <= to);
      const bars = withUnwritten(stored, unwritten).slice(-MAX_BARS);
      return { bars: bars.map((b) => ({ minute: b.minute, open: b.open, high: b.high, low: b.low, close: b.close })) };
    });
  });
}
