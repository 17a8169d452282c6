/**
 * Two strategies in one Kite account trade the same symbol, one long and one short (MIS: Kite nets
 * them into one intraday position). Kite answers an exit's new attempt with the account's net
 * position, not the strategy's: an attempt that took the net for its own sold nothing of the long
 * (net short) and bought back part of the short. A long soak found it (issue 20); here each run's
 * attempt 2 adds back what the other run holds on the other side (opposing-position.ts), and
 * both close in full.
 *
 * Through the real engine and Kite adapter against the loopback Kite fake, judged by the fake's
 * book and net position. Monday 2026-03-09: BUY 09:15 IST (03:45Z), SELL 09:20 IST (03:50Z).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startKiteFake, type KiteFake } from '../fakes/kite/kite-fake';
import { startKiteEngine, type KiteTestEngine } from '../fakes/kite/kite-engine-harness';
import { waitFor } from '../fakes/kite/wait-for';
import { clientOrderId, type StrategyId } from '../../engine/core/ids';

const at = (iso: string) => Date.parse(iso);
let fake: KiteFake | undefined;
let t: KiteTestEngine | undefined;

afterEach(async () => {
  await t?.close();
  await fake?.close();
  t = undefined;
  fake = undefined;
});

const tag = (id: StrategyId, attempt = 1) => clientOrderId('test01', id, '2026-03-09', 'exit', attempt);
/** The fake's net INFY position (negative: short). */
const net = () => fake!.positions().net.filter((p) => p.tradingsymbol === 'INFY').reduce((n, p) => n + Number(p.quantity), 0);
/** The fake's book of one strategy's exits: side, quantity, tag, status, filled. */
const exits = (id: StrategyId) =>
  fake!
    .orders()
    .filter((o) => o.tag === tag(id) || o.tag === tag(id, 2) || o.tag === tag(id, 3))
    .map((o) => `${o.transaction_type} x${o.quantity} ${o.tag} ${o.status} filled=${o.filled_quantity}`);

async function driveUntil(what: string, done: () => boolean, limitIso: string, stepMs = 250): Promise<void> {
  while (!done()) {
    if (t!.clock.now() >= at(limitIso)) throw new Error(`${what}: not reached by ${limitIso}; last events: ${t!.events.slice(-8).map((e) => e.type).join(', ')}`);
    await t!.drive(new Date(t!.clock.now() + stepMs).toISOString(), stepMs);
  }
}

describe('two strategies long and short of one symbol in one Kite account', () => {
  it('each exit refused once: attempt 2 of each closes its own position in full (sell 1, buy back 2); Kite flat after', async () => {
    fake = await startKiteFake({ prices: { INFY: 100 }, heartbeatMs: 10, now: () => t?.clock.now() ?? Date.now() });
    t = await startKiteEngine({ fake, at: '2026-03-09T03:44:00Z', kiteOptions: { stale_after_ms: 60_000, request_timeout_ms: 60_000 } });
    const long = await t.create({ qty: 1 });
    const short = await t.create({ qty: 2, side: 'sell', stop_loss: 105 });
    await t.start(long.id);
    await t.start(short.id);
    await waitFor('the INFY subscription at the fake', () => fake!.ticker.connections()[0]?.tokens[408065] === 'ltp');
    await t.drive('2026-03-09T03:45:00Z');
    await waitFor('both entries filled', () => t!.run(long.id).state === 'IN_POSITION' && t!.run(short.id).state === 'IN_POSITION');
    expect(net()).toBe(-1);

    // Both first exits are booked, then rejected by the RMS for a price limit (a refusal that may pass).
    fake.orderFaults.inject('rms-reject', 2, true);
    await t.drive('2026-03-09T03:50:00Z');
    await driveUntil('both SOLD', () => t!.run(long.id).state !== 'EXITING' && t!.run(short.id).state !== 'EXITING' && t!.clock.now() > at('2026-03-09T03:50:01Z'), '2026-03-09T03:52:00Z');

    expect(fake.orderFaults.record().map((f) => f.tag).sort()).toEqual([tag(long.id), tag(short.id)].sort());
    expect(exits(long.id)).toEqual([`SELL x1 ${tag(long.id)} REJECTED filled=0`, `SELL x1 ${tag(long.id, 2)} COMPLETE filled=1`]);
    expect(exits(short.id)).toEqual([`BUY x2 ${tag(short.id)} REJECTED filled=0`, `BUY x2 ${tag(short.id, 2)} COMPLETE filled=2`]);
    expect(net()).toBe(0);
    for (const id of [long.id, short.id]) expect(t.run(id)).toMatchObject({ state: 'SOLD', positionQty: 0, unsoldQty: 0, exitLeg: 'SELL' });
  });
});
