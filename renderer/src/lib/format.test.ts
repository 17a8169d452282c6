import { describe, expect, it } from 'vitest';
import { countdown, dayTime, deltaMs, humanize, qty } from './format';

describe('format', () => {
  it('shows a quantity with its step\'s digits, whole shares as before, and never rounds a fraction away', () => {
    // The locale's own point and grouping: compare with what it gives for the same digits.
    const point = (1.5).toLocaleString().charAt(1);
    expect(qty(0.0015, 0.00001)).toBe(`0${point}00150`);
    expect(qty(1, 0.00001)).toBe(`1${point}00000`);
    expect(qty(2, 0.25)).toBe(`2${point}00`);
    expect(qty(10)).toBe('10');
    expect(qty(10, 1)).toBe('10');
    expect(qty(0.0015)).toBe(`0${point}0015`);
    expect(qty(1e-8)).toBe(`0${point}00000001`);
    expect(qty(null)).toBe('—');
  });

  it('counts down in the largest units that matter', () => {
    expect(countdown(0)).toBe('now');
    expect(countdown(-5)).toBe('now');
    expect(countdown(4_200)).toBe('5s');
    expect(countdown(125_000)).toBe('2m 05s');
    expect(countdown(3 * 3_600_000 + 7 * 60_000)).toBe('3h 07m');
    expect(countdown(50 * 3_600_000)).toBe('2d 02h');
  });

  it('shows how late a step was, in ms from the schedule', () => {
    expect(deltaMs(1_000, 1_012)).toBe('+12 ms');
    expect(deltaMs(1_000, 990)).toBe('−10 ms');
    expect(deltaMs(1_000, null)).toBe('—');
  });

  it('shows a day and a minute in local time', () => {
    expect(dayTime(new Date(2026, 10, 25, 6, 0, 59).getTime())).toBe('2026-11-25 06:00');
    expect(dayTime(null)).toBe('—');
  });

  it('turns codes into words', () => {
    expect(humanize('STOPLOSS_FILLED')).toBe('Stoploss filled');
    expect(humanize(null)).toBe('—');
  });
});
