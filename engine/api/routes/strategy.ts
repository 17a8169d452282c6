/**
 * Strategies (all signed in): create, edit while not running, delete, list, get with runtime,
 * start, stop, the order journal of one strategy, and the fields a strategy form shows.
 */
import type { FastifyInstance } from 'fastify';
import { asBrokerAccountId, asStrategyId, type StrategyId, type UserId } from '../../core/ids';
import type { Strategy } from '../../core/types';
import { damagedStrategy, notFound } from '../../core/errors';
import { isDayOver } from '../../core/run-state';
import { UnreadableStrategy, type DamagedStrategy } from '../../../db/repos/strategies';
import type { ApiContext } from '../api-context';
import { accountFacts } from '../../brokers/broker-kinds';
import { signedIn, userOf } from '../authenticate';
import { orderDto, runtimeDto, strategyDto, type OrderDto, type StrategyDto } from '../dto';
import type { DamagedStrategyDto, StrategyFormDto } from '../contract';
import { strategyFormDto } from '../strategy-form-dto';
import { idParams, parse, startStrategyBody, stopAllBody, stopStrategyBody } from '../schemas';

export function strategyRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { engine, repos, brokerAccounts } = ctx.deps;
  // The runs are read scoped by user like every other read (invariant 5), not the engine's Internal one.
  const withRuntime = (userId: UserId, s: Strategy): StrategyDto => {
    const account = repos.brokerAccounts.get(userId, asBrokerAccountId(s.spec.broker_account_id));
    const facts = account === undefined ? undefined : accountFacts(brokerAccounts.kinds()[account.broker], account.options);
    // The strategy is the user's (read by user before this), so is its account's instrument.
    const qtyRules = engine.ctx.instruments.knownQtyRules(s.brokerAccountId, s.symbol, s.exchange);
    const now = { readiness: engine.readiness.report(s.id), stale: engine.stalePrices.staleOf(s.id), backstopByDefault: facts?.backstopByDefault ?? false, backstopOco: facts?.backstopOco ?? false, qtyRules };
    // Each run is the user's (read above); its filled orders, leg by leg, give the quantities and the P&L.
    const runs = repos.runs.latestGroup(userId, s.id).map((run) => runtimeDto(run, null, repos.orders.fillsInternal([run.id]), repos.backstops.findByLegInternal(run.id, run.legNo)));
    return strategyDto(s, runs, now);
  };
  const pathId = (params: unknown): StrategyId => asStrategyId(parse(idParams, params).id);
  const damagedDto = (userId: UserId, d: DamagedStrategy): DamagedStrategyDto => {
    const group = repos.runs.latestGroup(userId, d.id);
    return {
      id: d.id,
      broker_account_id: d.brokerAccountId,
      symbol: d.symbol,
      exchange: d.exchange,
      status: d.status,
      damaged: damagedStrategy(d.id, d.reason).message,
      stoppable: d.status === 'running' || group.some((run) => !isDayOver(run) && run.positionQty > 0),
    };
  };
  /** The strategy as it stands after a STOP: in full, or as damaged when its spec cannot be read. */
  const afterStop = (userId: UserId, id: StrategyId): StrategyDto | DamagedStrategyDto => {
    try {
      // It was just stopped: it is the user's and it exists.
      return withRuntime(userId, repos.strategies.get(userId, id)!);
    } catch (err) {
      if (!(err instanceof UnreadableStrategy)) throw err;
      return damagedDto(userId, { ...repos.strategies.identity(userId, id)!, reason: err.reason });
    }
  };

  signedIn(app, ctx.auth, (scope) => {
    scope.post('/strategy/create', async (request, reply) => {
      const user = userOf(request);
      // The service parses the body itself (strategy-input.ts) so its errors name the API's fields.
      const created = await engine.strategies.create(user.id, request.body);
      return reply.code(201).send(withRuntime(user.id, created));
    });

    // A static path: the router takes it over '/strategy/:id'.
    scope.get('/strategy/form', async (): Promise<StrategyFormDto> => strategyFormDto());

    // A strategy whose spec cannot be read is listed apart, as damaged, never hidden.
    scope.get('/strategy', async (request): Promise<{ strategies: StrategyDto[]; damaged: DamagedStrategyDto[] }> => {
      const user = userOf(request);
      return {
        strategies: engine.strategies.list(user.id).map((s) => withRuntime(user.id, s)),
        damaged: repos.strategies.damaged(user.id).map((d) => damagedDto(user.id, d)),
      };
    });

    scope.get('/strategy/:id', async (request) => {
      const user = userOf(request);
      return withRuntime(user.id, engine.strategies.get(user.id, pathId(request.params)));
    });

    scope.patch('/strategy/:id', async (request) => {
      const user = userOf(request);
      return withRuntime(user.id, await engine.strategies.update(user.id, pathId(request.params), request.body));
    });

    scope.delete('/strategy/:id', async (request, reply) => {
      await engine.strategies.delete(userOf(request).id, pathId(request.params));
      return reply.code(204).send();
    });

    scope.get('/strategy/:id/orders', async (request): Promise<{ orders: OrderDto[] }> => {
      const user = userOf(request);
      const id = pathId(request.params);
      if (!repos.strategies.get(user.id, id)) throw notFound('strategy');
      return { orders: repos.orders.list(user.id, id).map(orderDto) };
    });

    scope.post('/strategy/start', async (request) => {
      const user = userOf(request);
      const { strategy_id } = parse(startStrategyBody, request.body);
      const { strategy } = await engine.manager.start(user.id, asStrategyId(strategy_id));
      // The readiness check at START runs behind the answer: a failed check comes as an event.
      void engine.readiness.check(strategy.id, 'start');
      return withRuntime(user.id, strategy);
    });

    // The kill switch: every running strategy of the user stopped, every open position closed (a short's bought back).
    scope.post('/strategy/stop-all', async (request) => {
      const user = userOf(request);
      const body = parse(stopAllBody, request.body);
      const stopped = await engine.manager.stopAll(user.id, { closePositions: body.close_positions ?? true });
      return { stopped };
    });

    scope.post('/strategy/stop', async (request) => {
      const user = userOf(request);
      const body = parse(stopStrategyBody, request.body);
      const id = asStrategyId(body.strategy_id);
      await engine.manager.stop(user.id, id, { closePosition: body.close_position ?? true });
      return afterStop(user.id, id);
    });
  });
}
