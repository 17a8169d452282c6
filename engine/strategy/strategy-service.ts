/**
 * Creates, edits and deletes strategies. Every rule of strategy-input.ts is checked at once and
 * every failing field is named; then the broker is asked whether it knows the symbol.
 */
import type { Strategy } from '../core/types';
import { asBrokerAccountId, type StrategyId, type UserId } from '../core/ids';
import { conflict, notFound, validationError, type FieldError } from '../core/errors';
import { fromZodError } from '../core/zod-errors';
import { isDayOver } from '../core/run-state';
import { defaultTimezone } from '../scheduler/trading-calendar';
import { refuseDstGaps } from '../scheduler/dst-gaps';
import type { EngineContext } from '../context';
import { formatTimeOfDay, parseTimeOfDay } from '../core/time-of-day';
import { createStrategyInput, updateStrategyInput, DEFAULT_BUY_GRACE_SECONDS } from './strategy-input';
import type { StrategyLocks } from './strategy-locks';

export class StrategyService {
  constructor(
    private readonly ctx: EngineContext,
    private readonly locks: StrategyLocks,
  ) {}

  /** Validates `body` (the API's create body) and stores an idle strategy. */
  async create(userId: UserId, body: unknown): Promise<Strategy> {
    const parsed = createStrategyInput.safeParse(body);
    if (!parsed.success) throw fromZodError(parsed.error);
    const input = parsed.data;
    const accountId = asBrokerAccountId(input.broker_account_id);
    const { exchange } = await this.checkBrokerFit(userId, accountId, input.symbol, input.exchange, input.qty, input.stop_loss);
    refuseDstGaps({ buyTime: input.buy_time, sellTime: input.sell_time, timezone: input.timezone ?? defaultTimezone(exchange), exchange }, this.ctx.clock.now());
    return this.ctx.repos.strategies.create(
      {
        userId,
        brokerAccountId: accountId,
        symbol: input.symbol,
        exchange,
        qty: input.qty,
        buyTime: normalTime(input.buy_time),
        sellTime: normalTime(input.sell_time),
        stopLoss: input.stop_loss,
        timezone: input.timezone ?? defaultTimezone(exchange),
        repeat: input.repeat ?? 'once',
        buyGraceMs: (input.buy_grace_seconds ?? DEFAULT_BUY_GRACE_SECONDS) * 1000,
        status: 'idle',
      },
      this.ctx.clock.now(),
    );
  }

  /**
   * Edits a strategy that is not running and has no unfinished run (invariant 8: an order at the
   * broker or a position still open belongs to the strategy as it was); the merged result must
   * pass every create rule. One at a time with the strategy's start, stop and delete.
   */
  update(userId: UserId, id: StrategyId, body: unknown): Promise<Strategy> {
    return this.locks.run(id, () => this.updateNow(userId, id, body));
  }

  private async updateNow(userId: UserId, id: StrategyId, body: unknown): Promise<Strategy> {
    const current = this.get(userId, id);
    this.refuseWhileBusy(current, 'edited');
    const parsed = updateStrategyInput.safeParse(body);
    if (!parsed.success) throw fromZodError(parsed.error);
    const merged = createStrategyInput.safeParse({
      broker_account_id: parsed.data.broker_account_id ?? current.brokerAccountId,
      symbol: parsed.data.symbol ?? current.symbol,
      exchange: parsed.data.exchange ?? current.exchange,
      qty: parsed.data.qty ?? current.qty,
      buy_time: parsed.data.buy_time ?? current.buyTime,
      sell_time: parsed.data.sell_time ?? current.sellTime,
      stop_loss: parsed.data.stop_loss ?? current.stopLoss,
      timezone: parsed.data.timezone ?? current.timezone,
      repeat: parsed.data.repeat ?? current.repeat,
      buy_grace_seconds: parsed.data.buy_grace_seconds ?? current.buyGraceMs / 1000,
    });
    if (!merged.success) throw fromZodError(merged.error);
    const m = merged.data;
    const accountId = asBrokerAccountId(m.broker_account_id);
    const { exchange } = await this.checkBrokerFit(userId, accountId, m.symbol, m.exchange, m.qty, m.stop_loss);
    const exchangeChanged = exchange !== current.exchange && parsed.data.timezone === undefined;
    refuseDstGaps({ buyTime: m.buy_time, sellTime: m.sell_time, timezone: exchangeChanged ? defaultTimezone(exchange) : (m.timezone ?? current.timezone), exchange }, this.ctx.clock.now());
    return this.ctx.repos.strategies.update(
      userId,
      id,
      {
        brokerAccountId: accountId,
        symbol: m.symbol,
        exchange,
        qty: m.qty,
        buyTime: normalTime(m.buy_time),
        sellTime: normalTime(m.sell_time),
        stopLoss: m.stop_loss,
        timezone: exchangeChanged ? defaultTimezone(exchange) : (m.timezone ?? current.timezone),
        repeat: m.repeat ?? current.repeat,
        buyGraceMs: (m.buy_grace_seconds ?? DEFAULT_BUY_GRACE_SECONDS) * 1000,
      },
      this.ctx.clock.now(),
    )!;
  }

  /** Deletes a strategy that is not running and has no unfinished run (its runs and journal go with it). */
  delete(userId: UserId, id: StrategyId): Promise<void> {
    return this.locks.run(id, () => {
      // Deleting takes the journal with it: never while an order of this strategy may still fill.
      this.refuseWhileBusy(this.get(userId, id), 'deleted');
      this.ctx.repos.strategies.delete(userId, id);
    });
  }

  /** 409 while the strategy runs, or a run of it has an order at the broker or a position open. */
  private refuseWhileBusy(strategy: Strategy, what: 'edited' | 'deleted'): void {
    if (strategy.status === 'running') throw conflict(`a running strategy cannot be ${what}: stop it first`);
    const latest = this.ctx.repos.runs.latestInternal(strategy.id);
    if (latest && !isDayOver(latest)) {
      const held = latest.positionQty > 0 ? ` with ${latest.positionQty} held` : '';
      throw conflict(`the strategy cannot be ${what} while its last run is ${latest.state}${held}: its orders and position keep the account, symbol and quantity they were placed with; wait for the run to end`);
    }
  }

  get(userId: UserId, id: StrategyId): Strategy {
    const s = this.ctx.repos.strategies.get(userId, id);
    if (!s) throw notFound('strategy');
    return s;
  }

  list(userId: UserId): Strategy[] {
    return this.ctx.repos.strategies.list(userId);
  }

  /** The account must be the user's, trade the exchange, take the qty, know the symbol, and price it in steps no larger than the stop-loss. */
  private async checkBrokerFit(userId: UserId, accountId: ReturnType<typeof asBrokerAccountId>, symbol: string, exchange: Strategy['exchange'] | undefined, qty: number, stopLoss: number) {
    const account = this.ctx.repos.brokerAccounts.get(userId, accountId);
    if (!account) throw validationError([{ field: 'broker_account_id', message: 'no broker account with this id' }]);
    const broker = await this.ctx.brokers.get(accountId);
    const caps = broker.capabilities;
    const chosen = exchange ?? caps.exchanges[0]!;
    const problems: FieldError[] = [];
    if (!caps.exchanges.includes(chosen)) problems.push({ field: 'exchange', message: `${caps.kind} trades ${caps.exchanges.join(', ')}, not ${chosen}` });
    if (!caps.fractionalQty && !Number.isInteger(qty)) problems.push({ field: 'qty', message: 'qty must be a whole number at this broker' });
    const instrument = problems.length === 0 ? await this.ctx.instruments.lookup(accountId, symbol, chosen) : undefined;
    if (instrument === null) problems.push({ field: 'symbol', message: `${symbol} is not a tradable instrument on ${chosen} at this broker` });
    else if (instrument && stopLoss < instrument.tickSize) {
      problems.push({ field: 'stop_loss', message: `stop_loss must be at least one price step of ${symbol} at this broker (${instrument.tickSize})` });
    }
    if (problems.length > 0) throw validationError(problems);
    return { exchange: chosen };
  }
}

function normalTime(text: string): string {
  return formatTimeOfDay(parseTimeOfDay(text)!);
}
