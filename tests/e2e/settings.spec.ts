/**
 * The settings screen (change the password, the signed-in sessions) and the remove-broker dialog,
 * which names the strategies that block the removal before it asks to confirm.
 */
import { expect, test } from './support/fixtures';
import { apiCall, fieldError, openSignedIn, PASSWORD } from './support/trader-ui';

const PHONE_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const NEW_PASSWORD = 'a far better passphrase';

test('settings: sessions are listed and signed out; a password change names every problem at once, then keeps this session only', async ({ page, screens }) => {
  const { token, email } = await openSignedIn(page);
  const login = async (password: string, userAgent: string) => {
    const res = await page.request.post('/auth/login', { data: { email, password }, headers: { 'user-agent': userAgent } });
    expect(res.status()).toBe(200);
    return ((await res.json()) as { token: string }).token;
  };
  const phone = await login(PASSWORD, PHONE_UA);
  const validate = async (t: string) => (await page.request.get('/auth/validate', { headers: { authorization: `Bearer ${t}` } })).status();

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
  const sessions = page.getByRole('list', { name: 'Signed-in sessions' });
  await expect(sessions.getByRole('listitem')).toHaveCount(2);
  await expect(sessions.getByRole('listitem', { name: 'Safari on iOS' })).toContainText('127.0.0.1');
  await expect(sessions.getByRole('listitem', { name: /\(this session\)$/ })).toContainText('This session');
  await expect(sessions.getByRole('listitem', { name: /\(this session\)$/ }).getByRole('button', { name: /Sign out/ })).toHaveCount(0);

  // Every problem at once, each under its labelled field; nothing changes.
  const form = page.getByRole('form', { name: 'Change password' });
  await form.getByLabel('Current password').fill('not my password');
  await form.getByLabel('New password', { exact: true }).fill('short');
  await form.getByLabel('New password again').fill('shorter');
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(fieldError(form, 'current_password')).toHaveText('Current password is incorrect');
  await expect(fieldError(form, 'new_password')).toHaveText('New password must be at least 10 characters');
  await expect(fieldError(form, 'confirm_password')).toHaveText('New password again does not match the new password');
  await expect(form.getByLabel('Current password')).toHaveAttribute('aria-invalid', 'true');
  expect(await validate(phone)).toBe(200);
  await screens.snap('settings-password-errors');

  await form.getByLabel('Current password').fill(PASSWORD);
  await form.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await form.getByLabel('New password again').fill(NEW_PASSWORD);
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(form.getByRole('status')).toHaveText('Password changed. 1 other session was signed out; this one stays signed in.');
  await expect(fieldError(form, 'current_password')).toHaveCount(0);
  await expect(sessions.getByRole('listitem')).toHaveCount(1);
  expect(await validate(phone)).toBe(401);
  expect(await validate(token)).toBe(200);
  await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();

  // Two more sessions with the new password: sign out one, then all others.
  const tablet = await login(NEW_PASSWORD, PHONE_UA);
  const desktop = await login(NEW_PASSWORD, 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0');
  await page.reload();
  await expect(sessions.getByRole('listitem')).toHaveCount(3);
  await screens.snap('settings-sessions');
  await sessions.getByRole('button', { name: /^Sign out Safari on iOS/ }).click();
  await expect(sessions.getByRole('listitem')).toHaveCount(2);
  expect(await validate(tablet)).toBe(401);
  expect(await validate(desktop)).toBe(200);
  await page.getByRole('button', { name: 'Sign out all other sessions' }).click();
  await expect(sessions.getByRole('listitem')).toHaveCount(1);
  await expect(page.getByText('No other session is signed in.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign out all other sessions' })).toBeDisabled();
  expect(await validate(desktop)).toBe(401);
  expect(await validate(token)).toBe(200);
});

test('removing a broker: the dialog names the strategies that block it, with links, and offers no Remove until none is left', async ({ page, screens }) => {
  const { token } = await openSignedIn(page);
  const account = await apiCall<{ id: number }>(page, token, 'POST', '/broker/connect', { broker: 'paper', label: 'Paper desk' });
  const create = (symbol: string) =>
    apiCall<{ id: number }>(page, token, 'POST', '/strategy/create', {
      broker_account_id: account.id,
      symbol,
      exchange: 'CRYPTO',
      qty: 1,
      buy_time: '23:58:00',
      sell_time: '23:59:00',
      stop_loss: 1,
      timezone: 'UTC',
    });
  const running = await create('BTC');
  const idle = await create('ETH');
  await apiCall(page, token, 'POST', '/strategy/start', { strategy_id: running.id });

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Brokers' }).click();
  await page.getByRole('button', { name: 'Remove Paper desk' }).click();
  const dialog = page.getByRole('dialog', { name: 'Paper desk is in use' });
  const blockers = dialog.getByRole('list', { name: 'Strategies that use this account' });
  await expect(blockers.getByRole('listitem')).toHaveText([`BTC #${running.id} running stop it, then delete it`, `ETH #${idle.id} idle delete it`]);
  await expect(dialog.getByRole('button', { name: 'Remove account' })).toHaveCount(0);
  await expect(dialog.getByRole('button', { name: 'Close' })).toBeFocused();
  await screens.snap('remove-broker-blocked');

  // Each links to its strategy.
  await blockers.getByRole('link', { name: `BTC #${running.id}` }).click();
  await expect(page).toHaveURL(new RegExp(`#/strategies/${running.id}$`));
  await expect(page.getByRole('dialog')).toHaveCount(0);

  // Stopped and deleted elsewhere: the dialog asks again, and now offers the removal.
  await apiCall(page, token, 'POST', '/strategy/stop', { strategy_id: running.id, close_position: false });
  for (const s of [running, idle]) await apiCall(page, token, 'DELETE', `/strategy/${s.id}`);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Brokers' }).click();
  await page.getByRole('button', { name: 'Remove Paper desk' }).click();
  const confirm = page.getByRole('dialog', { name: 'Remove Paper desk?' });
  await expect(confirm).toContainText('No strategy uses it.');
  await screens.snap('remove-broker-confirm');
  await confirm.getByRole('button', { name: 'Remove account' }).click();
  await expect(page.getByRole('list', { name: 'Broker accounts' }).getByRole('listitem')).toHaveCount(0);
});
