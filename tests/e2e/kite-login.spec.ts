/**
 * Kite's daily login in a real browser, against the Kite fake on loopback and a real daemon:
 * connect Kite from the form (broker kinds from GET /broker/kinds) with only key and secret →
 * "Login needed" → "Log in to Kite" opens the fake's login page in a new tab, which redirects to
 * the daemon's callback ("logged in until …") → the brokers page hears of it over the socket and
 * shows the expiry in local time. Then the paste-by-hand path on a second account: a bad paste is
 * named under the field, a request token logs it in. And the pre-market warning
 * (broker_login_required) shown until dismissed.
 */
import type { Page, WebSocketRoute } from '@playwright/test';
import { startKiteFake, type KiteFake } from '../fakes/kite/kite-fake';
import { expect, test } from './support/fixtures';
import { apiCall, fieldError, openSignedIn } from './support/trader-ui';

let kite: KiteFake;
test.beforeEach(async ({ daemon }) => {
  kite = await startKiteFake();
  kite.setRedirectUrl(new URL('/broker/login/callback', daemon.url).href);
});
test.afterEach(async () => {
  await kite.close();
});

interface AccountDto {
  id: number;
  label: string;
  status: string;
  session: { state: string; expires_at: number | null } | null;
}

/** What the renderer prints for a moment: local "YYYY-MM-DD HH:MM", in the browser's time zone. */
const localDayTime = (page: Page, ms: number) =>
  page.evaluate((at) => {
    const d = new Date(at);
    const p = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
  }, ms);

async function connectKite(page: Page, label: string): Promise<void> {
  const form = page.getByRole('form', { name: 'Connect a broker' });
  await form.getByLabel('Broker', { exact: true }).selectOption('kite');
  await form.getByLabel('Name (optional)', { exact: true }).fill(label);
  await form.getByLabel('API key', { exact: true }).fill(kite.apiKey);
  await expect(form.getByLabel('API secret', { exact: true })).toHaveAttribute('type', 'password');
  await form.getByLabel('API secret', { exact: true }).fill(kite.apiSecret);
  await form.getByLabel('Advanced options (JSON, optional)').fill(JSON.stringify(kite.options(), null, 2));
  await form.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(page.getByRole('listitem', { name: `${label} (kite)` })).toBeVisible();
}

test('Kite: connect, log in through the broker redirect, and by pasting a request token', async ({ page, screens, daemon }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  const { token } = await openSignedIn(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Brokers' }).click();
  await expect(page.getByRole('heading', { name: 'Brokers', level: 1 })).toBeVisible();

  await test.step('the connect form offers what the engine registers', async () => {
    const kinds = await apiCall<{ kinds: Array<{ broker: string; title: string }> }>(page, token, 'GET', '/broker/kinds');
    const select = page.getByRole('form', { name: 'Connect a broker' }).getByLabel('Broker', { exact: true });
    await expect(select.locator('option')).toHaveText(kinds.kinds.map((k) => k.title));
    // Paper keeps its simulation options; Kite has key, secret (masked) and optional token inputs.
    await expect(page.getByLabel('Simulation options (JSON, optional)')).toBeVisible();
    await select.selectOption('kite');
    await expect(page.getByLabel('Access token (optional)')).toHaveAttribute('type', 'password');
    await expect(page.getByLabel('API key', { exact: true })).toHaveAttribute('type', 'text');
  });

  const account = page.getByRole('listitem', { name: 'Zerodha (kite)' });
  await test.step('connected with key and secret only, it needs a login', async () => {
    await connectKite(page, 'Zerodha');
    await expect(account).toContainText('login_required');
    await expect(account.getByTestId('broker-login-state')).toHaveText('Login needed');
    await expect(page.getByText(kite.apiSecret)).toHaveCount(0);
    await screens.snap('kite-01-login-needed');
  });

  await test.step('"Log in to Kite" opens the broker login, which comes back to the daemon', async () => {
    const requested: string[] = [];
    page.context().on('request', (r) => requested.push(r.url()));
    const opened = page.context().waitForEvent('page');
    await account.getByRole('button', { name: 'Log in to Kite' }).click();
    const tab = await opened;
    await tab.waitForURL((url) => url.pathname === '/broker/login/callback');
    expect(requested.some((u) => u.startsWith(kite.loginUrl))).toBe(true);
    expect(new URL(tab.url()).origin).toBe(new URL(daemon.url).origin);
    await expect(tab.getByRole('heading', { name: 'Logged in' })).toBeVisible();
    await expect(tab.locator('body')).toContainText(/Zerodha is logged in until \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    await tab.close();
  });

  await test.step('back on the brokers page, without a reload, the account shows it and until when', async () => {
    await expect(account.getByTestId('broker-login-state')).toContainText('Logged in until');
    const [stored] = (await apiCall<{ accounts: AccountDto[] }>(page, token, 'GET', '/broker')).accounts.filter((a) => a.label === 'Zerodha');
    expect(stored).toMatchObject({ status: 'connected', session: { state: 'valid' } });
    const until = await localDayTime(page, stored!.session!.expires_at!);
    await expect(account.getByTestId('broker-login-state')).toHaveText(`Logged in until ${until}`);
    await expect(account).toContainText('connected');
    await expect(account).not.toContainText('login_required');
    // Logged in, the by-hand path folds away but stays reachable.
    await expect(account.getByLabel('Paste redirect URL or request token')).toBeHidden();
    await account.getByText('Finish a login by hand').focus();
    await page.keyboard.press('Enter');
    await expect(account.getByLabel('Paste redirect URL or request token')).toBeVisible();
    await page.keyboard.press('Enter');
    await expect(account.getByLabel('Paste redirect URL or request token')).toBeHidden();
    await screens.snap('kite-02-logged-in');
  });

  const byHand = page.getByRole('listitem', { name: 'Zerodha by hand (kite)' });
  await test.step('the paste path: a bad paste is named under the field, a request token logs in', async () => {
    await connectKite(page, 'Zerodha by hand');
    await expect(byHand.getByTestId('broker-login-state')).toHaveText('Login needed');
    const paste = byHand.getByLabel('Paste redirect URL or request token');
    await paste.fill('https://example.invalid/?status=cancelled');
    await byHand.getByRole('button', { name: 'Finish login' }).click();
    await expect(fieldError(byHand, 'redirect')).toContainText('cancelled');
    await expect(paste).toHaveAttribute('aria-invalid', 'true');
    await screens.snap('kite-03-paste-error');

    await paste.fill(kite.issueRequestToken());
    await byHand.getByRole('button', { name: 'Finish login' }).click();
    await expect(byHand.getByTestId('broker-login-state')).toContainText('Logged in until');
    await expect(fieldError(byHand, 'redirect')).toHaveCount(0);
    await expect(paste).toHaveValue('');
    await expect(page.getByRole('status').filter({ hasText: 'Zerodha by hand is logged in to Kite until' })).toBeVisible();
    await screens.snap('kite-04-paste-logged-in');
  });
  expect(pageErrors).toEqual([]);
});

test('a broker_login_required warning names the strategy and its next order, and can be dismissed', async ({ page, screens }) => {
  // The engine raises it 30 minutes before a BUY on a trading day; here the socket message is
  // injected into the real connection, so the test does not depend on the calendar.
  const sockets: WebSocketRoute[] = [];
  await page.routeWebSocket(/\/events$/, (ws) => {
    ws.connectToServer();
    sockets.push(ws);
  });
  const { token } = await openSignedIn(page);
  await expect(page.getByRole('status', { name: 'Engine connection: Live' })).toBeVisible();
  const kiteAccount = await apiCall<{ id: number }>(page, token, 'POST', '/broker/connect', {
    broker: 'kite',
    label: 'Zerodha',
    credentials: kite.credentials(),
    options: kite.options(),
  });
  const strategy = await apiCall<{ id: number }>(page, token, 'POST', '/strategy/create', {
    broker_account_id: kiteAccount.id,
    symbol: 'INFY',
    exchange: 'NSE',
    qty: 1,
    buy_time: '09:20:00',
    sell_time: '15:10:00',
    stop_loss: 90,
    timezone: 'Asia/Kolkata',
  });
  await page.reload(); // the strategies list picks up the strategy
  await expect(page.getByRole('status', { name: 'Engine connection: Live' })).toBeVisible();
  const firstOrderAt = Date.now() + 25 * 60_000;
  await expect.poll(() => sockets.length).toBeGreaterThan(0);
  sockets.at(-1)!.send(
    JSON.stringify({
      type: 'broker_login_required',
      broker_account_id: kiteAccount.id,
      strategy_id: strategy.id,
      state: 'expired',
      first_order_at: firstOrderAt,
      message: 'Kite login needed: the daily Kite session ended at 06:00 IST. Log in to Kite again from Tradeclock. INFY places its next order at 09:20:00.',
      at: Date.now(),
    }),
  );
  const warning = page.getByTestId('login-warning');
  await expect(warning).toBeVisible();
  await expect(warning).toHaveAttribute('role', 'alert');
  await expect(warning).toContainText(`Kite login needed for strategy INFY (#${strategy.id}).`);
  const at = await page.evaluate((ms) => {
    const d = new Date(ms);
    const p = (n: number) => String(n).padStart(2, '0');
    return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  }, firstOrderAt);
  await expect(warning).toContainText(new RegExp(`Its next order, on Zerodha, is at (${at}|\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d)\\.`));
  await screens.snap('kite-05-login-warning');

  // It stays on every screen until dismissed, and leads to the login.
  await warning.getByRole('link', { name: 'Log in on Brokers' }).click();
  await expect(page.getByRole('heading', { name: 'Brokers', level: 1 })).toBeVisible();
  await expect(warning).toBeVisible();
  await warning.getByRole('button', { name: `Dismiss the login warning for strategy INFY (#${strategy.id})` }).click();
  await expect(page.getByTestId('login-warning')).toHaveCount(0);
});
