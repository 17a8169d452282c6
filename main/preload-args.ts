/**
 * Reading what the main process hands the preload on its command line. Plain code: the sandboxed
 * preload bundles this file, and it may only `require('electron')`.
 */
import { API_BASE_ARG } from './bridge-api';

/**
 * The API origin passed as `--tradeclock-api-base=…`, or null when it is missing or not an
 * http loopback origin (then the preload exposes nothing rather than a wrong base).
 *
 * @example
 * apiBaseFromArgv(['electron', '--tradeclock-api-base=http://127.0.0.1:5000']) // 'http://127.0.0.1:5000'
 */
export function apiBaseFromArgv(argv: readonly string[]): string | null {
  const arg = argv.find((a) => a.startsWith(API_BASE_ARG));
  if (arg === undefined) return null;
  const value = arg.slice(API_BASE_ARG.length);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'http:' || !loopback || url.origin !== value) return null;
  return url.origin;
}
