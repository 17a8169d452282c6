/**
 * Exactly once at Binance across a restart (issue 22), through the real engine and the real CCXT
 * adapter against the loopback Binance fake. Binance takes a reused `newClientOrderId` again once
 * the first order is no longer open (`rejectsDuplicateClientOrderId: false`), so an order whose
 * answer a dead process never wrote is looked up by `origClientOrderId` before anything is sent
 * again: one the venue took is never placed twice; one that never left is placed once.
 *
 * The dying process hears nothing of its orders after the BUY time: its user data stream is stopped
 * (CCXT's `watchOrders` would report the fill) and the placement's answer is lost (`stall-after-accept`:
 * the fake carries the order out and never answers, so the request times out as unknown).
 * Sunday 2026-12-06, UTC: BUY 03:00, SELL 03:01, 0.0015 BTC/USDT, 0.1 % fee in BTC.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { clientOrderId, type StrategyId } from '../../engine/core/ids';
import type { CrashPoints } from '../../engine/execution/crash-points';
import { startCcxtTestEngine, type CcxtTestEngine } from '../fakes/binance/ccxt-engine-harness';
import { eventually } from '../fakes/alpaca/eventually';

const at = (iso: string) => Date.parse(iso);

let t: CcxtTestEngine | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const cid = (id: StrategyId, slot: 'entry' | 'exit', attempt = 1) => clientOrderId('test01', id, '2026-12-06', slot, attempt);
const placed = () => t!.fake.received().map((o) => [o.newClientOrderId, o.side, o.quantity, o.outcome]);
const lookups = () => t!.fake.requests().filter((r) => r.method === 'GET' && r.path === '/api/v3/order');

async function armed(opts: { crashPoints?: CrashPoints; timeoutMs?: number } = {}): Promise<{ id: StrategyId }> {
  t = await startCcxtTestEngine({ at: '2026-12-06T02:59:50Z', ...opts });
  // Without a backstop (set false though Binance's default is none too): these are the entry's and exit's own orders;
  // the backstop across a restart is tests/integration/backstop-binance.test.ts.
  const s = await t.create({ backstop: false });
  await t.start(s.id);
  await eventually(() => t!.fake.streamSubscriptions().flat().includes('btcusdt@trade') && t!.fake.userDataSubscriptions() === 1, { what: 'the trade stream and the user stream' });
  return s;
}

/** The next process on the same database, recovered. */
async function restart(iso: string): Promise<void> {
  t = await t!.restart(iso);
  await t.engine.recover();
}

describe('an order whose answer died with the process (Binance)', () => {
  it('the BUY the venue took: looked up by origClientOrderId at the restart, never placed again; the SELL sells what is held, once', async () => {
    const s = await armed({ timeoutMs: 2_000 });
    t!.broker.orderStream.stop();
    t!.fake.injectFault({ route: 'POST /api/v3/order', fault: { kind: 'stall-after-accept' } });
    await t!.clock.advanceTo(at('2026-12-06T03:00:00Z'));
    await eventually(() => t!.orders(s.id)[0]?.status === 'unknown', { what: 'the BUY unknown (timed out)', timeoutMs: 10_000 });
    expect(placed()).toEqual([[cid(s.id, 'entry'), 'BUY', '0.0015', 'placed #1']]);
    expect(t!.run(s.id).state).toBe('BUYING');
    const before = lookups().length;

    await restart('2026-12-06T03:00:05Z');
    await eventually(() => t!.run(s.id).state === 'IN_POSITION', { what: 'IN_POSITION after the lookup', clock: t!.clock, stepMs: 100, timeoutMs: 10_000 });
    expect(lookups().length).toBeGreaterThan(before);
    expect(t!.orders(s.id)[0]).toMatchObject({ leg: 'BUY', status: 'filled', filledQty: 0.0015, fillPrice: 60_000 });

    await t!.clock.advanceTo(at('2026-12-06T03:01:00Z'));
    await eventually(() => t!.run(s.id).state === 'SOLD', { what: 'SOLD', timeoutMs: 10_000 });
    expect(placed()).toEqual([
      [cid(s.id, 'entry'), 'BUY', '0.0015', 'placed #1'],
      [cid(s.id, 'exit'), 'SELL', '0.00149', 'placed #2'],
    ]);
    expect(t!.fake.orders()).toHaveLength(2);
  });

  it('the SELL the venue took: found at the restart, the run SOLD, no second SELL', async () => {
    const s = await armed({ timeoutMs: 2_000 });
    await t!.clock.advanceTo(at('2026-12-06T03:00:00Z'));
    await eventually(() => t!.run(s.id).state === 'IN_POSITION', { what: 'IN_POSITION', timeoutMs: 10_000 });
    t!.broker.orderStream.stop();
    t!.fake.injectFault({ route: 'POST /api/v3/order', fault: { kind: 'stall-after-accept' } });
    await t!.clock.advanceTo(at('2026-12-06T03:01:00Z'));
    await eventually(() => t!.orders(s.id).find((o) => o.leg === 'SELL')?.status === 'unknown', { what: 'the SELL unknown (timed out)', timeoutMs: 10_000 });
    expect(t!.run(s.id).state).toBe('EXITING');
    expect(t!.fake.balance('BTC').free).toBe('0.00000850');

    await restart('2026-12-06T03:01:05Z');
    await eventually(() => t!.run(s.id).state === 'SOLD', { what: 'SOLD after the lookup', clock: t!.clock, stepMs: 100, timeoutMs: 10_000 });
    await t!.clock.advanceTo(at('2026-12-06T03:05:00Z'));
    await t!.engine.idle();
    expect(placed()).toEqual([
      [cid(s.id, 'entry'), 'BUY', '0.0015', 'placed #1'],
      [cid(s.id, 'exit'), 'SELL', '0.00149', 'placed #2'],
    ]);
    expect(t!.orders(s.id).map((o) => [o.leg, o.attempt, o.status, o.filledQty])).toEqual([
      ['BUY', 1, 'filled', 0.0015],
      ['SELL', 1, 'filled', 0.00149],
    ]);
    expect(t!.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0 });
  });

  it('a BUY journaled, the process dead before it left: the venue has none by that id, so it is placed once', async () => {
    const died: CrashPoints = { hit: (point) => { if (point === 'after-journal') throw new Error('killed after the journal'); } };
    const s = await armed({ crashPoints: died });
    await t!.clock.advanceTo(at('2026-12-06T03:00:00Z'));
    await eventually(() => t!.orders(s.id).length === 1, { what: 'the BUY journaled' });
    expect(t!.orders(s.id)[0]).toMatchObject({ status: 'pending', sendingAt: null });
    expect(placed()).toEqual([]);

    await restart('2026-12-06T03:00:05Z');
    await eventually(() => t!.run(s.id).state === 'IN_POSITION', { what: 'IN_POSITION', clock: t!.clock, stepMs: 100, timeoutMs: 10_000 });
    expect(lookups().length).toBeGreaterThan(0);
    expect(placed()).toEqual([[cid(s.id, 'entry'), 'BUY', '0.0015', 'placed #1']]);
  });
});
