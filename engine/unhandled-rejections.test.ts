import { describe, expect, it } from 'vitest';
import { keepRunningOnUnhandledRejections } from './daemon';

describe('keepRunningOnUnhandledRejections', () => {
  it("logs a promise rejected with no handler instead of letting it end the process, until taken away", () => {
    const logged: unknown[][] = [];
    const before = process.listeners('unhandledRejection');
    const dispose = keepRunningOnUnhandledRejections({ error: (...args: unknown[]) => void logged.push(args) } as never);
    const added = process.listeners('unhandledRejection').filter((l) => !before.includes(l));
    expect(added).toHaveLength(1);
    // What Node does with a rejection nobody handles: call the listeners (none: the process ends).
    const reason = new Error('the user stream subscription was refused');
    (added[0] as (reason: unknown, promise: Promise<unknown>) => void)(reason, Promise.resolve());
    expect(logged).toEqual([[{ err: reason }, 'a promise was rejected with no handler; the daemon keeps running']]);
    dispose();
    expect(process.listeners('unhandledRejection')).toEqual(before);
  });
});
