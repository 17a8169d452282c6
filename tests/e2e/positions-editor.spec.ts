/**
 * The strategy form's positions editor (issue 19): a short straddle built with the quick fill and
 * the keyboard, rows added and removed within 2 to 10, an empty key showing the strategy's value
 * it takes, the body the form sends, and the API's answer about one row's key shown under that key
 * in its row.
 *
 * The second test stores a strategy with positions through the API and gives it a day of runs in
 * the API's answer (GET /strategy's position_runs: the e2e daemon runs on the real clock, outside
 * NSE hours as often as not) to see them on the strategy's page, with a tick of a held contract
 * passed into the engine's WebSocket as the price stream sends it (its live premium and P&L), then
 * edits it in the form, which sends the positions back unchanged.
 */
import { seriousViolations, THEMES, useSystemTheme } from './support/axe';
import type { Route } from '@playwright/test';
import { expect, test } from './support/fixtures';
import { apiCall, fieldError, fillStrategy, openFormWithPaper, openSignedIn, strategyInputs, strategyRow } from './support/trader-ui';

test('a short straddle built in the positions editor is sent as rows, and the API\'s answer about a row\'s stop-loss is shown on that row', async ({ page, screens }) => {
  const f = await openFormWithPaper(page);
  await fillStrategy(page, { symbol: 'NIFTY', exchange: 'NFO', qty: '1', buyTime: '09:20', sellTime: '15:10', stopLoss: '30' });
  await f.form.getByRole('group', { name: 'Exits' }).getByLabel('Stop-loss unit', { exact: true }).selectOption('percent');

  const positions = f.form.getByRole('group', { name: 'Positions', exact: true });
  const row = (n: number) => positions.getByRole('group', { name: `Position ${n}`, exact: true });
  await expect(positions).toContainText('None: the strategy holds one position');
  await expect(positions.getByRole('button', { name: 'Short straddle' })).toHaveAccessibleDescription('Sell the ATM CE and the ATM PE; replaces the rows');

  // The quick fill, from the keyboard.
  await positions.getByRole('button', { name: 'Short straddle' }).focus();
  await page.keyboard.press('Enter');
  await expect(positions.getByRole('group', { name: /^Position \d+$/ })).toHaveCount(2);
  for (const [n, right] of [[1, 'CE'], [2, 'PE']] as const) {
    await expect(row(n).getByLabel('Side', { exact: true })).toHaveValue('sell');
    await expect(row(n).getByLabel('Option', { exact: true })).toHaveValue(right);
    await expect(row(n).getByLabel('Expiry', { exact: true })).toHaveValue('current_week');
    await expect(row(n).getByLabel('Strike', { exact: true })).toHaveValue('atm');
    // Empty keys are the strategy's, and say what that is now.
    await expect(row(n).getByLabel('Lots', { exact: true })).toHaveAttribute('placeholder', "Strategy's: 1");
    await expect(row(n).getByLabel('Stop-loss', { exact: true })).toHaveAttribute('placeholder', "Strategy's: 30");
    await expect(row(n).getByLabel('Stop-loss unit', { exact: true }).locator('option:checked')).toHaveText("Strategy's: % of entry");
    await expect(row(n).getByLabel('Target', { exact: true })).toHaveAttribute('placeholder', "Strategy's: none");
  }
  // Each key's hint describes its input in every row.
  await expect(row(2).getByLabel('Strike', { exact: true })).toHaveAccessibleDescription(/atm: nearest the index/);

  // Two is the least: no row can go; a third can be added and removed again, by keyboard.
  await expect(row(1).getByRole('button', { name: 'Remove position 1' })).toBeDisabled();
  await positions.getByRole('button', { name: 'Add a position' }).focus();
  await page.keyboard.press('Enter');
  await expect(row(3)).toBeVisible();
  await expect(row(3).getByLabel('Side', { exact: true })).toHaveValue('');
  // A future's row: no strike, the month's expiry, its stop-loss unit a price, not a premium.
  await row(3).getByLabel('Option', { exact: true }).selectOption('FUT');
  await expect(row(3).getByLabel('Strike', { exact: true })).toHaveCount(0);
  await expect(row(3).getByLabel('Expiry', { exact: true })).toHaveValue('current_month');
  await expect(row(3).getByLabel('Stop-loss unit', { exact: true }).locator('option[value="price"]')).toHaveText('price');
  await row(3).getByRole('button', { name: 'Remove position 3' }).focus();
  await page.keyboard.press('Enter');
  await expect(row(3)).toHaveCount(0);

  // Position 1's own stop-loss as an absolute premium; position 2's counted in the strategy's unit: 150 % is refused by the API.
  await row(1).getByLabel('Stop-loss', { exact: true }).fill('180');
  await row(1).getByLabel('Stop-loss unit', { exact: true }).selectOption({ label: 'premium' });
  await row(2).getByLabel('Stop-loss', { exact: true }).fill('150');
  await screens.snap('positions-editor');
  const sent = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/strategy/create'));
  await f.submit.click();
  const body = (await sent).postDataJSON() as Record<string, unknown>;
  expect(body).toMatchObject({ symbol: 'NIFTY', exchange: 'NFO', qty: '1', stop_loss: 30, stop_loss_mode: 'percent' });
  expect(body.positions).toEqual([
    { side: 'sell', option_right: 'CE', option_expiry: 'current_week', option_strike: 'atm', stop_loss: 180, stop_loss_mode: 'price' },
    { side: 'sell', option_right: 'PE', option_expiry: 'current_week', option_strike: 'atm', stop_loss: 150 },
  ]);

  // The answer about position 2's stop-loss is under that input in its row, in the key's words, and describes it.
  const rowError = fieldError(row(2), 'positions.1.stop_loss');
  await expect(rowError).toHaveText('Stop-loss must be below 100 when its unit is percent');
  await expect(fieldError(row(1), 'positions.0.stop_loss')).toHaveCount(0);
  const stop2 = row(2).getByLabel('Stop-loss', { exact: true });
  await expect(stop2).toHaveAttribute('aria-invalid', 'true');
  await expect(stop2).toHaveAccessibleDescription(/Stop-loss must be below 100 when its unit is percent/);
  await expect(fieldError(positions, 'positions')).toHaveCount(0);
  await expect(f.form).toBeVisible();
  await screens.snap('positions-editor-refused');
  // The editor with its rows, hints and errors has no serious WCAG 2.1 A/AA violation in either theme (from the top: see strategy-form.spec.ts).
  await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
  const found: string[] = [];
  for (const theme of THEMES) {
    await useSystemTheme(page, theme);
    for (const line of await seriousViolations(page)) found.push(`[${theme}] ${line}`);
  }
  expect(found, found.join('\n')).toEqual([]);
});

const STORED_POSITIONS = [
  { side: 'sell', option_right: 'CE', option_expiry: 'current_week', option_strike: 'atm', lots: null, stop_loss: null, stop_loss_mode: null, target: null, target_mode: null },
  { side: 'sell', option_right: 'PE', option_expiry: 'next_week', option_strike: 'atm+1', lots: 2, stop_loss: 20, stop_loss_mode: 'points', target: null, target_mode: null },
];

test('a strategy\'s positions are shown on its page with each contract, live premium and P&L, and its edit form sends them back unchanged', async ({ page, screens }) => {
  let events: { send(message: string): void } | undefined;
  await page.routeWebSocket(/\/events$/, (ws) => {
    ws.connectToServer();
    events = ws;
  });
  const { token } = await openSignedIn(page);
  const account = await apiCall<{ id: number }>(page, token, 'POST', '/broker/connect', { broker: 'paper', label: 'Paper', options: { volatilityBps: 0 } });
  const created = await apiCall<{ id: number }>(page, token, 'POST', '/strategy/create', {
    broker_account_id: account.id,
    symbol: 'NIFTY',
    exchange: 'NFO',
    qty: 1,
    buy_time: '09:20:00',
    sell_time: '15:10:00',
    stop_loss: 30,
    stop_loss_mode: 'percent',
    positions: STORED_POSITIONS,
  });
  // The day's runs as GET /strategy carries them (position_runs), each with its contract as chosen.
  const contract = (symbol: string, strike: number, right: 'CE' | 'PE', lots: number) => ({ symbol, exchange: 'NFO', underlying: 'NIFTY', expiry: '2026-12-08', strike, right, lots, lot_size: 65, qty: lots * 65, spot: 26_012, premium: null, chosen_at: 0 });
  const run = (runId: number, over: Record<string, unknown>) => ({
    run_id: runId, trading_date: '2026-12-08', position_no: null, state: 'ARMED', position_qty: 0, entry_price: null, exit_price: null, exit_leg: null, sold_qty: 0, realized_pnl: null,
    last_action: null, last_action_at: null, reason: null, buy_at: 0, sell_at: 0, next_trigger: null, leg_no: 0, levels: null, backstop: null, contract: null, ...over,
  });
  const positionRuns = [
    run(7, { position_no: 0, state: 'IN_POSITION', contract: contract('NIFTY26D0826000CE', 26_000, 'CE', 1), position_qty: 65, entry_price: 100 }),
    run(8, { position_no: 1, state: 'EXITED_BY_SL', contract: contract('NIFTY26D1526100PE', 26_100, 'PE', 2), sold_qty: 130, entry_price: 90, exit_price: 110, exit_leg: 'STOPLOSS', realized_pnl: -2600 }),
  ];
  const withRuns = async (route: Route) => {
    const response = await route.fetch();
    const body = (await response.json()) as { strategies: { id: number }[] };
    await route.fulfill({ response, json: { ...body, strategies: body.strategies.map((s) => (s.id === created.id ? { ...s, position_runs: positionRuns } : s)) } });
  };
  await page.route(/\/strategy$/, withRuns);

  await page.goto(`/#/strategies/${created.id}`);
  // Loaded again, so the list is read through the route (a change of hash alone reads nothing).
  await page.reload();
  const table = page.getByRole('table', { name: 'Positions' });
  await expect(table.getByRole('row')).toHaveCount(4);
  const line = (n: number) => table.getByRole('row').nth(n);
  await expect(line(1)).toContainText("Sell CE atm, nearest expiry · 1 lot (the strategy's)");
  await expect(line(1).getByTestId('position-contract')).toHaveText('NIFTY26D0826000CE');
  await expect(line(2)).toContainText('Sell PE atm+1, next expiry · 2 lots');
  await expect(line(2).getByTestId('position-contract')).toHaveText('NIFTY26D1526100PE');
  await expect(line(2)).toContainText('2,600');
  await expect(page.getByTestId('positions-realized')).toContainText('2,600');
  // The figures above the table are position 1's, a short: its stop (the strategy's 30 %) above the fill.
  await expect(page.getByTestId('figures-of')).toHaveText("Position 1 of 2 · Sell CE atm, nearest expiry · 1 lot (the strategy's)");
  await expect(page.getByTestId('stop-level')).toHaveText('30 % above the fill');
  // The held CE's premium, as the price stream sends it: sold at 100, 96 now, +4 × 65.
  events!.send(JSON.stringify({ type: 'tick', broker_account_id: account.id, exchange: 'NFO', symbol: 'NIFTY26D0826000CE', price: 96, at: Date.now() }));
  await expect(line(1).getByRole('cell').nth(3)).toHaveText('96.00');
  await expect(line(1)).toContainText('+260');
  await expect(page.getByTestId('positions-unrealized')).toContainText('+260');
  await screens.snap('positions-detail');

  // The strategy as stored (no run held): its edit form.
  await page.unroute(/\/strategy$/, withRuns);
  await page.goto('/');
  await strategyRow(page, 'NIFTY').getByRole('button', { name: /^Edit NIFTY/ }).click();
  const f = strategyInputs(page);
  const positions = f.form.getByRole('group', { name: 'Positions', exact: true });
  const row2 = positions.getByRole('group', { name: 'Position 2', exact: true });
  await expect(row2.getByLabel('Expiry', { exact: true })).toHaveValue('next_week');
  await expect(row2.getByLabel('Strike', { exact: true })).toHaveValue('atm+1');
  await expect(row2.getByLabel('Lots', { exact: true })).toHaveValue('2');
  await expect(row2.getByLabel('Stop-loss unit', { exact: true })).toHaveValue('points');
  await expect(positions.getByRole('group', { name: 'Position 1', exact: true }).getByLabel('Stop-loss', { exact: true })).toHaveValue('');
  const sent = page.waitForRequest((r) => r.method() === 'PATCH');
  await f.submit.click();
  expect(((await sent).postDataJSON() as { positions: unknown }).positions).toEqual(STORED_POSITIONS.map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== null))));
  await expect(f.form).toBeHidden();
});
