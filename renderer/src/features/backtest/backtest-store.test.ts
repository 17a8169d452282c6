import { beforeEach, describe, expect, it, vi } from 'vitest';

const calls = vi.hoisted(() => ({ api: [] as [string, unknown][], text: [] as [string, unknown][], fail: null as Error | null }));
vi.mock('../../lib/api-client', async (actual) => ({
  ...(await actual<typeof import('../../lib/api-client')>()),
  api: (route: string, body: unknown) => {
    calls.api.push([route, body]);
    if (calls.fail) return Promise.reject(calls.fail);
    return Promise.resolve(route === 'POST /backtest' ? { trades: [{ contract: 'NIFTY26D0826000CE' }], runs: [], report: {} } : { buy_times: [], sell_times: [], cells: [] });
  },
  apiText: (route: string, opts: unknown) => {
    calls.text.push([route, opts]);
    return Promise.resolve('date\n');
  },
}));
vi.mock('../../lib/csv', () => ({ downloadText: () => {} }));

const { ApiError } = await import('../../lib/api-client');
const { useBacktests } = await import('./backtest-store');

const OPTION_RANGE = { from: '2026-12-07', to: '2026-12-09', slippage: '0', fees: 'none', fetchMissing: false, lotSize: '65' } as const;
const GRID = { buyFrom: '09:20', buyTo: '09:21', sellFrom: '09:25', sellTo: '09:25', every: '1' };

describe('the lot size of an option strategy', () => {
  beforeEach(() => {
    useBacktests.getState().reset();
    calls.api.length = 0;
    calls.text.length = 0;
    calls.fail = null;
  });

  it('is sent as lot_size with the backtest, the grid and the CSV export', async () => {
    const s = useBacktests.getState();
    await s.run(7, OPTION_RANGE);
    await s.runGrid(7, OPTION_RANGE, GRID);
    await s.exportCsv(7, 'bt.csv');
    expect(calls.api.map(([route, body]) => [route, (body as { lot_size?: unknown }).lot_size])).toEqual([
      ['POST /backtest', 65],
      ['POST /backtest/grid', 65],
    ]);
    expect(calls.text).toEqual([['GET /strategy/:id/backtest.csv', { id: 7, query: { from: '2026-12-07', to: '2026-12-09', fees: 'none', slippage_bps: 0, lot_size: 65 } }]]);
  });

  it('is left out for a strategy of shares, and when empty (the API names it as required); text goes as typed', async () => {
    const s = useBacktests.getState();
    const { lotSize: _, ...shares } = OPTION_RANGE;
    await s.run(1, shares);
    await s.run(2, { ...OPTION_RANGE, lotSize: ' ' });
    await s.run(3, { ...OPTION_RANGE, lotSize: 'sixty' });
    expect(calls.api.map(([, body]) => 'lot_size' in (body as object))).toEqual([false, false, true]);
    expect((calls.api[2]![1] as { lot_size: unknown }).lot_size).toBe('sixty');
  });

  it("the API's error about it is shown at the field, in the label's words", async () => {
    calls.fail = new ApiError(400, 'validation_failed', 'invalid', [{ field: 'lot_size', message: 'lot_size must be above 0' }]);
    await useBacktests.getState().run(7, { ...OPTION_RANGE, lotSize: '0' });
    const panel = useBacktests.getState().panels[7]!;
    expect(panel.errors.fields).toEqual({ lot_size: 'Lot size must be above 0' });
    expect(panel.errors.form).toEqual([]);
  });
});

describe('fetching trades', () => {
  beforeEach(() => {
    useBacktests.getState().reset();
    calls.api.length = 0;
    calls.fail = null;
  });

  it('sends fetch_ticks only when the box is ticked, with the backtest and the grid', async () => {
    const { lotSize: _, ...shares } = OPTION_RANGE;
    const s = useBacktests.getState();
    await s.run(1, shares);
    await s.run(1, { ...shares, fetchMissing: true, fetchTicks: true });
    await s.runGrid(1, { ...shares, fetchTicks: true }, GRID);
    expect(calls.api.map(([route, body]) => [route, (body as { fetch_missing?: unknown }).fetch_missing, (body as { fetch_ticks?: unknown }).fetch_ticks])).toEqual([
      ['POST /backtest', undefined, undefined],
      ['POST /backtest', true, true],
      ['POST /backtest/grid', undefined, true],
    ]);
  });
});
