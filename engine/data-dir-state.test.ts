import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databaseFileState, ensureInstallMarker, INSTALL_MARKER, installEvidence } from './data-dir-state';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tradeclock-state-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('data directory state', () => {
  it('a new directory has held no install; the marker and backups each say it has', () => {
    expect(installEvidence(dir)).toEqual([]);
    ensureInstallMarker(dir, { installedAt: '2026-03-09T13:00:00.000Z' });
    expect(installEvidence(dir)).toEqual([INSTALL_MARKER]);
    mkdirSync(join(dir, 'backups'));
    writeFileSync(join(dir, 'backups', 'daily-20260309T130010.000Z.sqlite'), 'x');
    writeFileSync(join(dir, 'backups', 'notes.txt'), 'not a backup');
    expect(installEvidence(dir)).toEqual([INSTALL_MARKER, '1 backup in backups/']);
    rmSync(join(dir, INSTALL_MARKER));
    expect(installEvidence(dir)).toEqual(['1 backup in backups/']);
    rmSync(join(dir, 'backups'), { recursive: true });
    writeFileSync(join(dir, 'tradeclock.sqlite-wal'), '');
    expect(installEvidence(dir)).toEqual([]);
    writeFileSync(join(dir, 'tradeclock.sqlite-wal'), 'frames');
    expect(installEvidence(dir)).toEqual(['a non-empty tradeclock.sqlite-wal']);
  });

  it('writes the marker once, owner-only, and never rewrites it', () => {
    ensureInstallMarker(dir, { installedAt: '2026-03-09T13:00:00.000Z' });
    ensureInstallMarker(dir, { installedAt: '2027-01-01T00:00:00.000Z' });
    const path = join(dir, INSTALL_MARKER);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ installedAt: '2026-03-09T13:00:00.000Z', about: expect.stringMatching(/refuses to start without its database/) });
  });

  it('tells a missing database from an empty one without creating it', () => {
    const db = join(dir, 'tradeclock.sqlite');
    expect(databaseFileState(db)).toBe('missing');
    writeFileSync(db, '');
    expect(databaseFileState(db)).toBe('empty');
    writeFileSync(db, 'x');
    expect(databaseFileState(db)).toBe('present');
  });
});
