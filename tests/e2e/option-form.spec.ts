/**
 * An index option built in the strategy form (issue 19): the option's expiry and strike shown only
 * once a right is chosen, sent with it, and the saved strategy's row naming the rule its contract
 * will be chosen by a few seconds before the BUY; a straddle built in the
 * positions editor, its row naming each position.
 */
import { expect, test } from './support/fixtures';
import { fillStrategy, openFormWithPaper, strategyRow } from './support/trader-ui';

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
