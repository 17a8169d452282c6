/**
 * Time and place, and which money, as the trader sees them (issue 17): the form says the exchange
 * and time zone before saving; the row, detail page, header and kill switch show the account with
 * its PAPER badge; the next trigger reads with day, time and zone and the trader's own time beside
 * it; a START whose BUY time has passed today says, in words, that it armed for tomorrow.
 *
 * The browser runs in Kolkata time while the strategy trades CRYPTO in UTC, so the two differ.
 */
import { expect, test } from './support/fixtures';
import { apiCall, fillStrategy, openSignedIn, strategyInputs, strategyRow } from './support/trader-ui';

test.use({ timezoneId: 'Asia/Kolkata' });

test('the trader sees where, when and with which money before and after START', async ({ page, screens }) => {
  // The BUY at 00:00:01 UTC must have passed today: step past the first minute after midnight.
  const sinceMidnight = Date.now() % 86_400_000;
  if (sinceMidnight < 60_000) await page.waitForTimeout(61_000 - sinceMidnight);

  const { token } = await openSignedIn(page);
  await apiCall(page, token, 'POST', '/broker/connect', { broker: 'paper', label: 'Paper desk' });
  await page.reload();

  await test.step('the form says the exchange, the zone and the account before saving', async () => {
    await page.getByRole('button', { name: 'New strategy' }).click();
    const f = strategyInputs(page);
    const where = f.form.getByTestId('form-where');
    // No hidden "broker's default": the paper account's first exchange is shown, with its zone.
    await expect(f.exchange.locator('option', { hasText: "Broker's default" })).toHaveCount(0);
    await expect(f.exchange).toHaveValue('NSE');
    await expect(where).toContainText('on NSE, BUY and SELL times in Asia/Kolkata (Kolkata time), with Paper desk PAPER');
    await fillStrategy(page, { symbol: 'btc', exchange: 'CRYPTO', qty: '1', buyTime: '00:00:01', sellTime: '00:00:30', stopLoss: '1' });
    await expect(where).toContainText('Trades BTC on CRYPTO, BUY and SELL times in UTC, with Paper desk PAPER');
    await expect(f.timezone).toHaveAttribute('placeholder', 'UTC');
    await screens.snap('17-form-where-and-when');
    await f.submit.click();
    await expect(page.getByRole('status').filter({ hasText: 'BTC found on CRYPTO, times in UTC' })).toBeVisible();
  });

  const row = strategyRow(page, 'BTC');
  await test.step('the row names the account with its PAPER badge', async () => {
    await expect(row.getByTestId('account-tag')).toHaveText('Paper desk PAPER');
    await expect(row.locator('.money--paper')).toBeVisible();
  });

  await test.step('START after today\'s BUY time says it armed for tomorrow, and why', async () => {
    await row.getByRole('button', { name: /^Start BTC/ }).click();
    await expect(page.locator('.toasts')).toContainText(/Armed for \w{3} \d{1,2} \w{3}, not today: today's BUY time 00:00 UTC has passed\. BUY \w{3} \d{1,2} \w{3} 00:00:01 UTC\./);
    const next = row.getByTestId('next-trigger');
    // In the last hour before midnight the countdown reads in minutes and seconds (renderer/src/lib/format.ts countdown).
    await expect(next).toContainText(/^BUY \w{3} \d{1,2} \w{3} 00:00:01 UTC, in (\d+h \d\dm|\d+m \d\ds|\d+s)/);
    // The trader's own clock (Kolkata, UTC+5:30) beside it.
    await expect(next).toContainText(/\w{3} \d{1,2} \w{3} 05:30:01 your time \(Kolkata\)/);
    await expect(page.getByTestId('live-armed')).toHaveAccessibleName('PAPER only: no live account armed');
    await screens.snap('17-armed-for-tomorrow');
  });

  await test.step('the detail page shows the account, the trigger with zones, and zone-qualified journal times', async () => {
    await row.getByRole('link').click();
    await expect(page.getByRole('heading', { name: /BTC/, level: 1 })).toBeVisible();
    await expect(page.getByTestId('account-tag').first()).toHaveText('Paper desk PAPER');
    await expect(page.getByTestId('next-trigger')).toContainText(/BUY \w{3} \d{1,2} \w{3} 00:00:01 UTC, in (\d+h|\d+m \d\ds|\d+s)/);
    const armed = page.getByRole('list', { name: 'Audit log entries' }).locator('li').first();
    await expect(armed).toContainText(/\w{3} \d{1,2} \w{3} \d\d:\d\d:\d\d\.\d{3} UTC/);
    await expect(armed).toContainText(/BUY \w{3} \d{1,2} \w{3} 00:00:01\.000 UTC/);
    await screens.snap('17-detail-where-and-when');
  });

  await test.step('the kill switch names the account it touches', async () => {
    await page.getByRole('button', { name: 'Stop all' }).click();
    const dialog = page.getByRole('dialog', { name: 'Stop everything?' });
    await expect(dialog.getByRole('list', { name: 'Accounts touched' })).toContainText('Paper desk PAPER');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });
});
