import { describe, expect, it } from 'vitest';
import type { Clock } from '../core/clock';
import { FakeClock } from '../core/fake-clock';
import { JobScheduler, MAX_TIMER_CHUNK_MS, scheduleAt, type FireInfo } from './job-timer';

const T0 = Date.parse('2026-03-09T13:20:00Z');

/** The fake clock, plus a record of every delay asked of it (FakeClock does not expose them). */
function recordingClock(start = T0): { fake: FakeClock; clock: Clock; delays: number[] } {
  const fake = new FakeClock(start);
  const delays: number[] = [];
  const clock: Clock = {
    now: () => fake.now(),
    monotonic: () => fake.monotonic(),
    setTimer: (ms, fn) => {
      delays.push(ms);
      return fake.setTimer(ms, fn);
    },
  };
  return { fake, clock, delays };
}

describe('scheduleAt', () => {
  it('fires once, at the exact ms, with lateByMs 0', async () => {
    const { fake, clock } = recordingClock();
    const target = T0 + 10 * 60_000 + 7;
    const fired: FireInfo[] = [];
    scheduleAt(clock, target, (info) => fired.push(info));

    await fake.advanceTo(target - 1);
    expect(fired).toEqual([]);
    await fake.advance(1);
    expect(fired).toEqual([{ scheduledAt: target, firedAt: target, lateByMs: 0 }]);
    await fake.advance(60 * 60_000);
    expect(fired).toHaveLength(1);
    expect(fake.pendingTimers()).toBe(0);
  });

  it('never arms a timer longer than 30 s, and the last chunk is exactly the remainder', async () => {
    const { fake, clock, delays } = recordingClock();
    scheduleAt(clock, T0 + 95_250, () => {});
    expect(fake.pendingTimers()).toBe(1);
    await fake.advance(200_000);
    expect(delays).toEqual([30_000, 30_000, 30_000, 5_250]);
    expect(Math.max(...delays)).toBeLessThanOrEqual(MAX_TIMER_CHUNK_MS);
  });

  it('an overdue instant fires on the next timer turn, not inside scheduleAt', async () => {
    const { fake, clock } = recordingClock();
    const fired: FireInfo[] = [];
    scheduleAt(clock, T0 - 5_000, (info) => fired.push(info));
    expect(fired).toEqual([]);
    await fake.advance(0);
    expect(fired).toEqual([{ scheduledAt: T0 - 5_000, firedAt: T0, lateByMs: 5_000 }]);
  });

  it('after a suspend (wall clock jumps, timers fire late) fires within 30 s of waking, reporting how late', async () => {
    const { fake, clock } = recordingClock();
    const target = T0 + 10 * 60_000;
    const fired: FireInfo[] = [];
    scheduleAt(clock, target, (info) => fired.push(info));

    await fake.advance(10_000);
    await fake.suspend(60 * 60_000); // lid closed for an hour, across the target
    const awake = fake.now();
    expect(fired).toEqual([]); // nothing runs while asleep

    await fake.advance(MAX_TIMER_CHUNK_MS);
    expect(fired).toHaveLength(1);
    const info = fired[0]!;
    expect(info.firedAt - awake).toBeLessThanOrEqual(MAX_TIMER_CHUNK_MS);
    expect(info.lateByMs).toBe(info.firedAt - target);
    expect(info.lateByMs).toBeGreaterThan(50 * 60_000);
  });

  it('follows a wall clock stepped forward (NTP) and is not fooled by one stepped back', async () => {
    const { fake, clock } = recordingClock();
    const target = T0 + 10 * 60_000;
    const fired: FireInfo[] = [];
    scheduleAt(clock, target, (info) => fired.push(info));

    fake.jumpWallClock(9 * 60_000 + 50_000); // now 10 s before the target
    await fake.advance(MAX_TIMER_CHUNK_MS); // the chunk armed before the step wakes 20 s past the target
    expect(fired).toHaveLength(1);
    expect(fired[0]!.lateByMs).toBe(20_000);

    const back: FireInfo[] = [];
    const target2 = fake.now() + 60_000;
    scheduleAt(clock, target2, (info) => back.push(info));
    fake.jumpWallClock(-5 * 60_000);
    await fake.advance(60_000);
    expect(back).toEqual([]); // the wall clock reads 4 min before the target
    await fake.advanceTo(target2);
    expect(back).toEqual([{ scheduledAt: target2, firedAt: target2, lateByMs: 0 }]);
  });

  it('cancel() stops it, frees its timer and is idempotent', async () => {
    const { fake, clock } = recordingClock();
    const fired: FireInfo[] = [];
    const handle = scheduleAt(clock, T0 + 45_000, (info) => fired.push(info));
    await fake.advance(31_000); // mid-way, on its second chunk
    handle.cancel();
    handle.cancel();
    expect(fake.pendingTimers()).toBe(0);
    await fake.advance(60_000);
    expect(fired).toEqual([]);
  });

  it('rejects an instant that is not a finite number', () => {
    const { clock } = recordingClock();
    expect(() => scheduleAt(clock, Number.NaN, () => {})).toThrow(/finite/);
  });
});

describe('JobScheduler', () => {
  it('counts pending jobs; fired and cancelled jobs leave the count', async () => {
    const { fake, clock } = recordingClock();
    const jobs = new JobScheduler(clock);
    jobs.at(T0 + 1_000, () => {});
    const second = jobs.at(T0 + 2_000, () => {});
    jobs.at(T0 + 3_000, () => {});
    expect(jobs.pending()).toBe(3);
    second.cancel();
    expect(jobs.pending()).toBe(2);
    await fake.advance(1_000);
    expect(jobs.pending()).toBe(1);
    jobs.cancelAll();
    expect(jobs.pending()).toBe(0);
    expect(fake.pendingTimers()).toBe(0);
  });

  it('recheckNow() after a resume fires overdue jobs at once, in scheduled order, and re-arms the rest', async () => {
    const { fake, clock, delays } = recordingClock();
    const jobs = new JobScheduler(clock);
    const order: string[] = [];
    const sell = T0 + 6 * 60 * 60_000;
    jobs.at(sell, () => order.push('sell'));
    jobs.at(T0 + 10 * 60_000, (info) => order.push(`buy late by ${info.lateByMs}`));
    jobs.at(T0 + 5 * 60_000, () => order.push('reminder'));

    await fake.suspend(20 * 60_000);
    jobs.recheckNow();
    expect(order).toEqual(['reminder', `buy late by ${10 * 60_000}`]);
    expect(jobs.pending()).toBe(1);
    expect(fake.pendingTimers()).toBe(1); // the SELL's stale chunk was replaced, not duplicated

    delays.length = 0;
    await fake.advanceTo(sell);
    expect(order.at(-1)).toBe('sell');
    expect(Math.max(...delays)).toBeLessThanOrEqual(MAX_TIMER_CHUNK_MS);
  });

  it('recheckNow() re-arms a not-yet-due job from the new wall time, so it fires on the ms after a clock step', async () => {
    const { fake, clock } = recordingClock();
    const jobs = new JobScheduler(clock);
    const target = T0 + 10 * 60_000;
    const fired: FireInfo[] = [];
    jobs.at(target, (info) => fired.push(info));
    fake.jumpWallClock(9 * 60_000 + 59_000); // 1 s before the target; the pending chunk says 30 s
    jobs.recheckNow();
    await fake.advance(1_000);
    expect(fired).toEqual([{ scheduledAt: target, firedAt: target, lateByMs: 0 }]);
  });

  it('a job cancelled by an earlier job in the same recheck does not fire', async () => {
    const { fake, clock } = recordingClock();
    const jobs = new JobScheduler(clock);
    const fired: string[] = [];
    // STOPLOSS-style: the first exit to run cancels the other.
    const sell = jobs.at(T0 + 2_000, () => fired.push('sell'));
    jobs.at(T0 + 1_000, () => {
      fired.push('exit');
      sell.cancel();
    });
    await fake.suspend(60_000);
    jobs.recheckNow();
    expect(fired).toEqual(['exit']);
    expect(jobs.pending()).toBe(0);
  });

  it('a throwing job goes to onError and neither stops the others nor fires twice', async () => {
    const { fake, clock } = recordingClock();
    const errors: Array<[unknown, FireInfo]> = [];
    const jobs = new JobScheduler(clock, { onError: (err, info) => errors.push([err, info]) });
    const fired: string[] = [];
    jobs.at(T0 + 1_000, () => {
      throw new Error('boom');
    });
    jobs.at(T0 + 2_000, () => fired.push('second'));
    await fake.suspend(5_000);
    jobs.recheckNow();
    await fake.advance(60_000);
    expect(fired).toEqual(['second']);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.[1].scheduledAt).toBe(T0 + 1_000);
  });

  it('without onError, recheckNow runs every due job and then rethrows', async () => {
    const { fake, clock } = recordingClock();
    const jobs = new JobScheduler(clock);
    const fired: string[] = [];
    jobs.at(T0 + 1_000, () => {
      throw new Error('boom');
    });
    jobs.at(T0 + 2_000, () => fired.push('second'));
    await fake.suspend(5_000);
    expect(() => jobs.recheckNow()).toThrow('boom');
    expect(fired).toEqual(['second']);
    expect(jobs.pending()).toBe(0);
  });
});
