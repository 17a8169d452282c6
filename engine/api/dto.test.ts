/**
 * The strategy DTO's backstop words that depend on the account's broker: whether a take-profit
 * rests with the backstop (a Kite two-leg GTT) needs the backstop on, a target, and a broker whose
 * backstop takes one (AccountFacts.backstopOco). A crypto pair's currencies and quantity rules
 * (issue 22), and a quote's. A group's rules (issue 19), null when left out.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openTestDb, seedStrategy } from '../../db/test-support';
import type { StoredStrategySpec } from '../core/strategy-spec';
import { instrumentFactsDto, quoteDto, strategyDto } from './dto';

let close: (() => void) | undefined;
afterEach(() => close?.());

function strategy(spec: Partial<StoredStrategySpec>) {
  const db = openTestDb();
  close = () => db.close();
  return seedStrategy(db.repos, { spec }).strategy;
}

describe('strategyDto backstop_take_profit', () => {
  it('is true only with the backstop on, a target, and a broker whose backstop takes one', () => {
    const withTarget = strategy({ target: 3100 });
    expect(strategyDto(withTarget, [], { backstopByDefault: true, backstopOco: true })).toMatchObject({ backstop_on: true, backstop_take_profit: true });
    expect(strategyDto(withTarget, [], { backstopByDefault: true, backstopOco: false }).backstop_take_profit).toBe(false);
    expect(strategyDto(withTarget, [], { backstopByDefault: false, backstopOco: true }).backstop_take_profit).toBe(false);
  });

  it('is false without a target, and when the trader turned the backstop off', () => {
    expect(strategyDto(strategy({}), [], { backstopByDefault: true, backstopOco: true }).backstop_take_profit).toBe(false);
    expect(strategyDto(strategy({ target: 3100, backstop: false }), [], { backstopByDefault: true, backstopOco: true }).backstop_take_profit).toBe(false);
  });
});

describe('a strategy\'s instrument facts', () => {
  const BTC_RULES = { qtyStep: 0.00001, minQty: 0.00001, minNotional: 5 };

  it('names a pair\'s base and quote currency from its symbol, with the rules the account resolved', () => {
    const btc = strategy({ symbol: 'BTC/USDT', exchange: 'CRYPTO', qty: 0.0015 });
    expect(strategyDto(btc, [], { qtyRules: BTC_RULES })).toMatchObject({ base: 'BTC', quote: 'USDT', qty_step: 0.00001, min_qty: 0.00001, min_notional: 5 });
    // Not resolved yet: the pair is still read from the symbol, its rules are not known.
    expect(strategyDto(btc, [])).toMatchObject({ base: 'BTC', quote: 'USDT', qty_step: null, min_qty: null, min_notional: null });
  });

  it('is all null for an instrument that is no pair and states no rules', () => {
    expect(strategyDto(strategy({}), [], { qtyRules: { qtyStep: null, minQty: null, minNotional: null } })).toMatchObject({ base: null, quote: null, qty_step: null, min_qty: null, min_notional: null });
    expect(instrumentFactsDto('AAPL', null)).toEqual({ base: null, quote: null, qty_step: null, min_qty: null, min_notional: null });
  });

  it('goes with a quote only when the symbol is listed', () => {
    expect(quoteDto({ symbol: 'BTC/USDT', exchange: 'CRYPTO', known: true, price: 60_000, at: 1, rules: BTC_RULES }).instrument).toEqual({ base: 'BTC', quote: 'USDT', qty_step: 0.00001, min_qty: 0.00001, min_notional: 5 });
    expect(quoteDto({ symbol: 'DOGE/USDT', exchange: 'CRYPTO', known: false, price: null, at: null, rules: null }).instrument).toBeNull();
  });
});

describe('a group\'s rules on the strategy DTO', () => {
  it('carries the group\'s keys as stored, and null for each one left out', () => {
    const straddle: Partial<StoredStrategySpec> = { symbol: 'NIFTY', exchange: 'NFO', stop_loss: 30, stop_loss_mode: 'points', positions: [{ side: 'sell', option_right: 'CE' }, { side: 'sell', option_right: 'PE' }] };
    expect(strategyDto(strategy({ ...straddle, mtm_stop: 2500, mtm_target: 4000.5, on_position_failure: 'keep', stops_to_cost_on_stop: true }), [])).toMatchObject({ mtm_stop: 2500, mtm_target: 4000.5, on_position_failure: 'keep', stops_to_cost_on_stop: true });
    expect(strategyDto(strategy({}), [])).toMatchObject({ mtm_stop: null, mtm_target: null, on_position_failure: null, stops_to_cost_on_stop: null });
  });
});

describe('a position on the strategy DTO', () => {
  it('carries its own trail, move to cost and re-entries (0 kept: it never re-enters), null where it takes the strategy\'s', () => {
    const positions: StoredStrategySpec['positions'] = [
      { side: 'sell', option_right: 'CE', trail: 12.5, trail_mode: 'percent', reentries: 0 },
      { side: 'sell', option_right: 'PE', move_stop_to_cost_after: 20, move_stop_to_cost_mode: 'points', reentries: 2 },
    ];
    const dto = strategyDto(strategy({ symbol: 'NIFTY', exchange: 'NFO', stop_loss: 30, stop_loss_mode: 'points', reentry_cutoff: '12:00:00', positions }), []);
    expect(dto.positions).toMatchObject([
      { trail: 12.5, trail_mode: 'percent', move_stop_to_cost_after: null, move_stop_to_cost_mode: null, reentries: 0 },
      { trail: null, trail_mode: null, move_stop_to_cost_after: 20, move_stop_to_cost_mode: 'points', reentries: 2 },
    ]);
  });
});
