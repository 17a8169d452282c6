import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from './core/fake-clock';
import { rotatingFileSink, streamSink } from './log-sinks';
import { fillDisk, mountTmpfs, probeTmpfs, unmountTmpfs } from '../tests/support/tmpfs';

const dirs: string[] = [];
const mounts: string[] = [];
afterEach(() => {
  for (const m of mounts.splice(0)) unmountTmpfs(m);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'tradeclock-sinks-'));
  dirs.push(d);
  return d;
};
const line = (i: number, pad = 0) => `${JSON.stringify({ level: 30, i, pad: 'x'.repeat(pad) })}\n`;
const clock = () => new FakeClock(Date.parse('2026-03-09T13:00:00Z'));

describe('streamSink', () => {
  it('survives a closed pipe (EPIPE): no throw, no uncaught error, later lines counted as dropped', async () => {
    const out = new Writable({ write: (_chunk, _enc, cb) => cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })) });
    const sink = streamSink(out, { clock: clock() });
    sink.write(line(1));
    await new Promise((r) => setImmediate(r));
    for (let i = 2; i <= 5; i++) expect(() => sink.write(line(i))).not.toThrow();
    expect(sink.dropped).toBe(4);
    await sink.flush(1_000); // resolves at once: nothing can be flushed to a dead pipe
  });

  it('never lets a reader that stopped reading hold more than its cap; reports the gap once it reads again', async () => {
    const out = new PassThrough({ highWaterMark: 1024 });
    const sink = streamSink(out, { clock: clock(), maxPendingBytes: 16 * 1024 });
    for (let i = 0; i < 1_000; i++) sink.write(line(i, 100));
    expect(out.writableLength).toBeLessThan(20 * 1024);
    expect(sink.dropped).toBeGreaterThan(800);
    const read = out.read()?.toString() ?? '';
    while (out.read() !== null);
    sink.write(line(1_000));
    const after = [read, out.read()?.toString() ?? ''].join('');
    expect(after).toMatch(/"msg":"\d+ log lines were dropped here: the reader was not keeping up"/);
    expect(after).toContain('"i":1000');
  });
});

describe('rotatingFileSink', () => {
  it('rotates by size and keeps only `keep` old files, so the logs stay under a cap', async () => {
    const dir = tempDir();
    const path = join(dir, 'logs', 'tradeclock.log');
    const sink = rotatingFileSink(path, { clock: clock(), maxBytes: 8 * 1024, keep: 2 });
    for (let i = 0; i < 600; i++) {
      sink.write(line(i, 100));
      if (i % 50 === 0) await sink.flush(5_000);
    }
    await sink.flush(5_000);
    const files = readdirSync(join(dir, 'logs')).sort();
    expect(files).toEqual(['tradeclock.log', 'tradeclock.log.1', 'tradeclock.log.2']);
    const total = files.reduce((n, f) => n + statSync(join(dir, 'logs', f)).size, 0);
    expect(total).toBeLessThan(3 * (8 * 1024 + 200));
    // The newest line is in the live file, and every file is owner-only.
    expect(readFileSync(path, 'utf8')).toContain('"i":599');
    for (const f of files) expect(statSync(join(dir, 'logs', f)).mode & 0o077).toBe(0);
  });

  it('a file it cannot open (not a regular file) costs lines, never an exception', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'tradeclock.log'));
    const sink = rotatingFileSink(join(dir, 'tradeclock.log'), { clock: clock() });
    for (let i = 0; i < 10; i++) expect(() => sink.write(line(i))).not.toThrow();
    await sink.flush(1_000); // on a FakeClock: resolves only once every line has called back
    sink.write(line(10));
    expect(sink.dropped).toBe(11);
  });
});

const tmpfs = probeTmpfs();
if (!tmpfs.ok) console.warn(`SKIPPED (full disk): ${tmpfs.reason}`);

describe.skipIf(!tmpfs.ok)('rotatingFileSink on a full disk (a real tmpfs)', () => {
  it('drops and counts lines while the disk is full, then writes again and says how many were lost', async () => {
    const dir = tempDir();
    mountTmpfs(dir, 256 * 1024);
    mounts.push(dir);
    const c = clock();
    const path = join(dir, 'tradeclock.log');
    const sink = rotatingFileSink(path, { clock: c, retryMs: 30_000, maxBytes: 1024 * 1024 });
    sink.write(line(0));
    await sink.flush(5_000);
    fillDisk(join(dir, 'filler'));

    const started = performance.now();
    for (let i = 1; i <= 2_000; i++) sink.write(line(i, 100));
    expect(performance.now() - started).toBeLessThan(500); // never waits on the disk
    await sink.flush(5_000);
    expect(sink.dropped).toBeGreaterThan(1_900);

    unlinkSync(join(dir, 'filler'));
    sink.write(line(2_001)); // still within retryMs: dropped, the file stays closed
    await c.advance(30_000);
    sink.write(line(2_002));
    await sink.flush(5_000);
    const text = readFileSync(path, 'utf8');
    expect(text).toMatch(/"msg":"\d+ log lines were dropped here: the log file could not be written \(ENOSPC\)"/);
    expect(text).toContain('"i":2002');
    expect(text).not.toContain('"i":2001');
    expect(existsSync(join(dir, 'filler'))).toBe(false);
  });
});
