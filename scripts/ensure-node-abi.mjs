// @ts-check
// better-sqlite3 is compiled for one runtime at a time. `npm start` rebuilds it for Electron;
// this puts it back for Node before the tests or the daemon, only when it does not load.
// The launcher (scripts/launch.mjs) calls ensureNodeAbi(); `node scripts/ensure-node-abi.mjs` too.
import { execSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Loads better-sqlite3 in this process (the cheapest probe: a failed native load throws, it does
 * not crash) and rebuilds it for this Node when it was built for another ABI. Exits on any
 * other failure, printing it.
 *
 * @param {string} root the repository root
 */
export function ensureNodeAbi(root) {
  try {
    const Database = createRequire(resolve(root, 'package.json'))('better-sqlite3');
    new Database(':memory:').close();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (!/NODE_MODULE_VERSION|was compiled against a different Node\.js version/.test(message)) {
      process.stderr.write(`better-sqlite3 does not load: ${message}\n`);
      process.exit(1);
    }
    process.stderr.write('better-sqlite3 was built for Electron; rebuilding it for Node (about 90 s)...\n');
    execSync('npm rebuild better-sqlite3', { cwd: root, stdio: 'inherit' });
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureNodeAbi(join(dirname(fileURLToPath(import.meta.url)), '..'));
}
