/**
 * The readiness check of a strategy on Kite, against the loopback fake: the day's token dying at
 * 06:00 IST before the run's exit, the funds read from GET /user/margins, the clock from the
 * fake's Date header, and an order refused for Kite's static-IP rule, which the check then reports.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../engine/core/fake-clock';
import { openTestDb } from '../../db/test-support';
import { kiteBrokerKind } from '../../engine/brokers/kite';
import { KITE_IP_REFUSAL } from '../../engine/brokers/kite/kite-errors';
import { engineOnBroker, type EngineOnBroker } from '../support/engine-harness';
import { startKiteFake, type KiteFake, type KiteFakeOptions } from '../fakes/kite/kite-fake';
import { waitFor } from '../fakes/kite/wait-for';

let fake: KiteFake;
let t: EngineOnBroker;
let closeDb: () => void;
afterEach(async () => {
  await t?.stopEngine();
  closeDb?.();
  await fake?.close();
});

/** The engine on Kite as the daemon builds it (the broker kind, with its daily login), at `at`. */
async function kiteEngine(at: string, opts: KiteFakeOptions = {}): Promise<EngineOnBroker> {
  const clock = new FakeClock(Date.parse(at));
  fake = await startKiteFake({ now: () => clock.now(), ...opts });
  const db = openTestDb();
  closeDb = () => db.close();
  const broker = kiteBrokerKind().create({ clock, credentials: fake.credentials(), options: fake.options() });
  return engineOnBroker({ clock, repos: db.repos, broker, brokerKind: 'kite', strategyDefaults: { symbol: 'INFY', exchange: 'NSE', qty: 10, buy_time: '09:20:00', sell_time: '15:10:00', stop_loss: 95 } });
}

const byCheck = (checks: readonly { check: string; status: string; message: string }[]) => Object.fromEntries(checks.map((c) => [c.check, c]));

describe('readiness on Kite', () => {
  it("at 05:50 IST, a token that dies at 06:00 fails the login check; funds and clock come from Kite's replies", async () => {
    t = await kiteEngine('2026-03-09T00:20:00Z', { equityNet: 100 });
    const s = await t.create({});
    await t.start(s.id);
    const report = (await t.engine.readiness.check(s.id, 'start'))!;
    const c = byCheck(report.checks);
    expect(c.session).toEqual({
      check: 'session',
      status: 'fail',
      message: 'The Kite login runs out at Mon 9 Mar 06:00:00 Kolkata, before the exit at 15:15:00 Kolkata: log in again after it runs out and before the entry, or the exit cannot be placed.',
    });
    // GET /user/margins' equity net, read; the entry's cost needs a price, which has not come yet.
    expect(c.funds).toMatchObject({ status: 'unknown', message: expect.stringMatching(/^100\.00 is available, but no price of INFY has arrived yet/) });
    expect(c.clock).toMatchObject({ status: 'ok', message: "This machine's clock agrees with Kite's within 2 s (its HTTP Date header, to the second)." });
    expect(c.day_trades!.status).toBe('ok');
    expect(c.orders_allowed!.status).toBe('unknown');
    expect(fake.requests().filter((r) => r.path === '/user/margins')).toHaveLength(1);
    expect(t.eventsOf('readiness')).toEqual([expect.objectContaining({ strategyId: s.id, status: 'fail' })]);
  });

  it("a clock 4 s behind Kite's fails; a second strategy on the account shares the one request", async () => {
    t = await kiteEngine('2026-03-09T03:40:00Z', { clockSkewMs: 4_000 });
    const a = await t.create({});
    const b = await t.create({ symbol: 'TATAMOTORS' });
    await t.start(a.id);
    await t.start(b.id);
    const [ra, rb] = await Promise.all([t.engine.readiness.check(a.id, 'on_demand'), t.engine.readiness.check(b.id, 'on_demand')]);
    expect(byCheck(ra!.checks).clock).toMatchObject({ status: 'fail', message: expect.stringContaining("s behind Kite's") });
    expect(byCheck(rb!.checks).clock!.status).toBe('fail');
    expect(fake.requests().filter((r) => r.path === '/user/margins')).toHaveLength(1);
  });

  it("an order refused for the static-IP rule is classified so, and the next check reports it with what to do", async () => {
    t = await kiteEngine('2026-03-09T03:49:50Z');
    const s = await t.create({});
    await t.start(s.id);
    fake.failNext('POST /orders', { kind: 'status', status: 403, errorType: 'PermissionException', message: 'Order request from unregistered IP' });
    await t.clock.advanceTo(Date.parse('2026-03-09T03:50:00Z'));
    await waitFor('the BUY refused', () => t.orders(s.id)[0]?.status === 'rejected');
    expect(t.orders(s.id)[0]!.rejectReason).toContain(KITE_IP_REFUSAL);
    const c = byCheck((await t.engine.readiness.check(s.id, 'on_demand'))!.checks);
    expect(c.orders_allowed).toMatchObject({ status: 'fail', message: expect.stringContaining('Kite refused an order at Mon 9 Mar 09:20:00 Kolkata because it did not come from the static IP registered for the account') });
  });
});

describe('readiness of an option strategy on Kite', () => {
  it('loads the NFO instrument list at the check before the entry, not at create or START', async () => {
    t = await kiteEngine('2026-12-07T03:30:00Z'); // Monday 09:00 IST
    const s = await t.create({ symbol: 'NIFTY', exchange: 'NFO', option_right: 'CE', qty: 1, stop_loss: 20, stop_loss_mode: 'points' });
    const nfo = () => fake.requests().filter((r) => r.path === '/instruments/NFO').length;
    await t.start(s.id);
    expect(nfo()).toBe(0);
    await t.engine.readiness.check(s.id, 'on_demand');
    await waitFor('the NFO list downloaded', () => nfo() === 1);
    expect(fake.requests().filter((r) => r.path === '/instruments/BFO')).toHaveLength(0);
  });
});
