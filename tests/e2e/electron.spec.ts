/**
 * The desktop app, driven by Playwright's Electron support: the real main process, window,
 * preload and engine. Runs the unpackaged bundle (dist-electron/main.mjs) with the npm Electron
 * binary, whose fuses are at their defaults: a packaged build has nodeCliInspect off and cannot
 * be driven this way (research/electron.md §5).
 *
 * Run with `node scripts/test-electron.mjs`, which builds the bundle and checks the binary first.
 * Where the binary is missing this test is skipped with the reason, and never reported as passed.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'dist-electron', 'main.mjs');
const FIXTURE = join(import.meta.dirname, 'fixtures', 'shell-page');

/** The Electron executable, found without node_modules/electron's index.js (which would try to download it). */
function electronBinary(): string {
  if (process.env.TRADECLOCK_ELECTRON_BINARY) return process.env.TRADECLOCK_ELECTRON_BINARY;
  const dir = join(ROOT, 'node_modules', 'electron');
  const pathFile = join(dir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8') : process.platform === 'win32' ? 'electron.exe' : 'electron';
  return join(process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(dir, 'dist'), relative);
}

const BINARY = electronBinary();

/**
 * What the test reads of the page's globals (tests are typechecked without the DOM library).
 * Functions passed to page.evaluate run in the page, so each casts globalThis itself.
 */
interface PageGlobals {
  tradeclock?: {
    isDesktop: boolean;
    apiBase: string;
    token: { get(): Promise<string | null>; set(t: string): Promise<{ persistence: string }>; clear(): Promise<void> };
    appInfo(): Promise<{ dataDir: string; platform: string; openAtLogin: boolean }>;
  };
  require?: unknown;
  process?: unknown;
  __probeLoaded?: boolean;
  __inlineRan?: boolean;
  location: { origin: string; href: string };
  document: { title: string; createElement(tag: string): { textContent: string }; head: { appendChild(n: unknown): void } };
  open(url: string): unknown;
  fetch(url: string): Promise<{ status: number; json(): Promise<unknown> }>;
  Notification: { requestPermission(): Promise<string> };
}

let app: ElectronApplication;
let page: Page;
let dataDir: string;
let userData: string;
let env: Record<string, string>;

test.skip(!existsSync(BINARY), `Electron binary not installed on this machine: ${BINARY}`);

test.beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run tsx scripts/build-main.ts first (scripts/test-electron.mjs does)`);
  const scratch = mkdtempSync(join(tmpdir(), 'tc-electron-'));
  dataDir = join(scratch, 'data');
  userData = join(scratch, 'user-data');
  env = {
    ...(process.env as Record<string, string>),
    TRADECLOCK_DATA_DIR: dataDir,
    TRADECLOCK_ELECTRON_USER_DATA: userData,
    TRADECLOCK_STATIC_DIR: FIXTURE,
    TRADECLOCK_E2E: '1',
  };
  app = await electron.launch({ executablePath: BINARY, args: [MAIN], env, cwd: ROOT });
  page = await app.firstWindow();
  await page.waitForLoadState('domcontentloaded');
});

test.afterAll(async () => {
  await app?.close().catch(() => {});
  if (dataDir) rmSync(join(dataDir, '..'), { recursive: true, force: true });
});

test('loads the UI from the engine on a loopback port, with a script from its own origin', async () => {
  expect(page.url()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  await expect(page).toHaveTitle('Tradeclock shell fixture');
  expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).__probeLoaded)).toBe(true);
  const health = await page.evaluate(async () => (await (globalThis as unknown as PageGlobals).fetch('/health')).json());
  expect(health).toMatchObject({ ok: true });
});

test('gives the page no Node and no Electron (sandboxed, context-isolated: unit-tested in main/web-preferences.test.ts)', async () => {
  const globals = await page.evaluate(() => {
    const w = globalThis as unknown as Record<string, unknown>;
    return ['require', 'process', 'module', 'Buffer', 'ipcRenderer', 'electron'].map((name) => typeof w[name]);
  });
  expect(globals).toEqual(['undefined', 'undefined', 'undefined', 'undefined', 'undefined', 'undefined']);
});

test('exposes only the typed bridge', async () => {
  const bridge = await page.evaluate(() => {
    const b = (globalThis as unknown as PageGlobals).tradeclock!;
    return { keys: Object.keys(b).sort(), tokenKeys: Object.keys(b.token).sort(), isDesktop: b.isDesktop, apiBase: b.apiBase, origin: (globalThis as unknown as PageGlobals).location.origin };
  });
  expect(bridge.keys).toEqual(['apiBase', 'appInfo', 'isDesktop', 'token']);
  expect(bridge.tokenKeys).toEqual(['clear', 'get', 'set']);
  expect(bridge.isDesktop).toBe(true);
  expect(bridge.apiBase).toBe(bridge.origin);
  const info = await page.evaluate(() => (globalThis as unknown as PageGlobals).tradeclock!.appInfo());
  expect(info).toMatchObject({ dataDir, platform: process.platform, openAtLogin: false });
});

test('stores the session token through the bridge', async () => {
  const result = await page.evaluate(async () => {
    const t = (globalThis as unknown as PageGlobals).tradeclock!.token;
    const saved = await t.set('header.payload.signature');
    const read = await t.get();
    await t.clear();
    return { saved, read, cleared: await t.get(), refused: await t.set('not a token').then(() => 'accepted', () => 'refused') };
  });
  expect(['os-keychain', 'memory']).toContain(result.saved.persistence);
  expect(result).toMatchObject({ read: 'header.payload.signature', cleared: null, refused: 'refused' });
});

test('enforces the CSP: an inline script does not run', async () => {
  const ran = await page.evaluate(async () => {
    const s = (globalThis as unknown as PageGlobals).document.createElement('script');
    s.textContent = 'window.__inlineRan = true';
    (globalThis as unknown as PageGlobals).document.head.appendChild(s);
    await new Promise((r) => setTimeout(r, 100));
    return (globalThis as unknown as PageGlobals).__inlineRan === true;
  });
  expect(ran).toBe(false);
});

test('blocks navigation away, new windows and permission requests', async () => {
  const origin = new URL(page.url()).origin;
  await page.evaluate(() => {
    (globalThis as unknown as PageGlobals).location.href = 'https://example.com/';
  });
  await page.waitForTimeout(500);
  expect(new URL(page.url()).origin).toBe(origin);
  expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).open('file:///etc/passwd') === null)).toBe(true);
  expect(app.windows()).toHaveLength(1);
  expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).Notification.requestPermission())).toBe('denied');
});

test('a second launch leaves at once and the first keeps running', async () => {
  const second = spawn(BINARY, [MAIN], { env, stdio: 'ignore' });
  const code = await new Promise<number | null>((resolve) => second.on('exit', resolve));
  expect(code).toBe(0);
  expect(app.windows()).toHaveLength(1);
  const visible = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.isVisible());
  expect(visible).toBe(true);
});

test('closing the window with nothing armed quits the app and stops the engine', async () => {
  const exited = new Promise<void>((resolve) => app.process().on('exit', () => resolve()));
  await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.close());
  await exited;
  // The engine released its data-directory lock on the way out.
  expect(existsSync(join(dataDir, 'tradeclock.lock'))).toBe(false);
});
