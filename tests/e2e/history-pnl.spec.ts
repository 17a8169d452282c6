/**
 * What it earned: after a real paper trade (BUY at 100, SELL at 103, 2 shares) on a real daemon,
 * the strategy list shows the realized P&L, and the History screen, opened from the header by
 * keyboard, lists the run with its P&L and the day's total, filters by strategy and date, and
 * exports the runs as CSV with the P&L column. Then the detail page's chart after a reload shows
 * the recorded prices (the minute not written yet included) with both fills marked.
 */
import { readFileSync } from 'node:fs';
import { awayFromMidnight, expect, test, utcTime } from './support/fixtures';
import { apiCall, fieldError, openSignedIn, stateOf, strategyRow } from './support/trader-ui';

test('the history screen shows a finished run with its realized P&L', async ({ page, screens }) => {
  await awayFromMidnight(page, 2 * 60_000);
  const { token } = await openSignedIn(page);
  const account = await apiCall<{ id: number }>(page, token, 'POST', '/broker/connect', {
    broker: 'paper',
    label: 'Paper',
    options: { tickIntervalMs: 250, scripts: { 'CRYPTO:BTC': [{ afterMs: 0, price: 100 }, { afterMs: 9_000, price: 103 }] } },
  });
  const strategy = await apiCall<{ id: number }>(page, token, 'POST', '/strategy/create', {
    broker_account_id: account.id,
    symbol: 'BTC',
    exchange: 'CRYPTO',
    qty: 2,
    buy_time: utcTime(5_000),
    sell_time: utcTime(14_000),
    stop_loss: 50,
    timezone: 'UTC',
  });
  await apiCall(page, token, 'POST', '/strategy/start', { strategy_id: strategy.id });

  const row = strategyRow(page, 'BTC');
  await expect(stateOf(row)).toHaveText('Sold', { timeout: 30_000 });
  await expect(row.getByTestId('realized-pnl')).toContainText('+6.00');
  await expect(page.getByTestId('realized-today')).toContainText('+6.00');

  // The header's History link, by keyboard.
  const link = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'History' });
  await link.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'History', level: 1 })).toBeVisible();
  const runs = page.getByRole('table', { name: 'Runs' });
  const run = runs.locator('tbody tr').first();
  await expect(run).toContainText('BTC');
  await expect(run).toContainText('2/2');
  await expect(run.getByTestId('run-pnl')).toHaveText('+6.00');
  await expect(page.getByTestId('history-total')).toContainText('+6.00');
  await expect(page.getByRole('table', { name: 'Realized P&L by day' })).toContainText('+6.00');
  await screens.snap('history');

  // Filters: this strategy and today keep it; a range that ends yesterday does not.
  const today = new Date().toISOString().slice(0, 10);
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel('Strategy').selectOption(String(strategy.id));
  await page.getByLabel('From (trading date)').fill(today);
  await page.getByRole('button', { name: 'Show runs' }).click();
  await expect(run.getByTestId('run-pnl')).toHaveText('+6.00');
  await page.getByLabel('From (trading date)').fill(yesterday);
  await page.getByLabel('To (trading date)').fill(yesterday);
  await page.getByRole('button', { name: 'Show runs' }).click();
  await expect(page.getByText('No runs match.')).toBeVisible();
  await expect(page.getByTestId('history-total')).toContainText('0.00');
  // A range that ends before it starts: the API's field error, under its input by its label.
  await page.getByLabel('From (trading date)').fill(today);
  await page.getByRole('button', { name: 'Show runs' }).click();
  await expect(fieldError(page.getByRole('form', { name: 'Filter runs' }), 'to')).toHaveText('To (trading date) must not be before from');
  await expect(page.getByText('Could not load the history')).toHaveCount(0);

  await page.getByLabel('To (trading date)').fill(today);
  await page.getByRole('button', { name: 'Show runs' }).click();
  await expect(run.getByTestId('run-pnl')).toHaveText('+6.00');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export runs CSV' }).click()]);
  const csv = readFileSync((await download.path())!, 'utf8').split('\r\n');
  const header = csv[0]!.split(',');
  const values = csv[1]!.split(',');
  expect(values[header.indexOf('realized_pnl')]).toBe('6');
  expect(values[header.indexOf('symbol')]).toBe('BTC');

  // The chart after a reload: the recorded bars, the minute not written yet included (bars are
  // written once a minute; the API serves the unwritten ones too), so no wait for a write.
  expect((await apiCall<{ bars: unknown[] }>(page, token, 'GET', `/strategy/${strategy.id}/bars`)).bars.length).toBeGreaterThan(0);
  await page.goto(`/#/strategies/${strategy.id}`);
  await page.reload();
  const chart = page.getByRole('figure', { name: /^Price chart of BTC/ });
  await expect(chart).toHaveAttribute('aria-label', /2 fills marked/);
  await expect.poll(async () => Number(await chart.getAttribute('data-points'))).toBeGreaterThan(0);
  await expect(page.getByTestId('realized-pnl')).toContainText('+6.00');
  await screens.snap('detail-after-reload');
});
