// @ts-check
/**
 * The system packages `npm test` needs (scripts/install-system-deps.sh names them): installed
 * here when this user may (root, or sudo without a password) and apt-get exists; otherwise the
 * run stops at once with the line to run. Without them the keyring wrapper stops the unit suite
 * before its first test, so going on would only fail later and less clearly.
 *
 *   const plan = systemDepsPlan({ ci: false, missing: ['redis-server'], canInstall: false });
 *   // { action: 'stop', message: '... sudo bash scripts/install-system-deps.sh ...' }
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const INSTALL_LINE = 'sudo bash scripts/install-system-deps.sh';

/**
 * @typedef {{ action: 'none' } | { action: 'install', message: string } | { action: 'stop', message: string }} SystemDepsPlan
 */

/**
 * What to do about the system packages.
 *
 * @param {{ ci: boolean, missing: string[] | null, canInstall: boolean }} facts
 *   missing: null where they cannot be checked (no dpkg: not Debian or Ubuntu)
 * @returns {SystemDepsPlan}
 */
export function systemDepsPlan({ ci, missing, canInstall }) {
  // CI installs them itself first (.ci/run); a test that still misses one says which.
  if (ci || missing === null || missing.length === 0) return { action: 'none' };
  const list = missing.join(', ');
  if (canInstall) return { action: 'install', message: `launch: installing the system packages the tests use (missing: ${list})` };
  return {
    action: 'stop',
    message:
      `npm test needs system packages that are not installed: ${list}.\n` +
      `Install them (Debian/Ubuntu) with:\n\n    ${INSTALL_LINE}\n\nthen run npm test again.`,
  };
}

/** @param {string} command */
const hasCommand = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;

/**
 * The packages scripts/install-system-deps.sh would install, or null without dpkg.
 *
 * @param {string} root
 * @returns {string[] | null}
 */
export function missingSystemPackages(root) {
  if (!hasCommand('dpkg-query')) return null;
  const check = spawnSync('bash', [join(root, 'scripts', 'install-system-deps.sh'), '--check'], { encoding: 'utf8' });
  return check.status === 0 ? [] : check.stdout.split('\n').filter(Boolean);
}

/** Root, or sudo without a password, and apt-get to install with. */
export function canInstallSystemPackages() {
  if (!hasCommand('apt-get')) return false;
  if (process.getuid?.() === 0) return true;
  return spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
}
