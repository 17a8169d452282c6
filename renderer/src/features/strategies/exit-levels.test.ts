import { describe, expect, it } from 'vitest';
import type { RuntimeDto, StrategyDto } from '../../lib/api-types';
import { chartLevels, exitLevels, stopMoves } from './exit-levels';

const strategy = (fields: Partial<StrategyDto>, runtime: Partial<RuntimeDto> | null = null): StrategyDto =>
  ({
    id: 1,
    stop_loss: 95,
    stop_loss_mode: 'price',
    target: null,
    target_mode: 'price',
    trail: null,
    trail_mode: 'points',
    ...fields,
    runtime: runtime && { state: 'IN_POSITION', position_qty: 10, levels: null, ...runtime },
  }) as unknown as StrategyDto;

const live = { entry: 100, stop: 99, stop_kind: 'TRAIL_STOP' as const, target: 105, trail_best: 101, cost_at: null };

describe('exitLevels', () => {
  it('before the fill: a price stop and target as prices, with the room left to each', () => {
    const v = exitLevels(strategy({ target: 110 }), 100);
    expect(v).toMatchObject({ live: false, entry: null, stop: { name: 'Stop-loss', price: 95, text: '95.00', roomPct: 5 }, target: { name: 'Target', price: 110, roomPct: 10 } });
  });

  it('before the fill: a stop or target in points or percent is a distance in words, never a price', () => {
    const v = exitLevels(strategy({ stop_loss: 2, stop_loss_mode: 'percent', target: 5, target_mode: 'points' }), 100);
    expect(v.stop).toEqual({ name: 'Stop-loss', price: null, text: '2 % below the fill', roomPct: null, movePct: null });
    expect(v.target).toEqual({ name: 'Target', price: null, text: '5 points above the fill', roomPct: null, movePct: null });
    expect(chartLevels(v)).toEqual([]);
  });

  it('in position: the engine levels, the stop named for the trail that moved it, and the entry', () => {
    const v = exitLevels(strategy({ stop_loss: 2, stop_loss_mode: 'percent', target: 5, target_mode: 'points' }, { levels: live }), 102);
    expect(v.live).toBe(true);
    expect(v.stop).toMatchObject({ name: 'Trailing stop', price: 99, text: '99.00' });
    expect(v.stop.roomPct).toBeCloseTo((3 / 102) * 100);
    expect(v.target).toMatchObject({ name: 'Target', price: 105 });
    expect(v.target!.roomPct).toBeCloseTo((3 / 102) * 100);
    expect(chartLevels(v)).toEqual([
      { price: 99, title: 'Trailing stop', tone: 'stop' },
      { price: 105, title: 'Target', tone: 'target' },
      { price: 100, title: 'Entry', tone: 'entry' },
    ]);
  });

  it('in position without a target or trail: the stop-loss and the entry only', () => {
    const v = exitLevels(strategy({}, { levels: { ...live, stop: 95, stop_kind: 'STOPLOSS', target: null, trail_best: null } }), null);
    expect(v.stop).toEqual({ name: 'Stop-loss', price: 95, text: '95.00', roomPct: null, movePct: null });
    expect(v.target).toBeNull();
    expect(chartLevels(v).map((l) => l.title)).toEqual(['Stop-loss', 'Entry']);
  });

  it("once flat again (levels kept after the exit) or for a run from before levels: the strategy's own levels", () => {
    expect(exitLevels(strategy({ target: 110 }, { state: 'EXITED_BY_TARGET', position_qty: 0, levels: live }), 100)).toMatchObject({ live: false, stop: { price: 95 }, target: { price: 110 } });
    expect(exitLevels(strategy({}, { levels: null }), 100)).toMatchObject({ live: false, stop: { price: 95 } });
  });
});

describe('exitLevels of a sell-first strategy (a short)', () => {
  it('before the fill: the stop is above the fill and the target below, and the room to each is positive until reached', () => {
    const words = exitLevels(strategy({ side: 'sell', stop_loss: 2, stop_loss_mode: 'percent', target: 5, target_mode: 'points' }), 100);
    expect(words.stop.text).toBe('2 % above the fill');
    expect(words.target!.text).toBe('5 points below the fill');
    const v = exitLevels(strategy({ side: 'sell', stop_loss: 105, target: 90 }), 100);
    expect(v.stop).toMatchObject({ roomPct: 5, movePct: 5 });
    expect(v.target).toMatchObject({ roomPct: 10, movePct: -10 });
  });

  it('in position: a stop the price has passed upwards has negative room', () => {
    const v = exitLevels(strategy({ side: 'sell' }, { levels: { ...live, stop: 101, target: 95 } }), 102);
    expect(v.stop.roomPct).toBeCloseTo((-1 / 102) * 100);
    expect(v.target!.roomPct).toBeCloseTo((7 / 102) * 100);
    expect(v.target!.movePct).toBeCloseTo((-7 / 102) * 100);
  });
});

describe('stopMoves', () => {
  it('says how the trail and the move to cost move the stop, or nothing when it stays', () => {
    const none = { side: 'buy', trail: null, trail_mode: 'points', move_stop_to_cost_after: null, move_stop_to_cost_mode: 'points' } as const;
    expect(stopMoves(none)).toBe('');
    expect(stopMoves({ ...none, trail: 1.5, trail_mode: 'percent' })).toBe('Trails 1.5 % below the highest price since the entry');
    expect(stopMoves({ ...none, trail: 2, move_stop_to_cost_after: 3 })).toBe('Trails 2 points below the highest price since the entry; moves up to the entry price after a gain of 3 points');
    expect(stopMoves({ ...none, move_stop_to_cost_after: 1, move_stop_to_cost_mode: 'percent' })).toBe('Moves up to the entry price after a gain of 1 %');
  });

  it("a short's stop trails above the lowest price and moves down to the entry", () => {
    const short = { side: 'sell', trail: 2, trail_mode: 'points', move_stop_to_cost_after: 3, move_stop_to_cost_mode: 'points' } as const;
    expect(stopMoves(short)).toBe('Trails 2 points above the lowest price since the entry; moves down to the entry price after a gain of 3 points');
  });
});

describe('the backstop at the broker', () => {
  it('is named with its trigger, what it is doing and its broker id while the position is held', () => {
    const held = { levels: { entry: 100, stop: 95, stop_kind: 'STOPLOSS' as const, target: null, trail_best: null, cost_at: null } };
    expect(exitLevels(strategy({}, { ...held, backstop: { state: 'resting', trigger_price: 95, target_price: null, broker_ref: 'ord-9' } }), 100).backstop).toBe('Backstop 95.00 resting at the broker (ord-9)');
    expect(exitLevels(strategy({}, { ...held, backstop: { state: 'placing', trigger_price: 94.5, target_price: null, broker_ref: null } }), 100).backstop).toBe('Backstop 94.50 being placed at the broker');
    expect(exitLevels(strategy({}, { ...held, backstop: null }), 100).backstop).toBeNull();
    expect(exitLevels(strategy({}, null), 100).backstop).toBeNull();
  });

  it('names both levels of a two-leg backstop (a Kite OCO GTT): the stop and the take-profit resting with it', () => {
    const held = { levels: { entry: 100, stop: 95, stop_kind: 'STOPLOSS' as const, target: 105, trail_best: null, cost_at: null } };
    expect(exitLevels(strategy({}, { ...held, backstop: { state: 'resting', trigger_price: 95, target_price: 105, broker_ref: '112127' } }), 100).backstop).toBe('Backstop 95.00 / target 105.00 resting at the broker (112127)');
  });
});

