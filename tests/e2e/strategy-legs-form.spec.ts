/**
 * Re-entries, weekdays and the square-off time built in the strategy form, saved, and read back
 * by an edit after a reload: each field labelled in words, the re-entry kind and cut-off shown
 * only while re-entries are above 0, the weekdays as Mon … Sun toggles only for a daily strategy,
 * sent as a list of the days ticked or not at all. Hiding a field the strategy had removes it.
 */
import { expect, test } from './support/fixtures';
import { contrastProblems, seriousViolations, THEMES, useSystemTheme, weakControlBoundaries } from './support/axe';
import { fillStrategy, openFormWithPaper, strategyInputs, strategyRow } from './support/trader-ui';

async function openLegsForm(page: import('@playwright/test').Page) {
  await openFormWithPaper(page);
  return legInputs(page);
}

/** The form's inputs, the re-entry and days ones included, by their visible labels. */
function legInputs(page: import('@playwright/test').Page) {
  const f = strategyInputs(page);
  return {
    ...f,
    reentryGroup: f.form.locator('details[data-group="reentry"]'),
    daysGroup: f.form.locator('details[data-group="days"]'),
    reentries: f.form.getByLabel('Re-entries', { exact: true }),
    reentryAfter: f.form.getByLabel('Re-enter after', { exact: true }),
    cutoff: f.form.getByLabel('Re-entry cut-off', { exact: true }),
    squareOff: f.form.getByLabel('Square-off time', { exact: true }),
    repeat: f.form.getByLabel('Repeat', { exact: true }),
    weekdays: f.form.getByRole('group', { name: 'Weekdays' }),
    day: (name: string) => f.form.getByRole('group', { name: 'Weekdays' }).getByRole('checkbox', { name, exact: true }),
  };
}

const editRow = async (page: import('@playwright/test').Page) => {
  await strategyRow(page, 'AAPL').getByRole('button', { name: /^Edit AAPL/ }).click();
  return legInputs(page);
};

test('a re-entry strategy is built in the form, saved and read back; re-entries at 0 hide and remove the cut-off', async ({ page, screens }) => {
  const f = await openLegsForm(page);
  // Folded until used, saying nothing while it re-enters never.
  await expect(f.reentryGroup).not.toHaveAttribute('open');
  await expect(f.reentryGroup.locator('summary')).toHaveText('Re-entry');
  await f.reentryGroup.locator('summary').click();
  await expect(f.reentries).toHaveAccessibleDescription(/How many times to enter again the same day after an exit; 0: never/);
  await expect(f.reentries).toHaveAttribute('placeholder', '0');
  // The kind and the cut-off apply only with re-entries.
  await expect(f.reentryAfter).toHaveCount(0);
  await expect(f.cutoff).toHaveCount(0);
  await f.reentries.fill('2');
  await expect(f.reentryAfter).toBeVisible();
  await expect(f.reentryAfter.locator('option')).toHaveText(['A stop-loss (or trailing stop) exit', 'A target exit', 'Either exit']);
  await expect(f.reentryAfter).toHaveValue('stop_loss');
  await expect(f.cutoff).toHaveAttribute('placeholder', 'HH:MM:SS');
  await expect(f.cutoff).toHaveAccessibleDescription(/No re-entry at or after this time/);

  await fillStrategy(page, { symbol: 'AAPL', exchange: 'NASDAQ', qty: '2', buyTime: '09:30', sellTime: '15:55', stopLoss: '2' });
  await f.stopLossUnit.selectOption('points');
  await f.target.fill('3');
  await f.targetUnit.selectOption('points');
  await f.reentryAfter.selectOption({ label: 'Either exit' });
  await f.cutoff.fill('11:30');
  await f.squareOff.fill('15:58');
  await screens.snap('form-reentry');
  const created = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/strategy/create'));
  await f.submit.click();
  expect((await created).postDataJSON()).toMatchObject({ stop_loss: 2, stop_loss_mode: 'points', reentries: 2, reentry_after: 'either', reentry_cutoff: '11:30', square_off_time: '15:58' });
  await expect(f.form).toBeHidden();

  // Read back after a reload: the group open because the strategy uses it, each value as saved.
  await page.reload();
  let e = await editRow(page);
  await expect(e.reentryGroup).toHaveAttribute('open');
  await expect(e.reentries).toHaveValue('2');
  await expect(e.reentryAfter).toHaveValue('either');
  await expect(e.cutoff).toHaveValue('11:30:00');
  await expect(e.squareOff).toHaveValue('15:58:00');
  await expect(e.stopLossUnit).toHaveValue('points');

  // Re-entries off: the kind and cut-off go, and the cut-off is removed from the strategy.
  await e.reentries.fill('0');
  await expect(e.cutoff).toHaveCount(0);
  await expect(e.reentryAfter).toHaveCount(0);
  await e.squareOff.fill('');
  const patched = page.waitForRequest((r) => r.method() === 'PATCH');
  await e.submit.click();
  const body = (await patched).postDataJSON();
  expect(body).toMatchObject({ reentries: 0, reentry_cutoff: null, square_off_time: null });
  expect(body).not.toHaveProperty('reentry_after');
  await expect(e.form).toBeHidden();

  await page.reload();
  e = await editRow(page);
  await expect(e.reentryGroup).not.toHaveAttribute('open');
  await e.reentryGroup.locator('summary').click();
  await expect(e.reentries).toHaveValue('0');
  await expect(e.cutoff).toHaveCount(0);
  await expect(e.squareOff).toHaveValue('');
});

test('a cut-off left out with re-entries is refused by its label, next to its input', async ({ page }) => {
  const f = await openLegsForm(page);
  await fillStrategy(page, { symbol: 'AAPL', exchange: 'NASDAQ', qty: '2', buyTime: '09:30', sellTime: '15:55', stopLoss: '2' });
  await f.stopLossUnit.selectOption('points');
  await f.reentryGroup.locator('summary').click();
  await f.reentries.fill('1');
  await f.submit.click();
  await expect(f.form.locator('[data-field-error="reentry_cutoff"]')).toHaveText('Re-entry cut-off is required when Re-entries is above 0: no re-entry goes out at or after it');
  await expect(f.cutoff).toBeFocused();
});

test('a weekday strategy is built with day toggles, saved and read back; unticking every day sends none, repeating once removes them', async ({ page, screens }) => {
  const f = await openLegsForm(page);
  await f.daysGroup.locator('summary').click();
  // Weekdays apply to a daily strategy only.
  await expect(f.weekdays).toHaveCount(0);
  await f.repeat.selectOption('daily');
  await expect(f.weekdays.getByRole('checkbox')).toHaveCount(7);
  expect(await f.weekdays.locator('label').allInnerTexts()).toEqual(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);
  await expect(f.weekdays).toHaveAccessibleDescription(/empty: every trading day/);
  for (const day of ['Mon', 'Wed', 'Fri']) await f.day(day).check();
  await fillStrategy(page, { symbol: 'AAPL', exchange: 'NASDAQ', qty: '1', buyTime: '09:30', sellTime: '15:55', stopLoss: '180' });
  await screens.snap('form-weekdays');
  const created = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/strategy/create'));
  await f.submit.click();
  expect((await created).postDataJSON()).toMatchObject({ repeat: 'daily', weekdays: ['mon', 'wed', 'fri'] });
  await expect(f.form).toBeHidden();

  await page.reload();
  let e = await editRow(page);
  await expect(e.daysGroup).toHaveAttribute('open');
  for (const [day, ticked] of [['Mon', true], ['Tue', false], ['Wed', true], ['Thu', false], ['Fri', true], ['Sat', false], ['Sun', false]] as const) {
    await expect(e.day(day), day).toBeChecked({ checked: ticked });
  }
  // Folded, the group says which days.
  await e.daysGroup.locator('summary').click();
  await expect(e.daysGroup.locator('summary')).toContainText('Repeat: Every trading day, Weekdays: Mon Wed Fri');
  await e.daysGroup.locator('summary').click();

  // Every day unticked: every trading day, the list removed.
  for (const day of ['Mon', 'Wed', 'Fri']) await e.day(day).uncheck();
  let patched = page.waitForRequest((r) => r.method() === 'PATCH');
  await e.submit.click();
  expect((await patched).postDataJSON()).toMatchObject({ repeat: 'daily', weekdays: null });
  await expect(e.form).toBeHidden();

  // Ticked again, then the strategy set to run once: the weekdays hide and are removed with it.
  e = await editRow(page);
  await e.day('Tue').check();
  patched = page.waitForRequest((r) => r.method() === 'PATCH');
  await e.submit.click();
  expect((await patched).postDataJSON()).toMatchObject({ weekdays: ['tue'] });
  await expect(e.form).toBeHidden();
  e = await editRow(page);
  await expect(e.day('Tue')).toBeChecked();
  await e.repeat.selectOption('once');
  await expect(e.weekdays).toHaveCount(0);
  patched = page.waitForRequest((r) => r.method() === 'PATCH');
  await e.submit.click();
  expect((await patched).postDataJSON()).toMatchObject({ repeat: 'once', weekdays: null });
  await expect(e.form).toBeHidden();
  await page.reload();
  e = await editRow(page);
  await e.daysGroup.locator('summary').click();
  await expect(e.repeat).toHaveValue('once');
  await e.repeat.selectOption('daily');
  await expect(e.weekdays.getByRole('checkbox', { checked: true })).toHaveCount(0);
});

test('the re-entry and days groups, open with values and an error, have no serious WCAG 2.1 A/AA violation in either theme', async ({ page }) => {
  const f = await openLegsForm(page);
  await f.reentryGroup.locator('summary').click();
  await f.reentries.fill('2');
  await f.daysGroup.locator('summary').click();
  await f.repeat.selectOption('daily');
  await f.day('Mon').check();
  await f.submit.click();
  await expect(f.form.locator('[data-field-error="reentry_cutoff"]')).toBeVisible();
  const found: string[] = [];
  for (const theme of THEMES) {
    await useSystemTheme(page, theme);
    for (const line of await seriousViolations(page)) found.push(`[${theme}] ${line}`);
    for (const line of await weakControlBoundaries(page)) found.push(`[${theme}] non-text-contrast ${line}`);
    for (const line of await contrastProblems(page, '.strategy-form .toggle, .strategy-form .form__legend')) found.push(`[${theme}] ${line}`);
  }
  expect(found, found.join('\n')).toEqual([]);
});
