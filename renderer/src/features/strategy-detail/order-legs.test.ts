import { describe, expect, it } from 'vitest';
import type { OrderDto } from '../../lib/api-types';
import { legGroups, legTitle } from './order-legs';

let ids = 0;
/** A filled order of run `run`, leg `legNo`, at minute `at`. */
const order = (run: number, legNo: number, leg: string, at: number, fill: number | null, side = leg === 'BUY' ? 'buy' : 'sell') =>
  ({
    id: ++ids,
    run_id: run,
    leg_no: legNo,
    leg,
    side,
    slot: leg === 'BUY' ? 'entry' : 'exit',
    scheduled_at: at * 60_000,
    filled_at: fill === null ? null : at * 60_000 + 5,
    updated_at: at * 60_000 + 5,
    filled_qty: fill === null ? 0 : 10,
    fill_price: fill,
    status: fill === null ? 'sent' : 'filled',
  }) as unknown as OrderDto;

describe('legGroups', () => {
  it("groups a run's orders by leg, newest first, each saying which exit closed it and what it earned", () => {
    const orders = [order(7, 0, 'BUY', 1, 100), order(7, 0, 'STOPLOSS', 2, 98), order(7, 1, 'BUY', 3, 97), order(7, 1, 'TARGET', 4, 100), order(7, 2, 'BUY', 5, 99)];
    const groups = legGroups(orders);
    expect(groups.map((g) => [g.title, g.exit, g.pnl, g.orders.map((o) => o.leg)])).toEqual([
      ['Re-entry 2', null, null, ['BUY']],
      ['Re-entry 1', 'Exited at target', 30, ['TARGET', 'BUY']],
      ['First entry', 'Exited by stop-loss', -20, ['STOPLOSS', 'BUY']],
    ]);
  });

  it('keeps days apart: a later run first; a refused exit retried reads as the exit that filled', () => {
    const refused = { ...order(3, 0, 'STOPLOSS', 2, null), status: 'rejected' } as OrderDto;
    const groups = legGroups([order(3, 0, 'BUY', 1, 100), refused, order(3, 0, 'STOPLOSS', 3, 95), order(4, 0, 'BUY', 1500, 101), order(4, 0, 'SELL', 1510, 102)]);
    expect(groups.map((g) => [g.runId, g.title, g.exit, g.pnl])).toEqual([
      [4, 'First entry', 'Exited at the SELL time', 10],
      [3, 'First entry', 'Exited by stop-loss', -50],
    ]);
  });

  it('a short (sell first) is closed by buying back, and earns as the price falls', () => {
    const groups = legGroups([order(5, 0, 'BUY', 1, 100, 'sell'), order(5, 0, 'TRAIL_STOP', 2, 101, 'buy'), order(5, 1, 'BUY', 3, 102, 'sell'), order(5, 1, 'MANUAL_EXIT', 4, 99, 'buy')]);
    expect(groups.map((g) => [g.title, g.exit, g.pnl])).toEqual([
      ['Re-entry 1', 'Exited by manual exit', 30],
      ['First entry', 'Exited by trailing stop', -10],
    ]);
  });

  it('names the legs', () => {
    expect([0, 1, 9].map(legTitle)).toEqual(['First entry', 'Re-entry 1', 'Re-entry 9']);
  });
});
