/**
 * Builds the renderer once per run, so the daemons the tests start serve what is in the tree
 * now. Set E2E_SKIP_BUILD=1 to reuse renderer/dist (iterating on a test, not on the UI).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..', '..');

export default function globalSetup(): void {
  if (process.env.E2E_SKIP_BUILD === '1' && existsSync(join(ROOT, 'renderer', 'dist', 'index.html'))) return;
  const result = spawnSync(join(ROOT, 'node_modules', '.bin', 'vite'), ['build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`vite build failed (exit ${result.status ?? result.signal})`);
}
