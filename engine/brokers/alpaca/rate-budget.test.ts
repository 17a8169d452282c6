import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock';
import { RateBudget } from './rate-budget';

describe('RateBudget', () => {
  it('never allows more than `limit` requests in any window, however they bunch', async () => {
    const clock = new FakeClock(0);
    const budget = new RateBudget(clock, 3, 60_000);
    const sentAt: number[] = [];
    const take = () => budget.take().then(() => sentAt.push(clock.monotonic()));
    for (let i = 0; i < 7; i++) void take();
    await clock.advance(0);
    expect(sentAt).toEqual([0, 0, 0]);
    await clock.advance(59_999);
    expect(sentAt).toHaveLength(3);
    await clock.advance(1);
    expect(sentAt).toEqual([0, 0, 0, 60_000, 60_000, 60_000]);
    await clock.advance(60_000);
    expect(sentAt).toEqual([0, 0, 0, 60_000, 60_000, 60_000, 120_000]);
    for (let i = 0; i < sentAt.length; i++) expect(sentAt.filter((t) => t > sentAt[i]! - 60_000 && t <= sentAt[i]!).length).toBeLessThanOrEqual(3);
  });

  it('serves waiters first come, first served; optional work gives way and keeps a reserve', async () => {
    const clock = new FakeClock(0);
    const budget = new RateBudget(clock, 5, 1_000);
    expect(budget.tryTake(2)).toBe(true);
    expect(budget.tryTake(2)).toBe(true);
    expect(budget.tryTake(2)).toBe(true);
    expect(budget.tryTake(2)).toBe(false);
    expect(budget.available()).toBe(2);
    await budget.take();
    await budget.take();
    const order: string[] = [];
    void budget.take().then(() => order.push('a'));
    void budget.take().then(() => order.push('b'));
    expect(budget.tryTake()).toBe(false);
    await clock.advance(1_000);
    expect(order).toEqual(['a', 'b']);
  });

  it('serves an exit before a BUY before lookups while they wait, first come, first served within each', async () => {
    const clock = new FakeClock(0);
    const budget = new RateBudget(clock, 2, 1_000);
    // The budget a restart finds spent, or a 429 pause: everything waits.
    budget.pauseFor(5_000);
    const order: string[] = [];
    const wait = (name: string, precedence?: 'exit' | 'entry' | 'other') => void budget.take(undefined, precedence).then(() => order.push(name));
    wait('lookup 1');
    wait('lookup 2');
    wait('buy 1', 'entry');
    wait('lookup 3', 'other');
    wait('sell 1', 'exit');
    wait('buy 2', 'entry');
    wait('sell 2', 'exit');
    await clock.advance(5_000);
    expect(order).toEqual(['sell 1', 'sell 2']);
    await clock.advance(1_000);
    expect(order).toEqual(['sell 1', 'sell 2', 'buy 1', 'buy 2']);
    await clock.advance(1_000);
    expect(order).toEqual(['sell 1', 'sell 2', 'buy 1', 'buy 2', 'lookup 1', 'lookup 2']);
    await clock.advance(1_000);
    expect(order.at(-1)).toBe('lookup 3');
  });

  it("holds every request while paused by a 429, and rejects a waiter whose caller gives up", async () => {
    const clock = new FakeClock(0);
    const budget = new RateBudget(clock, 100, 60_000);
    budget.pauseFor(2_000);
    expect(budget.available()).toBe(0);
    let done = false;
    void budget.take().then(() => (done = true));
    const abort = new AbortController();
    const abandoned = budget.take(abort.signal);
    abort.abort(new Error('stopped'));
    await expect(abandoned).rejects.toThrow('stopped');
    await clock.advance(1_999);
    expect(done).toBe(false);
    await clock.advance(1);
    expect(done).toBe(true);
  });
});
