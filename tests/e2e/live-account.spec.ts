/**
 * Which money, with real money (issue 17): an Alpaca account connected with `paper: false` (its
 * endpoints pointed at the loopback Alpaca fake) carries a LIVE badge on the row, the detail page
 * and the STOP dialog; START asks first, naming the account, and Cancel starts nothing; the header
 * says a LIVE strategy is armed; the kill switch names the live account (and the paper one) and,
 * pressed, sells the live position at that account.
 *
 * The daemon runs with the always-open calendar test hook so a US-equity strategy trades on any
 * day, its times written in UTC.
 */
import type { Page } from '@playwright/test';
import { startFakeAlpaca, type FakeAlpaca } from '../fakes/alpaca/fake-alpaca';
import { startTestDaemon, type RunningDaemon } from './support/daemon';
import { armedTimes, awayFromMidnight, expect, test as base, utcTime, utcTimeToday, VIEWPORTS } from './support/fixtures';
import { apiCall, openSignedIn, stateOf, strategyRow } from './support/trader-ui';

/** The account's orders at the fake, oldest first, as "side qty symbol type status". */
function ordersAt(alpaca: FakeAlpaca): string[] {
  return alpaca
    .orders()
    .sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)))
    .map((o) => `${o.side} ${o.qty} ${o.symbol} ${o.type} ${o.status}`);
}

const test = base.extend<{ alpaca: FakeAlpaca }, { daemon: RunningDaemon }>({
  daemon: [
    async ({}, use) => {
      const daemon = await startTestDaemon(60_000, { env: { TRADECLOCK_TEST_HOOKS: '1', TRADECLOCK_TEST_CALENDAR: 'always-open' } });
      try {
        await use(daemon);
      } finally {
        await daemon.stop();
      }
    },
    { scope: 'worker', timeout: 90_000 },
  ],
  alpaca: async ({}, use) => {
    const fake = await startFakeAlpaca({ prices: { AAPL: 190 } });
    try {
      await use(fake);
    } finally {
      await fake.close();
    }
  },
});

const LIVE_TAG = 'Alpaca live LIVE';

/** On a phone the top bar's controls (LIVE badge, kill switch…) do not run over the brand. */
async function expectTopBarClear(page: Page): Promise<void> {
  const brand = (await page.getByRole('link', { name: 'Tradeclock home' }).boundingBox())!;
  for (const tool of await page.locator('.topbar__tools > *').all()) {
    const b = await tool.boundingBox();
    if (b === null) continue;
    const clear = b.x >= brand.x + brand.width || b.y >= brand.y + brand.height || b.y + b.height <= brand.y;
    expect({ tool: await tool.textContent(), clear }).toEqual({ tool: await tool.textContent(), clear: true });
  }
}

async function strategyStatus(page: Page, token: string, id: number): Promise<string> {
  return (await apiCall<{ status: string }>(page, token, 'GET', `/strategy/${id}`)).status;
}

test('a LIVE account is named and badged before and after START, in the header, the STOP dialog and the kill switch', async ({ page, alpaca, screens }) => {
  test.setTimeout(180_000);
  await awayFromMidnight(page, 10 * 60_000);
  const { token } = await openSignedIn(page);
  const live = await apiCall<{ id: number; mode: string }>(page, token, 'POST', '/broker/connect', {
    broker: 'alpaca',
    label: 'Alpaca live',
    credentials: alpaca.credentials(),
    options: { ...alpaca.connectOptions(), paper: false },
  });
  expect(live.mode).toBe('live');
  const paper = await apiCall<{ id: number }>(page, token, 'POST', '/broker/connect', { broker: 'paper', label: 'Paper desk' });
  // Paper BTC armed an hour out: running, but not real money.
  const btc = await apiCall<{ id: number }>(page, token, 'POST', '/strategy/create', {
    broker_account_id: paper.id,
    symbol: 'BTC',
    exchange: 'CRYPTO',
    qty: 1,
    ...armedTimes(3_600_000, 5_400_000),
    stop_loss: 1,
    timezone: 'UTC',
  });
  await apiCall(page, token, 'POST', '/strategy/start', { strategy_id: btc.id });
  // Live AAPL: its BUY comes once START has been confirmed in the browser.
  const aapl = await apiCall<{ id: number }>(page, token, 'POST', '/strategy/create', {
    broker_account_id: live.id,
    symbol: 'AAPL',
    exchange: 'NASDAQ',
    qty: 3,
    buy_time: utcTime(25_000),
    // An hour out, or before midnight: the test ends (with the kill switch) minutes before either.
    sell_time: utcTimeToday(3_600_000, 2 * 60_000),
    stop_loss: 150,
    timezone: 'UTC',
  });
  await page.reload();

  const row = strategyRow(page, 'AAPL');
  const header = page.getByTestId('live-armed');

  await test.step('the row names the live account with its LIVE badge; the header says only paper is armed', async () => {
    await expect(row.getByTestId('account-tag')).toHaveText(LIVE_TAG);
    await expect(row.locator('.money--live')).toBeVisible();
    await expect(strategyRow(page, 'BTC').getByTestId('account-tag')).toHaveText('Paper desk PAPER');
    await expect(header).toHaveAccessibleName('PAPER only: no live account armed');
  });

  await test.step('START asks first, naming the live account; Cancel starts nothing', async () => {
    await row.getByRole('button', { name: /^Start AAPL/ }).click();
    const confirm = page.getByRole('dialog', { name: `Start AAPL (#${aapl.id}) with real money?` });
    await expect(confirm).toBeVisible();
    await expect(confirm.getByTestId('account-tag')).toHaveText(LIVE_TAG);
    await expect(confirm).toContainText('BUY 3 AAPL on NASDAQ');
    await screens.snap('17-live-start-confirm');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await expect(confirm).toBeHidden();
    await expect(row.getByRole('button', { name: /^Start AAPL/ })).toBeVisible();
    expect(await strategyStatus(page, token, aapl.id)).toBe('idle');
    await expect(header).toHaveAccessibleName('PAPER only: no live account armed');
  });

  await test.step('confirmed, it starts, and the header says a LIVE strategy is armed', async () => {
    await row.getByRole('button', { name: /^Start AAPL/ }).click();
    await page.getByRole('dialog', { name: /with real money\?$/ }).getByRole('button', { name: 'Start on LIVE account' }).click();
    await expect(stateOf(row)).toHaveText('Armed');
    expect(await strategyStatus(page, token, aapl.id)).toBe('running');
    await expect(header).toHaveAccessibleName('LIVE: 1 armed on live accounts');
    await expect(header.locator('.money--live')).toHaveText('LIVE');
    await page.setViewportSize(VIEWPORTS.phone);
    await expect(header).toBeVisible();
    await expectTopBarClear(page);
    await page.setViewportSize(VIEWPORTS.desktop);
    await screens.snap('17-live-armed');
  });

  await test.step('in position at the live account, STOP asks first and names it', async () => {
    await expect(stateOf(row)).toHaveText('In position', { timeout: 40_000 });
    // The BUY, and the backstop the live account rests at Alpaca by default: a stop SELL of the shares.
    await expect.poll(() => ordersAt(alpaca)).toEqual(['buy 3 AAPL market filled', 'sell 3 AAPL stop new']);
    await row.getByRole('button', { name: /^Stop AAPL/ }).click();
    const stop = page.getByRole('dialog', { name: `Stop AAPL (#${aapl.id})?` });
    await expect(stop.getByTestId('account-tag')).toHaveText(LIVE_TAG);
    await expect(stop.locator('.money--live')).toBeVisible();
    await screens.snap('17-live-stop-dialog');
    await stop.getByRole('button', { name: 'Cancel' }).click();
    await expect(stop).toBeHidden();
    expect(await strategyStatus(page, token, aapl.id)).toBe('running');
  });

  await test.step('the detail page shows the live account', async () => {
    await row.getByRole('link').click();
    await expect(page.getByRole('heading', { name: /AAPL/, level: 1 })).toBeVisible();
    await expect(page.getByTestId('account-tag').first()).toHaveText(LIVE_TAG);
    await expect(page.locator('.money--live').first()).toBeVisible();
    await screens.snap('17-live-detail');
  });

  await test.step('the kill switch names the live account and the paper one, and sells at the live account', async () => {
    await page.getByRole('button', { name: 'Stop all' }).click();
    const kill = page.getByRole('dialog', { name: 'Stop everything?' });
    const touched = kill.getByRole('list', { name: 'Accounts touched' });
    await expect(touched.getByRole('listitem')).toHaveCount(2);
    await expect(touched).toContainText(LIVE_TAG);
    await expect(touched).toContainText('Paper desk PAPER');
    await screens.snap('17-live-kill-switch');
    await kill.getByRole('button', { name: 'Stop all and exit all' }).click();
    await expect(kill).toBeHidden();
    // The backstop cancelled first (Alpaca holds the shares for it), then one SELL: never two.
    await expect.poll(() => ordersAt(alpaca)).toEqual(['buy 3 AAPL market filled', 'sell 3 AAPL stop canceled', 'sell 3 AAPL market filled']);
    await expect(stateOf(page)).toHaveText('Stopped', { timeout: 20_000 });
    await expect(header).toHaveCount(0);
  });
});
