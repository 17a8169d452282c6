/**
 * Pairing a phone (issue 21): the desktop's Settings shows a QR code and a one-time code; a second
 * browser context at a phone's viewport opens the QR code's URL, names itself and is signed in with
 * a device token (it sees the trader's strategies); the desktop lists it, renames it, unpairs it,
 * and the phone is signed out at once (its event socket closed by the engine), saying why.
 * Over HTTPS (a daemon of its own), the panel shows the fingerprint of the certificate actually
 * served, and a phone that accepted the warning pairs in a secure context (its service worker waits
 * for the authority to be trusted: Chromium refuses one under a merely accepted certificate).
 */
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { startTestDaemon } from './support/daemon';
import { expect, test, VIEWPORTS } from './support/fixtures';
import { apiCall, openSignedIn, PASSWORD, STILL_PAPER_OPTIONS } from './support/trader-ui';

test('pair a phone from Settings, use it, unpair it from the desktop: the phone is signed out', async ({ page, browser, screens }) => {
  const { token } = await openSignedIn(page);
  const account = await apiCall<{ id: number }>(page, token, 'POST', '/broker/connect', { broker: 'paper', label: 'Paper', options: STILL_PAPER_OPTIONS });
  await apiCall(page, token, 'POST', '/strategy/create', { broker_account_id: account.id, symbol: 'AAPL', exchange: 'NASDAQ', qty: 3, buy_time: '09:35', sell_time: '15:45', stop_loss: 180 });

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  const panel = page.getByRole('region', { name: 'Pair a phone' });
  await panel.getByRole('button', { name: 'Show pairing code' }).click();
  const code = (await panel.getByLabel('One-time code').innerText()).trim();
  expect(code).toMatch(/^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
  const qr = panel.getByRole('img', { name: /^QR code of / });
  await expect(qr).toBeVisible();
  // The QR code's picture loaded (a data: SVG the page's CSP allows) and names the pairing URL.
  expect(await qr.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
  const pairUrl = (await qr.getAttribute('alt'))!.replace('QR code of ', '');
  expect(pairUrl).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/#pair=${code.replace('-', '')}$`));
  // Loopback only here: the panel says a phone cannot reach it yet (no certificate either).
  await expect(panel.getByRole('note')).toContainText('--allow-remote');
  await expect(panel).toContainText('No device is paired.');
  await screens.snap('settings-pair-a-phone');

  const phoneContext = await browser.newContext({ viewport: VIEWPORTS.phone, isMobile: true, hasTouch: true });
  try {
    const phone = await phoneContext.newPage();
    // What scanning the QR code does: open its URL.
    await phone.goto(pairUrl);
    await expect(phone.getByRole('heading', { name: 'Pair this device', level: 1 })).toBeVisible();
    const form = phone.getByRole('form', { name: 'Pair this device' });
    await expect(form.getByLabel('Pairing code')).toHaveValue(code.replace('-', ''));
    await form.getByLabel('Name of this device').fill('Pixel 8');
    await form.getByRole('button', { name: 'Pair this device' }).click();
    await expect(phone.getByRole('heading', { name: 'Strategies', level: 1 })).toBeVisible();
    await expect(phone.getByText('AAPL').first()).toBeVisible();
    // The code left the address bar; the device token is kept (local storage), never shown.
    expect(new URL(phone.url()).hash).toBe('');
    await expect(phone.locator('body')).not.toContainText('tcd_');

    // The desktop lists it (no reload: the list refreshes while the code is up), renames it, unpairs it.
    const devices = panel.getByRole('list', { name: 'Paired devices' });
    await expect(devices.getByRole('listitem', { name: 'Pixel 8' })).toBeVisible({ timeout: 15_000 });
    await devices.getByRole('button', { name: 'Rename Pixel 8' }).click();
    await devices.getByLabel('New name').fill('Work phone');
    await devices.getByRole('button', { name: 'Save' }).click();
    const renamed = devices.getByRole('listitem', { name: 'Work phone' });
    await expect(renamed).toBeVisible();
    await expect(renamed).toContainText('127.0.0.1');
    await screens.snap('settings-paired-device');

    // A reused code is refused on another phone.
    const second = await phoneContext.browser()!.newContext({ viewport: VIEWPORTS.phone, isMobile: true });
    try {
      const other = await second.newPage();
      await other.goto(pairUrl);
      await other.getByRole('form', { name: 'Pair this device' }).getByLabel('Name of this device').fill('Someone else');
      await other.getByRole('button', { name: 'Pair this device' }).click();
      await expect(other.getByText('the pairing code is wrong or has expired', { exact: false })).toBeVisible();
    } finally {
      await second.close();
    }

    // On the phone, Settings lists it as this device and offers no pairing or unpairing.
    await phone.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    const phonePanel = phone.getByRole('region', { name: 'Pair a phone' });
    await expect(phonePanel.getByRole('listitem', { name: 'Work phone' })).toContainText('This device');
    await expect(phonePanel).toContainText('Phones are paired, renamed and unpaired in Settings on the desktop.');
    await expect(phonePanel.getByRole('button')).toHaveCount(0);
    // Nor a password form or sign-out buttons it would only get 403 for: it says where that is done.
    await expect(phone.getByLabel('Current password')).toHaveCount(0);
    await expect(phone.getByRole('button', { name: 'Change password' })).toHaveCount(0);
    await expect(phone.getByRole('region', { name: 'Password' })).toContainText('The password is changed in Settings on the desktop. Changing it unpairs this phone.');
    await expect(phone.getByRole('region', { name: 'Signed-in sessions' }).getByRole('button')).toHaveCount(0);

    await renamed.getByRole('button', { name: 'Unpair Work phone' }).click();
    await expect(devices.getByRole('listitem')).toHaveCount(0);
    // Signed out at once, without any action on the phone, saying why.
    await expect(phone.getByText('This device was unpaired.', { exact: false })).toBeVisible();
    await expect(phone.getByRole('heading', { name: 'Strategies', level: 1 })).toHaveCount(0);
    expect(await phone.evaluate(() => (globalThis as unknown as { localStorage: { getItem(k: string): string | null } }).localStorage.getItem('tradeclock.device-token'))).toBeNull();
  } finally {
    await phoneContext.close();
  }
});

test('over HTTPS: the pairing panel shows the served certificate fingerprint, and a phone that accepted the warning pairs in a secure context', async ({ browser }) => {
  // A daemon of its own that serves HTTPS with the certificate it makes (on loopback, --https).
  const daemon = await startTestDaemon(60_000, { args: ['--https'] });
  const secureUrl = daemon.url.replace(/^http:/, 'https:');
  try {
    const served = await new Promise<string>((resolve, reject) => {
      const req = httpsRequest(`${secureUrl}/health`, { rejectUnauthorized: false }, (res) => {
        resolve((res.socket as TLSSocket).getPeerCertificate().fingerprint256);
        res.resume();
      });
      req.on('error', reject);
      req.end();
    });
    // The desktop stays on plain HTTP at loopback.
    const desktopContext = await browser.newContext();
    const desktop = await desktopContext.newPage();
    await desktop.goto(daemon.url);
    const res = await desktop.request.post(`${daemon.url}/auth/register`, { data: { email: 'https@example.com', password: PASSWORD } });
    const { token } = (await res.json()) as { token: string };
    await desktop.evaluate((t) => (globalThis as unknown as { sessionStorage: { setItem(k: string, v: string): void } }).sessionStorage.setItem('tradeclock.token', t), token);
    await desktop.reload();
    await desktop.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    const panel = desktop.getByRole('region', { name: 'Pair a phone' });
    await panel.getByRole('button', { name: 'Show pairing code' }).click();
    const certificate = panel.getByRole('note', { name: 'Certificate' });
    await expect(certificate).toContainText('warns that the connection is not private');
    await expect(certificate.getByLabel('SHA-256 fingerprint')).toHaveText(served);
    await expect(certificate.getByRole('link', { name: /authority/ })).toHaveAttribute('href', `${secureUrl}/devices/authority.crt`);
    const pairUrl = (await panel.getByRole('img', { name: /^QR code of / }).getAttribute('alt'))!.replace('QR code of ', '');
    expect(pairUrl.startsWith(`${secureUrl}/#pair=`)).toBe(true);

    // The phone has accepted the certificate warning (ignoreHTTPSErrors stands for that tap).
    const phoneContext = await browser.newContext({ viewport: VIEWPORTS.phone, isMobile: true, hasTouch: true, ignoreHTTPSErrors: true });
    try {
      const phone = await phoneContext.newPage();
      await phone.goto(pairUrl);
      await phone.getByRole('form', { name: 'Pair this device' }).getByLabel('Name of this device').fill('iPhone');
      await phone.getByRole('button', { name: 'Pair this device' }).click();
      await expect(phone.getByRole('heading', { name: 'Strategies', level: 1 })).toBeVisible();
      // A secure context, which plain http:// at a LAN address is not. Chromium still registers no
      // service worker under a certificate it was only told to accept: installing the app waits
      // until the phone trusts the authority, as the README says.
      expect(await phone.evaluate(() => (globalThis as unknown as { isSecureContext: boolean }).isSecureContext)).toBe(true);
      const registered = await phone.evaluate(() =>
        (globalThis as unknown as { navigator: { serviceWorker: { register(u: string): Promise<unknown> } } }).navigator.serviceWorker.register('./sw.js').then(
          () => 'registered',
          (err: { name: string; message: string }) => `${err.name}: ${err.message}`,
        ),
      );
      expect(registered).toMatch(/^SecurityError: .*SSL certificate error/);
    } finally {
      await phoneContext.close();
      await desktopContext.close();
    }
  } finally {
    await daemon.stop();
  }
});
