/**
 * A backtest from a strategy's page, on a real daemon: TCLK on NSE, BUY 09:20, SELL 09:25 IST, 10
 * shares, stop 1 % below the fill, no fees, over 2 – 5 March 2026 (Holi on the 3rd).
 *
 * First with nothing stored: the page says no bars were found and shows the command that imports
 * them; that very command (with the committed fixture as bars.csv) is then run as a trader would,
 * against the daemon's data directory. Run again: the hand-computed answers of
 * engine/backtest/run-backtest.test.ts (Mon +12.00 at the SELL, Wed −20.50 and Thu −30.00 at the
 * stop), the equity chart drawn, the trades listed, the CSV export holding the same trades, the
 * grid of entry × exit times as a table whose 09:20 → 09:25 cell is that backtest. A slippage typed
 * as a word and a window the wrong way round are named under their inputs. axe finds nothing
 * serious in either theme; at a phone's width the panel fits.
 *
 * Then an Alpaca account (on the Alpaca fake): the days without bars are fetched from it when the
 * trader ticks the box, and replayed.
 *
 * Then an option strategy (NIFTY CE, ATM of the current week) over engine/backtest/fixtures/nifty-options,
 * imported with the CLI's --bars: the card asks for the lot size (named at the field when left
 * out), lists each trade's contract with the hand-computed P&L of option-backtest.test.ts, and
 * runs its grid.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { contrastProblems, seriousViolations, THEMES, useSystemTheme, weakControlBoundaries } from './support/axe';
import { startFakeAlpaca } from '../fakes/alpaca/fake-alpaca';
import { expect, test, VIEWPORTS } from './support/fixtures';
import { apiCall, fieldError, openSignedIn } from './support/trader-ui';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURE = join(ROOT, 'engine', 'backtest', 'fixtures', 'tclk-nse-1min.csv');
const NIFTY_OPTIONS = join(ROOT, 'engine', 'backtest', 'fixtures', 'nifty-options');

async function setRange(page: Page, from: string, to: string) {
  const form = page.getByRole('form', { name: 'Backtest range' });
  await form.getByLabel('From (trading date)').fill(from);
  await form.getByLabel('To (trading date)').fill(to);
  await form.getByLabel('Fees').selectOption('none');
  return form;
}

test('a backtest from the strategy page: no bars said, imported, run, charted, listed, exported, gridded', async ({ page, daemon, screens }) => {
  const { token } = await openSignedIn(page);
  const paper = await apiCall<{ id: number }>(page, token, 'POST', '/broker/connect', { broker: 'paper', label: 'Paper', options: { startPrices: { 'NSE:TCLK': 100 } } });
  const strategy = await apiCall<{ id: number }>(page, token, 'POST', '/strategy/create', {
    broker_account_id: paper.id,
    symbol: 'TCLK',
    exchange: 'NSE',
    qty: 10,
    buy_time: '09:20',
    sell_time: '09:25',
    stop_loss: 1,
    stop_loss_mode: 'percent',
    timezone: 'Asia/Kolkata',
  });
  await page.goto(`/#/strategies/${strategy.id}`);
  const panel = page.getByRole('region', { name: 'Backtest' });
  await expect(panel).toBeVisible();

  // Nothing stored yet: said as an error, with the command that imports the bars.
  const form = await setRange(page, '2026-03-02', '2026-03-05');
  await form.getByRole('button', { name: 'Run backtest' }).click();
  const noData = panel.getByTestId('backtest-no-data');
  await expect(noData).toContainText('No 1-minute bars of TCLK on NSE are stored for 2026-03-02 to 2026-03-05, so nothing was tested');
  await expect(panel.getByRole('table', { name: 'Backtest trades' })).toHaveCount(0);
  await expect(form.getByRole('button', { name: 'Export trades CSV' })).toBeDisabled();
  const command = (await noData.locator('code').textContent())!;
  expect(command).toMatch(/^tradeclock backtest --csv bars\.csv --symbol TCLK --exchange NSE --from 2026-03-02 --to 2026-03-05 /);

  // The command as shown, run as the trader would (tradeclock = the CLI; bars.csv = the fixture).
  const args = command.split(' ').slice(1).map((a) => (a === 'bars.csv' ? FIXTURE : a));
  const cli = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), ['engine/cli.ts', ...args, '--data-dir', daemon.dataDir, '--fees', 'none'], { cwd: ROOT, encoding: 'utf8' });
  expect(cli.status, cli.stderr).toBe(0);
  expect((JSON.parse(cli.stdout) as { report: { net: number } }).report.net).toBe(-38.5);

  // A slippage that is no number is named under its input.
  await form.getByLabel('Slippage (bps)').fill('five');
  await form.getByRole('button', { name: 'Run backtest' }).click();
  await expect(fieldError(form, 'slippage_bps')).toHaveText('Slippage (bps) must be a number of basis points');
  await form.getByLabel('Slippage (bps)').fill('0');

  await form.getByRole('button', { name: 'Run backtest' }).click();
  await expect(noData).toHaveCount(0);
  await expect(fieldError(form, 'slippage_bps')).toHaveCount(0);
  const figures = panel.getByTestId('backtest-figures');
  await expect(figures.getByTestId('bt-trades')).toContainText('3 (1 won, 2 lost)');
  await expect(figures.getByTestId('bt-net')).toHaveText('-38.50');
  await expect(figures.getByTestId('bt-win-rate')).toHaveText('33.3 %');
  // Equity 0 → +12 → −8.50 → −38.50: the fall from the peak +12 is 50.50.
  await expect(figures.getByTestId('bt-drawdown')).toHaveText('-50.50');

  const chart = panel.getByRole('figure', { name: /^Equity over the backtest: 3 trades, net -38\.50/ });
  await expect(chart).toHaveAttribute('data-points', '4');
  await expect(chart.locator('canvas').first()).toBeVisible();

  const weekdays = panel.getByRole('table', { name: 'Outcome by weekday' });
  await expect(weekdays.locator('tbody tr')).toHaveText([/Monday\s*1\s*1\s*\+12\.00/, /Wednesday\s*1\s*0\s*-20\.50/, /Thursday\s*1\s*0\s*-30\.00/]);

  const trades = panel.getByRole('table', { name: 'Backtest trades' }).locator('tbody tr');
  await expect(trades).toHaveCount(3);
  await expect(trades.nth(0)).toContainText('2026-03-02');
  await expect(trades.nth(0).getByTestId('bt-exit')).toContainText('@ 101.40');
  await expect(trades.nth(1).getByTestId('bt-exit')).toContainText('@ 198.05 09:21:15');
  await expect(trades.getByTestId('bt-trade-net')).toHaveText(['+12.00', '-20.50', '-30.00']);

  // The CSV holds the trades listed.
  const [download] = await Promise.all([page.waitForEvent('download'), form.getByRole('button', { name: 'Export trades CSV' }).click()]);
  expect(download.suggestedFilename()).toBe('backtest-TCLK-2026-03-02-2026-03-05.csv');
  const [header, ...rows] = readFileSync((await download.path())!, 'utf8').trim().split('\n');
  const col = (name: string) => header!.split(',').indexOf(name);
  expect(rows.map((r) => r.split(',')).map((c) => [c[col('date')], c[col('exit_kind')], c[col('exit_price')], c[col('net')]])).toEqual([
    ['2026-03-02', 'SELL', '101.4', '12'],
    ['2026-03-04', 'STOPLOSS', '198.05', '-20.5'],
    ['2026-03-05', 'STOPLOSS', '297', '-30'],
  ]);

  // The grid: entries 09:20–09:22 × exits 09:23–09:25, a minute apart: nine cells.
  const gridForm = page.getByRole('form', { name: 'Entry and exit grid' });
  await gridForm.getByLabel('Entry times from').fill('09:20');
  await gridForm.getByLabel('Entry times to').fill('09:22');
  await gridForm.getByLabel('Exit times from').fill('09:23');
  await gridForm.getByLabel('Exit times to').fill('09:25');
  await gridForm.getByLabel('Every (minutes)').fill('1');
  await gridForm.getByRole('button', { name: 'Run grid' }).click();
  const heatmap = panel.getByRole('table', { name: 'Net P&L by entry and exit time' });
  await expect(heatmap.locator('td[data-cell]')).toHaveCount(9);
  await expect(heatmap.getByRole('columnheader')).toHaveText(['Entry \\ exit', '09:23', '09:24', '09:25']);
  await expect(heatmap.getByRole('rowheader')).toHaveText(['09:20', '09:21', '09:22']);
  const same = heatmap.locator('td[data-cell="09:20-09:25"]');
  await expect(same).toHaveAttribute('data-net', '-38.5');
  await expect(same).toContainText('-38.50');
  await expect(same).toContainText('3 tr · 33 %');
  await expect(same).toHaveClass(/heat--neg-[1-4]/);
  await expect(panel.getByTestId('grid-best')).toContainText('Best: entry');

  // A window the wrong way round: named under its input.
  await gridForm.getByLabel('Exit times to').fill('09:22');
  await gridForm.getByRole('button', { name: 'Run grid' }).click();
  await expect(fieldError(gridForm, 'sell.to')).toHaveText('Exit times to must not be before Exit times from');
  await expect(panel.getByRole('alert')).toHaveCount(0);
  await gridForm.getByLabel('Exit times to').fill('09:25');

  const found: string[] = [];
  for (const theme of THEMES) {
    await useSystemTheme(page, theme);
    for (const line of await seriousViolations(page)) found.push(`[${theme}] ${line}`);
    for (const line of await weakControlBoundaries(page)) found.push(`[${theme}] non-text-contrast ${line}`);
    for (const line of await contrastProblems(page, '.heatmap')) found.push(`[${theme}] heatmap ${line}`);
  }
  expect(found, found.join('\n')).toEqual([]);

  // A phone: the panel fits the width (wide tables scroll in their own box).
  await page.setViewportSize(VIEWPORTS.phone);
  await expect(panel.getByRole('button', { name: 'Run backtest' })).toBeVisible();
  const fits = await panel.evaluate((el) => {
    const box = el.getBoundingClientRect();
    const page = (globalThis as unknown as { document: { documentElement: { clientWidth: number } } }).document.documentElement;
    return { overflow: el.scrollWidth - el.clientWidth, right: box.right, width: page.clientWidth };
  });
  expect(fits.overflow).toBeLessThanOrEqual(0);
  expect(fits.right).toBeLessThanOrEqual(fits.width);
  await page.setViewportSize(VIEWPORTS.desktop);
  await screens.snap('backtest');
});

test("an Alpaca account's missing days are fetched when the box is ticked, and their trades when that box is", async ({ page }) => {
  const fake = await startFakeAlpaca({ barsPageMax: 100 });
  try {
    // AAPL rises 0.01 a minute from 100.00 at each day's 09:30 New York open (EST: 14:30 UTC).
    fake.setBars(
      'AAPL',
      ['2026-03-02', '2026-03-03'].flatMap((d) => Array.from({ length: 390 }, (_, i) => ({ minute: Date.parse(`${d}T14:30:00Z`) + i * 60_000, open: 100 + i / 100, high: 100 + i / 100, low: 100 + i / 100, close: 100 + i / 100, volume: 10 }))),
    );
    const { token } = await openSignedIn(page);
    const alpaca = await apiCall<{ id: number }>(page, token, 'POST', '/broker/connect', { broker: 'alpaca', label: 'Alpaca paper', credentials: fake.credentials(), options: fake.connectOptions() });
    const strategy = await apiCall<{ id: number }>(page, token, 'POST', '/strategy/create', { broker_account_id: alpaca.id, symbol: 'AAPL', exchange: 'NYSE', qty: 10, buy_time: '09:35', sell_time: '09:40', stop_loss: 95, timezone: 'America/New_York' });
    await page.goto(`/#/strategies/${strategy.id}`);
    const panel = page.getByRole('region', { name: 'Backtest' });
    const form = await setRange(page, '2026-03-02', '2026-03-03');
    await form.getByRole('button', { name: 'Run backtest' }).click();
    await expect(panel.getByTestId('backtest-no-data')).toContainText('Or tick "Fetch days without bars from Alpaca paper" and run again.');
    await form.getByLabel('Fetch days without bars from Alpaca paper').check();
    await form.getByRole('button', { name: 'Run backtest' }).click();
    // 09:35 → 09:40: 100.05 → 100.10 on 10 shares, +0.50 a day.
    await expect(panel.getByTestId('bt-trades')).toContainText('2 (2 won, 0 lost)');
    await expect(panel.getByTestId('bt-net')).toHaveText('+1.00');
    expect(fake.requests().filter((r) => r.path === '/v2/stocks/AAPL/bars' && r.status === 200)).toHaveLength(8);

    // Monday's trades: 100.00 before the BUY, 101.00 before the SELL: replayed on them, +10.00 that day.
    fake.setTrades('AAPL', [
      { at: Date.parse('2026-03-02T14:34:30Z'), price: 100 },
      { at: Date.parse('2026-03-02T14:39:30Z'), price: 101 },
    ]);
    await form.getByLabel("Fetch the days' trades from Alpaca paper").check();
    await form.getByRole('button', { name: 'Run backtest' }).click();
    await expect(panel.getByTestId('backtest-tick-days')).toHaveText('Replayed trade by trade: 2026-03-02');
    await expect(panel.getByTestId('bt-net')).toHaveText('+10.50');
    expect(fake.tradePages.map((q) => q.get('start'))).toEqual(['2026-03-02T14:30:00.000Z', '2026-03-03T14:30:00.000Z']);
  } finally {
    await fake.close();
  }
});

test("an option strategy: the lot size asked for, each trade's contract listed, the grid run", async ({ page, daemon }) => {
  const { token } = await openSignedIn(page);
  const paper = await apiCall<{ id: number }>(page, token, 'POST', '/broker/connect', { broker: 'paper', label: 'Paper', options: {} });
  const spec = { symbol: 'NIFTY', exchange: 'NFO', option_right: 'CE', qty: 1, buy_time: '09:20', sell_time: '09:25', stop_loss: 20, stop_loss_mode: 'percent', target: 30, target_mode: 'points' };
  const strategy = await apiCall<{ id: number }>(page, token, 'POST', '/strategy/create', { ...spec, broker_account_id: paper.id, timezone: 'Asia/Kolkata' });

  // The index's bars and each contract's, imported as a trader would (README "Backtests").
  const bars = readdirSync(NIFTY_OPTIONS)
    .filter((f) => f.endsWith('.csv'))
    .flatMap((f) => ['--bars', f === 'nifty-50.csv' ? `NSE:NIFTY 50=${join(NIFTY_OPTIONS, f)}` : `NFO:${f.slice(0, -4)}=${join(NIFTY_OPTIONS, f)}`]);
  const cli = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), ['engine/cli.ts', 'backtest', ...bars, '--symbol', 'NIFTY', '--exchange', 'NFO', '--from', '2026-12-07', '--to', '2026-12-09', '--lot-size', '65', '--spec', JSON.stringify(spec), '--fees', 'none', '--data-dir', daemon.dataDir], { cwd: ROOT, encoding: 'utf8' });
  expect(cli.status, cli.stderr).toBe(0);
  expect((JSON.parse(cli.stdout) as { report: { net: number } }).report.net).toBe(910);

  await page.goto(`/#/strategies/${strategy.id}`);
  const panel = page.getByRole('region', { name: 'Backtest' });
  const form = await setRange(page, '2026-12-07', '2026-12-09');
  // Required: left empty the form is not sent; a size the API refuses is named at the field.
  const lotSize = form.getByLabel('Lot size');
  await expect(lotSize).toHaveAttribute('required');
  await form.getByRole('button', { name: 'Run backtest' }).click();
  expect(await lotSize.evaluate((el) => (el as unknown as { validity: { valueMissing: boolean } }).validity.valueMissing)).toBe(true);
  await expect(panel.getByTestId('backtest-figures')).toHaveCount(0);
  await lotSize.fill('0');
  await form.getByRole('button', { name: 'Run backtest' }).click();
  await expect(fieldError(form, 'lot_size')).toHaveText('Lot size must be above 0');
  await lotSize.fill('65');
  await form.getByRole('button', { name: 'Run backtest' }).click();
  await expect(fieldError(form, 'lot_size')).toHaveCount(0);

  // Mon: NIFTY26D0826000CE 120 → target 150, (150 − 120) × 65 = +1950; Tue: NIFTY26D0826050CE 80 → stop 64, −1040.
  await expect(panel.getByTestId('bt-trades')).toContainText('2 (1 won, 1 lost)');
  await expect(panel.getByTestId('bt-net')).toHaveText(/^\+910\.00$/);
  const trades = panel.getByRole('table', { name: 'Backtest trades' }).locator('tbody tr');
  await expect(trades.getByTestId('bt-contract')).toHaveText(['NIFTY26D0826000CE', 'NIFTY26D0826050CE']);
  await expect(trades.getByTestId('bt-trade-net')).toHaveText([/^\+1,?950\.00$/, /^-1,?040\.00$/]);
  await expect(trades.nth(0).getByTestId('bt-exit')).toContainText('@ 150.00');
  // Wednesday: the weeklies have expired and no contract is stored: skipped, saying why.
  await expect(panel.getByTestId('backtest-skipped')).toHaveText('2026-12-09 skipped: no NIFTY CE can be chosen from the contracts stored on NFO that day: the instrument list has no derivatives on NIFTY');

  // The CSV: the lot size sent, the contract in the last column.
  const [download] = await Promise.all([page.waitForEvent('download'), form.getByRole('button', { name: 'Export trades CSV' }).click()]);
  const [header, ...rows] = readFileSync((await download.path())!, 'utf8').trim().split('\n');
  expect(header!.endsWith(',net,contract')).toBe(true);
  expect(rows.map((r) => r.split(',').slice(-2))).toEqual([
    ['1950', 'NIFTY26D0826000CE'],
    ['-1040', 'NIFTY26D0826050CE'],
  ]);

  // The grid: each cell the option backtest of its times; 09:20 → 09:25 is the one above.
  const gridForm = page.getByRole('form', { name: 'Entry and exit grid' });
  await gridForm.getByLabel('Entry times from').fill('09:20');
  await gridForm.getByLabel('Entry times to').fill('09:21');
  await gridForm.getByLabel('Exit times from').fill('09:24');
  await gridForm.getByLabel('Exit times to').fill('09:25');
  await gridForm.getByLabel('Every (minutes)').fill('1');
  await gridForm.getByRole('button', { name: 'Run grid' }).click();
  const heatmap = panel.getByRole('table', { name: 'Net P&L by entry and exit time' });
  await expect(heatmap.locator('td[data-cell]')).toHaveCount(4);
  await expect(heatmap.locator('td[data-cell="09:20-09:25"]')).toHaveAttribute('data-net', '910');
  // The lot size input, the contract column and the skipped days: nothing serious for axe in either theme.
  const found: string[] = [];
  for (const theme of THEMES) {
    await useSystemTheme(page, theme);
    for (const line of await seriousViolations(page)) found.push(`[${theme}] ${line}`);
  }
  expect(found, found.join('\n')).toEqual([]);
});
