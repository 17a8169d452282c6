/**
 * The lock file of Tradeclock versions before the SQLite lock (issue 16): a JSON pid file,
 * `{ pid, host, startedAt }`, created with O_EXCL and never locked. Such a daemon may still be
 * running while a newer one starts on the same data directory (an upgrade over a running
 * install); taking its file over would put two engines on one database, each sending orders.
 *
 * Nothing holds a lock on that file, so its pid is all there is to go on, and a pid can be reused:
 * - a file naming this very process is stale (after kill -9 in a container the new daemon is
 *   pid 1 again, as its predecessor was);
 * - a pid with no process is stale;
 * - on Linux, a live pid whose program (/proc/<pid>/cmdline, argv[0]) is not node, electron or
 *   tradeclock is stale: the pid now belongs to an unrelated program. One that is such a program
 *   is taken for the older Tradeclock and refused;
 * - anywhere else, and for a file written on another host, nothing can tell: refused, saying how
 *   to proceed if that Tradeclock is gone.
 *
 * The process's start time (/proc/<pid>/stat) is not compared with the file's `startedAt`: the
 * one is computed from the boot time the kernel reports now, the other was written with the wall
 * clock of then, and a clock stepped in between (a Raspberry Pi without a real-time clock syncing
 * after boot) would make a live daemon look younger than its file, and be taken over. A refusal
 * costs the trader one deleted file; a takeover of a live daemon can cost duplicate orders.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/** What an older version wrote in its lock file. */
export interface LegacyOwner {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
}

/** Whether the older daemon named by the file may still run. */
export type LegacyVerdict =
  | { readonly kind: 'stale'; readonly why: string }
  /** Linux: the pid is alive and runs this program (node, electron or tradeclock; argv[0]'s name only: arguments may hold secrets). */
  | { readonly kind: 'running'; readonly program: string }
  /** The pid is alive (or on another host), and nothing here can tell what it runs. */
  | { readonly kind: 'unknown'; readonly why: string };

/** What the judgement reads about the system; replaced in tests. */
export interface ProcessProbe {
  readonly platform: NodeJS.Platform;
  readonly pid: number;
  readonly host: string;
  /** true: a process has this pid (including one of another user); false: none has. */
  isAlive(pid: number): boolean;
  /** The process's argv from /proc/<pid>/cmdline; null when it has gone; throws when unreadable. */
  argv(pid: number): readonly string[] | null;
}

export const systemProbe = (me: { readonly pid: number; readonly host: string }): ProcessProbe => ({
  platform: process.platform,
  pid: me.pid,
  host: me.host,
  isAlive(pid) {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  },
  argv(pid) {
    let raw: string;
    try {
      raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ESRCH') return null;
      throw err;
    }
    const argv = raw.split('\0');
    if (argv.at(-1) === '') argv.pop(); // each argument ends with a NUL
    return argv;
  },
});

/** The owner named by a pid file of an older version, or null when `text` is not one. */
export function parseLegacyLock(text: string): LegacyOwner | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { pid, host, startedAt } = value as Record<string, unknown>;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return null;
  return { pid, host: typeof host === 'string' ? host : '', startedAt: typeof startedAt === 'string' ? startedAt : 'unknown' };
}

/** The legacy owner in the file at `path`, or null when it holds anything else (or is gone). */
export function readLegacyLock(path: string): LegacyOwner | null {
  try {
    return parseLegacyLock(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

/** The programs an older Tradeclock ran as: node (the daemon), electron (development), tradeclock (the desktop app). */
const TRADECLOCK_PROGRAM = /node|electron|tradeclock/i;

/**
 * @example
 *   const verdict = judgeLegacyOwner(owner, systemProbe({ pid: process.pid, host: hostname() }));
 *   if (verdict.kind !== 'stale') throw new DomainError('conflict', legacyRefusal(dataDir, path, owner, verdict));
 */
export function judgeLegacyOwner(owner: LegacyOwner, probe: ProcessProbe): LegacyVerdict {
  if (owner.host !== probe.host) return { kind: 'unknown', why: `it was written on another host (${owner.host || 'unnamed'}), whose processes cannot be seen from here` };
  if (owner.pid === probe.pid) return { kind: 'stale', why: 'it names this very process' };
  if (!probe.isAlive(owner.pid)) return { kind: 'stale', why: `no process ${owner.pid} is running` };
  if (probe.platform !== 'linux') return { kind: 'unknown', why: `process ${owner.pid} is running, and this system cannot tell which program it is` };
  let argv: readonly string[] | null;
  try {
    argv = probe.argv(owner.pid);
  } catch (err) {
    return { kind: 'unknown', why: `process ${owner.pid} is running, and its program cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})` };
  }
  if (argv === null) return { kind: 'stale', why: `process ${owner.pid} has just ended` };
  const program = basename(argv[0] ?? '');
  if (!TRADECLOCK_PROGRAM.test(program)) return { kind: 'stale', why: `process ${owner.pid} is now another program (${program || 'a kernel thread or a zombie'})` };
  return { kind: 'running', program };
}

/** The refusal for a data directory whose legacy lock file may name a running older Tradeclock. */
export function legacyRefusal(dataDir: string, lockPath: string, owner: LegacyOwner, verdict: Exclude<LegacyVerdict, { kind: 'stale' }>): string {
  const who = `process ${owner.pid}${verdict.kind === 'unknown' && owner.host ? ` on ${owner.host}` : ''}, started ${owner.startedAt}`;
  const ifGone = `If no older Tradeclock uses ${dataDir} any more (it crashed, and process ${owner.pid} is now another program), delete ${lockPath} and start again.`;
  if (verdict.kind === 'running') {
    return (
      `data directory ${dataDir} is in use by an older version of Tradeclock (${who}: ${verdict.program}), whose lock this version cannot share; ` +
      `stop it first, then start this one. ${ifGone}`
    );
  }
  return (
    `data directory ${dataDir} holds the lock file of an older version of Tradeclock (${who}), and ${verdict.why}; ` +
    `if that Tradeclock is still running, stop it first, then start this one. ${ifGone}`
  );
}
