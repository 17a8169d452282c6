/**
 * The square-off at a Kite account on MIS (intraday), whose positions Zerodha squares off itself
 * at 15:20 IST in equity cash (NSE, BSE) and 15:25 IST in equity derivatives (NFO, BFO): a
 * strategy that names no square-off gets five minutes before its segment's (15:15 or 15:20 IST;
 * its run arms the square-off job there); a SELL or a square-off after its segment's is refused at
 * create and at edit, naming the field and the broker's time, and nothing is saved. On CNC
 * (delivery; F&O as NRML) nothing is added or refused.
 * Monday 2026-03-09, 09:14 IST (03:44Z); the harness's strategy buys INFY at 09:15 and sells at 09:20.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { strategyDto } from '../../engine/api/dto';
import { startKiteFake, type KiteFake } from '../fakes/kite/kite-fake';
import { startKiteEngine, type KiteTestEngine } from '../fakes/kite/kite-engine-harness';
import { DEFAULT_INSTRUMENTS } from '../fakes/kite/fake-instruments';
import { fakeOptionChain } from '../fakes/kite/fake-option-chain';

let kite: KiteTestEngine | undefined;
let fake: KiteFake | undefined;
afterEach(async () => {
  await kite?.close();
  await fake?.close();
  kite = fake = undefined;
});

const refusal = async (pending: Promise<unknown>) => {
  const err = await pending.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toMatchObject({ code: 'validation_failed' });
  return (err as { fields: Array<{ field: string; message: string }> }).fields.map((f) => [f.field, f.message]);
};
const LATER = (field: string, time: string, segment = 'equity cash (NSE)', at = '15:20:00') =>
  `${field} ${time} is not before this kite account's own square-off of intraday positions in ${segment} at ${at} Asia/Kolkata: the broker closes what is still open then, at market and for a fee, and an exit sent at that time races it; choose a time before ${at}`;
/** A NIFTY option of the fake's chain (Monday 2026-12-07), traded on NFO: F&O is squared off at 15:25 IST. */
const OPTION = { symbol: 'NIFTY26D0826000CE', exchange: 'NFO', qty: 65, buy_time: '09:20', stop_loss: 1 };

describe('a Kite MIS strategy', () => {
  it('squares off at 15:15 IST unless it names its own; the run arms the square-off there', async () => {
    fake = await startKiteFake({ prices: { INFY: 100 } });
    kite = await startKiteEngine({ fake, at: '2026-03-09T03:44:00Z' });
    const s = await kite.create();
    expect(s.spec.square_off_time).toBe('15:15:00');
    expect(strategyDto(s, [])).toMatchObject({ sell_time: '09:20:00', square_off_time: '15:15:00' });
    const run = await kite.start(s.id);
    expect(run.squareOffAt).toBe(Date.parse('2026-03-09T09:45:00Z'));
    // Named, it is kept; a SELL later than 15:15 makes the SELL time the square-off.
    expect((await kite.create({ square_off_time: '15:00' })).spec.square_off_time).toBe('15:00:00');
    expect((await kite.create({ sell_time: '15:18' })).spec.square_off_time).toBe('15:18:00');
  });

  it('refuses a SELL or a square-off at or after Kite\'s own at 15:20 IST, naming the field, at create and at edit; nothing is saved', async () => {
    fake = await startKiteFake({ prices: { INFY: 100 } });
    kite = await startKiteEngine({ fake, at: '2026-03-09T03:44:00Z' });
    const before = kite.repos.strategies.list(kite.user.id).length;
    expect(await refusal(kite.create({ sell_time: '15:25', square_off_time: '15:29' }))).toEqual([
      ['sell_time', LATER('sell_time', '15:25:00')],
      ['square_off_time', LATER('square_off_time', '15:29:00')],
    ]);
    expect(await refusal(kite.create({ square_off_time: '15:20:01' }))).toEqual([['square_off_time', LATER('square_off_time', '15:20:01')]]);
    expect(kite.repos.strategies.list(kite.user.id)).toHaveLength(before);
    // 15:20 itself races Kite's own square-off; a minute before is taken.
    expect(await refusal(kite.create({ sell_time: '15:20' }))).toEqual([['sell_time', LATER('sell_time', '15:20:00')]]);
    expect((await kite.create({ sell_time: '15:19' })).spec).toMatchObject({ sell_time: '15:19:00', square_off_time: '15:19:00' });
    const s = await kite.create();
    expect(await refusal(kite.engine.strategies.update(kite.user.id, s.id, { square_off_time: '15:21' }))).toEqual([['square_off_time', LATER('square_off_time', '15:21:00')]]);
    expect(kite.repos.strategies.get(kite.user.id, s.id)?.spec.square_off_time).toBe('15:15:00');
  });

  it('on NFO (equity derivatives) squares off at 15:20 IST by default and refuses a SELL or a square-off at or after 15:25 IST, not at 15:20', async () => {
    fake = await startKiteFake({ instruments: [...DEFAULT_INSTRUMENTS, ...fakeOptionChain({ today: '2026-12-07', holidays: [] })], prices: { INFY: 100 } });
    kite = await startKiteEngine({ fake, at: '2026-12-07T03:30:00Z' });
    expect((await kite.create({ ...OPTION, sell_time: '15:00' })).spec).toMatchObject({ exchange: 'NFO', square_off_time: '15:20:00' });
    // After the cash segment's 15:20, within F&O's 15:25: taken.
    expect((await kite.create({ ...OPTION, sell_time: '15:24' })).spec).toMatchObject({ sell_time: '15:24:00', square_off_time: '15:24:00' });
    expect((await kite.create({ ...OPTION, sell_time: '15:10', square_off_time: '15:24:59' })).spec.square_off_time).toBe('15:24:59');
    expect(await refusal(kite.create({ ...OPTION, sell_time: '15:10', square_off_time: '15:25' }))).toEqual([['square_off_time', LATER('square_off_time', '15:25:00', 'equity derivatives (NFO)', '15:25:00')]]);
    const before = kite.repos.strategies.list(kite.user.id).length;
    expect(await refusal(kite.create({ ...OPTION, sell_time: '15:26', square_off_time: '15:29' }))).toEqual([
      ['sell_time', LATER('sell_time', '15:26:00', 'equity derivatives (NFO)', '15:25:00')],
      ['square_off_time', LATER('square_off_time', '15:29:00', 'equity derivatives (NFO)', '15:25:00')],
    ]);
    expect(kite.repos.strategies.list(kite.user.id)).toHaveLength(before);
    // The same SELL on NSE is past the cash segment's square-off.
    expect(await refusal(kite.create({ sell_time: '15:24' }))).toEqual([['sell_time', LATER('sell_time', '15:24:00')]]);
  });

  it('on CNC (delivery) adds no square-off and holds the SELL to nothing but the exchange', async () => {
    fake = await startKiteFake({ prices: { INFY: 100 } });
    kite = await startKiteEngine({ fake, at: '2026-03-09T03:44:00Z', kiteOptions: { product: 'CNC' } });
    const s = await kite.create({ sell_time: '15:25' });
    expect(s.spec.square_off_time).toBeUndefined();
  });
});
