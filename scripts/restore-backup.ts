/**
 * Puts a database backup back in place, with Tradeclock stopped:
 *
 *   npx tsx scripts/restore-backup.ts [--data-dir DIR] [--list] [--from FILE]
 *
 * Without `--from`, the newest backup in DIR/backups. The backup is copied and checked first
 * (quick_check, Tradeclock's schema); only then are the current tradeclock.sqlite and its -wal
 * and -shm moved to DIR/damaged-<time>/ (kept, never deleted) and the copy put in their place.
 * DIR defaults to TRADECLOCK_DATA_DIR, else the platform's app-data directory, as for the daemon.
 * It takes the data directory's lock, so it refuses while a daemon or the app runs on it.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { listBackups, restoreBackup } from '../db/backups';
import { lockDataDir } from '../engine/data-dir-lock';
import { defaultDataDir } from '../engine/default-data-dir';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    list: { type: 'boolean', default: false },
    from: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  process.stdout.write('usage: npx tsx scripts/restore-backup.ts [--data-dir DIR] [--list] [--from FILE]\n');
  process.exit(0);
}

const dataDir = resolve(values['data-dir'] ?? process.env.TRADECLOCK_DATA_DIR ?? defaultDataDir());
const backups = listBackups(dataDir);

if (values.list) {
  if (backups.length === 0) process.stdout.write(`no backups in ${dataDir}/backups\n`);
  for (const b of backups) process.stdout.write(`${new Date(b.takenAt).toISOString()}  ${b.kind.padEnd(13)}  ${String(b.bytes).padStart(12)} bytes  ${b.path}\n`);
  process.exit(0);
}

const source = values.from ? resolve(values.from) : backups[0]?.path;
if (!source) {
  process.stderr.write(`restore-backup: there is no backup in ${dataDir}/backups\n`);
  process.exit(1);
}

try {
  const lock = lockDataDir(dataDir, new Date().toISOString());
  try {
    const result = restoreBackup(dataDir, source, Date.now());
    process.stdout.write(`restored ${source} as ${dataDir}/tradeclock.sqlite\n`);
    if (result.setAside) process.stdout.write(`the files it replaced are in ${result.setAside}\n`);
    process.stdout.write('Orders placed after this backup was taken are not in it: check them at the broker after starting Tradeclock.\n');
  } finally {
    lock.release();
  }
} catch (err) {
  process.stderr.write(`restore-backup: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
