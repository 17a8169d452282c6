/**
 * The UI as an installable app (issue 21): the daemon serves a valid manifest with reachable
 * icons, the service worker takes control after a reload, the shell loads with the network off,
 * and no API answer (signed in or not) ever lands in Cache Storage.
 */
import { API_ROOTS } from '../../renderer/src/pwa/sw-route';
import { expect, test } from './support/fixtures';
import { openSignedIn } from './support/trader-ui';

/** What these callbacks touch in the page (tests compile without the DOM lib; see page-globals.ts). */
interface PwaGlobals {
  readonly navigator: { readonly serviceWorker: { readonly ready: Promise<unknown>; readonly controller: { readonly scriptURL: string } | null } };
  readonly caches: {
    keys(): Promise<string[]>;
    open(name: string): Promise<{ keys(): Promise<ReadonlyArray<{ readonly url: string; readonly headers: { has(name: string): boolean } }>> }>;
  };
  fetch(url: string, init?: { headers?: Record<string, string> }): Promise<{ readonly status: number }>;
  readonly sessionStorage: { getItem(key: string): string | null };
}

/** Width and height from a PNG's IHDR. */
const pngSize = (png: Buffer) => ({ png: png.subarray(1, 4).toString('ascii'), width: png.readUInt32BE(16), height: png.readUInt32BE(20) });

test('the manifest is served and valid, and each icon it names is a PNG of its size', async ({ page }) => {
  const res = await page.request.get('/manifest.webmanifest');
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type']).toMatch(/^application\/manifest\+json/);
  const manifest = (await res.json()) as { icons: { src: string; sizes: string; type: string; purpose: string }[] } & Record<string, unknown>;
  expect(manifest).toMatchObject({ name: 'Tradeclock', short_name: 'Tradeclock', start_url: './', scope: './', display: 'standalone', theme_color: '#0d1117', background_color: '#0d1117' });
  expect(manifest.icons.map((i) => `${i.sizes} ${i.purpose}`)).toEqual(['192x192 any', '512x512 any', '512x512 maskable']);
  for (const icon of manifest.icons) {
    const file = await page.request.get(new URL(icon.src, 'http://daemon/manifest.webmanifest').pathname);
    expect({ src: icon.src, status: file.status(), type: file.headers()['content-type'] }).toEqual({ src: icon.src, status: 200, type: 'image/png' });
    const [w, h] = icon.sizes.split('x').map(Number);
    expect(pngSize(await file.body())).toEqual({ png: 'PNG', width: w, height: h });
  }
  await page.goto('/');
  await expect(page.locator('link[rel="manifest"]')).toHaveAttribute('href', './manifest.webmanifest');
});

test('the service worker controls the page after a reload, keeps the shell offline, and caches no API answer', async ({ page, context }) => {
  const { token } = await openSignedIn(page);
  await page.evaluate(() => (globalThis as unknown as PwaGlobals).navigator.serviceWorker.ready.then(() => undefined));
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Strategies', level: 1 })).toBeVisible();
  const controller = await page.evaluate(() => (globalThis as unknown as PwaGlobals).navigator.serviceWorker.controller?.scriptURL ?? null);
  expect(controller).toMatch(/\/sw\.js$/);

  // API requests while the worker controls the page: the UI's own (signed in, above), and two
  // more, with and without a token, through the page's fetch.
  const statuses = await page.evaluate(async (t) => {
    const w = globalThis as unknown as PwaGlobals;
    const signedIn = await w.fetch('/strategy', { headers: { authorization: `Bearer ${t}` } });
    const open = await w.fetch('/health');
    return [signedIn.status, open.status];
  }, token);
  expect(statuses).toEqual([200, 200]);

  const cached = await page.evaluate(async () => {
    const w = globalThis as unknown as PwaGlobals;
    const entries: { cache: string; url: string; authorization: boolean }[] = [];
    for (const name of await w.caches.keys()) {
      for (const req of await (await w.caches.open(name)).keys()) entries.push({ cache: name, url: req.url, authorization: req.headers.has('authorization') });
    }
    return entries;
  });
  const paths = cached.map((e) => new URL(e.url).pathname);
  expect(new Set(cached.map((e) => e.cache)).size).toBe(1);
  expect(paths).toEqual(expect.arrayContaining(['/', '/index.html', '/manifest.webmanifest', '/icons/icon-192.png']));
  expect(paths.some((p) => /^\/assets\/.+\.js$/.test(p))).toBe(true);
  const apiLike = paths.filter((p) => API_ROOTS.includes(p.split('/')[1] ?? '') || p.endsWith('.map'));
  expect(apiLike).toEqual([]);
  expect(cached.filter((e) => e.authorization || new URL(e.url).search !== '')).toEqual([]);

  await context.setOffline(true);
  try {
    await page.reload();
    // The shell (HTML, script, styles) came from the cache: the app starts and says it cannot reach the daemon.
    await expect(page.locator('#root')).not.toBeEmpty();
    await expect(page).toHaveTitle('Tradeclock');
  } finally {
    await context.setOffline(false);
  }
});
