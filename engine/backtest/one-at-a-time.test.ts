import { describe, expect, it } from 'vitest';
import { DomainError } from '../core/errors';
import { oneAtATime } from './one-at-a-time';

/** A promise the test settles by hand. */
function later<T>() {
  let settle!: { resolve: (v: T) => void; reject: (e: unknown) => void };
  const promise = new Promise<T>((resolve, reject) => (settle = { resolve, reject }));
  return { promise, ...settle };
}

describe('oneAtATime', () => {
  it("refuses a second run for the same key while the first is unfinished, with a 409's code; another key runs", async () => {
    const slots = oneAtATime<number>();
    const first = later<string>();
    const running = slots.run(1, () => first.promise);
    const refused = await slots.run(1, async () => 'second').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ code: 'conflict', message: expect.stringContaining('still running') });
    await expect(slots.run(2, async () => 'other user')).resolves.toBe('other user');
    first.resolve('first');
    await expect(running).resolves.toBe('first');
    await expect(slots.run(1, async () => 'after')).resolves.toBe('after');
  });

  it('is released when the work fails, synchronously or later', async () => {
    const slots = oneAtATime<number>();
    await expect(
      slots.run(1, () => {
        throw new Error('bad request');
      }),
    ).rejects.toThrow('bad request');
    const failing = later<never>();
    const running = slots.run(1, () => failing.promise);
    failing.reject(new Error('gone'));
    await expect(running).rejects.toThrow('gone');
    await expect(slots.run(1, async () => 'free')).resolves.toBe('free');
  });
});
