/**
 * Another local user, for tests of who can read what. Root bypasses file permissions, so a read
 * attempt only means something when it runs as someone else: `nobody`, through setpriv (or
 * runuser). Where that is impossible (not root, no such tools) the caller skips and says why.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export type OtherUser = { readonly ok: true; readonly uid: number } | { readonly ok: false; readonly reason: string };

const NOBODY = 65_534;
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

export function otherUser(): OtherUser {
  if (process.platform === 'win32') return { ok: false, reason: 'file modes are not how Windows keeps users apart' };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'switching to another user needs root' };
  if (!SETPRIV) return { ok: false, reason: 'setpriv (util-linux) is not installed' };
  const probe = spawnSync(SETPRIV, ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', 'id', '-u'], { encoding: 'utf8' });
  if (probe.status !== 0 || probe.stdout.trim() !== String(NOBODY)) return { ok: false, reason: `setpriv to uid ${NOBODY} failed: ${probe.stderr || probe.error?.message}` };
  return { ok: true, uid: NOBODY };
}

/**
 * The paths `nobody` could read (files) or list (directories). Each attempt runs as `nobody`,
 * with no supplementary groups.
 */
export function readableByOtherUser(paths: readonly string[]): string[] {
  const script = 'for p in "$@"; do if [ -d "$p" ]; then ls -a "$p" >/dev/null 2>&1 && echo "$p"; else cat "$p" >/dev/null 2>&1 && echo "$p"; fi; done; exit 0';
  const r = spawnSync(SETPRIV!, ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', '/bin/sh', '-c', script, 'sh', ...paths], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`read attempt as nobody failed to run: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean);
}
