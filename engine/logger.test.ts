import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from './core/fake-clock';
import { createLogger, FLUSH_WITHIN_MS, logFilePath } from './logger';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'tradeclock-logger-'));
  dirs.push(d);
  return d;
};
const flushed = (logger: ReturnType<typeof createLogger>) => new Promise<void>((r) => logger.flush(() => r()));

describe('createLogger', () => {
  it('shows on the console what consoleLines makes of each line, and writes every line to the file', async () => {
    const dir = tempDir();
    const out = new PassThrough();
    const logger = createLogger({ dataDir: dir, console: out, consoleLines: (line) => (JSON.parse(line).level >= 40 ? `warned: ${JSON.parse(line).msg}\n` : null) });
    logger.info({ secret: 'hunter2' }, 'incoming request');
    logger.warn('clock jumped');
    await flushed(logger);
    expect(String(out.read() ?? '')).toBe('warned: clock jumped\n');
    const file = readFileSync(logFilePath(dir), 'utf8').trim().split('\n').map((l) => JSON.parse(l).msg);
    expect(file).toEqual(['incoming request', 'clock jumped']);
  });

  it('writes each event as one line to the console and to the data directory’s file, secrets redacted', async () => {
    const dir = tempDir();
    const out = new PassThrough();
    const logger = createLogger({ dataDir: dir, console: out });
    logger.info({ password: 'hunter2', user: { token: 'abc' }, strategyId: 7 }, 'armed');
    await flushed(logger);
    const file = readFileSync(logFilePath(dir), 'utf8');
    const line = JSON.parse(file.trim());
    expect(line).toMatchObject({ msg: 'armed', strategyId: 7, password: '[redacted]', user: { token: '[redacted]' } });
    expect(out.read().toString()).toBe(file);
  });

  it('flush() returns within its bound when a destination never drains', async () => {
    const clock = new FakeClock(Date.parse('2026-03-09T13:00:00Z'));
    const stuck = new Writable({ highWaterMark: 16, write: () => {} }); // never calls back
    const logger = createLogger({ console: stuck, clock });
    for (let i = 0; i < 100; i++) logger.info({ i }, 'line');
    let done = false;
    logger.flush(() => void (done = true));
    await clock.advance(FLUSH_WITHIN_MS - 1);
    expect(done).toBe(false);
    await clock.advance(1);
    expect(done).toBe(true);
  });
});

/** Runs `body` (ESM, with createLogger and pino imported) in a child whose stdout is `stdout`. */
function runChild(body: string, stdout: 'pipe' | number): Promise<{ code: number | null; ms: number; stderr: string }> {
  const logger = pathToFileURL(join(import.meta.dirname, 'logger.ts')).href;
  const script = `const { createLogger } = await import(${JSON.stringify(logger)}); const { default: pino } = await import('pino');\n${body}`;
  const started = performance.now();
  const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', stdout, 'pipe'], cwd: join(import.meta.dirname, '..') });
  let stderr = '';
  proc.stderr!.on('data', (c: Buffer) => void (stderr += c.toString()));
  const killer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
  return new Promise((resolve) =>
    proc.once('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, ms: performance.now() - started, stderr });
    }),
  );
}

describe.skipIf(!existsSync('/dev/full'))('a destination on a full device (/dev/full: every write fails with ENOSPC)', () => {
  it('stdout there: log calls neither throw nor crash the process, and it exits at once', async () => {
    const fd = openSync('/dev/full', 'w');
    try {
      const run = await runChild(
        `const logger = createLogger({ level: 'info' });
         for (let i = 0; i < 2000; i++) logger.info({ i }, 'line');
         setTimeout(() => { logger.info('still here'); logger.flush(() => process.exit(0)); }, 100);`,
        fd,
      );
      expect(run).toMatchObject({ code: 0 });
      expect(run.ms).toBeLessThan(10_000);
    } finally {
      closeSync(fd);
    }
  }, 20_000);

  it('a caller’s pino.destination() there: no crash, and no endless flush at exit', async () => {
    const run = await runChild(
      `const logger = createLogger({ destination: pino.destination({ dest: '/dev/full', sync: false }) });
       for (let i = 0; i < 2000; i++) logger.info({ i }, 'line');
       setTimeout(() => { logger.info('last words'); process.exit(0); }, 100);`,
      'pipe',
    );
    expect(run).toMatchObject({ code: 0 });
    expect(run.ms).toBeLessThan(10_000);
  }, 20_000);
});
