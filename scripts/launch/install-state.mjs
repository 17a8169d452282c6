// @ts-check
/**
 * Whether node_modules holds what package-lock.json names. npm records what it installed in
 * node_modules/.package-lock.json after every install (npm ci, npm install, npm install <pkg>), so
 * that record, not a stamp of our own, is compared: an install made by hand counts too.
 *
 *   installNeed(root) → null                                   up to date
 *                     → { reason: 'node_modules is missing', npmArgs: ['ci'] }
 */
import { existsSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { createFileReads } from './file-reads.mjs';

/**
 * @typedef {{ version?: string, resolved?: string, link?: boolean, optional?: boolean, devOptional?: boolean,
 *   dependencies?: Record<string, string>, devDependencies?: Record<string, string>,
 *   optionalDependencies?: Record<string, string>, peerDependencies?: Record<string, string> }} LockEntry
 * @typedef {{ packages?: Record<string, LockEntry> }} Lockfile
 * @typedef {{ reason: string, npmArgs: string[] }} InstallNeed
 */

const DEPENDENCY_FIELDS = /** @type {const} */ (['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']);

/** @param {string} key a lockfile key such as node_modules/@scope/pkg/node_modules/dep */
const packageName = (key) => key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);

/** @param {LockEntry} entry */
const identity = (entry) => (entry.link ? `link to ${entry.resolved}` : (entry.version ?? '?'));

/**
 * The first way package.json's dependency lists differ from the ones package-lock.json was made
 * from, or null. `npm ci` refuses such a lock, so the launcher runs `npm install` instead.
 *
 * @param {Record<string, unknown>} pkg package.json
 * @param {LockEntry | undefined} lockRoot package-lock.json's packages[""]
 * @returns {string | null}
 */
export function manifestDifference(pkg, lockRoot) {
  for (const field of DEPENDENCY_FIELDS) {
    const wanted = /** @type {Record<string, string>} */ (pkg[field] ?? {});
    const locked = lockRoot?.[field] ?? {};
    for (const name of new Set([...Object.keys(wanted), ...Object.keys(locked)])) {
      if (wanted[name] !== locked[name]) return `package.json's ${field} has ${name} ${wanted[name] ?? '(none)'}, package-lock.json ${locked[name] ?? '(none)'}`;
    }
  }
  return null;
}

/**
 * The first difference between what the lock names and what npm recorded as installed, or null.
 * An optional package the lock names may be absent (optional, or devOptional: optional somewhere
 * in the dev tree): npm skips those built for other platforms.
 *
 * @param {Lockfile} lock package-lock.json
 * @param {Lockfile} installed node_modules/.package-lock.json
 * @returns {string | null}
 */
export function lockDifference(lock, installed) {
  const want = lock.packages ?? {};
  const have = installed.packages ?? {};
  for (const [key, entry] of Object.entries(want)) {
    if (key === '') continue;
    const got = have[key];
    if (got === undefined) {
      if (entry.optional || entry.devOptional) continue;
      return `${packageName(key)} ${identity(entry)} is not installed`;
    }
    if (identity(got) !== identity(entry)) return `${packageName(key)} is ${identity(got)}, package-lock.json names ${identity(entry)}`;
  }
  for (const key of Object.keys(have)) {
    if (key !== '' && !(key in want)) return `${packageName(key)} is installed but not in package-lock.json`;
  }
  return null;
}

/**
 * Why an install is needed before anything else runs, and the npm command for it; null when
 * node_modules matches package-lock.json.
 *
 * @param {string} root the repository root
 * @param {import('./file-reads.mjs').FileReads} [reads] this run's reads, shared with the builds' stamps
 * @returns {InstallNeed | null}
 */
export function installNeed(root, reads = createFileReads()) {
  const hasLock = existsSync(join(root, 'package-lock.json'));
  const npmArgs = hasLock ? ['ci'] : ['install'];
  if (!existsSync(join(root, 'node_modules'))) return { reason: 'node_modules is missing', npmArgs };
  const recordPath = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(recordPath)) return { reason: 'node_modules has no record of what was installed (node_modules/.package-lock.json)', npmArgs };
  if (!hasLock) return null;
  const lock = /** @type {Lockfile} */ (reads.json(join(root, 'package-lock.json')));
  const manifest = manifestDifference(/** @type {Record<string, unknown>} */ (reads.json(join(root, 'package.json'))), lock.packages?.['']);
  if (manifest !== null) return { reason: `${manifest}, so the lock is updated too`, npmArgs: ['install'] };
  const stale = lockDifference(lock, /** @type {Lockfile} */ (reads.json(recordPath)));
  return stale === null ? null : { reason: `node_modules is stale: ${stale}`, npmArgs };
}

/**
 * True when node_modules is a link (to a checkout's shared install): an install there would
 * replace what other checkouts run on, so the launcher says what is stale and leaves it.
 *
 * @param {string} root
 */
export function nodeModulesIsLink(root) {
  try {
    return lstatSync(join(root, 'node_modules')).isSymbolicLink();
  } catch {
    return false;
  }
}
