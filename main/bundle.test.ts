/**
 * The esbuild bundle of the main process (scripts/build-main.ts). The Electron binary is not on
 * this machine, so main.mjs itself cannot start here; instead the engine is bundled with the very
 * same options beside it and started under Node: that proves the paths engine code resolves from
 * its own import.meta.url (package.json, the migrations, the renderer) survive bundling, and that
 * the bundle needs nothing but production dependencies.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { runInNewContext } from 'node:vm';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMain, packageOf, preloadForbiddenImports, ROOT, unshippedImports, type BuildResult } from '../scripts/build-main';

const run = promisify(execFile);
const outdir = join(ROOT, `.bundle-test-${process.pid}`);
let result: BuildResult;

beforeAll(async () => {
  result = await buildMain({ outdir, extraEntries: { daemon: 'engine/daemon.ts' } });
}, 60_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('the main-process bundle', () => {
  it('holds main.mjs, preload.cjs and the migrations', () => {
    expect(result.files).toEqual(expect.arrayContaining([expect.stringMatching(/main\.mjs$/), expect.stringMatching(/preload\.cjs$/)]));
    expect(existsSync(join(outdir, 'migrations', 'meta', '_journal.json'))).toBe(true);
  });

  it('gives the sandboxed preload nothing to require but electron', () => {
    const preload = readFileSync(join(outdir, 'preload.cjs'), 'utf8');
    expect([...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1])).toEqual(['electron']);
    expect(preload).toContain('exposeInMainWorld("tradeclock"');
    expect(preload).not.toMatch(/ipcRenderer\.(on|send|sendSync)\b/);
  });

  it('the built preload exposes the bridge, and each call becomes one invoke on a named channel', async () => {
    const exposed: Record<string, unknown> = {};
    const invokes: unknown[][] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
      ipcRenderer: { invoke: async (...args: unknown[]) => (invokes.push(args), null) },
    };
    const load = (argv: string[]) =>
      runInNewContext(readFileSync(join(outdir, 'preload.cjs'), 'utf8'), {
        // A sandboxed preload's require knows electron and a few renderer modules, nothing from disk.
        require: (id: string) => {
          if (id !== 'electron') throw new Error(`sandboxed preload cannot require ${id}`);
          return electron;
        },
        process: { argv },
        URL,
      });
    load(['electron', '--type=renderer', '--tradeclock-api-base=http://127.0.0.1:5123']);
    const bridge = exposed.tradeclock as { apiBase: string; isDesktop: boolean; token: { set(t: string): Promise<unknown>; get(): Promise<unknown> }; appInfo(): Promise<unknown> };
    expect(bridge).toMatchObject({ apiBase: 'http://127.0.0.1:5123', isDesktop: true });
    await bridge.token.set('abc');
    await bridge.token.get();
    await bridge.appInfo();
    expect(invokes).toEqual([['tradeclock:token:set', 'abc'], ['tradeclock:token:get'], ['tradeclock:app-info']]);

    delete exposed.tradeclock;
    load(['electron', '--type=renderer']);
    expect(exposed).toEqual({}); // no API origin, no bridge
  });

  it('starts the bundled engine under Node: migrations applied, version read, renderer served', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tc-bundle-'));
    const ui = join(dataDir, 'ui');
    mkdirSync(ui);
    writeFileSync(join(ui, 'index.html'), '<!doctype html><title>fixture</title>');
    const script = `
      const { startDaemon } = await import(${JSON.stringify(pathToFileURL(join(outdir, 'daemon.mjs')).href)});
      const d = await startDaemon({ dataDir: ${JSON.stringify(join(dataDir, 'data'))}, port: 0, staticDir: ${JSON.stringify(ui)}, logLevel: 'silent' });
      const health = await (await fetch(d.url + '/health')).json();
      const page = await fetch(d.url + '/');
      const out = { url: d.url, health, page: { status: page.status, body: await page.text(), csp: page.headers.get('content-security-policy') } };
      await d.stop();
      process.stdout.write(JSON.stringify(out));
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: dataDir, timeout: 60_000 });
    const out = JSON.parse(stdout.slice(stdout.indexOf('{"url"'))) as { url: string; health: { ok: boolean; version: string }; page: { status: number; body: string; csp: string } };
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(out.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(out.health).toMatchObject({ ok: true, version: pkg.version });
    expect(out.page).toMatchObject({ status: 200, body: expect.stringContaining('fixture') });
    expect(out.page.csp).toContain("default-src 'self'");
    rmSync(dataDir, { recursive: true, force: true });
  }, 90_000);

  it('refuses an output directory the engine paths would not fit, or that it did not make', async () => {
    await expect(buildMain({ outdir: join(ROOT, 'a', 'b') })).rejects.toThrow(/direct child/);
    await expect(buildMain({ outdir: join(ROOT, 'engine') })).rejects.toThrow(/refusing to replace/);
    expect(existsSync(join(ROOT, 'engine', 'daemon.ts'))).toBe(true);
  });
});

describe('import checks of the build', () => {
  const metafile = (paths: string[]): Metafile => ({
    inputs: {},
    outputs: { 'out.mjs': { bytes: 0, inputs: {}, exports: [], imports: paths.map((path) => ({ path, kind: 'import-statement', external: true })) } },
  });

  it('names the npm package of an import', () => {
    expect(['node:fs', 'fs/promises', 'pino', 'drizzle-orm/sqlite-core', '@fastify/static', '@napi-rs/keyring/keytar'].map(packageOf)).toEqual([
      null,
      null,
      'pino',
      'drizzle-orm',
      '@fastify/static',
      '@napi-rs/keyring',
    ]);
  });

  it('flags an import of a package the packaged app will not contain', () => {
    const deps = new Set(['pino', 'drizzle-orm']);
    expect(unshippedImports(metafile(['node:fs', 'electron', 'pino', 'drizzle-orm/sqlite-core', 'vitest', '@playwright/test']), deps)).toEqual([
      '@playwright/test',
      'vitest',
    ]);
  });

  it('flags a preload that requires more than electron', () => {
    expect(preloadForbiddenImports(metafile(['electron', 'node:fs']))).toEqual(['node:fs']);
  });
});
