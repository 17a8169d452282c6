/**
 * Bundles the headless daemon (`tradeclock daemon`, engine/cli.ts) with esbuild for plain Node:
 *   dist-daemon/cli.mjs       ESM, Node 20; npm packages stay external (resolved from node_modules)
 *   dist-daemon/migrations/   db/migrations, found next to the bundle as in dist-electron/
 * `npm run daemon` runs it with plain `node`: no TypeScript loader in the trader's process, which
 * starts faster and needs ~60 MB less memory than running the sources under tsx.
 *
 *   tsx scripts/build-daemon.ts [--minify]
 */
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { finishOutdir, mainBundleOptions, outputFiles, prepareOutdir, productionDependencies, ROOT, unshippedImports, type BuildResult } from './build-main';

const DAEMON_OUT_DIR_NAME = 'dist-daemon';

/** The node flags the daemon bundle runs with (scripts/launch/daemon-flags.mjs has why). */
export { DAEMON_NODE_FLAGS } from './launch/daemon-flags.mjs';
/** The oldest Node the package supports (package.json engines). */
const DAEMON_NODE_TARGET = 'node20';

export async function buildDaemon(opts: { root?: string; outdir?: string; minify?: boolean; entries?: Record<string, string>; allowDevDependencies?: boolean } = {}): Promise<BuildResult> {
  const root = opts.root ?? ROOT;
  const outdir = resolve(opts.outdir ?? join(root, DAEMON_OUT_DIR_NAME));
  prepareOutdir(root, outdir);
  const result = await build(mainBundleOptions(root, outdir, opts.entries ?? { cli: 'engine/cli.ts' }, opts.minify, DAEMON_NODE_TARGET));
  const unshipped = opts.allowDevDependencies ? [] : unshippedImports(result.metafile!, productionDependencies(root));
  if (unshipped.length > 0) throw new Error(unshipped.map((p) => `daemon bundle imports ${p}, which is not a production dependency`).join('\n'));
  finishOutdir(root, outdir);
  return { outdir, files: outputFiles(root, result.metafile!) };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const result = await buildDaemon({ minify: process.argv.includes('--minify') });
  const ms = Math.round(performance.now() - started);
  process.stdout.write(`built ${basename(result.outdir)}/ in ${ms} ms: ${result.files.filter((f) => !f.endsWith('.map')).join(', ')} + migrations/\n`);
}
