import { describe, expect, it } from 'vitest';
import { FakeClock } from './core/fake-clock';
import { createShutdown, SAME_STOP_WINDOW_MS, type ShutdownDeps } from './shutdown';

function harness(over: Partial<ShutdownDeps> = {}) {
  const clock = new FakeClock(Date.parse('2026-03-09T13:00:00Z'));
  const exits: string[] = [];
  const said: string[] = [];
  const logged: string[] = [];
  const onSignal = createShutdown({
    stop: async () => {},
    flushLogs: async () => {},
    log: (level, msg) => void logged.push(`${level}: ${msg}`),
    say: (l) => void said.push(l),
    exit: (code) => void exits.push(`exit ${code}`),
    forceExit: (code) => void exits.push(`force ${code}`),
    clock,
    deadlineMs: 8_000,
    ...over,
  });
  return { clock, exits, said, logged, onSignal };
}
const never = () => new Promise<never>(() => {});

describe('createShutdown', () => {
  it('stops, flushes the logs, then exits 0', async () => {
    const order: string[] = [];
    const h = harness({ stop: async () => void order.push('stop'), flushLogs: async () => void order.push('flush') });
    h.onSignal('SIGTERM');
    await h.clock.advance(0);
    expect(order).toEqual(['stop', 'flush']);
    expect(h.exits).toEqual(['exit 0']);
    expect(h.logged).toEqual(['info: shutting down (SIGTERM)']);
  });

  it('exits 1 at the deadline when the graceful stop hangs, and only once', async () => {
    const h = harness({ stop: never });
    h.onSignal('SIGTERM');
    await h.clock.advance(7_999);
    expect(h.exits).toEqual([]);
    await h.clock.advance(1);
    expect(h.exits).toEqual(['force 1']);
    expect(h.said).toEqual([expect.stringMatching(/did not stop within 8 s of SIGTERM; exiting now/)]);
    await h.clock.advance(60_000);
    expect(h.exits).toEqual(['force 1']);
  });

  it('exits at the deadline when the logs never flush (a full disk, a reader that went away)', async () => {
    const h = harness({ flushLogs: never });
    h.onSignal('SIGINT');
    await h.clock.advance(8_000);
    expect(h.exits).toEqual(['force 1']);
  });

  it('exits 1 after a failed stop, and at once on a second signal', async () => {
    const failed = harness({ stop: async () => Promise.reject(new Error('boom')) });
    failed.onSignal('SIGTERM');
    await failed.clock.advance(0);
    expect(failed.exits).toEqual(['exit 1']);
    expect(failed.logged).toContain('error: shutdown failed');

    const twice = harness({ stop: never });
    twice.onSignal('SIGTERM');
    twice.onSignal('SIGINT');
    expect(twice.exits).toEqual(['force 130']);
  });

  it('takes the same signal repeated within a second as the same stop (a process group signalled, the launcher forwarding), and a later one as a second', async () => {
    const h = harness({ stop: never });
    h.onSignal('SIGTERM');
    await h.clock.advance(SAME_STOP_WINDOW_MS - 1);
    h.onSignal('SIGTERM');
    expect(h.exits).toEqual([]);
    await h.clock.advance(1);
    h.onSignal('SIGTERM');
    expect(h.exits).toEqual(['force 130']);
  });
});
