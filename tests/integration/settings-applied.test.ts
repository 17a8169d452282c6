/**
 * The install's settings applied at once when changed, through the whole engine on the paper
 * broker and its fake clock: the stale-price bound a position's frozen stream is judged by, and
 * the lead of the readiness check before an entry (a check whose new time has passed runs now).
 * Monday 2026-03-09, New York: BUY 09:30 (13:30Z).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine-harness';

let t: TestEngine;
afterEach(async () => t?.close());

describe('a change of the install settings', () => {
  it('the stale bound: a frozen stream is alerted after the bound in effect, and a shorter one takes effect at once', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z', paper: { tickIntervalMs: 24 * 3_600_000 } });
    t.engine.settings.update({ stale_price_seconds: 60 });
    const s = await t.create();
    await t.start(s.id);
    await t.until('2026-03-09T13:30:00Z');
    expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION' });
    t.paper.data.setFeed('stale', 'frozen for the test');
    t.paper.setPrice('NYSE:AAPL', 97);
    await t.until('2026-03-09T13:30:40Z');
    expect(t.eventsOf('price_stale')).toEqual([]);
    t.engine.settings.update({ stale_price_seconds: 20 });
    await t.until('2026-03-09T13:30:40.001Z');
    expect(t.eventsOf('price_stale').map((e) => [e.at, e.quotePrice])).toEqual([[Date.parse('2026-03-09T13:30:40Z'), 97]]);
    expect(t.repos.settings.get('stale_price_seconds')).toBe('20');
  });

  it('the readiness lead: the check before the entry moves to the new lead, and one whose new time has passed runs now', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const early = await t.create({ sell_time: '09:40:00' });
    await t.start(early.id);
    t.engine.settings.update({ readiness_lead_minutes: 20 });
    await t.until('2026-03-09T13:09:59Z');
    expect(t.engine.readiness.report(early.id)?.trigger).not.toBe('scheduled');
    await t.until('2026-03-09T13:10:00Z');
    await expect.poll(() => t.engine.readiness.report(early.id)).toMatchObject({ trigger: 'scheduled', checkedAt: Date.parse('2026-03-09T13:10:00Z') });

    const late = await t.create({ buy_time: '09:45:00', sell_time: '09:50:00' });
    await t.start(late.id);
    await t.until('2026-03-09T13:20:00Z');
    // Its check is due at 13:25 (20 min before 09:45); at 13:20 a lead of 30 min puts it in the past: it runs now.
    expect(t.engine.readiness.report(late.id)?.trigger).not.toBe('scheduled');
    t.engine.settings.update({ readiness_lead_minutes: 30 });
    await expect.poll(() => t.engine.readiness.report(late.id)).toMatchObject({ trigger: 'scheduled', checkedAt: Date.parse('2026-03-09T13:20:00Z'), entryAt: Date.parse('2026-03-09T13:45:00Z') });
  });
});
