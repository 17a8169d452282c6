import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeDataDirPrivate, ownerOnlyUmask } from './data-dir-modes';

const mode = (p: string) => statSync(p).mode & 0o7777;
let root: string;
let umask: number;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'tradeclock-modes-'));
  umask = process.umask(0o022);
});
afterEach(() => {
  process.umask(umask);
  rmSync(root, { recursive: true, force: true });
});

describe.skipIf(process.platform === 'win32')('makeDataDirPrivate', () => {
  it('takes group and other bits off everything already in the data directory, however deep', () => {
    const data = join(root, 'data');
    mkdirSync(join(data, 'logs'), { recursive: true });
    mkdirSync(join(data, 'backups', 'daily'), { recursive: true });
    const files = ['tradeclock.sqlite', 'tradeclock.sqlite-wal', 'tradeclock.sqlite-shm', 'logs/tradeclock.log', 'logs/tradeclock.log.1', 'backups/daily/x.sqlite'];
    for (const f of files) writeFileSync(join(data, f), 'x', { mode: 0o644 });
    for (const d of ['', 'logs', 'backups', 'backups/daily']) chmodSync(join(data, d), 0o755);
    chmodSync(join(data, 'logs/tradeclock.log.1'), 0o666);

    const report = makeDataDirPrivate(data);
    for (const d of ['', 'logs', 'backups', 'backups/daily']) expect({ d, mode: mode(join(data, d)) }).toEqual({ d, mode: 0o700 });
    for (const f of files) expect({ f, mode: mode(join(data, f)) }).toEqual({ f, mode: 0o600 });
    expect(report.repaired).toContainEqual({ path: join(data, 'logs/tradeclock.log.1'), mode: '0666' });
    expect(report.failed).toEqual([]);
  });

  it('creates the directory owner-only, and leaves the process umask alone (it reaches everything the process spawns)', () => {
    makeDataDirPrivate(join(root, 'data', 'deeper'));
    expect(mode(join(root, 'data'))).toBe(0o700);
    expect(mode(join(root, 'data', 'deeper'))).toBe(0o700);
    writeFileSync(join(root, 'after.txt'), 'x');
    expect(mode(join(root, 'after.txt'))).toBe(0o644); // umask 022, as the test set it
  });

  it('follows the data directory itself when it is a symbolic link (a data directory kept on another disk)', () => {
    const real = join(root, 'disk', 'tradeclock');
    mkdirSync(join(real, 'logs'), { recursive: true });
    chmodSync(real, 0o755);
    chmodSync(join(real, 'logs'), 0o755);
    writeFileSync(join(real, 'tradeclock.sqlite'), 'x', { mode: 0o644 });
    writeFileSync(join(real, 'logs', 'tradeclock.log'), 'x', { mode: 0o644 });
    const outside = join(root, 'outside.csv');
    writeFileSync(outside, 'x', { mode: 0o644 });
    symlinkSync(outside, join(real, 'holidays.csv'));
    symlinkSync(real, join(root, 'data'));

    const report = makeDataDirPrivate(join(root, 'data'));
    expect(mode(real)).toBe(0o700);
    expect(mode(join(real, 'logs'))).toBe(0o700);
    expect(mode(join(real, 'tradeclock.sqlite'))).toBe(0o600);
    expect(mode(join(real, 'logs', 'tradeclock.log'))).toBe(0o600);
    expect(mode(outside)).toBe(0o644); // a link inside it is still not followed
    expect(report.failed).toEqual([]);
  });

  it('does not follow a symbolic link out of the data directory', () => {
    const outside = join(root, 'outside.csv');
    writeFileSync(outside, 'x', { mode: 0o644 });
    mkdirSync(join(root, 'data'));
    symlinkSync(outside, join(root, 'data', 'holidays.csv'));
    makeDataDirPrivate(join(root, 'data'));
    expect(mode(outside)).toBe(0o644);
  });
});

describe.skipIf(process.platform === 'win32')('ownerOnlyUmask', () => {
  it('makes what is created owner-only until it is given back, then the previous umask applies again', () => {
    const restore = ownerOnlyUmask();
    writeFileSync(join(root, 'during.txt'), 'x');
    mkdirSync(join(root, 'during'));
    restore();
    writeFileSync(join(root, 'after.txt'), 'x');
    expect(mode(join(root, 'during.txt'))).toBe(0o600);
    expect(mode(join(root, 'during'))).toBe(0o700);
    expect(mode(join(root, 'after.txt'))).toBe(0o644);
  });
});
