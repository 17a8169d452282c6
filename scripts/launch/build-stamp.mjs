// @ts-check
/**
 * Build only what changed: a content hash over a build's inputs, kept in a stamp file inside its
 * output directory after a successful build. The next start compares and skips the build when
 * nothing changed, so a restart (a service manager's, or after a crash) listens in well under a
 * second instead of after 4–14 s of rebuilding the UI and the bundle.
 *
 * The stamp is removed before a build starts and written only when it succeeded, so a failed or
 * interrupted build is redone next time. Content, not timestamps: a `git checkout` that touches
 * files without changing them rebuilds nothing, and one that changes them is always seen.
 *
 *   const target = { name: 'the UI', inputs: ['renderer', 'vite.config.ts'], exclude: ['renderer/dist'], outdir: 'renderer/dist' };
 *   const change = buildChange(root, target);   // null, or { hash, files, why }
 *   if (change) { build(); writeStamp(root, target, change); }
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { createFileReads } from './file-reads.mjs';

export const STAMP_NAME = '.build-stamp';

/**
 * @typedef {object} BuildTarget
 * @property {string} name what is built, for messages ("the UI")
 * @property {string[]} inputs files and directories relative to the root, read recursively
 * @property {string[]} [exclude] paths relative to the root left out (the output itself)
 * @property {string} outdir the output directory relative to the root; the stamp lives in it
 * @property {string} [marker] a file relative to outdir the build must have made (index.html)
 *
 * @typedef {{ hash: string, files: Record<string, string> }} Inputs
 * @typedef {Inputs & { why: string }} Change
 */

/** Never inputs: dependencies, build outputs elsewhere, and tests, which no build reads. */
const IGNORED = /(^|\/)(node_modules|\.git)(\/|$)|\.test\.tsx?$|(^|\/)\.DS_Store$/;

/**
 * @param {string} root
 * @param {string} rel
 * @param {Set<string>} excluded
 * @param {string[]} out
 */
function collect(root, rel, excluded, out) {
  if (excluded.has(rel) || IGNORED.test(rel)) return;
  const abs = join(root, rel);
  if (!existsSync(abs)) return;
  if (statSync(abs).isDirectory()) {
    for (const name of readdirSync(abs).sort()) collect(root, `${rel}/${name}`, excluded, out);
  } else {
    out.push(rel);
  }
}

/**
 * The content hash of a target's inputs, and each file's own hash (to say what changed).
 *
 * @param {string} root
 * @param {BuildTarget} target
 * @param {import('./file-reads.mjs').FileReads} [reads] this run's reads, shared with other targets
 * @returns {Inputs}
 */
export function hashInputs(root, target, reads = createFileReads()) {
  const excluded = new Set((target.exclude ?? []).map((p) => p.split(sep).join('/')));
  /** @type {string[]} */
  const paths = [];
  for (const input of target.inputs) collect(root, input.split(sep).join('/'), excluded, paths);
  const total = createHash('sha256');
  /** @type {Record<string, string>} */
  const files = {};
  for (const path of paths.sort()) {
    const digest = createHash('sha256').update(reads.bytes(join(root, path))).digest('hex');
    files[path] = digest;
    total.update(`${path}\0${digest}\n`);
  }
  return { hash: total.digest('hex'), files };
}

/** @param {string} root @param {BuildTarget} target */
const stampPath = (root, target) => join(root, target.outdir, STAMP_NAME);

/**
 * @param {Record<string, string>} before
 * @param {Record<string, string>} now
 */
function describeChange(before, now) {
  const changed = [
    ...Object.keys(now).filter((p) => before[p] !== now[p]),
    ...Object.keys(before).filter((p) => !(p in now)),
  ];
  const shown = changed.slice(0, 3).join(', ');
  return changed.length > 3 ? `${shown} and ${changed.length - 3} more changed` : `${shown} changed`;
}

/**
 * Null when the output was built from exactly these inputs; otherwise the new inputs and why a
 * build is needed.
 *
 * @param {string} root
 * @param {BuildTarget} target
 * @param {import('./file-reads.mjs').FileReads} [reads]
 * @returns {Change | null}
 */
export function buildChange(root, target, reads) {
  const inputs = hashInputs(root, target, reads);
  const path = stampPath(root, target);
  if (!existsSync(path)) return { ...inputs, why: `no record of a successful build (${relative(root, path)})` };
  if (target.marker !== undefined && !existsSync(join(root, target.outdir, target.marker))) {
    return { ...inputs, why: `${target.outdir}/${target.marker} is missing` };
  }
  /** @type {Partial<Inputs>} */
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return { ...inputs, why: `${relative(root, path)} is unreadable` };
  }
  if (stamp.hash === inputs.hash) return null;
  return { ...inputs, why: describeChange(stamp.files ?? {}, inputs.files) };
}

/** Removes the stamp before a build, so one that fails or is cut short is not taken as done. */
export function clearStamp(/** @type {string} */ root, /** @type {BuildTarget} */ target) {
  rmSync(stampPath(root, target), { force: true });
}

/**
 * Records a successful build of these inputs.
 *
 * @param {string} root
 * @param {BuildTarget} target
 * @param {Inputs} inputs
 */
export function writeStamp(root, target, inputs) {
  mkdirSync(join(root, target.outdir), { recursive: true });
  writeFileSync(stampPath(root, target), `${JSON.stringify({ hash: inputs.hash, files: inputs.files })}\n`);
}
