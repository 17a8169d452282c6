import { describe, expect, it } from 'vitest';
import type { PositionDto, RuntimeDto, StrategyDto } from '../../lib/api-types';
import { exitLevels, stopMoves } from './exit-levels';
import { stateLabel } from './state-badge';
import { positionView } from './strategy-metrics';
import { figuresSubject } from './figures-subject';

const pos = (side: 'buy' | 'sell', over: Partial<PositionDto> = {}): PositionDto => ({
  side,
  option_right: 'CE',
  option_expiry: 'current_week',
  option_strike: 'atm',
  lots: null,
  stop_loss: null,
  stop_loss_mode: null,
  target: null,
  target_mode: null,
  trail: null,
  trail_mode: null,
  move_stop_to_cost_after: null,
  move_stop_to_cost_mode: null,
  reentries: null,
  ...over,
});

// A strategy of positions keeps the strategy's side at 'buy' (the spec refuses its own side): each position names its own.
const base = {
  id: 4,
  symbol: 'NIFTY',
  exchange: 'NFO',
  side: 'buy',
  qty: 1,
  stop_loss: 30,
  stop_loss_mode: 'percent',
  target: null,
  target_mode: 'points',
  trail: null,
  trail_mode: 'points',
  move_stop_to_cost_after: null,
  move_stop_to_cost_mode: 'points',
  positions: null,
  runtime: null,
} as unknown as StrategyDto;
const inPosition = (levels: RuntimeDto['levels']) => ({ state: 'IN_POSITION', position_qty: 65, entry_price: 100, levels }) as RuntimeDto;

describe('figuresSubject', () => {
  it("speaks for a short first position as a short: its stop above the fill, its target below, a gain as the premium falls", () => {
    const straddle = { ...base, positions: [pos('sell'), pos('sell', { option_right: 'PE' })] };
    const subject = figuresSubject(straddle);
    expect(subject.side).toBe('sell');
    const v = exitLevels({ ...subject, target: 50, target_mode: 'percent' }, null);
    expect([v.stop.text, v.target?.text]).toEqual(['30 % above the fill', '50 % below the fill']);
    // Held: the engine's stop 130 above the last premium 110 is 18.18 % away, reached by a rise.
    const held = figuresSubject({ ...straddle, runtime: inPosition({ entry: 100, stop: 130, stop_kind: 'STOPLOSS', target: null, trail_best: null, cost_at: null }) });
    const live = exitLevels(held, 110);
    expect(live.stop.roomPct).toBeCloseTo(18.18, 2);
    expect(live.stop.movePct).toBeCloseTo(18.18, 2);
    expect(positionView(held, 90).unrealized).toBe(650);
    // Its state is a short's too: its exit buys it back.
    expect(stateLabel({ ...straddle, runtime: { ...inPosition(null), state: 'SOLD', leg_no: 0 } as RuntimeDto })).toBe('Bought back');
  });

  it("takes the first position's own stop-loss and target with their units, else the strategy's, key by key", () => {
    const own = figuresSubject({ ...base, target: 20, positions: [pos('buy', { stop_loss: 15, stop_loss_mode: 'points', target_mode: 'percent' }), pos('sell')] });
    expect([own.side, own.stop_loss, own.stop_loss_mode, own.target, own.target_mode]).toEqual(['buy', 15, 'points', 20, 'percent']);
    expect(exitLevels(own, null).stop.text).toBe('15 points below the fill');
  });

  it("takes the first position's own trail and move to cost, else the strategy's: a sold position trails the lowest premium", () => {
    const own = figuresSubject({ ...base, move_stop_to_cost_after: 10, positions: [pos('sell', { trail: 12, trail_mode: 'percent' }), pos('sell', { option_right: 'PE', trail: 3 })] });
    expect([own.trail, own.trail_mode, own.move_stop_to_cost_after, own.move_stop_to_cost_mode]).toEqual([12, 'percent', 10, 'points']);
    expect(stopMoves(own)).toMatch(/^Trails 12 % above the lowest price since the entry/);
  });

  it('leaves a strategy of one position as it is: a sell-first one already reads as a short', () => {
    const short = { ...base, side: 'sell', trail: 5, stop_loss: 2 } as StrategyDto;
    expect(figuresSubject(short)).toBe(short);
    expect(exitLevels(figuresSubject(short), null).stop.text).toBe('2 % above the fill');
    expect(stopMoves(figuresSubject(short))).toBe('Trails 5 points above the lowest price since the entry');
  });
});
