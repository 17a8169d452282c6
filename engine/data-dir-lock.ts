/**
 * One process per data directory, so the desktop app and a headless daemon never open the same
 * database at once. The lock file holds the owner's pid: a second process names it in its error,
 * and a lock left by a killed process (kill -9, power loss) is taken over at once because its pid
 * is gone. (proper-lockfile only detects staleness by mtime age, which would delay every restart
 * after a crash by its stale period: the wrong trade for a trading daemon.)
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { DomainError } from './core/errors';

export interface DataDirLock {
  readonly path: string;
  release(): void;
}

interface Owner {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
}

export function lockDataDir(dataDir: string, startedAt: string): DataDirLock {
  const path = join(dataDir, 'tradeclock.lock');
  const me: Owner = { pid: process.pid, host: hostname(), startedAt };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      return {
        path,
        release: () => {
          if (readOwner(path)?.pid === me.pid) unlinkSync(path);
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = readOwner(path);
      if (owner && owner.host === me.host && isAlive(owner.pid)) {
        throw new DomainError(
          'conflict',
          `data directory ${dataDir} is in use by process ${owner.pid} (started ${owner.startedAt}); stop it first, or choose another --data-dir`,
        );
      }
      // The owner is gone: the lock is stale.
      unlinkSync(path);
    }
  }
  throw new DomainError('conflict', `could not lock data directory ${dataDir}: another process keeps taking it`);
}

function readOwner(path: string): Owner | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Owner;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
