/**
 * GET and PATCH /install-settings over HTTP: signed in only; the settings in effect with each one's range;
 * a change validated (the field and its range named, nothing saved when any part is wrong), saved
 * in the settings table and applied by the engine at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../support/api-harness';

let h: ApiHarness;
let token = '';

beforeAll(async () => {
  h = await startApiHarness({ at: '2026-03-09T13:20:00Z' });
  token = (await h.register('a@example.com')).token;
});
afterAll(async () => h?.close());

const RULES = {
  readiness_lead_minutes: { unit: 'minutes', min: 1, max: 240, default: 5 },
  stale_price_seconds: { unit: 'seconds', min: 5, max: 600, default: 15 },
};

describe('/install-settings', () => {
  it('needs a session', async () => {
    expect((await h.call('GET', '/install-settings', { token: null })).status).toBe(401);
    expect((await h.call('PATCH', '/install-settings', { token: null, body: { stale_price_seconds: 30 } })).status).toBe(401);
    expect(h.repos.settings.get('stale_price_seconds')).toBeUndefined();
  });

  it('reads the defaults with each setting\'s range', async () => {
    const res = await h.call('GET', '/install-settings', { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ readiness_lead_minutes: 5, stale_price_seconds: 15, rules: RULES });
  });

  it('refuses a value out of range, not whole, a string, an unknown field or an empty body, naming the field; nothing is saved', async () => {
    const cases: Array<[unknown, Array<{ field: string; message: string }> | RegExp]> = [
      [{ readiness_lead_minutes: 0 }, [{ field: 'readiness_lead_minutes', message: 'readiness_lead_minutes must be a whole number of minutes from 1 to 240' }]],
      [{ readiness_lead_minutes: 10, stale_price_seconds: 4.5 }, [{ field: 'stale_price_seconds', message: 'stale_price_seconds must be a whole number of seconds from 5 to 600' }]],
      [{ stale_price_seconds: '30' }, [{ field: 'stale_price_seconds', message: 'stale_price_seconds must be a whole number of seconds from 5 to 600' }]],
      [{ stale_after_ms: 30_000 }, /stale_after_ms/],
      [{}, /name at least one setting to change/],
    ];
    for (const [body, expected] of cases) {
      const res = await h.call('PATCH', '/install-settings', { token, body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      if (expected instanceof RegExp) expect(res.body.error.message).toMatch(expected);
      else expect(res.body.error.fields).toEqual(expected);
    }
    expect([h.repos.settings.get('readiness_lead_minutes'), h.repos.settings.get('stale_price_seconds')]).toEqual([undefined, undefined]);
    expect(h.engine.settings.values()).toEqual({ readiness_lead_minutes: 5, stale_price_seconds: 15 });
  });

  it('saves and applies a change, and GET reads it back', async () => {
    const res = await h.call('PATCH', '/install-settings', { token, body: { readiness_lead_minutes: 12, stale_price_seconds: 45 } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ readiness_lead_minutes: 12, stale_price_seconds: 45, rules: RULES });
    expect((await h.call('PATCH', '/install-settings', { token, body: { stale_price_seconds: 30 } })).body).toMatchObject({ readiness_lead_minutes: 12, stale_price_seconds: 30 });
    expect((await h.call('GET', '/install-settings', { token })).body).toMatchObject({ readiness_lead_minutes: 12, stale_price_seconds: 30 });
    expect([h.repos.settings.get('readiness_lead_minutes'), h.repos.settings.get('stale_price_seconds')]).toEqual(['12', '30']);
    expect(h.engine.settings.values()).toEqual({ readiness_lead_minutes: 12, stale_price_seconds: 30 });
  });
});
