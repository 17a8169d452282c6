/**
 * Creates, edits and deletes strategies. Every rule of strategy-input.ts is checked at once and
 * every failing field is named, with the broker's objections and every field the engine does not
 * trade yet (its meta says `available: false`) set to anything but its default.
 */
import type { z } from 'zod';
import type { Exchange, Strategy } from '../core/types';
import { asBrokerAccountId, type BrokerAccountId, type StrategyId, type UserId } from '../core/ids';
import { conflict, DomainError, notFound, validationError, type FieldError } from '../core/errors';
import { fromZodError } from '../core/zod-errors';
import { isDayOver } from '../core/run-state';
import { defaultTimezone } from '../scheduler/trading-calendar';
import { refuseDstGaps } from '../scheduler/dst-gaps';
import { refuseIdleWeekdays } from '../scheduler/trigger-times';
import type { BrokerCapabilities } from '../brokers/broker';
import { fitIntradaySquareOff } from './intraday-square-off';
import type { EngineContext } from '../context';
import { settledSpec, STRATEGY_FIELD_META, type FieldMeta, type StrategyField } from '../core/strategy-spec';
import { createStrategyInput, updateStrategyInput, strategyFields, type CreateStrategyInput } from './strategy-input';
import type { StrategyLocks } from './strategy-locks';
import { scrubbedMessage } from '../secrets/key-provider';
import { indexListing, isIndexSpot } from '../core/index-underlyings';
import { quoteOf } from '../brokers/instrument-finder';
import { qtyProblem } from './qty-fit';
import { qtyText, qtyValue } from '../core/qty';
import { refusePastExpiries } from './past-expiry';

/**
 * The levels and distances the instrument's price step bounds, each with the field of its mode: a
 * price, or a distance in points, below one step cannot be told apart from the price it is set
 * against; a percent is checked against the price step only at the entry (its levels are rounded).
 */
const TICK_CHECKED = [
  ['stop_loss', 'stop_loss_mode'],
  ['target', 'target_mode'],
  ['trail', 'trail_mode'],
  ['move_stop_to_cost_after', 'move_stop_to_cost_mode'],
] as const satisfies readonly (readonly [StrategyField, StrategyField])[];

interface TickChecked {
  readonly field: StrategyField;
  readonly modeField: StrategyField;
  readonly value: number | undefined;
  readonly mode: string | undefined;
}

export class StrategyService {
  constructor(
    private readonly ctx: EngineContext,
    private readonly locks: StrategyLocks,
  ) {}

  /** Validates `body` (the API's create body) and stores an idle strategy. */
  async create(userId: UserId, body: unknown): Promise<Strategy> {
    const { input, exchange, caps } = await this.validate(userId, body);
    const spec = fitIntradaySquareOff(settledSpec(input, exchange, input.timezone ?? defaultTimezone(exchange)), caps.intradaySquareOff, caps.kind, this.ctx.clock.now());
    refuseDstGaps({ buyTime: spec.buy_time, sellTime: spec.sell_time, timezone: spec.timezone, exchange }, this.ctx.clock.now());
    refuseIdleWeekdays(spec, this.ctx.clock.now());
    refusePastExpiries(spec, this.ctx.clock.now());
    return this.ctx.repos.strategies.create({ userId, spec, status: 'idle' }, this.ctx.clock.now());
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
    // Not an object (or null): the edit schema names what is wrong with the body as a whole.
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw fromZodError(updateStrategyInput.safeParse(body).error!);
    const edits = body as Record<string, unknown>;
    const { input: m, exchange, caps } = await this.validate(userId, { ...current.spec, ...edits });
    // A new exchange brings its own zone, unless the edit names one.
    const exchangeChanged = exchange !== current.exchange && edits.timezone === undefined;
    const settled = settledSpec(m, exchange, exchangeChanged ? defaultTimezone(exchange) : (m.timezone ?? current.spec.timezone));
    const spec = fitIntradaySquareOff(settled, caps.intradaySquareOff, caps.kind, this.ctx.clock.now());
    refuseDstGaps({ buyTime: spec.buy_time, sellTime: spec.sell_time, timezone: spec.timezone, exchange }, this.ctx.clock.now());
    refuseIdleWeekdays(spec, this.ctx.clock.now());
    refusePastExpiries(spec, this.ctx.clock.now());
    return this.ctx.repos.strategies.update(userId, id, { spec }, this.ctx.clock.now())!;
  }

  /** Deletes a strategy that is not running and has no unfinished run (its runs and journal go with it). */
  delete(userId: UserId, id: StrategyId): Promise<void> {
    return this.locks.run(id, () => {
      // Deleting takes the journal with it: never while an order of this strategy may still fill.
      this.refuseWhileBusy(this.get(userId, id), 'deleted');
      this.ctx.repos.strategies.delete(userId, id);
    });
  }

  /** 409 while the strategy runs, or a run of its last day (any position) has an order at the broker or a position open. */
  private refuseWhileBusy(strategy: Strategy, what: 'edited' | 'deleted'): void {
    if (strategy.status === 'running') throw conflict(`a running strategy cannot be ${what}: stop it first`);
    // Every run of the last day's group: one position still open is enough to refuse.
    const busy = this.ctx.repos.runs.latestGroupInternal(strategy.id).find((r) => !isDayOver(r));
    if (busy) {
      const held = busy.positionQty > 0 ? ` with ${busy.positionQty} held` : '';
      const which = busy.plan?.position_no === undefined ? 'its last run' : `its last run's position ${busy.positionNo + 1}`;
      throw conflict(`the strategy cannot be ${what} while ${which} is ${busy.state}${held}: its orders and position keep the account, symbol and quantity they were placed with; wait for the run to end`);
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

  /**
   * Every rule of strategy-input.ts, and the broker's: the account must be the user's, trade the
   * exchange, take the qty, know the symbol, and price it in steps no larger than each level or
   * distance given as a price or in points (stop_loss, target, trail, move_stop_to_cost_after).
   * All at once: a field sound on its own is checked with the broker even while others fail, so
   * the trader learns of an unknown symbol together with a missing BUY time, not after fixing it.
   */
  private async validate(userId: UserId, body: unknown): Promise<{ input: CreateStrategyInput; exchange: Exchange; caps: BrokerCapabilities }> {
    const parsed = createStrategyInput.safeParse(body);
    const problems: FieldError[] = parsed.success ? [] : [...(fromZodError(parsed.error).fields ?? [])];
    const raw = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const sound = <T>(schema: { safeParse(v: unknown): z.ZodSafeParseResult<T> }, key: StrategyField): T | undefined => {
      const r = schema.safeParse(raw[key]);
      return r.success ? r.data : undefined;
    };
    const f = strategyFields;
    const fit = await this.checkBrokerFit(
      userId,
      problems,
      sound(f.broker_account_id, 'broker_account_id'),
      // A symbol is looked up on the exchange named, never on a default standing in for a bad one.
      raw.exchange !== undefined && sound(f.exchange, 'exchange') === undefined ? undefined : sound(f.symbol, 'symbol'),
      sound(f.exchange, 'exchange'),
      sound(f.qty, 'qty'),
      // A position's side is its own (the strategy's is refused beside positions): each is checked as the strategy's would be.
      [{ field: 'side', side: sound(f.side, 'side') }, ...(sound(f.positions, 'positions') ?? []).map((p, i) => ({ field: `positions.${i}.side`, side: p.side }))],
      TICK_CHECKED.map(([field, modeField]) => ({ field, modeField, value: sound(f[field], field), mode: sound<string>(f[modeField], modeField) })),
      // Options of the index in symbol: one (option_right) or several at once (positions).
      sound(f.option_right, 'option_right') !== undefined ? 'option_right' : raw.positions != null ? 'positions' : undefined,
      sound(f.backstop, 'backstop') === true,
    );
    refuseUnavailable(raw, problems);
    if (problems.length > 0 || !parsed.success || !fit) throw validationError(problems);
    return { input: parsed.data, ...fit };
  }

  /** Adds the broker's objections to `problems` (one per field, never over a field's own error); the exchange used and the broker's capabilities, when there is an account. */
  private async checkBrokerFit(
    userId: UserId,
    problems: FieldError[],
    accountIdValue: number | undefined,
    symbol: string | undefined,
    exchange: Exchange | undefined,
    qty: number | undefined,
    sides: readonly { readonly field: string; readonly side: 'buy' | 'sell' | undefined }[],
    levels: readonly TickChecked[],
    optionsBy: 'option_right' | 'positions' | undefined,
    backstopAsked: boolean,
  ): Promise<{ exchange: Exchange; caps: BrokerCapabilities } | undefined> {
    if (accountIdValue === undefined) return undefined;
    const accountId = asBrokerAccountId(accountIdValue);
    const add = (field: string, message: string) => {
      if (!problems.some((p) => p.field === field)) problems.push({ field, message });
    };
    const account = this.ctx.repos.brokerAccounts.get(userId, accountId);
    if (!account) {
      add('broker_account_id', 'broker_account_id is not one of your broker accounts');
      return undefined;
    }
    const broker = await this.ctx.brokers.get(accountId);
    const caps = broker.capabilities;
    // An option trades on its index's derivatives exchange (the spec's rules refuse another).
    const chosen = exchange ?? (optionsBy !== undefined && symbol !== undefined ? indexListing(symbol)?.derivatives : undefined) ?? caps.exchanges[0]!;
    const exchangeOk = caps.exchanges.includes(chosen);
    if (!exchangeOk) add('exchange', `exchange ${chosen} is not traded at this ${caps.kind} account: it trades ${caps.exchanges.join(', ')}`);
    // Unresolved (an option's contract is chosen at entry, an index is refused): the broker's whole-number rule only.
    const qtyUnresolved = () => {
      const problem = qty === undefined ? null : qtyProblem(qty, symbol ?? '', null, caps.fractionalQty, null);
      if (problem) add('qty', problem);
    };
    for (const { field, side } of sides) {
      if (side === 'sell' && caps.sellFirst === 'none') add(field, `side sell (sell first) is not available at this ${caps.kind} account: it cannot sell what it does not hold${caps.kind === 'kite' ? ' (product CNC is delivery; an account set to MIS, intraday, can)' : ''}`);
    }
    // The strategy's own side (the first): the instrument's shortability below is of the strategy's symbol.
    const side = sides[0]?.side;
    if (optionsBy !== undefined) {
      // The contract is chosen at the BUY time: there is nothing to look up before it.
      if (!broker.optionChains) add(optionsBy, `${optionsBy}: this ${caps.kind} account lists no options`);
      qtyUnresolved();
      return { exchange: chosen, caps };
    }
    // An index resolves for its quote (an option's strike is chosen from it), but nothing orders it.
    if (symbol !== undefined && isIndexSpot(chosen, symbol)) {
      add('symbol', `symbol ${symbol} on ${chosen} is an index: it has a price but cannot be ordered; to trade its options, set option_right`);
      qtyUnresolved();
      return { exchange: chosen, caps };
    }
    const instrument = exchangeOk && symbol !== undefined ? await this.lookupOrExplain(accountId, symbol, chosen, add) : undefined;
    if (instrument === null) add('symbol', `symbol ${symbol} is not a tradable instrument on ${chosen} at this broker`);
    if (!instrument) qtyUnresolved();
    else {
      if (qty !== undefined) {
        const price = instrument.minNotional == null ? null : (await quoteOf(this.ctx, userId, accountId, instrument.symbol, chosen)).price;
        const problem = qtyProblem(qty, instrument.symbol, instrument, caps.fractionalQty, price);
        if (problem) add('qty', problem);
        // A backstop asked for explicitly that the exchange would refuse (its stop under the least order value) is refused now.
        const stop = levels.find((l) => l.field === 'stop_loss');
        const under = backstopAsked && side !== 'sell' && broker.restingStops && stop ? stopUnderMinimum(qty, instrument, price, stop.value, stop.mode) : null;
        if (under) add('backstop', `backstop: ${under}; the exchange would refuse it, leaving only Tradeclock's own stop. Raise qty, or leave backstop out`);
      }
      // Null: the broker's API does not say (its own checks decide when the entry is placed).
      if (side === 'sell' && caps.sellFirst !== 'none' && instrument.shortable === false) {
        add('side', `side sell (sell first): ${symbol} cannot be sold first at this broker${caps.kind === 'alpaca' ? ' (Alpaca sells first only what is shortable and easy to borrow)' : ''}`);
      }
      for (const { field, modeField, value, mode } of levels) {
        // A percent is of a price not known yet; a mode that does not read has its own problem.
        if (value === undefined || mode === undefined || mode === 'percent' || value >= instrument.tickSize) continue;
        add(field, `${field} must be at least one price step of ${symbol} at this broker (${instrument.tickSize})${mode === 'points' ? ` when ${modeField} is points` : ''}`);
      }
    }
    return { exchange: chosen, caps };
  }

  /**
   * The instrument; null when the broker does not know it; undefined when the broker cannot be
   * asked now (a daily login not done yet, down, rate limited): that is a problem of the symbol
   * field naming the broker's reason, reported with the others, never a bare "internal error".
   */
  private async lookupOrExplain(accountId: BrokerAccountId, symbol: string, exchange: Exchange, add: (field: string, message: string) => void) {
    try {
      return await this.ctx.instruments.lookup(accountId, symbol, exchange);
    } catch (err) {
      if (err instanceof DomainError) throw err;
      add('symbol', `symbol ${symbol} cannot be checked at this broker right now, so nothing was saved: ${scrubbedMessage(err)}`);
      return undefined;
    }
  }
}

/**
 * A problem for every field the engine does not trade yet (its meta says `available: false`) that
 * is set to anything but what leaving it out means, unless the field has one already: such a
 * strategy would not run as the trader wrote it, so it is not saved at all. None is unavailable
 * today (strategy-spec.test.ts); a field marked so is refused here without more code.
 */
export function refuseUnavailable(raw: Record<string, unknown>, problems: FieldError[], meta: Readonly<Record<StrategyField, Pick<FieldMeta, 'available'>>> = STRATEGY_FIELD_META): void {
  for (const field of Object.keys(meta) as StrategyField[]) {
    if (meta[field].available || raw[field] === undefined || problems.some((p) => p.field === field)) continue;
    const sent = strategyFields[field].safeParse(raw[field]);
    const byDefault = strategyFields[field].safeParse(undefined).data;
    if (!sent.success || JSON.stringify(sent.data) === JSON.stringify(byDefault)) continue;
    const instead = byDefault === undefined ? 'leave it out' : `leave it out or send ${JSON.stringify(byDefault)}`;
    problems.push({ field, message: `${field} is not available yet: this version does not trade it; ${instead}` });
  }
}

/**
 * Why a backstop for `qty` at the strategy's stop would be under the instrument's least order value,
 * or null: the stop at its price, or points or percent below the last price (the entry's fill is
 * not known yet). Null where no least value, stop or price is known.
 * @example stopUnderMinimum(0.0001, { symbol: 'BTC/USDT', minNotional: 5 }, 60000, 45000, 'price') // 'the stop of qty 0.0001 at 45000 is worth 4.5, under BTC/USDT's least order value of 5'
 */
function stopUnderMinimum(qty: number, instrument: { symbol: string; minNotional?: number | null }, price: number | null, value: number | undefined, mode: string | undefined): string | null {
  const least = instrument.minNotional ?? null;
  if (least === null || value === undefined) return null;
  const at = mode === 'price' || mode === undefined ? value : price === null ? null : mode === 'points' ? price - value : mode === 'percent' ? price * (1 - value / 100) : null;
  if (at === null || !(at > 0)) return null;
  const worth = qtyValue(qty, at);
  if (worth >= least) return null;
  return `the stop of qty ${qtyText(qty)} at ${mode === 'price' || mode === undefined ? '' : 'about '}${qtyText(at)} is worth ${qtyText(worth)}, under ${instrument.symbol}'s least order value of ${qtyText(least)}`;
}
