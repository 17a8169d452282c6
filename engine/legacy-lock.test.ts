/**
 * Judging the pid file of an older version on every path, with the system replaced by a probe:
 * this process, a dead pid, a live one whose program is or is not Tradeclock's, one whose program
 * cannot be read (hidepid, another user), another platform, another host. The real processes
 * are in data-dir-lock.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { judgeLegacyOwner, legacyRefusal, parseLegacyLock, type LegacyOwner, type ProcessProbe } from './legacy-lock';

const owner: LegacyOwner = { pid: 4242, host: 'box', startedAt: '2026-03-09T13:00:00.000Z' };

function probe(over: Partial<ProcessProbe> & { argvOf?: readonly string[] | null | Error } = {}): ProcessProbe {
  const { argvOf = ['/usr/bin/node', '/opt/tradeclock/engine/cli.ts', 'daemon'], ...rest } = over;
  return {
    platform: 'linux',
    pid: 1,
    host: 'box',
    isAlive: () => true,
    argv: () => {
      if (argvOf instanceof Error) throw argvOf;
      return argvOf;
    },
    ...rest,
  };
}
const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });

describe('judgeLegacyOwner', () => {
  it('stale: this very process (pid 1 again after a container restart), a pid nobody has, a process that just ended', () => {
    expect(judgeLegacyOwner({ ...owner, pid: 1 }, probe()).kind).toBe('stale');
    expect(judgeLegacyOwner(owner, probe({ isAlive: () => false })).kind).toBe('stale');
    expect(judgeLegacyOwner(owner, probe({ argvOf: null })).kind).toBe('stale');
  });

  it('stale on Linux: the pid now runs another program (or is a kernel thread or a zombie, with no command line)', () => {
    expect(judgeLegacyOwner(owner, probe({ argvOf: ['sleep', '1000'] }))).toEqual({ kind: 'stale', why: 'process 4242 is now another program (sleep)' });
    expect(judgeLegacyOwner(owner, probe({ argvOf: ['/usr/sbin/nginx', '-g', 'daemon off;'] })).kind).toBe('stale');
    expect(judgeLegacyOwner(owner, probe({ argvOf: [] })).kind).toBe('stale');
  });

  it('running on Linux: node (the daemon), electron (development) or tradeclock (the desktop app), naming the program only', () => {
    expect(judgeLegacyOwner(owner, probe())).toEqual({ kind: 'running', program: 'node' });
    expect(judgeLegacyOwner(owner, probe({ argvOf: ['/home/me/.nvm/versions/node/v20.11.0/bin/node', '--token=s3cret'] }))).toEqual({ kind: 'running', program: 'node' });
    expect(judgeLegacyOwner(owner, probe({ argvOf: ['/opt/Tradeclock/tradeclock', '--no-sandbox'] }))).toEqual({ kind: 'running', program: 'tradeclock' });
    expect(judgeLegacyOwner(owner, probe({ argvOf: ['/work/node_modules/electron/dist/electron', '.'] }))).toEqual({ kind: 'running', program: 'electron' });
  });

  it('unknown, so refused: a program that cannot be read, another platform, another host', () => {
    expect(judgeLegacyOwner(owner, probe({ argvOf: denied }))).toMatchObject({ kind: 'unknown', why: expect.stringContaining('cannot be read (EACCES)') });
    for (const platform of ['darwin', 'win32', 'freebsd'] as const) expect(judgeLegacyOwner(owner, probe({ platform })).kind).toBe('unknown');
    expect(judgeLegacyOwner(owner, probe({ host: 'other-box' }))).toMatchObject({ kind: 'unknown', why: expect.stringContaining('another host (box)') });
    // even one naming our own pid: on another host that is somebody else's process 1
    expect(judgeLegacyOwner({ ...owner, pid: 1 }, probe({ host: 'other-box' })).kind).toBe('unknown');
  });
});

describe('parseLegacyLock', () => {
  it('reads what older versions wrote, and nothing else', () => {
    expect(parseLegacyLock(JSON.stringify(owner))).toEqual(owner);
    expect(parseLegacyLock('{"pid": 7}')).toEqual({ pid: 7, host: '', startedAt: 'unknown' });
    for (const text of ['', '{"pid": 12', 'null', '[]', '{"pid": "7"}', '{"pid": -1}', '{"pid": 1.5}', 'SQLite format 3\0']) expect(parseLegacyLock(text)).toBeNull();
  });
});

describe('legacyRefusal', () => {
  it('says who holds the directory, what to do, and how to go on if it is gone', () => {
    const text = legacyRefusal('/data', '/data/tradeclock.lock', owner, { kind: 'running', program: 'node' });
    expect(text).toBe(
      'data directory /data is in use by an older version of Tradeclock (process 4242, started 2026-03-09T13:00:00.000Z: node), whose lock this version cannot share; ' +
        'stop it first, then start this one. If no older Tradeclock uses /data any more (it crashed, and process 4242 is now another program), delete /data/tradeclock.lock and start again.',
    );
    expect(legacyRefusal('/data', '/data/tradeclock.lock', owner, { kind: 'unknown', why: 'it was written on another host (box)' })).toMatch(
      /^data directory \/data holds the lock file of an older version of Tradeclock \(process 4242 on box, started .*\), and it was written on another host \(box\); if that Tradeclock is still running, stop it first/,
    );
  });
});
