/**
 * A trader's first session, end to end in a real browser against a real daemon on the real
 * clock: register → connect the paper broker with a scripted price → invalid strategies show
 * each field's error → a valid strategy BUYs a few seconds after START and the scripted fall
 * through its stop-loss exits it, both seen live without a reload → the order journal and CSV
 * exports → STOP of another strategy in position (with its confirmation) → the kill switch.
 *
 * Times are HH:MM:SS on the CRYPTO exchange in UTC, so the test runs on any day.
 */
import { readFileSync } from 'node:fs';
import { awayFromMidnight, expect, test, utcTime } from './support/fixtures';
import type { PageGlobals } from './support/page-globals';
import { createStrategy, fieldError, fillStrategy, PASSWORD, stateOf, strategyInputs, strategyRow } from './support/trader-ui';

/**
 * BTC holds at 100 for a while after START, then falls through 95 (the stop-loss) about ten
 * seconds after START, i.e. a few seconds after the BUY (START + ~5 s). ETH and SOL random-walk
 * far above their stop-losses.
 */
const PAPER_OPTIONS = {
  tickIntervalMs: 250,
  startPrices: { 'CRYPTO:ETH': 2000, 'CRYPTO:SOL': 150 },
  scripts: {
    'CRYPTO:BTC': [
      { afterMs: 0, price: 100 },
      { afterMs: 8500, price: 97.5 },
      { afterMs: 10000, price: 94.2 },
      { afterMs: 11000, price: 93.8 },
    ],
  },
};

test('a trader registers, connects paper, trades a stop-loss live, stops a strategy and pulls the kill switch', async ({ page, screens }) => {
  test.setTimeout(240_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));

  await test.step('first run: create the account', async () => {
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'Create your account' })).toBeVisible();
    await screens.snap('01-register');

    await page.getByLabel('Email').fill('trader@example.com');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByLabel('Confirm password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(fieldError(page, 'password')).toHaveText('Password must be at least 10 characters');
    await expect(page.getByLabel('Password', { exact: true })).toHaveAttribute('aria-invalid', 'true');
    await screens.snap('02-register-error');

    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Confirm password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.getByRole('heading', { name: 'Strategies', level: 1 })).toBeVisible();
    await expect(page.getByRole('status', { name: 'Engine connection: Live' })).toBeVisible();
    await screens.snap('03-strategies-empty');
  });

  await test.step('connect the paper broker with a scripted market', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Brokers' }).click();
    await expect(page.getByRole('heading', { name: 'Brokers', level: 1 })).toBeVisible();
    const options = page.getByLabel('Simulation options (JSON, optional)');

    // A bad option is named under the options input, not swallowed.
    await options.fill('{"tickIntervalMs": 0}');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect(fieldError(page, 'options')).toContainText('tickIntervalMs');
    await options.fill('{ not json');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect(fieldError(page, 'options')).toContainText('not valid JSON');

    await page.getByLabel('Name (optional)', { exact: true }).fill('Paper (scripted)');
    await options.fill(JSON.stringify(PAPER_OPTIONS, null, 2));
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    const account = page.getByRole('listitem', { name: 'Paper (scripted) (paper)' });
    await expect(account).toBeVisible();
    await expect(account).toContainText('connected');
    await expect(fieldError(page, 'options')).toHaveCount(0);
    await screens.snap('04-brokers');
  });

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Strategies' }).click();

  await test.step('invalid strategies: each field says what is wrong', async () => {
    await page.getByRole('button', { name: 'New strategy' }).click();
    const f = strategyInputs(page);

    await f.submit.click();
    for (const field of ['symbol', 'qty', 'buy_time', 'sell_time', 'stop_loss']) {
      await expect(fieldError(f.form, field), field).toContainText('required');
    }
    await expect(f.symbol).toBeFocused();
    await screens.snap('05-strategy-required-errors');

    await fillStrategy(page, { symbol: 'BAD SYMBOL!', qty: '1.5', buyTime: '25:00', sellTime: '9am', stopLoss: '0', timezone: 'Mars/Olympus' });
    await f.submit.click();
    await expect(fieldError(f.form, 'symbol')).toContainText('letters, digits');
    await expect(fieldError(f.form, 'qty')).toContainText('whole number');
    await expect(fieldError(f.form, 'buy_time')).toContainText('24-hour time');
    await expect(fieldError(f.form, 'sell_time')).toContainText('24-hour time');
    await expect(fieldError(f.form, 'stop_loss')).toContainText('greater than 0');
    await expect(fieldError(f.form, 'timezone')).toContainText('IANA');
    await screens.snap('06-strategy-invalid-values');

    await fillStrategy(page, { symbol: 'BTC', exchange: 'CRYPTO', qty: '2', buyTime: '10:00:00', sellTime: '09:00:00', stopLoss: '95', timezone: 'UTC' });
    await f.submit.click();
    await expect(fieldError(f.form, 'sell_time')).toContainText('later than BUY time');
    await expect(f.form.locator('[data-field-error]')).toHaveCount(1);

    await f.form.getByRole('button', { name: 'Cancel' }).click();
    await expect(f.form).toBeHidden();
  });

  await awayFromMidnight(page, 8 * 60_000);

  await test.step('a valid strategy: START, then the BUY and the stop-loss exit arrive live', async () => {
    // Nothing below may reload the page: this marker would be gone.
    await page.evaluate(() => ((globalThis as unknown as PageGlobals).e2eNoReload = true));

    const row = await createStrategy(page, { symbol: 'BTC', exchange: 'CRYPTO', qty: '2', buyTime: utcTime(7_000), sellTime: utcTime(6 * 60_000), stopLoss: '95', timezone: 'UTC' });
    await expect(stateOf(row)).toHaveText('Not started');
    await row.getByRole('button', { name: /^Start BTC/ }).click();
    await expect(stateOf(row)).toHaveText('Armed');
    // Day, time and zone of the trigger, then the countdown.
    await expect(row.locator('.cell-next')).toContainText(/BUY \w{3} \d{1,2} \w{3} \d\d:\d\d(:\d\d)? UTC, in \d+s/);
    await expect(row.getByTestId('last-price')).toHaveText('100.00');
    await screens.snap('07-strategies-armed');

    await row.getByRole('link').click();
    await expect(page.getByRole('heading', { name: /BTC/, level: 1 })).toBeVisible();
    const journal = page.getByRole('table', { name: 'Order journal' });

    // The BUY: state, position and journal change in place.
    await expect(stateOf(page.getByRole('main'))).toHaveText('In position', { timeout: 20_000 });
    const buy = journal.locator('tr[data-leg="BUY"]');
    await expect(buy).toHaveAttribute('data-status', 'filled');
    await expect(buy).toContainText('100.00');
    await expect(page.getByTestId('position')).toHaveText('2 @ 100.00');
    await screens.snap('08-detail-in-position');

    // The stop-loss exit, a few seconds later.
    await expect(stateOf(page.getByRole('main'))).toHaveText('Exited by stop-loss', { timeout: 20_000 });
    const sl = journal.locator('tr[data-leg="STOPLOSS"]');
    await expect(sl).toHaveAttribute('data-status', 'filled');
    await expect(sl).toContainText(/9[34]\.\d\d/);
    await expect(page.getByTestId('position')).toHaveText('flat');
    await expect(page.getByRole('list', { name: 'Audit log entries' })).toContainText('reached the stop-loss 95.00');
    await expect(page.getByRole('figure', { name: /Price chart of BTC.*2 fills marked/ })).toBeVisible();
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).e2eNoReload)).toBe(true);
  });

  await test.step('the order journal: scheduled vs sent vs acked vs filled, and CSV exports', async () => {
    const journal = page.getByRole('table', { name: 'Order journal' });
    await expect(journal.getByRole('columnheader')).toHaveText(['Leg', 'Status', 'Qty', 'Scheduled', 'Sent', 'Acked', 'Filled', 'Fill price', 'Client order id']);
    await expect(journal.locator('tr[data-leg="BUY"]')).toContainText(/\+\d+ ms/);
    await screens.snap('09-detail-journal');

    const [orders] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export orders CSV' }).click()]);
    expect(orders.suggestedFilename()).toMatch(/^tradeclock-orders-BTC-\d+-.*\.csv$/);
    const ordersCsv = readFileSync(await orders.path(), 'utf8').trim().split('\r\n');
    expect(ordersCsv[0]).toContain('order_id,run_id,leg,side,symbol');
    expect(ordersCsv).toHaveLength(3);
    expect(ordersCsv.some((l) => l.includes(',STOPLOSS,sell,BTC,CRYPTO,2,filled,'))).toBe(true);

    const [audit] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export audit CSV' }).click()]);
    const auditCsv = readFileSync(await audit.path(), 'utf8');
    expect(auditCsv.split('\r\n')[0]).toBe('id,at,type,strategy_id,run_id,details');
    expect(auditCsv).toContain('stop_loss_triggered');
    expect(auditCsv).toContain('order_filled');
  });

  await page.getByRole('link', { name: '← Strategies' }).click();

  await test.step('STOP another strategy that holds a position: confirm, sold at market', async () => {
    const row = await createStrategy(page, { symbol: 'ETH', exchange: 'CRYPTO', qty: '1', buyTime: utcTime(12_000), sellTime: utcTime(6 * 60_000), stopLoss: '1000', timezone: 'UTC' });
    await row.getByRole('button', { name: /^Start ETH/ }).click();
    await expect(stateOf(row)).toHaveText('In position', { timeout: 30_000 });
    await expect(row.getByTestId('last-price')).not.toHaveText('—');
    await screens.snap('10-strategies-in-position');

    await row.getByRole('button', { name: /^Stop ETH/ }).click();
    const dialog = page.getByRole('dialog', { name: /Stop ETH/ });
    await expect(dialog).toContainText('sells the position at market now');
    await expect(dialog.getByRole('radio', { name: /Keep the position open/ })).toBeVisible();
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await screens.snap('11-stop-confirmation');

    await dialog.getByRole('button', { name: 'Stop and sell at market' }).click();
    await expect(dialog).toBeHidden();
    await expect(stateOf(row)).toHaveText('Stopped', { timeout: 15_000 });
    await expect(row).toContainText('flat');
    await expect(row.getByRole('button', { name: /^Start ETH/ })).toBeVisible();
  });

  await test.step('kill switch: stop everything and exit every position, after one confirmation', async () => {
    const sol = await createStrategy(page, { symbol: 'SOL', exchange: 'CRYPTO', qty: '3', buyTime: utcTime(15_000), sellTime: utcTime(6 * 60_000), stopLoss: '50', timezone: 'UTC' });
    await sol.getByRole('button', { name: /^Start SOL/ }).click();
    const ada = await createStrategy(page, { symbol: 'ADA', exchange: 'CRYPTO', qty: '10', buyTime: utcTime(4 * 60_000), sellTime: utcTime(6 * 60_000), stopLoss: '50', timezone: 'UTC' });
    await ada.getByRole('button', { name: /^Start ADA/ }).click();
    await expect(stateOf(ada)).toHaveText('Armed');
    await expect(stateOf(sol)).toHaveText('In position', { timeout: 30_000 });

    await page.getByRole('button', { name: 'Stop all', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Stop everything?' });
    await expect(dialog).toContainText('Stops 2 running strategies and closes 1 open position at market now (a long is sold, a short bought back).');
    await screens.snap('12-kill-switch');
    await dialog.getByRole('button', { name: 'Stop all and exit all' }).click();
    await expect(dialog).toBeHidden();

    await expect(stateOf(ada)).toHaveText('Stopped');
    await expect(stateOf(sol)).toHaveText('Stopped', { timeout: 15_000 });
    await expect(sol).toContainText('flat');
    await expect(page.getByRole('button', { name: /^Stop (SOL|ADA|ETH|BTC)/ })).toHaveCount(0);
    await screens.snap('13-after-kill-switch');
  });

  await test.step('edit a stopped strategy (errors inline again), then delete one', async () => {
    const ada = strategyRow(page, 'ADA');
    await ada.getByRole('button', { name: /^Edit ADA/ }).click();
    const f = strategyInputs(page);
    await expect(f.form).toHaveAccessibleName(/^Edit ADA \(#\d+\)$/);
    await expect(f.qty).toHaveValue('10');
    await f.qty.fill('-5');
    await f.submit.click();
    await expect(fieldError(f.form, 'qty')).toContainText('greater than 0');
    await f.qty.fill('5');
    await f.submit.click();
    await expect(f.form).toBeHidden();
    await expect(ada).toContainText('Qty 5');

    await ada.getByRole('button', { name: /^Delete ADA/ }).click();
    const dialog = page.getByRole('dialog', { name: /Delete ADA/ });
    await expect(dialog).toContainText('order journal are deleted');
    await dialog.getByRole('button', { name: 'Delete strategy' }).click();
    await expect(ada).toHaveCount(0);
    await expect(strategyRow(page, 'BTC')).toBeVisible();
  });

  expect(pageErrors).toEqual([]);
});
