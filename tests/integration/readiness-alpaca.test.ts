/**
 * The readiness check of a strategy on Alpaca, against the loopback fake: funds short of the entry,
 * the pattern-day-trader rule, a broker clock 5 s off (the fake's Date header), a reply that is not
 * an account, and the schedule (N minutes before the BUY on the engine's fake clock). A failed check
 * reaches the event bus and the audit log.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startAlpacaTestEngine, type AlpacaTestEngine } from '../fakes/alpaca/alpaca-engine-harness';
import { DEFAULT_ACCOUNT } from '../fakes/alpaca/fake-config';
import { eventually } from '../fakes/alpaca/eventually';
import type { StrategyId } from '../../engine/core/ids';
import { READINESS_LEAD_MINUTES } from '../../engine/readiness/readiness-service';

let t: AlpacaTestEngine;
afterEach(async () => t?.close());

/** 09:20 New York on Monday 2026-03-09 (EDT): ten minutes before the harness's 09:30 BUY. */
const AT = '2026-03-09T13:20:00Z';

async function startedWithPrice(fake: Parameters<typeof startAlpacaTestEngine>[0]['fake']): Promise<StrategyId> {
  t = await startAlpacaTestEngine({ at: AT, fake: { prices: { AAPL: 187.5 }, ...fake } });
  const s = await t.create({});
  await t.start(s.id);
  await eventually(() => t.fake.dataSessions()[0]?.trades.includes('AAPL') ?? false, { what: 'AAPL subscribed' });
  t.fake.pushTrade('AAPL', 187.5);
  await eventually(() => t.engine.market.lastPrice(t.account.id, 'NYSE:AAPL') !== undefined, { what: 'a price' });
  return s.id;
}

const byCheck = (checks: readonly { check: string; status: string; message: string }[]) => Object.fromEntries(checks.map((c) => [c.check, c]));

describe('readiness on Alpaca', () => {
  it('funds short, three day trades under 25 000 and a clock 5 s off fail, each saying what to fix; the event reaches the audit log', async () => {
    const id = await startedWithPrice({ accounts: [{ ...DEFAULT_ACCOUNT, cash: 1_000, dayTradeCount: 3 }], clockSkewMs: 5_000 });
    const report = await t.engine.readiness.check(id, 'start');
    const c = byCheck(report!.checks);
    expect(c.funds).toEqual({ check: 'funds', status: 'fail', message: '1,000.00 available does not cover the entry, about 1,875.00 (10 × last price 187.5): add funds or lower the quantity before the entry.' });
    expect(c.day_trades).toMatchObject({ status: 'fail', message: expect.stringContaining('3 day trades in the last 5 business days with equity 1,000.00') });
    expect(c.clock).toMatchObject({ status: 'fail', message: expect.stringMatching(/^This machine's clock is [45]\.\d s behind Alpaca's/) });
    expect(c.session!.status).toBe('ok');
    expect(c.market_open!.status).toBe('ok');
    expect(report).toMatchObject({ status: 'fail', trigger: 'start', entryAt: Date.parse('2026-03-09T13:30:00Z'), exitAt: Date.parse('2026-03-09T19:55:00Z') });
    // No secret in any sentence.
    expect(JSON.stringify(report)).not.toContain(DEFAULT_ACCOUNT.secretKey);
    expect(JSON.stringify(report)).not.toContain(DEFAULT_ACCOUNT.keyId);

    const [event] = t.eventsOf('readiness');
    expect(event).toMatchObject({ strategyId: id, status: 'fail', trigger: 'start', checks: report!.checks });
    await eventually(() => t.repos.events.list(t.user.id, { strategyId: id }).some((e) => e.type === 'readiness'), { what: 'the audit log row' });
    const [logged] = t.repos.events.list(t.user.id, { strategyId: id }).filter((e) => e.type === 'readiness');
    expect(logged!.payload).toMatchObject({ status: 'fail', checks: report!.checks });
  });

  it('a reply that is not an account answers unknown, naming what went wrong; nothing crashes', async () => {
    const id = await startedWithPrice({});
    t.fake.injectFault({ route: 'GET /v2/account', fault: { kind: 'garbage' } });
    const report = await t.engine.readiness.check(id, 'on_demand');
    const c = byCheck(report!.checks);
    expect(c.funds).toEqual({ check: 'funds', status: 'unknown', message: 'The funds could not be checked: Alpaca did not answer GET /v2/account: HTTP 200 with a body that is not JSON.' });
    expect(c.day_trades!.status).toBe('unknown');
    expect(c.clock!.status).toBe('unknown');
    // Unknown alone raises nothing: there is nothing the trader can fix that the row does not show.
    expect(report!.status).toBe('unknown');
    expect(t.eventsOf('readiness')).toEqual([]);
  });

  it(`runs ${READINESS_LEAD_MINUTES} minutes before the BUY on the engine's clock, and a ready account raises nothing`, async () => {
    const id = await startedWithPrice({});
    await t.clock.advanceTo(Date.parse('2026-03-09T13:24:59Z'));
    expect(t.engine.readiness.report(id)).toBeUndefined();
    await t.clock.advanceTo(Date.parse('2026-03-09T13:25:00Z'));
    await eventually(() => t.engine.readiness.report(id) !== undefined, { what: 'the scheduled check' });
    const report = t.engine.readiness.report(id)!;
    expect(report).toMatchObject({ trigger: 'scheduled', checkedAt: Date.parse('2026-03-09T13:25:00Z'), status: 'ok' });
    expect(report.checks.every((x) => x.status === 'ok')).toBe(true);
    expect(t.eventsOf('readiness')).toEqual([]);
  });

  it('a STOP cancels the check before the entry and forgets the last report', async () => {
    const id = await startedWithPrice({ accounts: [{ ...DEFAULT_ACCOUNT, cash: 10 }] });
    expect((await t.engine.readiness.check(id, 'start'))!.status).toBe('fail');
    await t.engine.manager.stop(t.user.id, id);
    expect(t.engine.readiness.report(id)).toBeUndefined();
    const asked = () => t.fake.requests().filter((r) => r.path === '/v2/account').length;
    const before = asked();
    await t.clock.advanceTo(Date.parse('2026-03-09T13:25:00Z'));
    expect(t.engine.readiness.report(id)).toBeUndefined();
    expect(asked()).toBe(before);
  });
});
