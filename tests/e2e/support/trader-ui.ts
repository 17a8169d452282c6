/**
 * Steps a trader takes in the UI, named as the trader would say them. They use what a screen
 * reader sees (roles, labels) so a control that loses its label breaks a test.
 */
import { expect, type Locator, type Page } from '@playwright/test';
import type { PageGlobals } from './page-globals';

export const PASSWORD = 'correct horse battery staple';

export interface StrategyInput {
  readonly symbol: string;
  readonly exchange?: string;
  readonly qty?: string;
  readonly buyTime?: string;
  readonly sellTime?: string;
  readonly stopLoss?: string;
  readonly timezone?: string;
}

/** The form's inputs by their visible labels. */
export function strategyInputs(page: Page) {
  const form = page.getByRole('form', { name: /New strategy|Edit / });
  return {
    form,
    symbol: form.getByLabel('Symbol', { exact: true }),
    exchange: form.getByLabel('Exchange', { exact: true }),
    qty: form.getByLabel('Quantity', { exact: true }),
    buyTime: form.getByLabel('BUY time', { exact: true }),
    sellTime: form.getByLabel('SELL time', { exact: true }),
    stopLoss: form.getByLabel('Stop-loss', { exact: true }),
    stopLossUnit: form.getByLabel('Stop-loss unit', { exact: true }),
    target: form.getByLabel('Target', { exact: true }),
    targetUnit: form.getByLabel('Target unit', { exact: true }),
    trail: form.getByLabel('Trailing stop', { exact: true }),
    trailUnit: form.getByLabel('Trailing stop unit', { exact: true }),
    moveToCost: form.getByLabel('Move stop to cost after', { exact: true }),
    moveToCostUnit: form.getByLabel('Move stop to cost unit', { exact: true }),
    timezone: form.getByLabel('Time zone', { exact: true }),
    submit: form.getByRole('button', { name: /Create strategy|Save changes/ }),
  };
}

/** The inline error shown under the input the API named. */
export const fieldError = (scope: Page | Locator, field: string): Locator => scope.locator(`[data-field-error="${field}"]`);

export async function fillStrategy(page: Page, s: StrategyInput): Promise<void> {
  const f = strategyInputs(page);
  await f.symbol.fill(s.symbol);
  if (s.exchange !== undefined) await f.exchange.selectOption(s.exchange);
  await f.qty.fill(s.qty ?? '');
  await f.buyTime.fill(s.buyTime ?? '');
  await f.sellTime.fill(s.sellTime ?? '');
  await f.stopLoss.fill(s.stopLoss ?? '');
  await f.timezone.fill(s.timezone ?? '');
}

/** Opens the form, fills it, submits, and waits for the new strategy's row. */
export async function createStrategy(page: Page, s: StrategyInput): Promise<Locator> {
  await page.getByRole('button', { name: 'New strategy' }).click();
  await fillStrategy(page, s);
  await strategyInputs(page).submit.click();
  await expect(strategyInputs(page).form).toBeHidden();
  const row = strategyRow(page, s.symbol);
  await expect(row).toBeVisible();
  return row;
}

export const strategyRow = (page: Page, symbol: string): Locator => page.getByRole('row', { name: new RegExp(`^Strategy ${symbol} \\(#\\d+\\)$`) });

/** The state badge of a row or of the detail page. */
export const stateOf = (scope: Locator | Page): Locator => scope.locator('.badge[data-state]').first();

let accounts = 0;

/**
 * Setup a test is not about, done through the API the UI uses: a fresh account (unique per
 * call), its token put where the browser UI keeps it, and the app opened signed in.
 */
export async function openSignedIn(page: Page): Promise<{ token: string; email: string }> {
  const email = `trader${++accounts}-${Date.now()}@example.com`;
  const res = await page.request.post('/auth/register', { data: { email, password: PASSWORD } });
  expect(res.status(), await res.text()).toBe(201);
  const { token } = (await res.json()) as { token: string };
  await page.goto('/');
  await page.evaluate((t) => {
    const w = globalThis as unknown as PageGlobals;
    w.sessionStorage.setItem('tradeclock.token', t);
    w.localStorage.setItem('tradeclock.has-account', '1');
  }, token);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Strategies', level: 1 })).toBeVisible();
  return { token, email };
}

/** An authenticated JSON call, for setup only. */
export async function apiCall<T = unknown>(page: Page, token: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, data?: unknown): Promise<T> {
  const res = await page.request.fetch(path, { method, headers: { authorization: `Bearer ${token}` }, ...(data === undefined ? {} : { data }) });
  expect(res.ok(), `${method} ${path}: ${res.status()} ${await res.text()}`).toBe(true);
  return (res.status() === 204 ? null : await res.json()) as T;
}

/** AAPL stands still at 187.50 on NASDAQ (no walk): the price the form shows and weighs levels against. */
export const STILL_PAPER_OPTIONS = { volatilityBps: 0, startPrices: { 'NASDAQ:AAPL': 187.5 } };

/** Signs in, connects that still paper account, and opens the strategy form; answers its inputs. */
export async function openFormWithPaper(page: Page) {
  const { token } = await openSignedIn(page);
  await apiCall(page, token, 'POST', '/broker/connect', { broker: 'paper', label: 'Paper', options: STILL_PAPER_OPTIONS });
  await page.reload();
  await page.getByRole('button', { name: 'New strategy' }).click();
  return strategyInputs(page);
}
