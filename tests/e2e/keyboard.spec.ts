/**
 * The whole flow by keyboard alone (issue 17): no click anywhere, only Tab, Shift+Tab, Enter,
 * Escape and typing. Register → connect the paper broker → create a strategy through the form →
 * START → its detail page → the kill switch's dialog (focus on the safe choice, kept inside while
 * open, Escape closes it and gives focus back to the button that opened it) → STOP → sign out.
 * Every element the focus lands on must show it (tests/e2e/support/keyboard.ts).
 */
import { awayFromMidnight, expect, test, utcTime } from './support/fixtures';
import { activate, expectFocusVisible, focusReport, tabTo, typeInto } from './support/keyboard';
import { PASSWORD, stateOf, strategyInputs, strategyRow } from './support/trader-ui';

test('a trader goes from sign-up to sign-out with the keyboard alone, always seeing the focus', async ({ page, screens }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await awayFromMidnight(page, 10 * 60_000);
  const nav = page.getByRole('navigation', { name: 'Main' });

  await test.step('register: the email field has focus first', async () => {
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'Create your account' })).toBeVisible();
    await expect(page.getByLabel('Email')).toBeFocused();
    await expectFocusVisible(page);
    await page.keyboard.type(`keys-${Date.now()}@example.com`);
    await typeInto(page, page.getByLabel('Password', { exact: true }), PASSWORD);
    await typeInto(page, page.getByLabel('Confirm password'), PASSWORD);
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'Strategies', level: 1 })).toBeVisible();
  });

  await test.step('the skip link is the first stop and moves focus to the screen', async () => {
    await page.keyboard.press('Tab');
    await expect(page.getByRole('button', { name: 'Skip to content' })).toBeFocused();
    await expectFocusVisible(page);
    await screens.snap('keyboard-01-skip-link');
  });

  await test.step('connect the paper broker', async () => {
    await activate(page, nav.getByRole('link', { name: 'Brokers' }));
    await expect(page.getByRole('heading', { name: 'Brokers', level: 1 })).toBeVisible();
    const form = page.getByRole('form', { name: 'Connect a broker' });
    await expect(form.getByLabel('Broker', { exact: true })).toHaveValue('paper');
    await activate(page, form.getByRole('button', { name: 'Connect', exact: true }));
    await expect(page.getByRole('listitem', { name: /\(paper\)$/ })).toContainText('connected');
  });

  const buyTime = utcTime(5 * 60_000);
  await test.step('create a strategy through the form', async () => {
    await activate(page, nav.getByRole('link', { name: 'Strategies' }), { backwards: true });
    await activate(page, page.getByRole('button', { name: 'New strategy' }));
    const f = strategyInputs(page);
    await typeInto(page, f.symbol, 'BTC');
    await tabTo(page, f.exchange);
    await page.keyboard.type('Crypto');
    await expect(f.exchange).toHaveValue('CRYPTO');
    await typeInto(page, f.qty, '2');
    await typeInto(page, f.buyTime, buyTime);
    await typeInto(page, f.sellTime, utcTime(8 * 60_000));
    await typeInto(page, f.stopLoss, '50');
    await typeInto(page, f.timezone, 'UTC');
    await screens.snap('keyboard-02-form');
    await page.keyboard.press('Enter');
    await expect(f.form).toBeHidden();
    await expect(stateOf(strategyRow(page, 'BTC'))).toHaveText('Not started');
  });

  const row = strategyRow(page, 'BTC');
  await test.step('START it from its row', async () => {
    await activate(page, row.getByRole('button', { name: /^Start BTC/ }), { backwards: true });
    await expect(stateOf(row)).toHaveText('Armed');
  });

  await test.step('open its detail page', async () => {
    await activate(page, row.getByRole('link'), { backwards: true });
    await expect(page.getByRole('heading', { name: /BTC/, level: 1 })).toBeVisible();
    await expect(stateOf(page.getByRole('main'))).toHaveText('Armed');
  });

  await test.step('a dialog: focus on the safe choice, kept inside, Escape closes it and returns focus', async () => {
    const opener = page.getByRole('button', { name: 'Stop all', exact: true });
    await activate(page, opener, { backwards: true });
    const dialog = page.getByRole('dialog', { name: 'Stop everything?' });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await expectFocusVisible(page);
    await screens.snap('keyboard-03-dialog');
    // Round and round, both ways: the focus never leaves the dialog.
    for (const key of ['Tab', 'Tab', 'Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
      await page.keyboard.press(key);
      const inside = await dialog.evaluate((d) => d.contains((globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement as never));
      expect(inside, `after ${key}, focus on ${(await focusReport(page))?.what ?? 'nothing'}`).toBe(true);
      await expectFocusVisible(page);
    }
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(opener).toBeFocused();
    await expectFocusVisible(page);
    await expect(stateOf(page.getByRole('main'))).toHaveText('Armed');
  });

  await test.step('STOP it from the detail page', async () => {
    await activate(page, page.getByRole('button', { name: /^Stop BTC/ }));
    await expect(stateOf(page.getByRole('main'))).toHaveText('Stopped');
    await expect(page.getByRole('button', { name: /^Start BTC/ })).toBeVisible();
  });

  await test.step('sign out', async () => {
    await activate(page, page.getByRole('button', { name: 'Sign out' }), { backwards: true });
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  });

  expect(pageErrors).toEqual([]);
});
