import { describe, expect, it } from 'vitest';
import { HashGate } from './hash-gate';
import { RateLimitedError } from './rate-limited-error';

function deferred() {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('HashGate', () => {
  it('runs one at a time in arrival order and refuses beyond the waiting line, at once', async () => {
    const gate = new HashGate({ concurrency: 1, maxWaiting: 2 });
    const jobs = [deferred(), deferred(), deferred()];
    const started: number[] = [];
    const runs = jobs.map((job, i) =>
      gate.run(async () => {
        started.push(i);
        await job.promise;
        return i;
      }),
    );
    const refused = gate.run(async () => 99);
    await expect(refused).rejects.toBeInstanceOf(RateLimitedError);
    await expect(refused).rejects.toMatchObject({ code: 'unavailable', retryAfterMs: 1_000 });
    expect(started).toEqual([0]);
    expect(gate.load).toEqual({ active: 1, waiting: 2 });

    jobs[0]!.resolve();
    await expect(runs[0]).resolves.toBe(0);
    expect(started).toEqual([0, 1]);
    // A failure frees its slot like a success.
    jobs[1]!.reject(new Error('boom'));
    await expect(runs[1]).rejects.toThrow('boom');
    jobs[2]!.resolve();
    await expect(runs[2]).resolves.toBe(2);
    expect(started).toEqual([0, 1, 2]);
    expect(gate.load).toEqual({ active: 0, waiting: 0 });
    await expect(gate.run(async () => 'free again')).resolves.toBe('free again');
  });

  it('allows the configured concurrency', async () => {
    const gate = new HashGate({ concurrency: 2, maxWaiting: 0 });
    const a = deferred();
    const b = deferred();
    const first = gate.run(() => a.promise);
    const second = gate.run(() => b.promise);
    await expect(gate.run(async () => 3)).rejects.toBeInstanceOf(RateLimitedError);
    a.resolve();
    b.resolve();
    await Promise.all([first, second]);
  });
});
