/**
 * The daemon bundle `npm run daemon` runs (scripts/build-daemon.ts): built one level below the
 * repository root like dist-daemon/, then started with plain `node` as a trader starts it, from
 * another working directory, so the paths engine code resolves from its own import.meta.url
 * (package.json, the migrations) must hold in the bundle.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemonProcess } from '../tests/support/daemon-process';
import { buildDaemon, DAEMON_NODE_FLAGS } from './build-daemon';
import { ROOT, type BuildResult } from './build-main';
import { DAEMON_BUNDLE } from './launch/targets.mjs';

const outdir = join(ROOT, `.bundle-test-daemon-${process.pid}`);
const temps: string[] = [];
const tempDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temps.push(d);
  return d;
};
let result: BuildResult;

beforeAll(async () => {
  result = await buildDaemon({ outdir });
}, 60_000);
afterAll(() => {
  for (const d of [outdir, ...temps]) rmSync(d, { recursive: true, force: true });
});

describe('the daemon bundle', () => {
  it('holds cli.mjs and the migrations beside it', () => {
    expect(result.files).toEqual(expect.arrayContaining([expect.stringMatching(/cli\.mjs$/)]));
    expect(existsSync(join(outdir, 'migrations', 'meta', '_journal.json'))).toBe(true);
  });

  it('is what `npm run daemon` starts (through the launcher, with the node flags the bench measures it with: scripts/launch.test.ts)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.daemon).toBe('node scripts/launch.mjs daemon');
    expect(pkg.scripts['build:daemon']).toBe('tsx scripts/build-daemon.ts');
    expect(DAEMON_BUNDLE).toMatchObject({ outdir: 'dist-daemon', marker: 'cli.mjs', script: 'build:daemon' });
    expect(DAEMON_NODE_FLAGS).toEqual(['--max-semi-space-size=8']);
  });

  it('runs under plain node: prints its URL, answers /health with the package version, exits 0 on SIGTERM', async () => {
    const dataDir = tempDir('tc-daemon-bundle-');
    const daemon = await startDaemonProcess(join(dataDir, 'data'), {}, 'warn', { argv: [...DAEMON_NODE_FLAGS, join(outdir, 'cli.mjs')], cwd: dataDir });
    const { proc, url, exited, stderr } = daemon;
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const health = await (await fetch(`${url}/health`, { signal: AbortSignal.timeout(10_000) })).json();
      const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
      expect(health).toMatchObject({ ok: true, version: pkg.version });

      proc.kill('SIGTERM');
      const exit = await Promise.race([exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no exit within 15 s of SIGTERM\n${stderr()}`)), 15_000).unref())]);
      expect(exit, stderr()).toEqual({ code: 0, signal: null });
    } finally {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    }
  }, 60_000);

  it('refuses an import of a package that is not a production dependency, and the next build still replaces the output', async () => {
    const root = tempDir('tc-daemon-devdep-');
    writeFileSync(join(root, 'package.json'), JSON.stringify({ dependencies: { pino: '*' } }));
    writeFileSync(join(root, 'entry.ts'), "import 'pino';\nimport { describe } from 'vitest';\nexport const d = describe;\n");
    const build = () => buildDaemon({ root, outdir: join(root, 'out'), entries: { cli: 'entry.ts' } });
    await expect(build()).rejects.toThrow(/^daemon bundle imports vitest, which is not a production dependency$/);
    // Refused again for the import, not for an output directory it does not recognise as its own.
    await expect(build()).rejects.toThrow(/^daemon bundle imports vitest/);
  });
});
