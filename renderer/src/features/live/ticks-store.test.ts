import { beforeEach, describe, expect, it } from 'vitest';
import { instrumentKey, useTicks } from './ticks-store';

const tick = (price: number, at: number) => ({ type: 'tick' as const, broker_account_id: 1, exchange: 'CRYPTO', symbol: 'BTC', price, at });

describe('ticks store', () => {
  beforeEach(() => useTicks.getState().clear());

  it('keeps the last tick per instrument and one chart point per second (the last price in it)', () => {
    const { add } = useTicks.getState();
    add(tick(100, 1_000));
    add(tick(101, 1_250));
    add(tick(102, 2_100));
    const key = instrumentKey(1, 'CRYPTO', 'BTC');
    expect(useTicks.getState().last[key]).toEqual({ price: 102, at: 2_100 });
    expect(useTicks.getState().series[key]).toEqual([
      { time: 1, price: 101 },
      { time: 2, price: 102 },
    ]);
  });

  it('ignores a tick older than the chart (the chart needs ascending times)', () => {
    const { add } = useTicks.getState();
    add(tick(100, 5_000));
    add(tick(90, 3_000));
    expect(useTicks.getState().last[instrumentKey(1, 'CRYPTO', 'BTC')]?.price).toBe(100);
  });
});
