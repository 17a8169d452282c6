/**
 * One launcher start reads package-lock.json once: the install check parses it and every build's
 * stamp hashes the same bytes. Real temp directories; the reader counts what it read.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { STAMP_NAME } from './build-stamp.mjs';
import { createFileReads } from './file-reads.mjs';
import { installNeed } from './install-state.mjs';
import { buildIfChanged, type NpmBuildTarget } from './targets.mjs';

let root: string;
const write = (rel: string, text: string) => {
  mkdirSync(join(root, rel, '..'), { recursive: true });
  writeFileSync(join(root, rel), text);
};
const LOCK = { lockfileVersion: 3, packages: { '': {}, 'node_modules/pino': { version: '10.4.0' } } };

const ui: NpmBuildTarget = { name: 'the UI', inputs: ['ui', 'package.json', 'package-lock.json'], exclude: ['ui/dist'], outdir: 'ui/dist', script: 'build:ui' };
const daemon: NpmBuildTarget = { name: 'the daemon', inputs: ['engine', 'package.json', 'package-lock.json'], outdir: 'dist-daemon', script: 'build:daemon' };
const built = () => 0;
let counts: Map<string, number>;

beforeEach(() => {
  counts = new Map();
  root = mkdtempSync(join(tmpdir(), 'tc-reads-'));
  write('package.json', '{"name":"app"}');
  write('package-lock.json', JSON.stringify(LOCK));
  write('node_modules/.package-lock.json', JSON.stringify({ lockfileVersion: 3, packages: { 'node_modules/pino': { version: '10.4.0' } } }));
  write('ui/app.tsx', 'export const App = 1;');
  write('engine/cli.ts', 'export {};');
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(root, { recursive: true, force: true });
});

/** The launcher's checks for `npm run daemon`, all with one set of reads, as one start makes them. */
function start(reads = createFileReads(count)) {
  expect(installNeed(root, reads)).toBeNull();
  for (const target of [ui, daemon]) expect(buildIfChanged(root, target, { run: built, reads })).toBe(true);
}
/** Reads a file, counting it by its path under the root. */
function count(path: string): Buffer {
  const rel = path.slice(root.length + 1);
  counts.set(rel, (counts.get(rel) ?? 0) + 1);
  return readFileSync(path);
}
describe('a start', () => {
  it('reads package-lock.json and package.json once, for the install check and both stamps', () => {
    start();
    expect(counts.get('package-lock.json')).toBe(1);
    expect(counts.get('package.json')).toBe(1);
    expect(counts.get('ui/app.tsx')).toBe(1);
  });

  it('still rebuilds both targets on the next start when the lock changed, and only the one whose source changed', () => {
    start();
    const stamps = () => [ui, daemon].map((t) => readFileSync(join(root, t.outdir, STAMP_NAME), 'utf8'));
    const first = stamps();
    write('package-lock.json', JSON.stringify({ ...LOCK, name: 'app' }));
    start();
    const second = stamps();
    expect(second.map((s, i) => s !== first[i])).toEqual([true, true]);
    write('engine/cli.ts', 'export const changed = true;');
    start();
    expect(stamps().map((s, i) => s !== second[i])).toEqual([false, true]);
  });

  it('hashes the lock as an install rewrote it once told to forget, so the next start builds nothing', () => {
    const reads = createFileReads(count);
    expect(installNeed(root, reads)).toBeNull();
    write('package-lock.json', JSON.stringify({ ...LOCK, name: 'rewritten by npm install' }));
    reads.forget();
    expect(buildIfChanged(root, ui, { run: built, reads })).toBe(true);
    expect(counts.get('package-lock.json')).toBe(2);
    let builds = 0;
    expect(buildIfChanged(root, ui, { run: () => (builds++, 0) })).toBe(true);
    expect(builds).toBe(0);
  });
});
