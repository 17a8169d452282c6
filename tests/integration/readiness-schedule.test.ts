/**
 * When the readiness check runs, on the paper broker and the engine's fake clock: the lead time
 * from the install setting, the check before the entry scheduled again by recovery after a
 * restart, and a daily strategy's next day.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine-harness';
import { READINESS_LEAD_SETTING } from '../../engine/readiness/readiness-service';

let t: TestEngine;
afterEach(async () => t?.close());

describe('the readiness schedule', () => {
  it('after a restart, recovery schedules the check before the entry, at the lead the install setting names', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const s = await t.create({ sell_time: '09:40:00' });
    await t.start(s.id);
    t.repos.settings.set(READINESS_LEAD_SETTING, '10');
    t = await t.restart();
    await t.engine.recover();
    await t.until('2026-03-09T13:19:59Z');
    expect(t.engine.readiness.report(s.id)).toBeUndefined();
    await t.until('2026-03-09T13:20:00Z');
    await expect.poll(() => t.engine.readiness.report(s.id)?.trigger).toBe('scheduled');
    expect(t.engine.readiness.report(s.id)).toMatchObject({ checkedAt: Date.parse('2026-03-09T13:20:00Z'), entryAt: Date.parse('2026-03-09T13:30:00Z'), exitAt: Date.parse('2026-03-09T13:40:00Z') });
  });

  it("a daily strategy's next run drops the last day's report and is checked before its own entry", async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const daily = await t.create({ sell_time: '09:40:00', repeat: 'daily' });
    await t.start(daily.id);
    expect((await t.engine.readiness.check(daily.id, 'start'))!.entryAt).toBe(Date.parse('2026-03-09T13:30:00Z'));
    expect(t.engine.readiness.report(daily.id)).toBeDefined();
    await t.until('2026-03-09T13:41:00Z');
    expect(t.run(daily.id).tradingDate).toBe('2026-03-10');
    expect(t.engine.readiness.report(daily.id)).toBeUndefined();
    await t.until('2026-03-10T13:25:00Z');
    await expect.poll(() => t.engine.readiness.report(daily.id)?.entryAt).toBe(Date.parse('2026-03-10T13:30:00Z'));
  });
});
