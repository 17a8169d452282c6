/**
 * Bundles the bench's child programs (bench/children/*.ts) with the daemon's own build
 * (scripts/build-daemon.ts: esbuild, ESM for Node 20, npm packages external, the migrations
 * beside the bundle) into a directory of the repository root that the bench removes at the end.
 * The `tradeclock` command itself (engine/cli.ts) is bundled beside them as `cli.mjs`, as
 * dist-daemon/cli.mjs: the start section runs it as a trader does.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../scripts/build-main';
import { buildDaemon } from '../../scripts/build-daemon';

const CHILDREN = ['daemon', 'fake', 'floor-relay', 'floor-timer', 'hello'] as const;

export interface BuiltChildren {
  readonly dir: string;
  remove(): void;
}

export async function buildChildren(): Promise<BuiltChildren> {
  // A direct child of the root: engine code finds ../package.json from its bundle.
  const dir = join(ROOT, `.bench-build-${process.pid}`);
  await buildDaemon({ outdir: dir, entries: { ...Object.fromEntries(CHILDREN.map((c) => [c, `bench/children/${c}.ts`])), cli: 'engine/cli.ts' }, allowDevDependencies: true });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
