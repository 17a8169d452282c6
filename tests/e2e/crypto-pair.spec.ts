/**
 * A crypto pair in the words a trader sees (issue 22): once BTC/USDT is typed, the form says
 * beside the quantity what the pair accepts (its step, least quantity and least order value);
 * saved, the strategy row and its page show the quantity as an amount of BTC priced in USDT. A
 * share (AAPL) keeps the engine's own hint and a plain quantity. Paper BTC/USDT: step 0.00001,
 * least order value 5 USDT, at 60 000.
 */
import { expect, test } from './support/fixtures';
import { seriousViolations } from './support/axe';
import { fillStrategy, openFormWithPaper, strategyRow } from './support/trader-ui';

test('the form shows the pair\'s step, least quantity and least order value; the row and the page show BTC priced in USDT', async ({ page, screens }) => {
  const f = await openFormWithPaper(page);
  await f.symbol.fill('AAPL');
  await f.exchange.selectOption('NASDAQ');
  await expect(page.getByTestId('last-price')).toHaveText('Last price of AAPL on NASDAQ: 187.5');
  await expect(page.getByTestId('qty-rules')).toHaveCount(0);
  await expect(f.qty).toHaveAccessibleDescription(/^How many to buy at each entry/);

  await fillStrategy(page, { symbol: 'btc/usdt', exchange: 'CRYPTO', qty: '0.0015', buyTime: '03:00', sellTime: '03:30', stopLoss: '59000' });
  await expect(page.getByTestId('qty-rules')).toHaveText('BTC/USDT: in steps of 0.00001 BTC, least quantity 0.00001 BTC, least order value 5 USDT');
  await expect(page.getByTestId('last-price')).toHaveText('Last price of BTC/USDT on CRYPTO: 60000');
  // The words are the quantity field's description, so a screen reader reads them with it.
  await expect(f.qty).toHaveAccessibleDescription(/BTC\/USDT: in steps of 0\.00001 BTC/);
  expect(await seriousViolations(page)).toEqual([]);
  await screens.snap('form-crypto-pair');

  await f.submit.click();
  await expect(f.form).toBeHidden();
  const row = strategyRow(page, 'BTC/USDT');
  await expect(row).toContainText('Qty 0.00150 BTC, priced in USDT');

  await row.getByRole('link', { name: /BTC\/USDT/ }).click();
  await expect(page.getByLabel('Strategy figures')).toContainText('Quantity0.00150 BTC, priced in USDT');
  await screens.snap('detail-crypto-pair');
});
