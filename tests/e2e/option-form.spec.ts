/**
 * An index option built in the strategy form (issue 19): the option's expiry and strike shown only
 * once a right is chosen, sent with it, and the saved strategy's row naming the rule its contract
 * will be chosen by a few seconds before the BUY.
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
