/**
 * A trader's own install (the daemon's default): the first visit creates the account, and from
 * then on the engine takes no new accounts, so every browser is offered the sign-in form only,
 * with a sentence saying why and how an owner would allow more.
 */
import { expect, test } from './support/fixtures';
import { startTestDaemon, type RunningDaemon } from './support/daemon';
import { PASSWORD } from './support/trader-ui';

let single: RunningDaemon;
test.beforeAll(async () => {
  single = await startTestDaemon(60_000, { openRegistration: false });
});
test.afterAll(async () => {
  await single?.stop();
});

test('the first account closes registration: sign-in only, and the screen says why', async ({ page, browser, screens }) => {
  await page.goto(`${single.url}/`);
  await expect(page.getByRole('heading', { name: 'Create your account' })).toBeVisible();
  await expect(page.getByRole('note', { name: 'Single-user install' })).toHaveCount(0);
  await page.getByLabel('Email').fill('owner@example.com');
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Confirm password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { name: 'Strategies', level: 1 })).toBeVisible();

  // Another browser, one that never saw this install: the sign-in form, with no way to register.
  const stranger = await browser.newPage();
  await stranger.goto(`${single.url}/`);
  await expect(stranger.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  const note = stranger.getByRole('note', { name: 'Single-user install' });
  await expect(note).toContainText('single-user install');
  await expect(note).toContainText('TRADECLOCK_OPEN_REGISTRATION=1');
  await expect(stranger.getByRole('button', { name: 'Create an account' })).toHaveCount(0);
  await expect(stranger.getByRole('button', { name: 'Create account' })).toHaveCount(0);
  await stranger.close();

  // The owner signs out and back in.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByRole('note', { name: 'Single-user install' })).toBeVisible();
  await screens.snap('17-sign-in-single-user');
  await page.getByLabel('Email').fill('owner@example.com');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Strategies', level: 1 })).toBeVisible();
});

test('a register form left open when the account is made elsewhere turns into sign-in, and says why', async ({ page }) => {
  const other = await startTestDaemon(60_000, { openRegistration: false });
  try {
    await page.goto(`${other.url}/`);
    await expect(page.getByRole('heading', { name: 'Create your account' })).toBeVisible();
    // Meanwhile the account is made from another window.
    const res = await page.request.post(`${other.url}/auth/register`, { data: { email: 'first@example.com', password: PASSWORD } });
    expect(res.status()).toBe(201);
    await page.getByLabel('Email').fill('second@example.com');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Confirm password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await expect(page.getByRole('note', { name: 'Single-user install' })).toBeVisible();
  } finally {
    await other.stop();
  }
});
