/**
 * Bundles the Electron main process and preload with esbuild:
 *   dist-electron/main.mjs     ESM, Node target; npm packages stay external (electron-builder ships
 *                              the production dependencies; native addons cannot be bundled)
 *   dist-electron/preload.cjs  CommonJS (a sandboxed preload cannot be an ES module and may
 *                              only require 'electron'), everything else inlined
 *   dist-electron/migrations/  db/migrations, because db/migrate.ts finds them next to its own
 *                              import.meta.url, which after bundling is main.mjs's
 * and checks what the packaged app would trip over: an import of a devDependency, a preload
 * that requires more than 'electron', the bundle's relative paths.
 *
 *   tsx scripts/build-main.ts [--minify]
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Metafile } from 'esbuild';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const OUT_DIR_NAME = 'dist-electron';
const BUILD_MARKER = '.build-main';

/** Electron 45 runs Node 22 in main and Chromium ≥140 in the preload. */
const NODE_TARGET = 'node22';
const PRELOAD_TARGET = 'chrome140';

/** Options for an ESM Node bundle of `entryPoints` (the main process, or engine code in tests). */
export function mainBundleOptions(root: string, outdir: string, entryPoints: Record<string, string>, minify = false, target = NODE_TARGET): BuildOptions {
  return {
    absWorkingDir: root,
    entryPoints,
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target,
    outExtension: { '.js': '.mjs' },
    packages: 'external',
    external: ['electron'],
    sourcemap: 'linked',
    minify,
    keepNames: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  };
}

export function preloadBundleOptions(root: string, outdir: string, minify = false): BuildOptions {
  return {
    absWorkingDir: root,
    entryPoints: { preload: 'main/preload.ts' },
    outdir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: PRELOAD_TARGET,
    outExtension: { '.js': '.cjs' },
    external: ['electron'],
    sourcemap: 'inline',
    minify,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  };
}

/** The npm package an import names (`@scope/pkg/sub` → `@scope/pkg`), or null for a Node builtin. */
export function packageOf(spec: string): string | null {
  if (spec.startsWith('node:') || builtinModules.includes(spec) || builtinModules.includes(spec.split('/')[0]!)) return null;
  const parts = spec.split('/');
  return spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

/** External imports of the bundle that a packaged app could not resolve (not a builtin, electron or a production dependency). */
export function unshippedImports(metafile: Metafile, dependencies: ReadonlySet<string>): string[] {
  const bad = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const imp of output.imports) {
      if (!imp.external) continue;
      const pkg = packageOf(imp.path);
      if (pkg !== null && pkg !== 'electron' && !dependencies.has(pkg)) bad.add(imp.path);
    }
  }
  return [...bad].sort();
}

/** Imports of the preload bundle other than 'electron' (a sandboxed preload cannot load them). */
export function preloadForbiddenImports(metafile: Metafile): string[] {
  return Object.values(metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external && i.path !== 'electron').map((i) => i.path));
}

export interface BuildResult {
  readonly outdir: string;
  readonly files: readonly string[];
}

/** Empties and marks `outdir` for a new build, refusing a directory the engine paths would not fit or that no build script made. */
export function prepareOutdir(root: string, outdir: string): void {
  // Engine code resolves ../package.json and ../renderer/dist from the bundle's own location.
  if (dirname(outdir) !== resolve(root)) throw new Error(`outdir must be a direct child of ${root} (engine paths are relative to it), got ${outdir}`);
  // Never wipe a directory this script did not make (a wrong outdir must not delete sources).
  if (existsSync(outdir) && readdirSync(outdir).length > 0 && !existsSync(join(outdir, BUILD_MARKER))) {
    throw new Error(`refusing to replace ${outdir}: it was not made by a build script (no ${BUILD_MARKER} in it)`);
  }
  rmSync(outdir, { recursive: true, force: true });
  // Marked before esbuild writes into it: a build refused after that (a devDependency import) must
  // not leave a directory the next build refuses to replace.
  mkdirSync(outdir, { recursive: true });
  writeFileSync(join(outdir, BUILD_MARKER), 'made by scripts/build-main.ts or build-daemon.ts; the whole directory is replaced on every build\n');
}

/** The migrations beside the bundle (db/migrate.ts looks next to its own import.meta.url). */
export function finishOutdir(root: string, outdir: string): void {
  cpSync(join(root, 'db', 'migrations'), join(outdir, 'migrations'), { recursive: true });
  if (!existsSync(join(outdir, 'migrations', 'meta', '_journal.json'))) throw new Error('db/migrations/meta/_journal.json missing after copy');
}

export function productionDependencies(root: string): Set<string> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  return new Set(Object.keys(pkg.dependencies ?? {}));
}

export function outputFiles(root: string, ...metafiles: Metafile[]): string[] {
  return metafiles
    .flatMap((m) => Object.keys(m.outputs))
    .map((f) => relative(root, resolve(root, f)))
    .sort();
}

export async function buildMain(opts: { root?: string; outdir?: string; minify?: boolean; extraEntries?: Record<string, string> } = {}): Promise<BuildResult> {
  const root = opts.root ?? ROOT;
  const outdir = resolve(opts.outdir ?? join(root, OUT_DIR_NAME));
  prepareOutdir(root, outdir);
  const [main, preload] = await Promise.all([
    build(mainBundleOptions(root, outdir, { main: 'main/index.ts', ...(opts.extraEntries ?? {}) }, opts.minify)),
    build(preloadBundleOptions(root, outdir, opts.minify)),
  ]);
  const problems = [
    ...unshippedImports(main.metafile!, productionDependencies(root)).map((p) => `main bundle imports ${p}, which is not a production dependency: the packaged app would not find it`),
    ...preloadForbiddenImports(preload.metafile!).map((p) => `preload requires ${p}: a sandboxed preload may only require 'electron'; bundle it instead`),
  ];
  if (problems.length > 0) throw new Error(problems.join('\n'));
  finishOutdir(root, outdir);
  return { outdir, files: outputFiles(root, main.metafile!, preload.metafile!) };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const result = await buildMain({ minify: process.argv.includes('--minify') });
  const ms = Math.round(performance.now() - started);
  process.stdout.write(`built ${basename(result.outdir)}/ in ${ms} ms: ${result.files.filter((f) => !f.endsWith('.map')).join(', ')} + migrations/\n`);
}
