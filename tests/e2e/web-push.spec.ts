/**
 * Web Push in the browser (issue 21). Chromium's own push service cannot be reached offline, so
 * the two halves are tested apart: "Notify this device" in Settings with the browser's PushManager
 * stubbed (the subscription it hands over is a real P-256 key and auth secret, never sent to),
 * and the real service worker's push handler fed a message through the DevTools protocol
 * (ServiceWorker.deliverPushMessage), the notification it shows read back from the registration.
 * The wire (encryption, VAPID, the push service's answers) is tests/integration/notify-web-push.test.ts.
 */
import { createECDH, randomBytes } from 'node:crypto';
import { expect, test } from './support/fixtures';
import { openSignedIn } from './support/trader-ui';

interface PushStubGlobals {
  __push: { subscribed: number; unsubscribed: number };
  readonly PushManager: { prototype: { subscribe: unknown; getSubscription: unknown } };
  readonly navigator: { readonly serviceWorker: { readonly ready: Promise<{ getNotifications(): Promise<ReadonlyArray<{ title: string; body: string; tag: string; requireInteraction: boolean; data: unknown }>> }> } };
}

const ENDPOINT = 'https://push.invalid/e2e-device';

test('settings: notify this device, see it listed as a channel, turn it off and on, stop it', async ({ page, context, screens }) => {
  await context.grantPermissions(['notifications']);
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const keys = { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') };
  await page.addInitScript(
    ({ endpoint, keys }) => {
      const w = globalThis as unknown as PushStubGlobals;
      w.__push = { subscribed: 0, unsubscribed: 0 };
      let sub: unknown = null;
      w.PushManager.prototype.subscribe = async (o: { applicationServerKey: Uint8Array }) => {
        w.__push.subscribed++;
        const key = o.applicationServerKey.slice().buffer;
        sub = {
          endpoint,
          options: { applicationServerKey: key },
          toJSON: () => ({ endpoint, expirationTime: null, keys }),
          unsubscribe: async () => {
            w.__push.unsubscribed++;
            sub = null;
            return true;
          },
        };
        return sub;
      };
      w.PushManager.prototype.getSubscription = async () => sub;
    },
    { endpoint: ENDPOINT, keys },
  );
  await openSignedIn(page);
  await page.evaluate(() => (globalThis as unknown as PushStubGlobals).navigator.serviceWorker.ready.then(() => undefined));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  const panel = page.getByRole('group', { name: 'This device' });
  await panel.getByRole('button', { name: 'Notify this device' }).click();
  await expect(panel).toContainText('This device gets notifications (as "This device" below).');
  const channel = page.getByRole('list', { name: 'Notification channels' }).getByRole('listitem', { name: 'This device' });
  await expect(channel).toContainText('Web Push (a device)');
  await expect(channel).toContainText('Not used yet');
  await expect(page.locator('body')).not.toContainText(keys.auth);
  await screens.snap('settings-notify-this-device');

  // Turned off in the list: the panel says so, and turning the device on again turns it back on.
  await channel.getByRole('button', { name: 'Turn off This device' }).click();
  await expect(panel).toContainText('"This device" is turned off below: this device gets nothing until it is on.');
  await panel.getByRole('button', { name: 'Notify this device' }).click();
  await expect(panel).toContainText('This device gets notifications');
  await expect(channel).toContainText('Not used yet');

  await panel.getByRole('button', { name: 'Stop notifying this device' }).click();
  await expect(page.getByText('This device will no longer get notifications')).toBeVisible();
  await expect(page.getByRole('list', { name: 'Notification channels' }).getByRole('listitem')).toHaveCount(0);
  await expect(panel.getByRole('button', { name: 'Notify this device' })).toBeVisible();
  expect(await page.evaluate(() => (globalThis as unknown as PushStubGlobals).__push)).toEqual({ subscribed: 1, unsubscribed: 1 });
});

test("the service worker shows a push message's title and body, one per delivery", async ({ page, context }) => {
  await context.grantPermissions(['notifications']);
  await openSignedIn(page);
  await page.evaluate(() => (globalThis as unknown as PushStubGlobals).navigator.serviceWorker.ready.then(() => undefined));
  const cdp = await context.newCDPSession(page);
  const registrationId = new Promise<string>((resolve) => {
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }: { registrations: Array<{ registrationId: string; isDeleted: boolean }> }) => {
      const live = registrations.find((r) => !r.isDeleted);
      if (live) resolve(live.registrationId);
    });
  });
  await cdp.send('ServiceWorker.enable');
  const origin = new URL(page.url()).origin;
  const message = { id: 12, title: 'Stop-loss hit: sold 10 AAPL', body: 'Sold at 95.', urgency: 'critical', topic: 'exits', event: 'stop_loss_triggered', strategy_id: 3, at: 1 };
  // Delivered twice, as an at-least-once retry may: the second replaces the first.
  for (let i = 0; i < 2; i++) await cdp.send('ServiceWorker.deliverPushMessage', { origin, registrationId: await registrationId, data: JSON.stringify(message) });
  await expect
    .poll(() => page.evaluate(async () => (await (await (globalThis as unknown as PushStubGlobals).navigator.serviceWorker.ready).getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag, requireInteraction: n.requireInteraction, data: n.data }))))
    .toEqual([{ title: 'Stop-loss hit: sold 10 AAPL', body: 'Sold at 95.', tag: 'tradeclock-12', requireInteraction: true, data: { url: `${origin}/` } }]);
});
