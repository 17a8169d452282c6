/**
 * The live exit levels on screen, from a real paper trade on a real daemon: once the BUY fills,
 * the strategy row's stop is the run's own level (runtime.levels) with the room left to it, and
 * the detail page's chart draws the stop and the entry as lines, said in its accessible name.
 */
import { awayFromMidnight, expect, test, utcTime } from './support/fixtures';
import { apiCall, openSignedIn, stateOf, strategyRow } from './support/trader-ui';

test('in position, the row and the chart show the live stop and the entry from the run', async ({ page, screens }) => {
  await awayFromMidnight(page, 3 * 60_000);
  const { token } = await openSignedIn(page);
  const account = await apiCall<{ id: number }>(page, token, 'POST', '/broker/connect', {
    broker: 'paper',
    label: 'Paper',
    options: { tickIntervalMs: 250, scripts: { 'CRYPTO:BTC': [{ afterMs: 0, price: 100 }, { afterMs: 9_000, price: 102 }] } },
  });
  const strategy = await apiCall<{ id: number }>(page, token, 'POST', '/strategy/create', {
    broker_account_id: account.id,
    symbol: 'BTC',
    exchange: 'CRYPTO',
    qty: 1,
    buy_time: utcTime(5_000),
    sell_time: utcTime(150_000),
    stop_loss: 95,
    timezone: 'UTC',
  });
  // Flat and armed: the strategy's own stop, no entry line.
  await apiCall(page, token, 'POST', '/strategy/start', { strategy_id: strategy.id });
  await page.goto(`/#/strategies/${strategy.id}`);
  const chart = page.getByRole('figure', { name: /^Price chart of BTC/ });
  await expect(chart).toHaveAttribute('data-levels', 'Stop-loss:95');

  await expect(stateOf(page.getByRole('main'))).toHaveText('In position', { timeout: 30_000 });
  const held = await apiCall<{ runtime: { levels: unknown } }>(page, token, 'GET', `/strategy/${strategy.id}`);
  expect(held.runtime.levels).toEqual({ entry: 100, stop: 95, stop_kind: 'STOPLOSS', target: null, trail_best: null, cost_at: null });
  await expect(chart).toHaveAttribute('data-levels', 'Stop-loss:95|Entry:100');
  await expect(chart).toHaveAccessibleName(/stop-loss 95\.00, entry 100\.00, 1 fill marked/);
  await expect(page.getByTestId('stop-level')).toContainText('95.00');
  await expect(page.getByTestId('target-level')).toHaveText(/^none/);
  await screens.snap('detail-live-levels');

  // The row: the stop and how far the last price (102) is above it.
  await page.getByRole('link', { name: '← Strategies' }).click();
  const row = strategyRow(page, 'BTC');
  await expect(row.getByTestId('to-stop')).toContainText('95.00');
  await expect(row.getByTestId('to-stop')).toContainText('-6.86 %', { timeout: 20_000 });
  await expect(row.getByTestId('to-target')).toHaveText('none');

  await apiCall(page, token, 'POST', '/strategy/stop', { strategy_id: strategy.id, close_position: true });
});
