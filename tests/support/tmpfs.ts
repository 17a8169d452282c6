/**
 * A real full disk for tests: a tiny tmpfs mounted on a temporary directory (Linux, as root, which
 * is how the suite and CI run). Where mounting is impossible the tests that need it are skipped
 * and say why, never passed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Mountable = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Tries a 64 KiB tmpfs once; the reason when it cannot be had. */
export function probeTmpfs(): Mountable {
  if (process.platform !== 'linux') return { ok: false, reason: `tmpfs mounts need Linux (this is ${process.platform})` };
  const dir = mkdtempSync(join(tmpdir(), 'tradeclock-tmpfs-probe-'));
  try {
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { encoding: 'utf8' });
    if (mounted.error || mounted.status !== 0) return { ok: false, reason: `mount -t tmpfs failed: ${mounted.error?.message ?? mounted.stderr.trim()}` };
    spawnSync('umount', [dir]);
    return { ok: true };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Mounts a tmpfs of `bytes` on `dir` (created if needed). */
export function mountTmpfs(dir: string, bytes: number): void {
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0700`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mount tmpfs on ${dir}: ${r.stderr}`);
}

export function unmountTmpfs(dir: string): void {
  // -l: a process still holding a file there (a daemon that failed the test) must not fail cleanup.
  spawnSync('umount', ['-l', dir]);
}

/** Writes `path` until the filesystem refuses (ENOSPC); returns the bytes written. */
export function fillDisk(path: string): number {
  const fd = openSync(path, 'w');
  let written = 0;
  try {
    // Smaller and smaller writes, down to one byte: not even a short log line may fit after this.
    for (let size = 65_536; size >= 1; size = Math.floor(size / 2)) {
      const chunk = Buffer.alloc(size, 0x2e);
      try {
        for (;;) written += writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      }
    }
  } finally {
    closeSync(fd);
  }
  return written;
}
