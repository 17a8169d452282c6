/**
 * Notification channels in the settings screen (issue 21): a webhook added with its problems named
 * under each field, a test delivered (signed) to a loopback receiver, a receiver that keeps
 * failing shown as failing with its last error, its delivery log read at a phone's width (the
 * delivered test and the failed ones, newest first), renamed and given other topics in place
 * (a blank name refused under its field), then turned off and removed. That an edit of the
 * topics changes what is delivered is tests/integration/notify-webhook-email.test.ts. The
 * secret is never shown back, nor the URL's path and query (where Slack, Discord and Teams keep their key): the
 * channel shows its scheme and host only.
 */
import { startWebhookReceiver } from '../fakes/webhook/webhook-receiver';
import { expect, test } from './support/fixtures';
import { fieldError, openSignedIn } from './support/trader-ui';

const SECRET = 'whsec-e2e-0123456789abcdef';
const TOKEN_PATH = '/services/T0ACCT/B0HOOK/e2eHookTOKEN0xA11?sig=e2eHookSIG0xB22';

test('settings: add a webhook channel, send a test, see it failing and its delivery log, edit it, turn it off and remove it', async ({ page, screens }) => {
  const hook = await startWebhookReceiver(SECRET);
  try {
    await openSignedIn(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    const form = page.getByRole('form', { name: 'Add a notification channel' });
    await form.getByLabel('Kind').selectOption('webhook');
    await form.getByLabel('URL').fill('ftp://example.com/hook');
    await form.getByLabel('Signing secret').fill('short');
    await form.getByRole('button', { name: 'Add channel' }).click();
    await expect(fieldError(form, 'label')).toHaveText('label is required');
    await expect(fieldError(form, 'secret.url')).toHaveText('url must be an http:// or https:// address');
    await expect(fieldError(form, 'secret.signing_secret')).toHaveText('signing_secret must be at least 16 characters');

    await form.getByLabel('Name').fill('My server');
    const url = hook.url.replace('/hooks/tradeclock', TOKEN_PATH);
    await form.getByLabel('URL').fill(url);
    await expect(form.getByLabel('URL')).toHaveAttribute('type', 'password');
    await form.getByLabel('Signing secret').fill(SECRET);
    await form.getByLabel('Readiness checks before an entry').uncheck();
    await form.getByRole('button', { name: 'Add channel' }).click();
    const list = page.getByRole('list', { name: 'Notification channels' });
    const channel = list.getByRole('listitem', { name: 'My server' });
    await expect(channel).toContainText('Not used yet');
    await expect(channel).not.toContainText('Readiness');
    await expect(channel).toContainText(`http://${new URL(url).host}/…`);
    await expect(form.getByLabel('URL')).toHaveValue('');
    for (const hidden of [SECRET, 'e2eHookTOKEN', 'e2eHookSIG']) await expect(page.locator('body')).not.toContainText(hidden);

    await channel.getByRole('button', { name: 'Send test to My server' }).click();
    await expect(page.getByText('Test sent to My server')).toBeVisible();
    await expect(channel).toContainText('Working');
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]).toMatchObject({ path: TOKEN_PATH, signed: true, json: { topic: 'test', title: 'Test from Tradeclock' } });

    hook.answer(500, 500, 500);
    for (let i = 0; i < 3; i++) {
      await channel.getByRole('button', { name: 'Send test to My server' }).click();
      await expect(page.getByText('Test to My server failed: the webhook answered HTTP 500').first()).toBeVisible();
    }
    await expect(channel).toContainText('Failing');
    await expect(channel).toContainText('the webhook answered HTTP 500');
    await screens.snap('settings-notify-failing');

    // The delivery log, newest first: the 3 failed tests with their error, then the delivered one; on a phone, no sideways scroll.
    await page.setViewportSize({ width: 375, height: 800 });
    await channel.getByText('Deliveries', { exact: true }).click();
    const log = channel.getByRole('list', { name: 'Deliveries to My server' }).getByRole('listitem');
    await expect(log).toHaveCount(4);
    await expect(log.first()).toContainText('Failed after 1 attempt');
    await expect(log.first()).toContainText('Test: Test from Tradeclock');
    await expect(log.first()).toContainText('Error: the webhook answered HTTP 500');
    await expect(log.last()).toContainText('Delivered');
    await expect(log.last()).not.toContainText('Error');
    const sideways = await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
      return doc.scrollWidth - doc.clientWidth;
    });
    expect(sideways).toBe(0);
    for (const hidden of [SECRET, 'e2eHookTOKEN', 'e2eHookSIG']) await expect(page.locator('body')).not.toContainText(hidden);
    await screens.snap('settings-notify-deliveries-phone');
    // An open log follows a test just sent (the receiver answers 200 again).
    await channel.getByRole('button', { name: 'Send test to My server' }).click();
    await expect(log).toHaveCount(5);
    await expect(log.first()).toContainText('Delivered');

    // Edit in place: a blank name is refused under its field; then renamed and sending errors only.
    await channel.getByRole('button', { name: 'Edit My server' }).click();
    const edit = channel.getByRole('form', { name: 'Edit My server' });
    await expect(edit.getByLabel('Fills')).toBeChecked();
    await expect(edit.getByLabel('Readiness checks before an entry')).not.toBeChecked();
    await edit.getByLabel('Name').fill(' ');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect(fieldError(edit, 'label')).toHaveText('label is required');
    await edit.getByLabel('Name').fill('Ops server');
    for (const t of ['Fills', 'Stop-loss, trailing stop and target hits', 'Entries skipped or missed']) await edit.getByLabel(t).uncheck();
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByText('Ops server saved')).toBeVisible();
    const renamed = list.getByRole('listitem', { name: 'Ops server' });
    await expect(renamed).toContainText('Errors');
    await expect(renamed).not.toContainText('Fills');
    await expect(renamed.getByRole('form')).toHaveCount(0);
    await page.setViewportSize({ width: 1280, height: 800 });

    await renamed.getByRole('button', { name: 'Turn off Ops server' }).click();
    await expect(renamed).toContainText('Off');
    await renamed.getByRole('button', { name: 'Remove Ops server' }).click();
    await expect(list.getByRole('listitem')).toHaveCount(0);
  } finally {
    await hook.close();
  }
});
