/**
 * The contract rules and the day filter added to index options (issue 19) on the paper broker, on
 * a fake clock: an expiry given as a date (the listed one traded; one the chain does not list skips
 * the day, saying so; a past one refused at create by the exchange's calendar, as the contract choice reads it), the straddle-width
 * strike (ATM ± K × the ATM straddle's premium, from the same quotes as the premium rule) and the
 * days-to-expiry filter of a daily strategy (a day outside it skipped, naming dte, before any
 * contract is chosen; the next day inside it trades). Monday 7 December 2026, IST; the paper
 * chain's NIFTY weeklies expire on Tuesdays (8, 15, 22 December).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine-harness';

let t: TestEngine;
afterEach(async () => {
  await t?.close();
});

/** 09:00 IST. */
const MONDAY_0900_IST = '2026-12-07T03:30:00Z';
/** 2.5 s before the 09:20 IST BUY: the warm-up's choice. */
const WARM_UP = '2026-12-07T03:49:57.5Z';
const BUY = '2026-12-07T03:50:00Z';
const NIFTY = { symbol: 'NIFTY', exchange: 'NFO', option_right: 'CE', qty: 1, buy_time: '09:20:00', sell_time: '15:10:00', stop_loss: 40, stop_loss_mode: 'points', timezone: 'Asia/Kolkata' };
const paper = { startPrices: { 'NSE:NIFTY 50': 26_012 } };

describe('an expiry given as a date', () => {
  it('trades the listed expiry the date names, not the nearest', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper });
    const s = await t.create({ ...NIFTY, option_expiry: '2026-12-15' });
    expect(s.spec.option_expiry).toBe('2026-12-15');
    await t.start(s.id);
    await t.until(BUY);
    expect(t.run(s.id).plan!.option_contract).toMatchObject({ expiry: '2026-12-15', strike: 26_000, right: 'CE' });
    expect(t.orders(s.id).map((o) => [o.leg, o.symbol, o.status])).toEqual([['BUY', 'NIFTY26D1526000CE', 'filled']]);
  });

  it('skips the day, naming the date and what is listed, when the chain lists no expiry on it', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper });
    const s = await t.create({ ...NIFTY, option_expiry: '2026-12-09' }); // a Wednesday
    await t.start(s.id);
    await t.until(BUY);
    expect(t.orders(s.id)).toEqual([]);
    expect(t.run(s.id)).toMatchObject({ state: 'SKIPPED', reason: expect.stringMatching(/^BUY skipped: no NIFTY CE can be chosen: NIFTY has no expiry on 2026-12-09 \(listed: 2026-12-08, 2026-12-15, /) });
  });

  it('refuses a date already past at the exchange at create, naming the field (a position\'s by its path); the day itself is allowed', async () => {
    // 01:30 IST on Monday 7 December, still Sunday 6 December in New York.
    t = await startTestEngine({ at: '2026-12-06T20:00:00Z', paper });
    await expect(t.create({ ...NIFTY, option_expiry: '2026-12-06' })).rejects.toMatchObject({
      code: 'validation_failed',
      fields: [{ field: 'option_expiry', message: 'option_expiry 2026-12-06 has passed (today is 2026-12-07 at NFO, in Asia/Kolkata): give a listed expiry on or after today, or a rule such as current_week' }],
    });
    expect((await t.create({ ...NIFTY, option_expiry: '2026-12-07' })).spec.option_expiry).toBe('2026-12-07');
    // A strategy whose times are in New York: still 6 December there, but the choice reads NFO's day, where it has passed (every run would be skipped).
    await expect(t.create({ ...NIFTY, option_expiry: '2026-12-06', timezone: 'America/New_York' })).rejects.toMatchObject({ fields: [{ field: 'option_expiry', message: expect.stringContaining('today is 2026-12-07 at NFO') }] });
    const positions = [{ side: 'sell', option_right: 'CE' }, { side: 'sell', option_right: 'PE', option_expiry: '2026-12-01' }];
    await expect(t.create({ ...NIFTY, option_right: undefined, positions })).rejects.toMatchObject({ fields: [{ field: 'positions.1.option_expiry', message: expect.stringContaining('option_expiry 2026-12-01 has passed') }] });
    expect(t.repos.strategies.list(t.user.id)).toHaveLength(1);
  });
});

describe('the straddle-width strike', () => {
  it('chooses the CE nearest ATM + K × (ATM CE + ATM PE premium) and the PE nearest ATM − K × it, read from the chain\'s quotes', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper });
    const ce = await t.create({ ...NIFTY, option_strike: 'width:1' });
    const pe = await t.create({ ...NIFTY, option_right: 'PE', option_strike: 'width:0.5' });
    await t.start(ce.id);
    await t.start(pe.id);
    await t.until(WARM_UP);
    const straddle = t.paper.data.priceOf('NFO', 'NIFTY26D0826000CE')! + t.paper.data.priceOf('NFO', 'NIFTY26D0826000PE')!;
    expect(straddle).toBeGreaterThan(60); // wide enough that K × it moves the strike several steps
    const nearest = (price: number) => Math.round(price / 50) * 50;
    expect(t.run(ce.id).plan!.option_contract).toMatchObject({ expiry: '2026-12-08', atm: 26_000, strike: nearest(26_000 + straddle), right: 'CE' });
    expect(t.run(pe.id).plan!.option_contract).toMatchObject({ expiry: '2026-12-08', atm: 26_000, strike: nearest(26_000 - 0.5 * straddle), right: 'PE' });
    // The premium the rule read is the ATM straddle's.
    expect(t.run(ce.id).plan!.option_contract!.premium).toBeCloseTo(straddle, 6);
    expect(t.run(ce.id).plan!.option_contract!.strike).toBeGreaterThan(26_000);
    expect(t.run(pe.id).plan!.option_contract!.strike).toBeLessThan(26_000);
    await t.until(BUY);
    expect(t.orders(ce.id).map((o) => [o.leg, o.symbol, o.status])).toEqual([['BUY', `NIFTY26D08${nearest(26_000 + straddle)}CE`, 'filled']]);
    expect(t.orders(pe.id).map((o) => [o.leg, o.symbol, o.status])).toEqual([['BUY', `NIFTY26D08${nearest(26_000 - 0.5 * straddle)}PE`, 'filled']]);
  });

  it('a straddle of width rules asks the ATM straddle\'s premiums once for the group, not once per position (Kite quotes once a second)', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper });
    const quote = t.paper.data.quote!.bind(t.paper.data);
    const asked: string[][] = [];
    t.paper.data.quote = (instruments) => {
      asked.push(instruments.map((i) => i.symbol));
      return quote(instruments);
    };
    const s = await t.create({ ...NIFTY, option_right: undefined, positions: [{ side: 'sell', option_right: 'CE', option_strike: 'width:1' }, { side: 'sell', option_right: 'PE', option_strike: 'width:1' }] });
    await t.start(s.id);
    await t.until(WARM_UP);
    const straddleQuotes = asked.filter((symbols) => symbols.includes('NIFTY26D0826000CE') && symbols.includes('NIFTY26D0826000PE'));
    expect(straddleQuotes).toEqual([['NIFTY26D0826000CE', 'NIFTY26D0826000PE']]);
    const group = t.repos.runs.groupInternal(s.id, '2026-12-07');
    // Both positions read the one straddle premium.
    const [ce, pe] = group.map((r) => r.plan!.option_contract!);
    expect(ce!.premium).toBeGreaterThan(60);
    expect(pe!.premium).toBe(ce!.premium);
    expect([ce!.right, pe!.right]).toEqual(['CE', 'PE']);
  });
});

describe('the days-to-expiry filter', () => {
  it('skips a day outside it, naming dte, without choosing a contract, and trades the next day inside it', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper });
    // Monday is 1 day to the Tuesday expiry; the filter takes the expiry day only.
    const s = await t.create({ ...NIFTY, repeat: 'daily', dte: [0] });
    expect(s.spec.dte).toEqual([0]);
    const monday = await t.start(s.id);
    await t.until(WARM_UP);
    expect(t.run(s.id).plan!.option_contract).toBeUndefined();
    expect(t.paper.data.subscriptions()).toEqual(['NSE:NIFTY 50']);
    await t.until(BUY);
    expect(t.orders(s.id)).toEqual([]);
    expect(t.repos.runs.getInternal(monday.id)).toMatchObject({
      state: 'SKIPPED',
      reason: 'BUY skipped: the day is outside the dte filter: 2026-12-07 is 1 day to the 2026-12-08 expiry, and the strategy enters at dte 0 only',
    });

    await t.until('2026-12-08T03:50:00Z'); // Tuesday 09:20 IST: the expiry day
    const tuesday = t.run(s.id);
    expect(tuesday).toMatchObject({ tradingDate: '2026-12-08', plan: { option_contract: { expiry: '2026-12-08' } } });
    expect(t.orders(s.id).map((o) => [o.leg, o.symbol, o.status])).toEqual([['BUY', 'NIFTY26D0826000CE', 'filled']]);
  });

  it('counts calendar days to the chosen expiry (next week: 8 on this Monday) and filters a straddle by position 1\'s, skipping both positions', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper });
    const inside = await t.create({ ...NIFTY, option_expiry: 'next_week', repeat: 'daily', dte: [8] });
    const index = { ...NIFTY, option_right: undefined, repeat: 'daily', dte: [0, 2] };
    const straddle = await t.create({ ...index, positions: [{ side: 'sell', option_right: 'CE' }, { side: 'sell', option_right: 'PE', option_expiry: 'next_week' }] });
    await t.start(inside.id);
    await t.start(straddle.id);
    await t.until(BUY);
    expect(t.orders(inside.id).map((o) => [o.leg, o.symbol])).toEqual([['BUY', 'NIFTY26D1526000CE']]);
    expect(t.orders(straddle.id)).toEqual([]);
    const group = t.repos.runs.groupInternal(straddle.id, '2026-12-07');
    expect(group.map((r) => [r.positionNo, r.state, r.reason])).toEqual([
      [0, 'SKIPPED', 'Short sale skipped: the day is outside the dte filter: 2026-12-07 is 1 day to the 2026-12-08 expiry, and the strategy enters at dte 0, 2 only'],
      [1, 'SKIPPED', 'Short sale skipped: the day is outside the dte filter: 2026-12-07 is 1 day to the 2026-12-08 expiry, and the strategy enters at dte 0, 2 only'],
    ]);
    expect(t.paper.placedOrders()).toHaveLength(1);
  });
});
