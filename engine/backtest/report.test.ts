import { describe, expect, it } from 'vitest';
import type { Trade } from './run-backtest';
import { report } from './report';

const trade = (weekday: Trade['weekday'], exitAt: number, net: number, fees = 0): Trade => ({
  date: '2026-03-02', weekday, legNo: 0, side: 'long', qty: 10, entryAt: exitAt - 60_000, entryPrice: 100, exitAt, exitPrice: 100, exitKind: 'SELL', gross: net + fees, fees, net,
});

describe('backtest report', () => {
  it('totals, win rate, drawdown, equity curve and weekdays, by hand', () => {
    // The re-entry backtest's five trades: +12.00 (Mon), −20.50 and +5.50 (Wed), −30.00 and +34.00 (Thu).
    // Equity 12, −8.5, −3, −33, 1: peak 12, trough −33, drawdown 45. 3 of 5 won.
    const r = report([trade('mon', 1, 12, 0.5), trade('wed', 2, -20.5, 0.25), trade('wed', 3, 5.5), trade('thu', 4, -30), trade('thu', 5, 34)]);
    expect(r).toEqual({
      trades: 5,
      wins: 3,
      losses: 2,
      winRate: 0.6,
      gross: 1.75,
      fees: 0.75,
      net: 1,
      maxDrawdown: 45,
      equity: [
        { at: 1, equity: 12 },
        { at: 2, equity: -8.5 },
        { at: 3, equity: -3 },
        { at: 4, equity: -33 },
        { at: 5, equity: 1 },
      ],
      byWeekday: { mon: { trades: 1, wins: 1, net: 12 }, wed: { trades: 2, wins: 1, net: -15 }, thu: { trades: 2, wins: 1, net: 4 } },
    });
  });

  it('a loss from the start is a drawdown from 0; sums stay exact in decimal', () => {
    const r = report(Array.from({ length: 40 }, (_, i) => trade('fri', i, i === 0 ? -0.3 : 0.1)));
    expect(r.maxDrawdown).toBe(0.3);
    expect(r.net).toBe(3.6);
    expect(report([])).toMatchObject({ trades: 0, winRate: null, net: 0, maxDrawdown: 0, equity: [], byWeekday: {} });
  });
});
