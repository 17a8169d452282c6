/**
 * Binance spot (through CCXT) from the connect form, in a real browser against a real daemon and
 * the loopback Binance fake (issue 22): the form's fields come from GET /broker/kinds (API key in
 * clear, secret key masked, the testnet default said in words); a secret the venue refuses is
 * named by the venue's words and never shown back; the right one connects a testnet (paper money)
 * account trading CRYPTO.
 */
import { startFakeBinance, type FakeBinance } from '../fakes/binance/fake-binance';
import { expect, test } from './support/fixtures';
import { apiCall, openSignedIn } from './support/trader-ui';

let binance: FakeBinance;
test.beforeEach(async () => {
  binance = await startFakeBinance({ prices: { BTCUSDT: '60000' } });
});
test.afterEach(async () => {
  await binance.close();
});

test('Binance: the form from its kind, a refused secret named, then connected on testnet', async ({ page }) => {
  const { token } = await openSignedIn(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Brokers' }).click();
  const form = page.getByRole('form', { name: 'Connect a broker' });
  await form.getByLabel('Broker', { exact: true }).selectOption('binance');
  await expect(form).toContainText('The account starts on the spot testnet');
  await expect(form.getByLabel('API key', { exact: true })).toHaveAttribute('type', 'text');
  await expect(form.getByLabel('Secret key', { exact: true })).toHaveAttribute('type', 'password');

  const { apiKey, secret } = binance.credentials();
  await form.getByLabel('Name (optional)', { exact: true }).fill('Binance test');
  await form.getByLabel('API key', { exact: true }).fill(apiKey);
  const wrong = `${secret.slice(0, -4)}WXYZ`;
  await form.getByLabel('Secret key', { exact: true }).fill(wrong);
  await form.getByLabel('Advanced options (JSON, optional)').fill(JSON.stringify({ rest_url: binance.url }));
  await form.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(form.getByRole('alert')).toContainText('Signature for this request is not valid');
  await expect(page.locator('body')).not.toContainText(wrong.slice(8, 40));

  await form.getByLabel('Secret key', { exact: true }).fill(secret);
  await form.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(page.getByRole('listitem', { name: 'Binance test (binance)' })).toBeVisible();
  const { accounts } = await apiCall<{ accounts: Array<{ broker: string; mode: string; markets: Array<{ exchange: string }> }> }>(page, token, 'GET', '/broker');
  expect(accounts.filter((a) => a.broker === 'binance').map((a) => [a.mode, a.markets.map((m) => m.exchange)])).toEqual([['paper', ['CRYPTO']]]);
  await expect(page.locator('body')).not.toContainText(secret.slice(8, 40));
});
