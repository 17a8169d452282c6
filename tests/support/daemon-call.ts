/** One JSON request to an in-process daemon (startDaemon's handle), with an optional bearer token. */
import type { DaemonHandle } from '../../engine/daemon';

export async function callDaemon(d: Pick<DaemonHandle, 'url'>, method: string, path: string, token: string | null, body?: unknown): Promise<any> {
  const res = await fetch(`${d.url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return res.json();
}
