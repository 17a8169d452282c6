/**
 * Build only what changed: the stamp beside the output decides, in real temp directories, with a
 * build that writes its output the way vite and esbuild do (the whole directory replaced).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { STAMP_NAME } from './build-stamp.mjs';
import { buildIfChanged, DAEMON_BUNDLE, MAIN_BUNDLE, RENDERER, type NpmBuildTarget } from './targets.mjs';

const temps: string[] = [];
let root: string;
let builds: number;
let failNext: boolean;
let said: string[];

const target: NpmBuildTarget = {
  name: 'the UI',
  inputs: ['ui', 'ui.config.ts', 'package-lock.json'],
  exclude: ['ui/dist'],
  outdir: 'ui/dist',
  marker: 'index.html',
  script: 'build:ui',
};

const write = (rel: string, text: string) => {
  mkdirSync(join(root, rel, '..'), { recursive: true });
  writeFileSync(join(root, rel), text);
};

/** Replaces the output as vite's emptyOutDir does; a failing build leaves a half-written one. */
const build = () => {
  builds++;
  rmSync(join(root, 'ui', 'dist'), { recursive: true, force: true });
  mkdirSync(join(root, 'ui', 'dist'), { recursive: true });
  if (failNext) return 1;
  writeFileSync(join(root, 'ui', 'dist', 'index.html'), `<built ${builds}>`);
  return 0;
};
const run = () => buildIfChanged(root, target, { run: build });

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'tc-stamp-'));
  temps.push(root);
  builds = 0;
  failNext = false;
  said = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    said.push(String(chunk));
    return true;
  });
  write('ui/app.tsx', 'export const App = 1;');
  write('ui/app.test.tsx', 'test');
  write('ui/styles/main.css', 'body {}');
  write('ui.config.ts', 'export default {};');
  write('package-lock.json', '{"lockfileVersion":3}');
});
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('buildIfChanged', () => {
  it('builds the first time, and not again while nothing changed', () => {
    expect(run()).toBe(true);
    expect(said).toEqual([`launch: building the UI: no record of a successful build (ui/dist/${STAMP_NAME})\n`]);
    expect(run()).toBe(true);
    expect(run()).toBe(true);
    expect(builds).toBe(1);
    expect(said).toHaveLength(1);
  });

  it('rebuilds when a source, a config or the lockfile changes, and says which', () => {
    run();
    write('ui/styles/main.css', 'body { color: red }');
    run();
    write('ui.config.ts', 'export default { base: "./" };');
    write('package-lock.json', '{"lockfileVersion":3,"packages":{}}');
    run();
    write('ui/new-screen.tsx', 'export {};');
    rmSync(join(root, 'ui', 'app.tsx'));
    run();
    expect(builds).toBe(4);
    expect(said.slice(1)).toEqual([
      'launch: building the UI: ui/styles/main.css changed\n',
      'launch: building the UI: package-lock.json, ui.config.ts changed\n',
      'launch: building the UI: ui/new-screen.tsx, ui/app.tsx changed\n',
    ]);
  });

  it('does not rebuild for a file touched but not changed, a test, or the output itself', () => {
    run();
    utimesSync(join(root, 'ui', 'app.tsx'), new Date(2030, 0, 1), new Date(2030, 0, 1));
    write('ui/app.test.tsx', 'test changed');
    write('ui/dist/extra.js', 'written by someone');
    run();
    expect(builds).toBe(1);
  });

  it('leaves no stamp after a failed build, so the next start builds again', () => {
    run();
    write('ui/app.tsx', 'export const App = 2;');
    failNext = true;
    expect(run()).toBe(false);
    expect(existsSync(join(root, 'ui', 'dist', STAMP_NAME))).toBe(false);
    failNext = false;
    expect(run()).toBe(true);
    expect(builds).toBe(3);
    expect(said[2]).toBe(`launch: building the UI: no record of a successful build (ui/dist/${STAMP_NAME})\n`);
  });

  it('rebuilds when the output was deleted under an intact stamp', () => {
    run();
    rmSync(join(root, 'ui', 'dist', 'index.html'));
    run();
    expect(builds).toBe(2);
    expect(said[1]).toBe('launch: building the UI: ui/dist/index.html is missing\n');
    expect(readFileSync(join(root, 'ui', 'dist', 'index.html'), 'utf8')).toBe('<built 2>');
  });

  it('sums up a change of many files', () => {
    run();
    for (const n of [1, 2, 3, 4, 5]) write(`ui/screen-${n}.tsx`, `${n}`);
    run();
    expect(said[1]).toBe('launch: building the UI: ui/screen-1.tsx, ui/screen-2.tsx, ui/screen-3.tsx and 2 more changed\n');
  });
});

describe('the targets', () => {
  it('keep each stamp inside the output it describes and read what each build reads', () => {
    expect(RENDERER).toMatchObject({ outdir: 'renderer/dist', exclude: ['renderer/dist'], script: 'build:renderer' });
    expect(RENDERER.inputs).toEqual(expect.arrayContaining(['renderer', 'vite.config.ts', 'package-lock.json']));
    expect(DAEMON_BUNDLE).toMatchObject({ outdir: 'dist-daemon', marker: 'cli.mjs', script: 'build:daemon' });
    expect(DAEMON_BUNDLE.inputs).toEqual(expect.arrayContaining(['engine', 'db', 'scripts/build-daemon.ts', 'scripts/build-main.ts', 'package-lock.json']));
    expect(MAIN_BUNDLE.inputs).toEqual(expect.arrayContaining(['main', 'engine', 'db', 'scripts/build-main.ts']));
  });
});
