/** The built renderer at /, the single-page-app fallback, and API paths that never fall back. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROOTS } from '../../engine/api/static-files';
import { API_ROOTS as WORKER_NETWORK_ROOTS } from '../../renderer/src/pwa/sw-route';
import { startApiHarness, type ApiHarness } from '../support/api-harness';

let h: ApiHarness;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tradeclock-renderer-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Tradeclock</title>');
  writeFileSync(join(dir, 'app.js'), 'console.log("ui")');
  writeFileSync(join(dir, '.env'), 'NOT_FOR_BROWSERS=1');
  writeFileSync(join(dir, 'manifest.webmanifest'), '{"name":"Tradeclock"}');
  writeFileSync(join(dir, 'sw.js'), 'self.addEventListener("fetch", () => {})');
  h = await startApiHarness({ staticDir: dir });
});
afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('serving the renderer', () => {
  it('serves files and falls back to index.html for client-side routes', async () => {
    for (const path of ['/', '/strategies/3', '/settings?tab=brokers', '/.env']) {
      const res = await h.call('GET', path);
      expect({ path, status: res.status, text: res.text }).toEqual({ path, status: 200, text: '<!doctype html><title>Tradeclock</title>' });
    }
    const js = await h.call('GET', '/app.js');
    expect(js.text).toBe('console.log("ui")');
    expect((js.headers as Headers).get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('serves the web app manifest and the service worker with the types browsers require', async () => {
    const manifest = await h.call('GET', '/manifest.webmanifest');
    expect(manifest.status).toBe(200);
    expect((manifest.headers as Headers).get('content-type')).toMatch(/^application\/manifest\+json/);
    const worker = await h.call('GET', '/sw.js');
    expect(worker.status).toBe(200);
    expect((worker.headers as Headers).get('content-type')).toMatch(/^(text|application)\/javascript/);
    expect((worker.headers as Headers).get('content-security-policy')).toContain("worker-src 'self'");
  });

  it('never answers an API path or a non-GET with the app shell', async () => {
    for (const [method, path] of [['GET', '/strategy/3/nothing'], ['GET', '/events/nothing'], ['GET', '/health/x'], ['POST', '/somewhere']] as const) {
      const res = await h.call(method, path);
      expect({ path, status: res.status, body: res.body }).toEqual({ path, status: 404, body: { error: { code: 'not_found', message: expect.any(String) } } });
    }
  });

  it('names the first segment of every API route as an API root, so a reload of a UI path never reaches the API and an API path never gets the app', () => {
    const tree = h.app.printRoutes({ commonPrefix: false });
    const roots = new Set([...tree.matchAll(/^[├└]── \/([^/\s(]+)/gm)].map((m) => m[1]!).filter((r) => !r.includes('.') && !r.startsWith('*')));
    expect(roots.size).toBeGreaterThan(5);
    expect([...roots].filter((r) => !API_ROOTS.has(r))).toEqual([]);
    // And none of them is a screen's name: the UI's routes are hashes, but a bookmarked path must still load it.
    for (const screen of ['strategies', 'brokers', 'history', 'settings']) expect(API_ROOTS.has(screen)).toBe(false);
  });

  it("leaves every API root to the network in the UI's service worker", () => {
    expect(WORKER_NETWORK_ROOTS).toEqual(expect.arrayContaining([...API_ROOTS]));
  });

  it('still refuses a forged Host for the UI itself', async () => {
    expect((await h.raw('GET', '/', { host: `evil.example:${h.port}` })).status).toBe(403);
  });
});
