/**
 * The expiry date, the straddle-width strike and the days-to-expiry filter (issue 19) on Kite,
 * against the loopback fake's NFO instrument master and GET /quote/ltp: a date the master lists is
 * traded and one it does not list skips the day naming what is listed; the straddle width reads the
 * ATM CE and PE in one quote request (the premium rule's call); a day outside the dte filter is
 * skipped before anything is quoted. Monday 7 December 2026, IST: the fake lists NIFTY weeklies
 * on Tuesdays (8, 15, 22 December) and the December monthly on the 29th.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../engine/core/fake-clock';
import { openTestDb } from '../../db/test-support';
import { kiteBrokerKind } from '../../engine/brokers/kite';
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

/** 09:19:50 IST: ten seconds before the BUY. */
const BEFORE_BUY = '2026-12-07T03:49:50Z';
const BUY = '2026-12-07T03:50:00Z';
const NIFTY = { symbol: 'NIFTY', exchange: 'NFO', option_right: 'CE', qty: 1, buy_time: '09:20:00', sell_time: '15:10:00', stop_loss: 20, stop_loss_mode: 'points', timezone: 'Asia/Kolkata' };
/** The index at 26 010 (ATM 26 000) and the ATM straddle of the 8 December weekly at 120 + 110. */
const PRICES = { 'NIFTY 50': 26_010, NIFTY26D0826000CE: 120, NIFTY26D0826000PE: 110 };

async function kiteEngine(opts: KiteFakeOptions = {}): Promise<EngineOnBroker> {
  const clock = new FakeClock(Date.parse(BEFORE_BUY));
  fake = await startKiteFake({ now: () => clock.now(), prices: PRICES, ...opts });
  const db = openTestDb();
  closeDb = () => db.close();
  const broker = kiteBrokerKind().create({ clock, credentials: fake.credentials(), options: fake.options() });
  return engineOnBroker({ clock, repos: db.repos, broker, brokerKind: 'kite', strategyDefaults: {} });
}

const ltpAsks = () => fake.requests().filter((r) => r.path === '/quote/ltp').map((r) => r.query.getAll('i').sort());

describe('option filters on Kite', () => {
  it('chooses the straddle-width CE from one quote of the ATM CE and PE: 26 000 + 1 × 230 → 26 250', async () => {
    t = await kiteEngine();
    const s = await t.create({ ...NIFTY, option_strike: 'width:1' });
    await t.start(s.id);
    await t.clock.advanceTo(Date.parse(BUY));
    await waitFor('the contract chosen', () => t.run(s.id).plan?.option_contract !== undefined || t.run(s.id).state !== 'ARMED');
    expect(t.run(s.id).plan).toMatchObject({ symbol: 'NIFTY26D0826250CE', qty: 65, option_contract: { expiry: '2026-12-08', atm: 26_000, strike: 26_250, premium: 230, spot: 26_010 } });
    expect(ltpAsks()).toContainEqual(['NFO:NIFTY26D0826000CE', 'NFO:NIFTY26D0826000PE']);
  });

  it('trades the date the master lists, and skips a date it does not list, naming the listed ones', async () => {
    t = await kiteEngine();
    const listed = await t.create({ ...NIFTY, option_expiry: '2026-12-15' });
    const unlisted = await t.create({ ...NIFTY, option_expiry: '2026-12-10' });
    await t.start(listed.id);
    await t.start(unlisted.id);
    await t.clock.advanceTo(Date.parse(BUY));
    await waitFor('both decided', () => t.run(listed.id).plan?.option_contract !== undefined && t.run(unlisted.id).state === 'SKIPPED');
    expect(t.run(listed.id).plan).toMatchObject({ symbol: 'NIFTY26D1526000CE', option_contract: { expiry: '2026-12-15' } });
    expect(t.run(unlisted.id).reason).toMatch(/^BUY skipped: no NIFTY CE can be chosen: NIFTY has no expiry on 2026-12-10 \(listed: 2026-12-08, 2026-12-15, 2026-12-22, /);
    expect(t.orders(unlisted.id)).toEqual([]);
  });

  it('skips a day outside the dte filter before any quote is asked for', async () => {
    t = await kiteEngine();
    const s = await t.create({ ...NIFTY, option_strike: 'width:1', repeat: 'daily', dte: [0, 3] });
    const monday = await t.start(s.id);
    await t.clock.advanceTo(Date.parse(BUY));
    const run = () => t.repos.runs.getInternal(monday.id)!;
    await waitFor('the day skipped', () => run().state === 'SKIPPED');
    // The next trading day is armed (a daily strategy goes on).
    expect(t.run(s.id)).toMatchObject({ tradingDate: '2026-12-08', state: 'ARMED' });
    expect(run().reason).toBe('BUY skipped: the day is outside the dte filter: 2026-12-07 is 1 day to the 2026-12-08 expiry, and the strategy enters at dte 0, 3 only');
    expect(ltpAsks()).toEqual([]);
    expect(fake.requests().filter((r) => r.method === 'POST')).toEqual([]);
  });
});
