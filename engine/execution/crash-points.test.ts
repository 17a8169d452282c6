import { describe, expect, it } from 'vitest';
import { armedCrashPoints, parseCrashPoint } from './crash-points';

describe('crash points', () => {
  it('parse a name and an optional hit count, and refuse anything else', () => {
    expect(parseCrashPoint('after-send')).toEqual({ point: 'after-send', nth: 1 });
    expect(parseCrashPoint('after-fill:3')).toEqual({ point: 'after-fill', nth: 3 });
    expect(parseCrashPoint('before-reentry-journal:2')).toEqual({ point: 'before-reentry-journal', nth: 2 });
    expect(parseCrashPoint('after-exit-all')).toEqual({ point: 'after-exit-all', nth: 1 });
    expect(parseCrashPoint('after-lunch')).toBeNull();
    expect(parseCrashPoint('after-send:0')).toBeNull();
  });

  it('fire once, on the nth hit of the armed point only', () => {
    let deaths = 0;
    const cp = armedCrashPoints({ point: 'after-journal', nth: 2 }, () => deaths++);
    cp.hit('after-send');
    cp.hit('after-journal');
    expect(deaths).toBe(0);
    cp.hit('after-journal');
    cp.hit('after-journal');
    expect(deaths).toBe(1);
  });
});
