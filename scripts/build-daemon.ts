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

/**
 * The node flags `npm run daemon` starts the bundle with (package.json's "daemon" script; a test
 * holds the two together, and the bench starts its daemon with them). V8 lets each young-generation
 * semi-space grow to 16 MB and keeps the pages: an idle daemon that had just armed 10 000
 * strategies sat at 214 MB RSS; with 8 MB semi-spaces, at 138–143 MB (bench/RESULTS.md,
 * footprint). 2 MB went lower still, with a quarter of the room (more scavenges, more promoted to old
 * space); 8 MB is the middle.
 */
export const DAEMON_NODE_FLAGS = ['--max-semi-space-size=8'] as const;
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
