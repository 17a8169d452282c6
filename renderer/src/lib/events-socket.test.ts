import { describe, expect, it } from 'vitest';
import { backoffMs, eventsUrl } from './events-socket';

describe('events socket', () => {
  it('backs off exponentially from 0.5 s and never waits more than the cap', () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, mid))).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(backoffMs(1_000, mid)).toBe(10_000);
  });

  it('spreads retries by ±20 % so tabs do not reconnect in step', () => {
    expect(backoffMs(2, () => 0)).toBe(1600);
    expect(backoffMs(2, () => 1)).toBe(2400);
  });

  it('connects to the page origin, or to the shell-given API origin', () => {
    expect(eventsUrl('', { protocol: 'http:', host: '127.0.0.1:7420' })).toBe('ws://127.0.0.1:7420/events');
    expect(eventsUrl('', { protocol: 'https:', host: 'example.test' })).toBe('wss://example.test/events');
    expect(eventsUrl('http://127.0.0.1:53127', { protocol: 'file:', host: '' })).toBe('ws://127.0.0.1:53127/events');
  });
});
