import { describe, expect, it } from 'vitest';
import { guarded, UntrustedSenderError } from './ipc-guard';

const app = 'http://127.0.0.1:5123';

describe('guarded IPC handlers', () => {
  const handler = guarded(() => app, (a: number, b: number) => a + b);

  it('answers the app page, without handing the handler the event', () => {
    const seen: unknown[][] = [];
    const spy = guarded(() => app, (...args: unknown[]) => seen.push(args));
    spy({ senderFrame: { url: `${app}/strategies` } }, 'x');
    expect(seen).toEqual([['x']]);
    expect(handler({ senderFrame: { url: `${app}/` } }, 1, 2)).toBe(3);
  });

  it.each([
    ['another origin', { senderFrame: { url: 'https://evil.example/' } }],
    ['a look-alike', { senderFrame: { url: 'http://127.0.0.1:51234/' } }],
    ['a destroyed frame', { senderFrame: null }],
    ['about:blank', { senderFrame: { url: 'about:blank' } }],
  ])('refuses %s', (_what, event) => {
    expect(() => handler(event, 1, 2)).toThrow(UntrustedSenderError);
  });

  it('refuses everything before the engine listens', () => {
    expect(() => guarded(() => null, () => 1)({ senderFrame: { url: `${app}/` } })).toThrow(UntrustedSenderError);
  });
});
