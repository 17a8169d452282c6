import { describe, expect, it } from 'vitest';
import type { Clock } from '../core/clock';
import { FakeClock } from '../core/fake-clock';
import { JobScheduler, MAX_TIMER_CHUNK_MS, SPIN_LEAD_MS, scheduleAt, type FireInfo } from './job-timer';

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
  it('tells the instant of its earliest live job, past cancelled ones', () => {
    const jobs = new JobScheduler(new FakeClock(T0));
    expect(jobs.nextAt()).toBeUndefined();
    const first = jobs.at(T0 + 1_000, () => {});
    jobs.at(T0 + 5_000, () => {});
    expect(jobs.nextAt()).toBe(T0 + 1_000);
    first.cancel();
    expect(jobs.nextAt()).toBe(T0 + 5_000);
    jobs.cancelAll();
    expect(jobs.nextAt()).toBeUndefined();
  });

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

describe('on a clock that can spin (the system clock)', () => {
  /** The recording fake clock plus spinUntil, which here moves the wall clock to the instant. */
  function spinningClock(): { fake: FakeClock; clock: Clock; delays: number[]; spins: Array<{ from: number; to: number }> } {
    const base = recordingClock();
    const spins: Array<{ from: number; to: number }> = [];
    const clock: Clock = {
      ...base.clock,
      spinUntil: (epochMs, maxMs) => {
        const from = base.fake.now();
        expect(epochMs - from).toBeLessThanOrEqual(maxMs);
        spins.push({ from, to: epochMs });
        base.fake.jumpWallClock(Math.max(0, epochMs - from));
        return true;
      },
    };
    return { ...base, clock, spins };
  }

  it('arms the last chunk SPIN_LEAD_MS early and spins the rest, firing on the instant', async () => {
    const { fake, clock, delays, spins } = spinningClock();
    const target = T0 + 45_000;
    const fired: FireInfo[] = [];
    scheduleAt(clock, target, (info) => fired.push(info));
    await fake.advance(45_000);
    // 30 s, then the last 15 s less the spin lead; then the spin covers the lead.
    expect(delays).toEqual([MAX_TIMER_CHUNK_MS, 15_000 - SPIN_LEAD_MS]);
    expect(spins).toEqual([{ from: target - SPIN_LEAD_MS, to: target }]);
    expect(fired).toEqual([{ scheduledAt: target, firedAt: target, lateByMs: 0 }]);
  });

  it('spins once for many jobs due at the same instant', async () => {
    const { fake, clock, spins } = spinningClock();
    const jobs = new JobScheduler(clock);
    const target = T0 + 5_000;
    let fired = 0;
    for (let i = 0; i < 100; i++) jobs.at(target, () => fired++);
    await fake.advance(5_000);
    expect(fired).toBe(100);
    expect(spins).toHaveLength(1);
  });

  it('re-arms instead of firing early when the spin gives up (a clock step backwards)', async () => {
    const base = recordingClock();
    const clock: Clock = { ...base.clock, spinUntil: () => false };
    const target = T0 + 1_000;
    const fired: FireInfo[] = [];
    scheduleAt(clock, target, (info) => fired.push(info));
    await base.fake.advance(1_000 - SPIN_LEAD_MS);
    expect(fired).toEqual([]);
    await base.fake.advance(SPIN_LEAD_MS);
    // Re-armed for the remaining 2 ms without a lead: fires once due, never before.
    expect(fired).toEqual([{ scheduledAt: target, firedAt: target, lateByMs: 0 }]);
  });
});

describe('JobScheduler, one timer for every job', () => {
  it('keeps a single clock timer however many jobs wait, and fires each in order on its ms', async () => {
    const { fake, clock } = recordingClock();
    const jobs = new JobScheduler(clock);
    const fired: number[] = [];
    for (let i = 0; i < 1_000; i++) jobs.at(T0 + 1_000 + (i % 10) * 100, (info) => fired.push(info.scheduledAt - info.firedAt + i % 10));
    expect(fake.pendingTimers()).toBe(1);
    await fake.advance(2_000);
    expect(fired).toHaveLength(1_000);
    expect(fired.every((x, i) => i === 0 || x >= fired[i - 1]!)).toBe(true);
    expect(fake.pendingTimers()).toBe(0);
  });

  it('a job scheduled by a job, even overdue, waits for the next timer turn', async () => {
    const { fake, clock } = recordingClock();
    const jobs = new JobScheduler(clock);
    const order: string[] = [];
    jobs.at(T0 + 1_000, () => {
      order.push('first');
      jobs.at(T0, () => order.push('overdue, scheduled by first'));
      order.push('first returns');
    });
    await fake.advance(1_000);
    expect(order).toEqual(['first', 'first returns', 'overdue, scheduled by first']);
  });

  it('drops cancelled jobs without keeping them (many STOPs)', () => {
    const { clock } = recordingClock();
    const jobs = new JobScheduler(clock);
    const handles = Array.from({ length: 500 }, (_, i) => jobs.at(T0 + 60_000 + i, () => {}));
    for (const h of handles.slice(0, 450)) h.cancel();
    expect(jobs.pending()).toBe(50);
    jobs.at(T0 + 1, () => {});
    expect(jobs.pending()).toBe(51);
  });
});
