import { describe, expect, it } from 'vitest';
import { hrefOf, parseRoute } from './router';

describe('router', () => {
  it('has a history route that round-trips', () => {
    expect(parseRoute('#/history')).toEqual({ name: 'history' });
    expect(hrefOf({ name: 'history' })).toBe('#/history');
    expect(parseRoute(hrefOf({ name: 'strategy', id: 3 }))).toEqual({ name: 'strategy', id: 3 });
  });

  it('has a settings route that round-trips', () => {
    expect(parseRoute('#/settings')).toEqual({ name: 'settings' });
    expect(hrefOf({ name: 'settings' })).toBe('#/settings');
  });
});
