import { describe, expect, it } from 'vitest';
import { readableLogLine } from './log-line';

const TIME = Date.UTC(2026, 11, 7, 14, 30, 0, 5);

describe('readableLogLine', () => {
  it('leaves request logs and other info lines to the log file', () => {
    const request = JSON.stringify({ level: 30, time: TIME, pid: 1, hostname: 'h', reqId: 'req-1', req: { method: 'GET', url: '/health' }, msg: 'incoming request' });
    expect(readableLogLine(`${request}\n`, 'UTC')).toBeNull();
  });

  it('turns a warning into one line with its time, level, message and fields', () => {
    const warn = JSON.stringify({ level: 40, time: TIME, pid: 1, hostname: 'h', gapMs: 61_000, msg: 'wall clock jumped (sleep or clock change): re-checking every trigger' });
    expect(readableLogLine(`${warn}\n`, 'America/New_York')).toBe('Mon 7 Dec 09:30:00.005 New York  WARN  wall clock jumped (sleep or clock change): re-checking every trigger (gapMs=61000)\n');
  });

  it("says an error's message and code, without its stack, and shortens long fields", () => {
    const error = JSON.stringify({ level: 50, time: TIME, err: { type: 'Error', message: 'disk full', code: 'ENOSPC', stack: 'Error: disk full\n    at x' }, detail: 'x'.repeat(300), msg: 'audit log write failed' });
    const line = readableLogLine(error, 'UTC')!;
    expect(line).toMatch(/^Mon 7 Dec 14:30:00\.005 UTC {2}ERROR {2}audit log write failed \(disk full \[ENOSPC\]; detail=x{119}…\)\n$/);
    expect(line).not.toContain('at x');
  });

  it('passes a line that is not the logger’s JSON as it is', () => {
    expect(readableLogLine('not json\n', 'UTC')).toBe('not json\n');
  });
});
