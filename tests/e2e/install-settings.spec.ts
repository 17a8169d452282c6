/**
 * The Settings screen's install settings (issue 20): the readiness check's lead and the stale-price
 * bound, read from GET /install-settings; a wrong value named under its field by its label, nothing saved;
 * a good one saved through PATCH /install-settings, applied (the API reads it back) and shown after a
 * reload. The daemon is shared by the specs of this worker: the defaults are put back after.
 */
import { expect, test } from './support/fixtures';
import { apiCall, fieldError, openSignedIn } from './support/trader-ui';

let restore: (() => Promise<void>) | null = null;
test.afterEach(async () => {
  await restore?.();
  restore = null;
});

test('install settings: the readiness lead and the stale bound are validated, saved, applied and shown after a reload', async ({ page, screens }) => {
  const { token } = await openSignedIn(page);
  restore = async () => void (await apiCall(page, token, 'PATCH', '/install-settings', { readiness_lead_minutes: 5, stale_price_seconds: 15 }));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  const form = page.getByRole('form', { name: 'Checks before and during a trade' });
  const lead = form.getByLabel('Readiness check lead (minutes)');
  const stale = form.getByLabel('Stale price after (seconds)');
  await expect(lead).toHaveValue('5');
  await expect(stale).toHaveValue('15');
  await expect(form.getByText('Whole minutes, 1 to 240 (default 5).')).toBeVisible();

  // Both wrong: each named under its field, by its label; nothing is saved.
  await lead.fill('0');
  await stale.fill('half a minute');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(fieldError(form, 'readiness_lead_minutes')).toHaveText('Readiness check lead must be a whole number of minutes from 1 to 240');
  await expect(fieldError(form, 'stale_price_seconds')).toHaveText('Stale price after must be a whole number of seconds from 5 to 600');
  await expect(lead).toHaveAttribute('aria-invalid', 'true');
  expect(await apiCall(page, token, 'GET', '/install-settings')).toMatchObject({ readiness_lead_minutes: 5, stale_price_seconds: 15 });
  await screens.snap('settings-install-errors');

  await lead.fill('15');
  await stale.fill('30');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByRole('status')).toHaveText('Saved. The readiness check runs 15 min before each entry; a silent price stream is cross-checked after 30 s.');
  await expect(fieldError(form, 'readiness_lead_minutes')).toHaveCount(0);
  expect(await apiCall(page, token, 'GET', '/install-settings')).toMatchObject({ readiness_lead_minutes: 15, stale_price_seconds: 30 });

  await page.reload();
  await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
  await expect(lead).toHaveValue('15');
  await expect(stale).toHaveValue('30');
});
