// better-sqlite3 is compiled for one runtime at a time. `npm start` rebuilds it for Electron;
// this puts it back for Node before the tests or the daemon, only when it does not load.
import { execSync, spawnSync } from 'node:child_process';

const probe = spawnSync(process.execPath, ['-e', "require('better-sqlite3')(':memory:').close()"], { encoding: 'utf8' });
if (probe.status !== 0) {
  if (!/NODE_MODULE_VERSION|was compiled against a different Node\.js version/.test(probe.stderr)) {
    process.stderr.write(probe.stderr);
    process.exit(probe.status ?? 1);
  }
  process.stderr.write('better-sqlite3 was built for Electron; rebuilding it for Node (about 90 s)...\n');
  execSync('npm rebuild better-sqlite3', { stdio: 'inherit' });
}
