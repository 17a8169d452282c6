/**
 * The strategy DTO's backstop words that depend on the account's broker: whether a take-profit
 * rests with the backstop (a Kite two-leg GTT) needs the backstop on, a target, and a broker whose
 * backstop takes one (AccountFacts.backstopOco).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openTestDb, seedStrategy } from '../../db/test-support';
import type { StoredStrategySpec } from '../core/strategy-spec';
import { strategyDto } from './dto';

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
    expect(strategyDto(withTarget, undefined, null, [], { backstopByDefault: true, backstopOco: true })).toMatchObject({ backstop_on: true, backstop_take_profit: true });
    expect(strategyDto(withTarget, undefined, null, [], { backstopByDefault: true, backstopOco: false }).backstop_take_profit).toBe(false);
    expect(strategyDto(withTarget, undefined, null, [], { backstopByDefault: false, backstopOco: true }).backstop_take_profit).toBe(false);
  });

  it('is false without a target, and when the trader turned the backstop off', () => {
    expect(strategyDto(strategy({}), undefined, null, [], { backstopByDefault: true, backstopOco: true }).backstop_take_profit).toBe(false);
    expect(strategyDto(strategy({ target: 3100, backstop: false }), undefined, null, [], { backstopByDefault: true, backstopOco: true }).backstop_take_profit).toBe(false);
  });
});
