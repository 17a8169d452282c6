import { describe, expect, it } from 'vitest';
import { dayTime } from '../../lib/format';
import { sessionSummary } from './session-summary';

const session = (state: 'no_token' | 'unverified' | 'valid' | 'expired', expires_at: number | null = null) => ({ state, expires_at, checked_at: null, message: '' });

describe('sessionSummary', () => {
  it('asks for a login until the first one, and after the token runs out', () => {
    expect(sessionSummary({ status: 'login_required', session: null })).toEqual({ text: 'Login needed', tone: 'bad', needsLogin: true });
    expect(sessionSummary({ status: 'connected', session: session('no_token') }).needsLogin).toBe(true);
    expect(sessionSummary({ status: 'connected', session: session('expired', 5) })).toMatchObject({ text: 'Login expired: login needed', needsLogin: true });
  });

  it('says until when a valid login lasts, in local time', () => {
    const at = new Date(2026, 10, 25, 6, 0).getTime();
    expect(sessionSummary({ status: 'connected', session: session('valid', at) })).toEqual({ text: `Logged in until ${dayTime(at)}`, tone: 'ok', needsLogin: false });
    expect(sessionSummary({ status: 'connected', session: session('valid') }).text).toBe('Logged in');
  });

  it('does not claim more than it knows about a stored token', () => {
    expect(sessionSummary({ status: 'connected', session: session('unverified') })).toMatchObject({ tone: 'warn', needsLogin: false });
    expect(sessionSummary({ status: 'connected', session: null })).toMatchObject({ tone: 'neutral', needsLogin: false });
  });
});
