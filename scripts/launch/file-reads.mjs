// @ts-check
/**
 * The files one launcher run reads, each from disk once: package-lock.json is parsed by the install
 * check and hashed into every build's stamp, and package.json and tsconfig.base.json are inputs of
 * every build. An install may rewrite the lock, so the launcher forgets what it read after one.
 *
 *   const reads = createFileReads();
 *   installNeed(root, reads);                    // reads package-lock.json
 *   buildIfChanged(root, RENDERER, { reads });   // hashes the same bytes, no second read
 */
import { readFileSync } from 'node:fs';

/**
 * @typedef {object} FileReads
 * @property {(path: string) => Buffer} bytes the file's content, read on first use
 * @property {(path: string) => unknown} json the file parsed as JSON
 * @property {() => void} forget read everything afresh from now on
 */

/**
 * @param {(path: string) => Buffer} [read] reads one file (tests count the reads)
 * @returns {FileReads}
 */
export function createFileReads(read = (path) => readFileSync(path)) {
  /** @type {Map<string, Buffer>} */
  const seen = new Map();
  const bytes = (/** @type {string} */ path) => {
    let content = seen.get(path);
    if (content === undefined) {
      content = read(path);
      seen.set(path, content);
    }
    return content;
  };
  return {
    bytes,
    json: (path) => JSON.parse(bytes(path).toString('utf8')),
    forget: () => seen.clear(),
  };
}
