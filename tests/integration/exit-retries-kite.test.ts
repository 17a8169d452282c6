/**
 * Invariant 9 at Kite, through the real engine and the real Kite adapter against the loopback
 * Kite fake: every exit reaches the broker.
 *
 * - A 429 storm on POST /orders/regular (Kite's gateway refused before its OMS saw anything) is
 *   "not placed yet": the SELL goes again under the same tag until Kite takes it, once. A BUY
 *   storm that outlasts the BUY's grace ends MISSED_BUY with nothing bought.
 * - A SELL the RMS rejects for a reason that may pass (a circuit limit) is tried again as a new
 *   attempt with its own tag (ending in '2') for the quantity still held.
 * - A refusal that will not pass (HoldingException: nothing to sell) ends in ERROR with the
 *   reason and no second attempt, until the trader presses STOP, which makes one.
 *
 * - A short (side 'sell', product MIS: the fake keeps the negative intraday position) is covered
 *   by BUYs: its buy-back rejected for a circuit limit goes again as attempt 2 for what is still
 *   short at Kite (all 10, or the 6 left after the trader bought 4 back by hand); a short the
 *   trader covered by hand before attempt 2 halts in ERROR, naming the buy-back, nothing more sent.
 *
 * - Two strategies long and short of one symbol (Kite nets them): each refused exit's attempt 2
 *   closes its own position, not what the account's net says.
 *
 * Judged by the fake's own record of orders (and of every POST). Monday 2026-03-09: BUY 09:15 IST
 * (03:45Z), SELL 09:20 IST (03:50Z).
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

const tag = (id: StrategyId, slot: 'entry' | 'exit', attempt = 1) => clientOrderId('test01', id, '2026-03-09', slot, attempt);

async function armed(body: Record<string, unknown> = {}): Promise<{ id: StrategyId }> {
  fake = await startKiteFake({ prices: { INFY: 100 }, heartbeatMs: 10, now: () => t?.clock.now() ?? Date.now() });
  // Engine time runs far ahead of real time: a minute of ticker silence is not a dead ticker, and
  // a request is not timed out by the fake clock while it is on the (real) loopback wire.
  t = await startKiteEngine({ fake, at: '2026-03-09T03:44:00Z', kiteOptions: { stale_after_ms: 60_000, request_timeout_ms: 60_000 } });
  const s = await t.create(body);
  await t.start(s.id);
  await waitFor('the INFY subscription at the fake', () => fake!.ticker.connections()[0]?.tokens[408065] === 'ltp');
  return s;
}

async function inPosition(body: Record<string, unknown> = {}): Promise<{ id: StrategyId }> {
  const s = await armed(body);
  await t!.drive('2026-03-09T03:45:00Z');
  await waitFor('the BUY fill', () => t!.run(s.id).state === 'IN_POSITION');
  return s;
}

/** Drives the fake clock a step at a time until `done`, failing at `limitIso` (engine time). */
async function driveUntil(what: string, done: () => boolean, limitIso: string, stepMs = 1_000): Promise<void> {
  while (!done()) {
    if (t!.clock.now() >= at(limitIso)) throw new Error(`${what}: not reached by ${limitIso}; last events: ${t!.events.slice(-6).map((e) => e.type).join(', ')}`);
    await t!.drive(new Date(t!.clock.now() + stepMs).toISOString(), stepMs);
  }
}

/** Every POST /orders/regular the fake received: side and tag. */
const posts = () => fake!.requests().filter((r) => r.method === 'POST' && r.path === '/orders/regular').map((r) => `${r.form.get('transaction_type')} ${r.form.get('tag')}`);
/** Sold 10 INFY short (MIS) at the BUY time, its stop above the price. */
const shortInPosition = () => inPosition({ side: 'sell', stop_loss: 105 });
/** The fake's net INFY position (negative: short). */
const net = () => fake!.positions().net.filter((p) => p.tradingsymbol === 'INFY').reduce((n, p) => n + Number(p.quantity), 0);
const UPPER_CIRCUIT = ['Your order price is higher than the current upper circuit limit of 105.50. Place an order within the daily range.', 'RMS:Rule: Check circuit limit including square off order'] as const;
const book = () => fake!.orders().map((o) => `${o.transaction_type} ${o.tradingsymbol} x${o.quantity} ${o.tag} ${o.status} filled=${o.filled_quantity}`);

describe('exits at Kite reach the broker (invariant 9)', () => {
  it('a 429 storm on the SELL: placed again under the same tag until Kite takes it, once; run SOLD', async () => {
    // Before today's change: classifyKiteFailure made a 429 'rejected', so the first 429 ended the
    // SELL as rejected and the run went to ERROR with the position open; nothing was sent again.
    const s = await inPosition();
    fake!.failNext('POST /orders/regular', { kind: 'rate_limit' }, 5);
    await t!.drive('2026-03-09T03:50:00Z');
    await driveUntil('SOLD', () => t!.run(s.id).state === 'SOLD', '2026-03-09T03:52:00Z');

    const x = tag(s.id, 'exit');
    expect(posts()).toEqual([`BUY ${tag(s.id, 'entry')}`, ...Array<string>(6).fill(`SELL ${x}`)]);
    expect(book()).toEqual([`BUY INFY x10 ${tag(s.id, 'entry')} COMPLETE filled=10`, `SELL INFY x10 ${x} COMPLETE filled=10`]);
    expect(t!.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0, exitLeg: 'SELL' });
    expect(t!.orders(s.id).map((o) => [o.leg, o.attempt, o.clientOrderId, o.qty, o.status])).toEqual([
      ['BUY', 1, tag(s.id, 'entry'), 10, 'filled'],
      ['SELL', 1, x, 10, 'filled'],
    ]);
    expect(t!.eventsOf('order_not_sent').filter((e) => e.leg === 'SELL').length).toBeGreaterThanOrEqual(1);
    expect(t!.eventsOf('order_not_sent')[0]!.reason).toMatch(/429/);
    expect(t!.eventsOf('order_rejected')).toEqual([]);
    expect(t!.eventsOf('exit_retry_scheduled')).toEqual([]);
    expect(t!.eventsOf('run_state_changed').map((e) => e.to)).toEqual(['BUYING', 'IN_POSITION', 'EXITING', 'SOLD']);
  });

  it('a 429 storm on the BUY that outlasts its grace: MISSED_BUY, the order cancelled, nothing bought, nothing sold', async () => {
    // Before: the first 429 rejected the BUY and the run went to ERROR ("BUY rejected").
    const s = await armed();
    fake!.failNext('POST /orders/regular', { kind: 'rate_limit' }, 100);
    await t!.drive('2026-03-09T03:45:00Z');
    await driveUntil('MISSED_BUY', () => t!.run(s.id).state === 'MISSED_BUY', '2026-03-09T03:47:30Z');

    const sent = posts();
    expect(sent.length).toBeGreaterThan(1); // it was placed again, not given up at the first 429
    expect(new Set(sent)).toEqual(new Set([`BUY ${tag(s.id, 'entry')}`]));
    expect(fake!.orders()).toEqual([]);
    expect(t!.run(s.id)).toMatchObject({ state: 'MISSED_BUY', positionQty: 0, reason: expect.stringMatching(/grace/) });
    expect(t!.orders(s.id).map((o) => [o.leg, o.status])).toEqual([['BUY', 'cancelled']]);
    expect(t!.eventsOf('run_state_changed').map((e) => e.to)).toEqual(['BUYING', 'MISSED_BUY']);

    // Past the SELL time: nothing more goes out, not a BUY chased late nor a SELL of nothing.
    await t!.drive('2026-03-09T03:55:00Z', 10_000);
    expect(posts()).toEqual(sent);
    expect(fake!.orders()).toEqual([]);
  });

  it('a SELL the RMS rejects for a circuit limit is tried again as attempt 2 (tag ending in 2), which fills: run SOLD', async () => {
    // Before: a rejected exit was final (nextRunState → ERROR) and decide() suppressed any second
    // exit of the run ("exit was already sent first"): the run ended ERROR with 10 INFY held.
    const s = await inPosition();
    fake!.rejectNextAfterAccept('Your order price is lower than the current lower circuit limit of 94.50. Place an order within the daily range.', 'RMS:Rule: Check circuit limit including square off order');
    await t!.drive('2026-03-09T03:50:00Z');
    await driveUntil('SOLD', () => t!.run(s.id).state === 'SOLD', '2026-03-09T03:51:00Z', 250);

    const [x, x2] = [tag(s.id, 'exit'), tag(s.id, 'exit', 2)];
    expect(x2).toMatch(/2$/);
    expect(book()).toEqual([`BUY INFY x10 ${tag(s.id, 'entry')} COMPLETE filled=10`, `SELL INFY x10 ${x} REJECTED filled=0`, `SELL INFY x10 ${x2} COMPLETE filled=10`]);
    expect(fake!.orders().filter((o) => o.transaction_type === 'SELL' && o.status === 'COMPLETE').reduce((n, o) => n + o.filled_quantity, 0)).toBe(10);
    expect(t!.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0, exitLeg: 'SELL' });
    expect(t!.orders(s.id).map((o) => [o.leg, o.attempt, o.clientOrderId, o.qty, o.status])).toEqual([
      ['BUY', 1, tag(s.id, 'entry'), 10, 'filled'],
      ['SELL', 1, x, 10, 'rejected'],
      ['SELL', 2, x2, 10, 'filled'],
    ]);
    expect(t!.orders(s.id)[1]!.rejectReason).toMatch(/circuit/);
    const [retry, ...more] = t!.eventsOf('exit_retry_scheduled');
    expect(more).toEqual([]);
    expect(retry).toMatchObject({ leg: 'SELL', attempt: 1, remainingQty: 10, reason: expect.stringMatching(/circuit/) });
    expect(retry!.nextAttemptAt - at('2026-03-09T03:50:00Z')).toBeGreaterThanOrEqual(1_000);
    expect(t!.orders(s.id)[2]!.dispatchedAt).toBeGreaterThanOrEqual(retry!.nextAttemptAt);
    expect(t!.eventsOf('run_state_changed').map((e) => e.to)).toEqual(['BUYING', 'IN_POSITION', 'EXITING', 'SOLD']);

    // The audit log (what GET /events/log serves) tells both attempts.
    await waitFor('the audit log', () => t!.repos.events.list(t!.user.id, { strategyId: s.id, limit: 500 }).some((e) => e.type === 'run_state_changed' && e.payload.to === 'SOLD'));
    const log = t!.repos.events.list(t!.user.id, { strategyId: s.id, limit: 500 }).reverse();
    expect(log.filter((e) => e.type === 'order_submitted').map((e) => e.payload.clientOrderId)).toEqual([tag(s.id, 'entry'), x, x2]);
    expect(log.filter((e) => e.type === 'exit_retry_scheduled').map((e) => e.payload)).toEqual([expect.objectContaining({ attempt: 1, remainingQty: 10 })]);
  });

  it('a lasting refusal (HoldingException) ends in ERROR with the reason and no second attempt; STOP then makes attempt 2', async () => {
    // Before: the refusal also ended in ERROR without a second attempt, but the reason did not say
    // that trying again cannot help, and STOP from that ERROR sent nothing: decide() suppressed the
    // MANUAL_EXIT because the run's exit slot was taken ("exit was already sent first").
    const s = await inPosition();
    fake!.failNext('POST /orders/regular', { kind: 'status', status: 400, errorType: 'HoldingException', message: 'Insufficient holdings. You do not have enough holdings of INFY to sell.' }, 1);
    await t!.drive('2026-03-09T03:50:00Z');
    await driveUntil('ERROR', () => t!.run(s.id).state === 'ERROR', '2026-03-09T03:51:00Z');
    expect(t!.run(s.id)).toMatchObject({ state: 'ERROR', positionQty: 10, reason: expect.stringMatching(/holdings/i) });
    expect(t!.run(s.id).reason).toMatch(/will not pass/);

    // Ten minutes on: still no second attempt.
    await t!.drive('2026-03-09T04:00:00Z', 10_000);
    expect(posts()).toEqual([`BUY ${tag(s.id, 'entry')}`, `SELL ${tag(s.id, 'exit')}`]);
    expect(book()).toEqual([`BUY INFY x10 ${tag(s.id, 'entry')} COMPLETE filled=10`]);
    expect(t!.orders(s.id).map((o) => [o.leg, o.attempt, o.status])).toEqual([['BUY', 1, 'filled'], ['SELL', 1, 'rejected']]);
    expect(t!.eventsOf('exit_retry_scheduled')).toEqual([]);
    expect(t!.run(s.id).state).toBe('ERROR');

    // The trader has dealt with it and presses STOP: a new attempt, under its own tag.
    await t!.engine.manager.stop(t!.user.id, s.id);
    await driveUntil('STOPPED', () => t!.run(s.id).state === 'STOPPED', '2026-03-09T04:01:00Z', 250);
    const x2 = tag(s.id, 'exit', 2);
    expect(book()).toEqual([`BUY INFY x10 ${tag(s.id, 'entry')} COMPLETE filled=10`, `SELL INFY x10 ${x2} COMPLETE filled=10`]);
    expect(t!.orders(s.id).map((o) => [o.leg, o.attempt, o.clientOrderId, o.qty, o.status])).toEqual([
      ['BUY', 1, tag(s.id, 'entry'), 10, 'filled'],
      ['SELL', 1, tag(s.id, 'exit'), 10, 'rejected'],
      ['MANUAL_EXIT', 2, x2, 10, 'filled'],
    ]);
    expect(t!.run(s.id)).toMatchObject({ state: 'STOPPED', positionQty: 0, exitLeg: 'MANUAL_EXIT' });
  });

  describe('a short (sold first, MIS): its exits buy back', () => {
    it('a buy-back the RMS rejects for a circuit limit is tried again as attempt 2, a BUY of the 10 still short; Kite flat after', async () => {
      const s = await shortInPosition();
      expect(net()).toBe(-10);
      fake!.rejectNextAfterAccept(...UPPER_CIRCUIT);
      await t!.drive('2026-03-09T03:50:00Z');
      await driveUntil('SOLD', () => t!.run(s.id).state === 'SOLD', '2026-03-09T03:51:00Z', 250);

      const [x, x2] = [tag(s.id, 'exit'), tag(s.id, 'exit', 2)];
      expect(x2).toMatch(/2$/);
      expect(posts()).toEqual([`SELL ${tag(s.id, 'entry')}`, `BUY ${x}`, `BUY ${x2}`]);
      expect(book()).toEqual([`SELL INFY x10 ${tag(s.id, 'entry')} COMPLETE filled=10`, `BUY INFY x10 ${x} REJECTED filled=0`, `BUY INFY x10 ${x2} COMPLETE filled=10`]);
      expect(fake!.orders().every((o) => o.product === 'MIS')).toBe(true);
      expect(net()).toBe(0);
      expect(t!.orders(s.id).map((o) => [o.leg, o.attempt, o.side, o.qty, o.status])).toEqual([
        ['BUY', 1, 'sell', 10, 'filled'],
        ['SELL', 1, 'buy', 10, 'rejected'],
        ['SELL', 2, 'buy', 10, 'filled'],
      ]);
      expect(t!.eventsOf('exit_retry_scheduled')).toEqual([expect.objectContaining({ attempt: 1, remainingQty: 10, reason: expect.stringMatching(/circuit/) })]);
      expect(t!.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0, exitLeg: 'SELL' });
    });

    it('4 bought back by hand before attempt 2: attempt 2 buys only the 6 still short at Kite, min(plan 10, short 6); Kite flat after', async () => {
      const s = await shortInPosition();
      fake!.rejectNextAfterAccept(...UPPER_CIRCUIT);
      await t!.drive('2026-03-09T03:50:00Z');
      await driveUntil('the retry scheduled', () => t!.eventsOf('exit_retry_scheduled').length === 1, '2026-03-09T03:50:30Z', 100);
      const hand = fake!.buyByHand('INFY', 4);
      expect(net()).toBe(-6);
      await driveUntil('SOLD', () => t!.run(s.id).state === 'SOLD', '2026-03-09T03:51:00Z', 250);

      const [x, x2] = [tag(s.id, 'exit'), tag(s.id, 'exit', 2)];
      expect(posts()).toEqual([`SELL ${tag(s.id, 'entry')}`, `BUY ${x}`, `BUY ${x2}`]);
      expect(book()).toEqual([
        `SELL INFY x10 ${tag(s.id, 'entry')} COMPLETE filled=10`,
        `BUY INFY x10 ${x} REJECTED filled=0`,
        `BUY INFY x4 ${hand.tag} COMPLETE filled=4`,
        `BUY INFY x6 ${x2} COMPLETE filled=6`,
      ]);
      expect(net()).toBe(0);
      expect(t!.orders(s.id).map((o) => [o.leg, o.attempt, o.side, o.qty, o.status])).toEqual([
        ['BUY', 1, 'sell', 10, 'filled'],
        ['SELL', 1, 'buy', 10, 'rejected'],
        ['SELL', 2, 'buy', 6, 'filled'],
      ]);
      expect(t!.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0 });
    });

    it('covered by hand before attempt 2: the run halts in ERROR naming the buy-back; nothing more is sent', async () => {
      const s = await shortInPosition();
      fake!.rejectNextAfterAccept(...UPPER_CIRCUIT);
      await t!.drive('2026-03-09T03:50:00Z');
      await driveUntil('the retry scheduled', () => t!.eventsOf('exit_retry_scheduled').length === 1, '2026-03-09T03:50:30Z', 100);
      fake!.buyByHand('INFY', 10);
      expect(net()).toBe(0);
      await driveUntil('ERROR', () => t!.run(s.id).state === 'ERROR', '2026-03-09T03:51:00Z', 250);
      expect(t!.run(s.id).reason).toMatch(/^no short of INFY left to buy back at the broker: the 10 still held by this run were bought back or closed elsewhere \(attempt 2 not sent\)/);

      // Ten minutes on: no attempt 2, nothing bought or sold again; Kite still flat.
      await t!.drive('2026-03-09T04:00:00Z', 10_000);
      expect(posts()).toEqual([`SELL ${tag(s.id, 'entry')}`, `BUY ${tag(s.id, 'exit')}`]);
      expect(fake!.orders().filter((o) => o.tag !== null).map((o) => `${o.transaction_type} x${o.quantity} ${o.status}`)).toEqual(['SELL x10 COMPLETE', 'BUY x10 REJECTED']);
      expect(net()).toBe(0);
      expect(t!.orders(s.id).map((o) => [o.leg, o.attempt, o.side, o.status])).toEqual([
        ['BUY', 1, 'sell', 'filled'],
        ['SELL', 1, 'buy', 'rejected'],
      ]);
      expect(t!.run(s.id)).toMatchObject({ state: 'ERROR', positionQty: 10 });
    });
  });
});

/**
 * Two strategies in one Kite account trade the same symbol, one long and one short (MIS: Kite nets
 * them into one intraday position). Kite answers an exit's new attempt with the account's net
 * position, not the strategy's: an attempt that took the net for its own sold nothing of the long
 * and bought back part of the short (a long soak found it, issue 20). Each run's attempt 2 adds back
 * what the other run holds on the other side (opposing-position.ts), and both close in full.
 */
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
    await driveUntil('both exits ended', () => t!.run(long.id).state !== 'EXITING' && t!.run(short.id).state !== 'EXITING' && t!.clock.now() > at('2026-03-09T03:50:01Z'), '2026-03-09T03:52:00Z', 250);

    expect(fake.orderFaults.record().map((f) => f.tag).sort()).toEqual([tag(long.id, 'exit'), tag(short.id, 'exit')].sort());
    const exits = (id: StrategyId) => book().filter((o) => o.includes(tag(id, 'exit')) || o.includes(tag(id, 'exit', 2)));
    expect(exits(long.id)).toEqual([`SELL INFY x1 ${tag(long.id, 'exit')} REJECTED filled=0`, `SELL INFY x1 ${tag(long.id, 'exit', 2)} COMPLETE filled=1`]);
    expect(exits(short.id)).toEqual([`BUY INFY x2 ${tag(short.id, 'exit')} REJECTED filled=0`, `BUY INFY x2 ${tag(short.id, 'exit', 2)} COMPLETE filled=2`]);
    expect(net()).toBe(0);
    for (const id of [long.id, short.id]) expect(t.run(id)).toMatchObject({ state: 'SOLD', positionQty: 0, unsoldQty: 0, exitLeg: 'SELL' });
  });
});

