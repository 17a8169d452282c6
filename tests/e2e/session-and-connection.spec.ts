/**
 * The parts of the UI around trading: the saved session checked on launch and dropped when the
 * engine revokes it, the "engine disconnected" state and the automatic reconnect (which reloads
 * what was missed), keyboard use, labels on every control, and the themes.
 */
import { awayFromMidnight, expect, test, utcTime } from './support/fixtures';
import type { PageElement, PageGlobals } from './support/page-globals';
import { apiCall, openSignedIn, PASSWORD, stateOf, strategyRow } from './support/trader-ui';

test('a saved session is validated on launch; a revoked one returns to sign-in, and sign-in works from the keyboard', async ({ page, screens }) => {
  const { token, email } = await openSignedIn(page);

  // Launch again: the token in session storage is checked with /auth/validate, no sign-in needed.
  const validated = page.waitForResponse((r) => r.url().endsWith('/auth/validate') && r.status() === 200);
  await page.reload();
  await validated;
  await expect(page.getByRole('heading', { name: 'Strategies', level: 1 })).toBeVisible();

  // This session signed out through the API (as from another tab): the open socket is closed and the UI says why.
  await apiCall(page, token, 'POST', '/auth/logout');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Your session has ended' })).toBeVisible();
  expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).sessionStorage.getItem('tradeclock.token'))).toBeNull();
  await screens.snap('16-sign-in');

  // Keyboard only: the email field has focus, Tab to the password, Enter submits.
  await expect(page.getByLabel('Email')).toBeFocused();
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Password')).toBeFocused();
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Strategies', level: 1 })).toBeVisible();
});

test('the engine going away is shown at once, and the UI reconnects and catches up by itself', async ({ page, screens }) => {
  let blocked = false;
  const open: Array<{ close(opts: { code: number; reason: string }): Promise<void> }> = [];
  await page.routeWebSocket(/\/events$/, (ws) => {
    if (blocked) {
      void ws.close({ code: 4000, reason: 'test: engine unreachable' });
      return;
    }
    ws.connectToServer();
    open.push(ws);
  });
  await awayFromMidnight(page, 5 * 60_000);
  const { token } = await openSignedIn(page);
  await expect(page.getByRole('status', { name: 'Engine connection: Live' })).toBeVisible();
  const [account] = (await apiCall<{ accounts: { id: number }[] }>(page, token, 'GET', '/broker')).accounts;
  const broker = account ?? (await apiCall<{ id: number }>(page, token, 'POST', '/broker/connect', { broker: 'paper' }));

  blocked = true;
  for (const ws of open.splice(0)) await ws.close({ code: 4000, reason: 'test: engine unreachable' });
  const banner = page.getByTestId('engine-disconnected');
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('Engine disconnected');
  await expect(page.getByRole('status', { name: /Engine connection: (Disconnected|Connecting…)/ })).toBeVisible();
  await screens.snap('14-engine-disconnected');

  // Something happens while the UI cannot hear about it.
  await apiCall(page, token, 'POST', '/strategy/create', {
    broker_account_id: broker.id,
    symbol: 'XRP',
    exchange: 'CRYPTO',
    qty: 1,
    buy_time: utcTime(2 * 60_000),
    sell_time: utcTime(3 * 60_000),
    stop_loss: 1,
    timezone: 'UTC',
  });

  blocked = false;
  await expect(page.getByRole('status', { name: 'Engine connection: Live' })).toBeVisible({ timeout: 20_000 });
  await expect(banner).toBeHidden();
  await expect(strategyRow(page, 'XRP')).toBeVisible();
});

test('every control is labelled, dialogs work from the keyboard, and both themes hold', async ({ page, screens }) => {
  await awayFromMidnight(page, 5 * 60_000);
  const { token } = await openSignedIn(page);
  const broker = await apiCall<{ id: number }>(page, token, 'POST', '/broker/connect', { broker: 'paper', label: 'Paper', options: { startPrices: { 'CRYPTO:DOGE': 0.25 }, volatilityBps: 20, tickSize: 0.0001 } });
  const doge = await apiCall<{ id: number }>(page, token, 'POST', '/strategy/create', {
    broker_account_id: broker.id,
    symbol: 'DOGE',
    exchange: 'CRYPTO',
    qty: 1000,
    buy_time: utcTime(3_000),
    sell_time: utcTime(4 * 60_000),
    stop_loss: 0.2,
    timezone: 'UTC',
  });
  await apiCall(page, token, 'POST', '/strategy/start', { strategy_id: doge.id });
  await expect(stateOf(strategyRow(page, 'DOGE'))).toHaveText('In position', { timeout: 15_000 });

  // Visible controls (or ones in an open dialog) whose accessible name would be empty.
  const unlabelled = () =>
    page.locator('button, a[href], input, select, textarea').evaluateAll((nodes) => {
      const doc = (globalThis as unknown as PageGlobals).document;
      return (nodes as unknown as PageElement[])
        .filter((el) => el.offsetParent !== null || el.closest('dialog[open]'))
        .filter((el) => {
          const byRef = (el.getAttribute('aria-labelledby') ?? '')
            .split(/\s+/)
            .map((id) => doc.getElementById(id)?.textContent ?? '')
            .join('');
          const labels = Array.from(el.labels ?? [], (l) => l.textContent ?? '').join('');
          const name = el.getAttribute('aria-label') || byRef || labels || (el.textContent ?? '').trim() || el.getAttribute('title') || '';
          return name.trim() === '';
        })
        .map((el) => el.outerHTML.slice(0, 120));
    });

  expect(await unlabelled()).toEqual([]);
  await page.getByRole('button', { name: 'New strategy' }).click();
  expect(await unlabelled()).toEqual([]);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Brokers' }).click();
  expect(await unlabelled()).toEqual([]);
  await page.goto(`/#/strategies/${doge.id}`);
  await expect(page.getByRole('table', { name: 'Order journal' })).toBeVisible();
  expect(await unlabelled()).toEqual([]);

  // The kill switch from the keyboard: Enter opens, the safe button has focus, Escape cancels
  // and gives focus back.
  const kill = page.getByRole('button', { name: 'Stop all', exact: true });
  await kill.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Stop everything?' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  expect(await unlabelled()).toEqual([]);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(kill).toBeFocused();
  await expect(stateOf(page.getByRole('main'))).toHaveText('In position');

  // Themes: light here (the system's), dark on request, remembered across a reload.
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await expect(page.getByRole('figure', { name: /Price chart of DOGE/ })).toHaveAttribute('data-points', /^[1-9]/);
  await page.waitForTimeout(2_000); // a few seconds of ticks on the chart
  await screens.snap('15-detail-live-light');
  await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await screens.snap('15-detail-live-dark');
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.getByRole('link', { name: '← Strategies' }).click();
  await screens.snap('15-strategies-dark');
  await page.getByRole('button', { name: 'Switch to light theme' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');

  await apiCall(page, token, 'POST', '/strategy/stop-all', { close_positions: true });
  await expect(stateOf(strategyRow(page, 'DOGE'))).toHaveText('Stopped', { timeout: 15_000 });
});

test.describe('with a dark system theme', () => {
  test.use({ colorScheme: 'dark' });

  test('the first screen follows the system preference', async ({ page }) => {
    await page.goto('/');
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await expect(page.getByRole('heading', { name: /Create your account|Sign in/ })).toBeVisible();
  });
});
