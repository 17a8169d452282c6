/**
 * An index option built in the strategy form (issue 19): the option's expiry and strike shown only
 * once a right is chosen, sent with it, and the saved strategy's row naming the rule its contract
 * will be chosen by a few seconds before the BUY; a straddle built in the positions editor, its
 * row naming each position. Then a sold option held on the strategy's page: its run (a contract
 * chosen and a position held, which the paper day cannot reach in a test) given in the API's
 * answer, and a tick of its contract passed into the engine's WebSocket as the price stream sends
 * it: its live premium and P&L, and its stop above the fill.
 */
import { expect, test } from './support/fixtures';
import { apiCall, fillStrategy, openFormWithPaper, openSignedIn, strategyRow } from './support/trader-ui';

test('an option of NIFTY is built in the form and its row names the rule it is chosen by', async ({ page }) => {
  const f = await openFormWithPaper(page);
  const right = f.form.getByLabel('Option', { exact: true });
  const expiry = f.form.getByLabel('Option expiry', { exact: true });
  const strike = f.form.getByLabel('Option strike', { exact: true });
  await expect(expiry).toHaveCount(0);
  await expect(strike).toHaveCount(0);
  await right.selectOption('PE');
  await expect(expiry).toBeVisible();
  await expect(expiry).toHaveValue('current_week');
  await expect(strike).toHaveAttribute('placeholder', 'atm');
  await strike.fill('atm+2');

  await fillStrategy(page, { symbol: 'NIFTY', exchange: 'NFO', qty: '2', buyTime: '09:20', sellTime: '15:10', stopLoss: '40' });
  await f.stopLossUnit.selectOption('points');
  const created = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/strategy/create'));
  await f.submit.click();
  expect((await created).postDataJSON()).toMatchObject({ symbol: 'NIFTY', exchange: 'NFO', option_right: 'PE', option_expiry: 'current_week', option_strike: 'atm+2', qty: '2', stop_loss_mode: 'points' });
  await expect(f.form).toBeHidden();

  const row = strategyRow(page, 'NIFTY');
  await expect(row.getByTestId('option-contract')).toHaveText('PE atm+2, nearest expiry: chosen a few seconds before the BUY');
  await expect(row).toContainText('Qty 2 lots');
});

test('an option is given a listed expiry date typed beside the suggested rules, a straddle-width strike and days to expiry ticked', async ({ page }) => {
  const f = await openFormWithPaper(page);
  await f.form.getByLabel('Option', { exact: true }).selectOption('CE');
  const expiry = f.form.getByLabel('Option expiry', { exact: true });
  // Typed text, with the rules suggested (a datalist), so a date can be given.
  await expect(expiry).toHaveAttribute('list', /.+/);
  await expiry.fill('2099-12-29');
  await f.form.getByLabel('Option strike', { exact: true }).fill('width:0.5');
  await fillStrategy(page, { symbol: 'NIFTY', exchange: 'NFO', qty: '1', buyTime: '09:20', sellTime: '15:10', stopLoss: '40' });
  await f.stopLossUnit.selectOption('points');
  const days = f.form.locator('details[data-group="days"]');
  await days.locator('summary').click();
  const dte = f.form.getByRole('group', { name: 'Days to expiry' });
  await expect(dte).toHaveCount(0); // daily strategies only
  await f.form.getByLabel('Repeat', { exact: true }).selectOption('daily');
  await expect(dte.getByRole('checkbox')).toHaveCount(35);
  for (const day of ['0', '1']) await dte.getByRole('checkbox', { name: day, exact: true }).check();
  const created = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/strategy/create'));
  await f.submit.click();
  expect((await created).postDataJSON()).toMatchObject({ option_right: 'CE', option_expiry: '2099-12-29', option_strike: 'width:0.5', repeat: 'daily', dte: ['0', '1'] });
  await expect(f.form).toBeHidden();
  await expect(strategyRow(page, 'NIFTY').getByTestId('option-contract')).toHaveText('CE width:0.5, expiry 2099-12-29: chosen a few seconds before the BUY');
});

test('a short straddle is built in the positions editor; its row names each position and its run, and the kill switch counts positions, not strategies', async ({ page }) => {
  const f = await openFormWithPaper(page);
  await fillStrategy(page, { symbol: 'NIFTY', exchange: 'NFO', qty: '2', buyTime: '09:20', sellTime: '15:10', stopLoss: '40' });
  await f.stopLossUnit.selectOption('points');
  const editor = f.form.getByRole('group', { name: 'Positions', exact: true });
  await editor.getByRole('button', { name: 'Short straddle' }).click();
  const second = editor.getByRole('group', { name: 'Position 2', exact: true });
  await second.getByLabel('Lots', { exact: true }).fill('1');
  await second.getByLabel('Stop-loss', { exact: true }).fill('30');
  const positions = [
    { side: 'sell', option_right: 'CE', option_expiry: 'current_week', option_strike: 'atm' },
    { side: 'sell', option_right: 'PE', option_expiry: 'current_week', option_strike: 'atm', lots: 1, stop_loss: 30 },
  ];
  const created = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/strategy/create'));
  await f.submit.click();
  expect((await created).postDataJSON()).toMatchObject({ symbol: 'NIFTY', exchange: 'NFO', positions });
  await expect(f.form).toBeHidden();

  const row = strategyRow(page, 'NIFTY');
  await expect(row.getByTestId('position-line')).toHaveText(['Position 1 · sell CE atm', 'Position 2 · sell PE atm']);
  await row.getByRole('button', { name: /^Start/ }).click();
  // Armed: a run per position, none open yet (the contracts are chosen a few seconds before the BUY).
  await expect(row.getByTestId('position-line')).toHaveText(['Position 1 · sell CE atm · Armed', 'Position 2 · sell PE atm · Armed']);
  await expect(row.getByTestId('group-summary')).toHaveText('2 positions, none open');
  await page.getByRole('button', { name: 'Stop all' }).click();
  await expect(page.getByRole('dialog')).toContainText('Stops 1 running strategy and closes 0 open positions at market now');
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  // The detail page says the same, position by position.
  await row.locator('a.strategy-link').click();
  await expect(page.getByRole('list', { name: 'Positions' }).getByTestId('position-line')).toHaveText(['Position 1 · sell CE atm · Armed', 'Position 2 · sell PE atm · Armed']);
  await expect(page.getByTestId('position')).toHaveText('2 positions, none open');
});

test("a sold option's page shows its contract's live premium, its P&L as a short, and its stop above the fill", async ({ page }) => {
  let events: { send(message: string): void } | undefined;
  await page.routeWebSocket(/\/events$/, (ws) => {
    ws.connectToServer();
    events = ws;
  });
  const { token } = await openSignedIn(page);
  const account = await apiCall<{ id: number }>(page, token, 'POST', '/broker/connect', { broker: 'paper', label: 'Paper', options: { volatilityBps: 0 } });
  const body = { broker_account_id: account.id, symbol: 'NIFTY', exchange: 'NFO', option_right: 'CE', side: 'sell', qty: 1, buy_time: '09:20:00', sell_time: '15:10:00', stop_loss: 40, stop_loss_mode: 'points' };
  const contract = { symbol: 'NIFTY26D0826000CE', exchange: 'NFO', underlying: 'NIFTY', expiry: '2026-12-08', strike: 26_000, right: 'CE', lots: 1, lot_size: 65, qty: 65, spot: 26_012, premium: null, chosen_at: Date.now() };
  const runtime = {
    run_id: 1, trading_date: '2026-12-08', state: 'IN_POSITION', position_qty: 65, entry_price: 100, exit_price: null, exit_leg: null, sold_qty: 0, realized_pnl: null,
    last_action: 'BUY_FILLED', last_action_at: Date.now(), reason: null, buy_at: 0, sell_at: 0, next_trigger: null, leg_no: 0,
    levels: { entry: 100, stop: 140, stop_kind: 'STOPLOSS', target: null, trail_best: null, cost_at: null }, backstop: null, contract, position_no: null,
  };
  // Routed before the strategy exists (the user's one strategy): the page never has it without its run.
  const held = (s: Record<string, unknown>) => (s.symbol === 'NIFTY' ? { ...s, runtime } : s);
  await page.route(/\/strategy(\/\d+)?$/, async (route) => {
    if (route.request().method() !== 'GET') return route.fallback();
    const response = await route.fetch();
    const json = (await response.json()) as Record<string, unknown> & { strategies?: Record<string, unknown>[] };
    return route.fulfill({ response, json: json.strategies ? { ...json, strategies: json.strategies.map(held) } : held(json) });
  });
  const created = await apiCall<{ id: number }>(page, token, 'POST', '/strategy/create', body);

  await page.goto(`/#/strategies/${created.id}`);
  await expect(page.getByTestId('position')).toHaveText('65 @ 100.00');
  await expect(page.getByTestId('stop-level')).toHaveText('140.00');
  await expect(page.getByTestId('last-price')).toHaveText(/^— NIFTY26D0826000CE/);
  // Sold at 100, the premium now 96: a short gains 4 × 65.
  events!.send(JSON.stringify({ type: 'tick', broker_account_id: account.id, exchange: 'NFO', symbol: 'NIFTY26D0826000CE', price: 96, at: Date.now() }));
  await expect(page.getByTestId('last-price')).toContainText('96.00 NIFTY26D0826000CE');
  await expect(page.getByRole('definition').filter({ hasText: '+260' })).toHaveCount(1);
  // The index's tick, which the stream carries until a contract is chosen, is no premium.
  events!.send(JSON.stringify({ type: 'tick', broker_account_id: account.id, exchange: 'NFO', symbol: 'NIFTY', price: 26_100, at: Date.now() }));
  await expect(page.getByTestId('last-price')).toContainText('96.00');
});
