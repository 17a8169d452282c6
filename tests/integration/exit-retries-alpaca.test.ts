/**
 * Invariant 9 at Alpaca, through the real engine and the real Alpaca adapter against the loopback
 * Alpaca fake: every exit reaches the broker.
 *
 * - A 429 storm on POST /v2/orders longer than the adapter's own retries is "not placed yet": the
 *   SELL goes again under the same client order id, without a lookup, until Alpaca takes it, once.
 *   A BUY storm that outlasts the BUY's grace ends MISSED_BUY with nothing bought.
 * - A SELL refused (403, not processed by the fake) for a reason that may pass (the shares are held
 *   by another open order), or cancelled after half filled, is tried again as a new attempt with
 *   its own client order id (ending in '2'), for the quantity still held.
 * - A refusal that will not pass (403 "insufficient qty available", nothing held for other orders)
 *   ends in ERROR with the reason and no second attempt.
 *
 * - A short (side 'sell' on AAPL, shortable and easy to borrow; the fake's position is signed) is
 *   covered by buys: a buy-back cancelled after half filled goes again as attempt 2 for the 5
 *   still short at Alpaca; one refused for a passing reason goes again for the 10; a short the
 *   trader covered by hand before attempt 2 halts in ERROR, naming the buy-back, nothing more sent.
 *
 * Each position has its backstop (Alpaca's default, issue 20): a stop order under a `tb…` id placed
 * once the entry fills and before any fault here is set, cancelled (Alpaca confirms) before the
 * first exit, so every exit attempt finds the shares free of it.
 *
 * Judged by the fake's own record: every POST it received (`received`) and the orders it holds.
 * Monday 2026-03-09, New York on EDT: BUY 09:30 NY (13:30Z), SELL 09:31 NY (13:31Z).
 */
import { setTimeout as realDelay } from 'node:timers/promises';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../engine/core/fake-clock';
import { backstopId, clientOrderId, type StrategyId } from '../../engine/core/ids';
import { createAlpacaBroker } from '../../engine/brokers/alpaca';
import { seededUniform } from '../../engine/brokers/alpaca/backoff';
import { openTestDb } from '../../db/test-support';
import { engineOnBroker, type EngineOnBroker } from '../support/engine-harness';
import { startFakeAlpaca, type FakeAlpaca } from '../fakes/alpaca/fake-alpaca';
import { eventually } from '../fakes/alpaca/eventually';

const at = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;

interface AlpacaEngine extends EngineOnBroker {
  readonly fake: FakeAlpaca;
  close(): Promise<void>;
}

let t: AlpacaEngine | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/**
 * The engine on the real Alpaca adapter and the fake, like alpaca-engine-harness.ts, but with a
 * request timeout far beyond what a test drives the fake clock through: the clock leaps seconds
 * per real millisecond here (the 429 waits are on it), and a loopback request must not be timed
 * out by the fake clock while it is on the real wire.
 */
async function startAlpaca(): Promise<AlpacaEngine> {
  const clock = new FakeClock(at('2026-03-09T13:29:50Z'));
  const fake = await startFakeAlpaca({ now: () => clock.now() });
  const db = openTestDb();
  const broker = createAlpacaBroker({
    clock,
    credentials: fake.credentials(),
    options: fake.connectOptions(),
    logger: pino({ level: 'silent' }),
    uniform: seededUniform(7),
    timing: { requestTimeoutMs: 24 * HOUR, pingIntervalMs: 24 * HOUR, staleAfterMs: 48 * HOUR, deadAfterMs: 72 * HOUR, reconnectBaseMs: 200, reconnectMaxMs: 1_000 },
  });
  const core = await engineOnBroker({
    clock,
    repos: db.repos,
    broker,
    brokerKind: 'alpaca',
    strategyDefaults: { symbol: 'AAPL', exchange: 'NYSE', qty: 10, buy_time: '09:30:00', sell_time: '09:31:00', stop_loss: 95 },
  });
  return {
    ...core,
    fake,
    async close() {
      await core.stopEngine();
      db.close();
      await fake.close();
    },
  };
}

const cid = (id: StrategyId, slot: 'entry' | 'exit', attempt = 1) => clientOrderId('test01', id, '2026-03-09', slot, attempt);

async function armed(body: Record<string, unknown> = {}): Promise<{ id: StrategyId }> {
  t = await startAlpaca();
  const s = await t.create(body);
  await t.start(s.id);
  await eventually(() => t!.fake.tradeListeners().length === 1 && t!.fake.dataSessions()[0]?.trades.includes('AAPL'), { what: 'both Alpaca streams up' });
  return s;
}

/** In position with its backstop resting at Alpaca, so a fault set next hits the exit, not the stop's POST. */
async function inPosition(body: Record<string, unknown> = {}): Promise<{ id: StrategyId }> {
  const s = await armed(body);
  await t!.clock.advanceTo(at('2026-03-09T13:30:00Z'));
  await eventually(() => t!.run(s.id).state === 'IN_POSITION' && t!.repos.backstops.listByRunInternal(t!.run(s.id).id)[0]?.state === 'resting', { what: 'IN_POSITION, the backstop resting' });
  return s;
}

/** The leg's backstop's id (its first version), the stop order Alpaca holds until the exit. */
const bid = (id: StrategyId) => backstopId('test01', id, '2026-03-09', 0, 1);
/** The backstop as the fake received it (exit side), and as it holds it once cancelled before the exit. */
const backstopReceived = (id: StrategyId) => [bid(id), '10', 'accepted'];
const backstopCancelled = (id: StrategyId) => `${bid(id)} AAPL x10 canceled filled=0`;

/** Moves the fake clock `stepMs` per short real pause until `done`, failing past `limitIso` (engine time). */
async function driveUntil(what: string, done: () => boolean, limitIso: string, stepMs = 250): Promise<void> {
  for (;;) {
    if (done()) return;
    if (t!.clock.now() >= at(limitIso)) throw new Error(`${what}: not reached by ${limitIso}; last events: ${t!.events.slice(-6).map((e) => e.type).join(', ')}`);
    await t!.clock.advance(stepMs);
    await realDelay(2);
  }
}

/** Sold 10 AAPL short at the BUY time, its stop above the price. */
const shortInPosition = () => inPosition({ side: 'sell', stop_loss: 105 });
/** The fake's signed AAPL position (GET /v2/positions; negative: short), 0 when it lists none. */
const net = () => t!.fake.positions().filter((p) => p.symbol === 'AAPL').reduce((n, p) => n + Number(p.qty), 0);
const received = (side: 'buy' | 'sell') => t!.fake.received().filter((o) => o.side === side);
const held = (side: 'buy' | 'sell') =>
  t!.fake
    .orders()
    .filter((o) => o.side === side)
    .map((o) => `${o.client_order_id} ${o.symbol} x${o.qty} ${o.status} filled=${o.filled_qty}`);

describe('exits at Alpaca reach the broker (invariant 9)', () => {
  it('a 429 storm on the SELL beyond the adapter\'s retries: placed again under the same id, no lookup, once at the broker; run SOLD', async () => {
    // Before today's change: a 429 after the adapter's retries was plain 'unknown', so the engine
    // published order_unknown and resolved it by lookups (GET by client order id) before each resend.
    const s = await inPosition();
    t!.fake.injectFault({ route: 'POST /v2/orders', fault: { kind: 'rate-limit' }, times: 10 });
    await t!.clock.advanceTo(at('2026-03-09T13:31:00Z'));
    await driveUntil('SOLD', () => t!.run(s.id).state === 'SOLD', '2026-03-09T13:34:00Z');

    const x = cid(s.id, 'exit');
    const [stop, ...sells] = received('sell');
    expect([stop!.clientOrderId, stop!.qty, stop!.outcome]).toEqual(backstopReceived(s.id));
    expect(sells).toHaveLength(11);
    expect(new Set(sells.map((o) => o.clientOrderId))).toEqual(new Set([x]));
    expect(sells.map((o) => o.outcome)).toEqual([...Array<string>(10).fill('not processed (rate-limit)'), 'accepted']);
    expect(held('sell')).toEqual([backstopCancelled(s.id), `${x} AAPL x10 filled filled=10`]);
    expect(held('buy')).toEqual([`${cid(s.id, 'entry')} AAPL x10 filled filled=10`]);
    // Nothing was looked up between the first SELL and the one taken: "not placed" needs no lookup.
    // (The backstop's cancel is confirmed by a lookup of its own id before the first SELL goes.)
    const log = t!.fake.requests();
    const firstSell = log.findIndex((r) => r.method === 'POST' && r.path === '/v2/orders' && r.status === 429);
    const taken = log.findLastIndex((r) => r.method === 'POST' && r.path === '/v2/orders' && r.status === 200);
    expect(firstSell).toBeGreaterThan(0);
    expect(log.slice(firstSell, taken).filter((r) => r.path.startsWith('/v2/orders:by_client_order_id'))).toEqual([]);
    expect(t!.eventsOf('order_unknown')).toEqual([]);
    expect(t!.eventsOf('order_not_sent').filter((e) => e.leg === 'SELL').length).toBeGreaterThanOrEqual(1);
    expect(t!.orders(s.id).map((o) => [o.leg, o.attempt, o.clientOrderId, o.status])).toEqual([
      ['BUY', 1, cid(s.id, 'entry'), 'filled'],
      ['SELL', 1, x, 'filled'],
    ]);
    expect(t!.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0, exitLeg: 'SELL' });
  });

  it('a 429 storm on the BUY that outlasts its grace: MISSED_BUY, the order cancelled, nothing bought or sold', async () => {
    // Before: the unknown BUY was looked up and resent until its grace ran out, then refused as
    // 'rejected' ("not chased"), which put the run in ERROR, not MISSED_BUY.
    const s = await armed();
    t!.fake.injectFault({ route: 'POST /v2/orders', fault: { kind: 'rate-limit' }, times: 200 });
    await t!.clock.advanceTo(at('2026-03-09T13:30:00Z'));
    await driveUntil('MISSED_BUY', () => t!.run(s.id).state === 'MISSED_BUY', '2026-03-09T13:33:00Z', 500);

    const buys = received('buy');
    // The engine placed it again after the adapter gave up (the adapter alone makes 4 tries).
    expect(buys.length).toBeGreaterThan(4);
    expect(new Set(buys.map((o) => `${o.clientOrderId} ${o.outcome}`))).toEqual(new Set([`${cid(s.id, 'entry')} not processed (rate-limit)`]));
    expect(t!.fake.orders()).toEqual([]);
    expect(t!.run(s.id)).toMatchObject({ state: 'MISSED_BUY', positionQty: 0, reason: expect.stringMatching(/grace/) });
    expect(t!.orders(s.id).map((o) => [o.leg, o.status])).toEqual([['BUY', 'cancelled']]);

    const count = t!.fake.receivedCount();
    await driveUntil('past the SELL time', () => t!.clock.now() >= at('2026-03-09T13:36:00Z'), '2026-03-09T13:37:00Z', 5_000);
    expect(t!.fake.receivedCount()).toBe(count);
    expect(t!.fake.orders()).toEqual([]);
  });

  it('a SELL refused for a passing reason (403, shares held for another order) is tried again as attempt 2, which fills: run SOLD', async () => {
    // Before: a refused exit was final (ERROR, 10 AAPL held) and decide() suppressed any second exit of the run.
    const s = await inPosition();
    t!.fake.injectFault({
      route: 'POST /v2/orders',
      fault: { kind: 'status', status: 403, body: { code: 40310000, message: 'insufficient qty available for order (requested: 10, available: 0)', available: '0', existing_qty: '10', held_for_orders: '10', symbol: 'AAPL' } },
    });
    await t!.clock.advanceTo(at('2026-03-09T13:31:00Z'));
    await driveUntil('SOLD', () => t!.run(s.id).state === 'SOLD', '2026-03-09T13:32:00Z');

    const [x, x2] = [cid(s.id, 'exit'), cid(s.id, 'exit', 2)];
    expect(x2).toMatch(/2$/);
    expect(received('sell').map((o) => [o.clientOrderId, o.qty, o.outcome])).toEqual([
      backstopReceived(s.id),
      [x, '10', 'not processed (status)'],
      [x2, '10', 'accepted'],
    ]);
    expect(held('sell')).toEqual([backstopCancelled(s.id), `${x2} AAPL x10 filled filled=10`]);
    expect(t!.orders(s.id).map((o) => [o.leg, o.attempt, o.clientOrderId, o.qty, o.status])).toEqual([
      ['BUY', 1, cid(s.id, 'entry'), 10, 'filled'],
      ['SELL', 1, x, 10, 'rejected'],
      ['SELL', 2, x2, 10, 'filled'],
    ]);
    expect(t!.eventsOf('exit_retry_scheduled')).toEqual([expect.objectContaining({ leg: 'SELL', attempt: 1, remainingQty: 10, reason: expect.stringMatching(/insufficient qty/) })]);
    expect(t!.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0, exitLeg: 'SELL' });
    expect(t!.eventsOf('run_state_changed').map((e) => e.to)).toEqual(['BUYING', 'IN_POSITION', 'EXITING', 'SOLD']);

    await eventually(() => t!.repos.events.list(t!.user.id, { strategyId: s.id, limit: 500 }).some((e) => e.type === 'run_state_changed' && e.payload.to === 'SOLD'), { what: 'the audit log' });
    const audit = t!.repos.events.list(t!.user.id, { strategyId: s.id, limit: 500 }).reverse();
    expect(audit.filter((e) => e.type === 'order_submitted').map((e) => e.payload.clientOrderId)).toEqual([cid(s.id, 'entry'), x, x2]);
    expect(audit.filter((e) => e.type === 'exit_retry_scheduled')).toHaveLength(1);
  });

  it('a SELL cancelled after half filled: attempt 2 sells only the 5 still held; the broker sold exactly 10', async () => {
    // Before: an exit cancelled with shares left moved the run to ERROR with 5 still open.
    const s = await inPosition();
    t!.fake.setBehavior('partial-then-cancel', true);
    await t!.clock.advanceTo(at('2026-03-09T13:31:00Z'));
    await driveUntil('SOLD', () => t!.run(s.id).state === 'SOLD', '2026-03-09T13:32:00Z');

    const [x, x2] = [cid(s.id, 'exit'), cid(s.id, 'exit', 2)];
    expect(received('sell').map((o) => [o.clientOrderId, o.qty, o.outcome])).toEqual([
      backstopReceived(s.id),
      [x, '10', 'accepted'],
      [x2, '5', 'accepted'],
    ]);
    expect(held('sell')).toEqual([backstopCancelled(s.id), `${x} AAPL x10 canceled filled=5`, `${x2} AAPL x5 filled filled=5`]);
    expect(t!.fake.orders().filter((o) => o.side === 'sell').reduce((n, o) => n + Number(o.filled_qty), 0)).toBe(10);
    expect(t!.orders(s.id).map((o) => [o.leg, o.attempt, o.clientOrderId, o.qty, o.filledQty, o.status])).toEqual([
      ['BUY', 1, cid(s.id, 'entry'), 10, 10, 'filled'],
      ['SELL', 1, x, 10, 5, 'cancelled'],
      ['SELL', 2, x2, 5, 5, 'filled'],
    ]);
    expect(t!.eventsOf('exit_retry_scheduled')).toEqual([expect.objectContaining({ attempt: 1, remainingQty: 5 })]);
    expect(t!.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0 });
  });

  it('a lasting refusal (403 insufficient qty, nothing held elsewhere) ends in ERROR with the reason and no second attempt', async () => {
    // Before: also ERROR without a second attempt, but the reason did not say that trying again
    // cannot help; this guards the new retries from pursuing a refusal that cannot pass.
    const s = await inPosition();
    t!.fake.injectFault({
      route: 'POST /v2/orders',
      fault: { kind: 'status', status: 403, body: { code: 40310000, message: 'insufficient qty available for order (requested: 10, available: 0)', available: '0', existing_qty: '0', held_for_orders: '0', symbol: 'AAPL' } },
    });
    await t!.clock.advanceTo(at('2026-03-09T13:31:00Z'));
    await driveUntil('ERROR', () => t!.run(s.id).state === 'ERROR', '2026-03-09T13:32:00Z');
    expect(t!.run(s.id)).toMatchObject({ state: 'ERROR', positionQty: 10, reason: expect.stringMatching(/insufficient qty available/) });
    expect(t!.run(s.id).reason).toMatch(/will not pass/);

    // Ten minutes on (more than every retry wait together would allow for a second attempt): none.
    await driveUntil('ten minutes later', () => t!.clock.now() >= at('2026-03-09T13:41:00Z'), '2026-03-09T13:42:00Z', 5_000);
    expect(received('sell').map((o) => [o.clientOrderId, o.outcome])).toEqual([
      [bid(s.id), 'accepted'],
      [cid(s.id, 'exit'), 'not processed (status)'],
    ]);
    // The backstop was cancelled for the refused SELL: nothing rests at Alpaca for the 10 in ERROR.
    expect(held('sell')).toEqual([backstopCancelled(s.id)]);
    expect(t!.orders(s.id).map((o) => [o.leg, o.attempt, o.status])).toEqual([['BUY', 1, 'filled'], ['SELL', 1, 'rejected']]);
    expect(t!.eventsOf('exit_retry_scheduled')).toEqual([]);
    expect(t!.run(s.id).state).toBe('ERROR');
  });

  describe('a short (sold first): its exits buy back', () => {
    it('a buy-back cancelled after half filled: attempt 2 buys only the 5 still short at Alpaca; the broker bought back exactly 10', async () => {
      const s = await shortInPosition();
      expect(t!.fake.positions()).toEqual([expect.objectContaining({ symbol: 'AAPL', qty: '-10', side: 'short' })]);
      t!.fake.setBehavior('partial-then-cancel', true);
      await t!.clock.advanceTo(at('2026-03-09T13:31:00Z'));
      await driveUntil('SOLD', () => t!.run(s.id).state === 'SOLD', '2026-03-09T13:32:00Z');

      const [x, x2] = [cid(s.id, 'exit'), cid(s.id, 'exit', 2)];
      expect(x2).toMatch(/2$/);
      expect(received('sell').map((o) => [o.clientOrderId, o.qty, o.outcome])).toEqual([[cid(s.id, 'entry'), '10', 'accepted']]);
      // The short's backstop is a stop BUY above the price.
      expect(received('buy').map((o) => [o.clientOrderId, o.qty, o.outcome])).toEqual([
        backstopReceived(s.id),
        [x, '10', 'accepted'],
        [x2, '5', 'accepted'],
      ]);
      expect(held('buy')).toEqual([backstopCancelled(s.id), `${x} AAPL x10 canceled filled=5`, `${x2} AAPL x5 filled filled=5`]);
      expect(net()).toBe(0);
      expect(t!.orders(s.id).map((o) => [o.leg, o.attempt, o.side, o.qty, o.filledQty, o.status])).toEqual([
        ['BUY', 1, 'sell', 10, 10, 'filled'],
        ['SELL', 1, 'buy', 10, 5, 'cancelled'],
        ['SELL', 2, 'buy', 5, 5, 'filled'],
      ]);
      expect(t!.eventsOf('exit_retry_scheduled')).toEqual([expect.objectContaining({ attempt: 1, remainingQty: 5 })]);
      expect(t!.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0, exitLeg: 'SELL' });
    });

    it('a buy-back refused for a passing reason (403 insufficient buying power, PROTOCOLS.md §1.8) is tried again as attempt 2, a buy of 10', async () => {
      const s = await shortInPosition();
      t!.fake.injectFault({
        route: 'POST /v2/orders',
        fault: { kind: 'status', status: 403, body: { code: 40310000, message: 'insufficient buying power', buying_power: '0', cost_basis: '1000' } },
      });
      await t!.clock.advanceTo(at('2026-03-09T13:31:00Z'));
      await driveUntil('SOLD', () => t!.run(s.id).state === 'SOLD', '2026-03-09T13:32:00Z');

      const [x, x2] = [cid(s.id, 'exit'), cid(s.id, 'exit', 2)];
      expect(received('buy').map((o) => [o.clientOrderId, o.qty, o.outcome])).toEqual([
        backstopReceived(s.id),
        [x, '10', 'not processed (status)'],
        [x2, '10', 'accepted'],
      ]);
      expect(held('buy')).toEqual([backstopCancelled(s.id), `${x2} AAPL x10 filled filled=10`]);
      expect(net()).toBe(0);
      expect(t!.orders(s.id).map((o) => [o.leg, o.attempt, o.side, o.qty, o.status])).toEqual([
        ['BUY', 1, 'sell', 10, 'filled'],
        ['SELL', 1, 'buy', 10, 'rejected'],
        ['SELL', 2, 'buy', 10, 'filled'],
      ]);
      expect(t!.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0 });
    });

    it('covered by hand before attempt 2: the run halts in ERROR naming the buy-back; nothing more is sent', async () => {
      const s = await shortInPosition();
      t!.fake.setBehavior('partial-then-cancel', true);
      await t!.clock.advanceTo(at('2026-03-09T13:31:00Z'));
      await driveUntil('the retry scheduled', () => t!.eventsOf('exit_retry_scheduled').length === 1, '2026-03-09T13:31:30Z', 100);
      expect(net()).toBe(-5);
      t!.fake.buyByHand('AAPL', 5);
      expect(t!.fake.positions()).toEqual([]);
      await driveUntil('ERROR', () => t!.run(s.id).state === 'ERROR', '2026-03-09T13:32:00Z');
      expect(t!.run(s.id).reason).toMatch(/^no short of AAPL left to buy back at the broker: the 5 still held by this run were bought back or closed elsewhere \(attempt 2 not sent\)/);

      // Ten minutes on: no attempt 2, nothing bought or sold again; Alpaca still flat.
      await driveUntil('ten minutes later', () => t!.clock.now() >= at('2026-03-09T13:41:00Z'), '2026-03-09T13:42:00Z', 5_000);
      expect(t!.fake.received().map((o) => [o.side, o.clientOrderId, o.qty])).toEqual([
        ['sell', cid(s.id, 'entry'), '10'],
        ['buy', bid(s.id), '10'],
        ['buy', cid(s.id, 'exit'), '10'],
      ]);
      expect(t!.fake.positions()).toEqual([]);
      expect(t!.orders(s.id).map((o) => [o.leg, o.attempt, o.side, o.filledQty, o.status])).toEqual([
        ['BUY', 1, 'sell', 10, 'filled'],
        ['SELL', 1, 'buy', 5, 'cancelled'],
      ]);
      expect(t!.run(s.id).state).toBe('ERROR');
    });
  });
});
