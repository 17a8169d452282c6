/**
 * Small things a trader sees on screen (issue 17): a stopped strategy's last action says it was
 * stopped, and when; a second tab keeps the session and a sign-out ends it in every tab; the fill
 * labels on a phone's chart stay inside the chart; and no screen logs a console error (the CSP's
 * `ws://[::1]` source used to, on every load).
 */
import type { Locator, Page } from '@playwright/test';
import { armedTimes, awayFromMidnight, expect, test, VIEWPORTS } from './support/fixtures';
import { apiCall, openSignedIn, stateOf, strategyRow } from './support/trader-ui';

/** Paper account with BTC held at 100, then 103 a few seconds after the BUY. */
async function paperAccount(page: Page, token: string): Promise<number> {
  const account = await apiCall<{ id: number }>(page, token, 'POST', '/broker/connect', {
    broker: 'paper',
    label: 'Paper desk',
    options: { tickIntervalMs: 250, scripts: { 'CRYPTO:BTC': [{ afterMs: 0, price: 100 }, { afterMs: 7_000, price: 103 }] } },
  });
  return account.id;
}

async function createBtc(page: Page, token: string, accountId: number, buyInMs: number, sellInMs: number): Promise<number> {
  const s = await apiCall<{ id: number }>(page, token, 'POST', '/strategy/create', {
    broker_account_id: accountId,
    symbol: 'BTC',
    exchange: 'CRYPTO',
    qty: 2,
    ...armedTimes(buyInMs, sellInMs),
    stop_loss: 50,
    timezone: 'UTC',
  });
  return s.id;
}

test('a stopped strategy reads "Stopped", with the time of the stop, in the list and on its page', async ({ page, screens }) => {
  const { token } = await openSignedIn(page);
  const id = await createBtc(page, token, await paperAccount(page, token), 3_600_000, 5_400_000);
  await apiCall(page, token, 'POST', '/strategy/start', { strategy_id: id });
  await page.reload();

  const row = strategyRow(page, 'BTC');
  const lastAction = row.getByTestId('last-action');
  await expect(lastAction).toContainText('Armed');
  await row.getByRole('button', { name: /^Stop BTC/ }).click();
  await expect(stateOf(row)).toHaveText('Stopped');
  await expect(lastAction).toHaveText(/^Stopped\d\d:\d\d:\d\d$/);
  await screens.snap('17-stopped-last-action');

  // Still so after a reload (it is the engine's record, not the page's memory), and on the detail page.
  await page.reload();
  await expect(lastAction).toHaveText(/^Stopped\d\d:\d\d:\d\d$/);
  await row.getByRole('link').click();
  await expect(page.getByTestId('last-action')).toHaveText(/^Stopped \d\d:\d\d:\d\d$/);
});

test('a second tab keeps the session, and signing out in one tab signs out both', async ({ page, screens }) => {
  await openSignedIn(page);
  const second = await page.context().newPage();
  await second.goto('/');
  await expect(second.getByRole('heading', { name: 'Strategies', level: 1 })).toBeVisible();
  await expect(second.getByRole('heading', { name: /Sign in|Create your account/ })).toHaveCount(0);
  // A reload keeps it too.
  await second.reload();
  await expect(second.getByRole('heading', { name: 'Strategies', level: 1 })).toBeVisible();

  await second.getByRole('button', { name: 'Sign out' }).click();
  await expect(second.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'You signed out in another tab.' })).toBeVisible();
  await screens.snap('17-signed-out-in-another-tab');

  // No tab holds a session any more: a new one asks to sign in.
  const third = await page.context().newPage();
  await third.goto('/');
  await expect(third.getByRole('heading', { name: 'Sign in' })).toBeVisible();
});

/** Every fill label's box lies inside the chart's box (to the pixel). */
async function expectLabelsInside(chart: Locator, count: number): Promise<void> {
  const labels = chart.locator('.chart__label:not([hidden])');
  await expect(labels).toHaveCount(count);
  await expect
    .poll(async () => {
      const outer = (await chart.boundingBox())!;
      const outside: string[] = [];
      for (const label of await labels.all()) {
        const b = (await label.boundingBox())!;
        const inside = b.x >= outer.x && b.y >= outer.y && b.x + b.width <= outer.x + outer.width + 0.5 && b.y + b.height <= outer.y + outer.height + 0.5;
        if (!inside) outside.push(`${await label.textContent()} at ${JSON.stringify(b)} (chart ${JSON.stringify(outer)})`);
      }
      return outside;
    })
    .toEqual([]);
}

test('the chart keeps its BUY and SELL labels inside the chart at desktop and phone widths', async ({ page, screens }) => {
  test.setTimeout(180_000);
  await awayFromMidnight(page, 2 * 60_000);
  const { token } = await openSignedIn(page);
  // The BUY is the first point of the chart and the SELL its last: both at an edge.
  const id = await createBtc(page, token, await paperAccount(page, token), 4_000, 11_000);
  await apiCall(page, token, 'POST', '/strategy/start', { strategy_id: id });
  await page.goto(`/#/strategies/${id}`);
  await expect(stateOf(page)).toHaveText('Sold', { timeout: 30_000 });

  const chart = page.getByRole('figure', { name: /^Price chart of BTC.*2 fills marked/ });
  await expect(chart).toBeVisible();
  await screens.snap('17-chart-labels');
  // Narrowed once the prices have stopped (the strategy is over): the resize alone must bring the
  // first fill back into view.
  for (const size of [VIEWPORTS.phone, VIEWPORTS.desktop, VIEWPORTS.phone]) {
    await page.setViewportSize(size);
    await expectLabelsInside(chart, 2);
    await expect(chart.locator('.chart__label[data-leg="BUY"]')).toHaveText('BUY 100.00');
    await expect(chart.locator('.chart__label[data-leg="SELL"]')).toHaveText('SELL 103.00');
  }
});

test('no screen logs a console error or a CSP violation', async ({ page, screens }) => {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));

  await page.goto('/');
  await expect(page.getByRole('heading', { name: /Create your account|Sign in/ })).toBeVisible();
  const { token } = await openSignedIn(page);
  await createBtc(page, token, await paperAccount(page, token), 3_600_000, 5_400_000);
  const nav = page.getByRole('navigation', { name: 'Main' });
  const screensToVisit: readonly [string, () => Promise<void>][] = [
    ['Strategies', () => nav.getByRole('link', { name: 'Strategies' }).click()],
    ['BTC', () => strategyRow(page, 'BTC').getByRole('link').click()],
    ['History', () => nav.getByRole('link', { name: 'History' }).click()],
    ['Brokers', () => nav.getByRole('link', { name: 'Brokers' }).click()],
  ];
  for (const [heading, open] of screensToVisit) {
    await open();
    await expect(page.getByRole('heading', { name: new RegExp(heading), level: 1 })).toBeVisible();
    // Loaded afresh too: the CSP error came with each document load.
    await page.reload();
    await expect(page.getByRole('heading', { name: new RegExp(heading), level: 1 })).toBeVisible();
    // The app's own WebSocket connects under the CSP.
    await expect(page.getByRole('status', { name: 'Engine connection: Live' })).toBeVisible();
  }
  expect(problems).toEqual([]);
  await screens.snap('17-brokers-no-console-errors');
});
