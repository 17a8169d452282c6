/**
 * An order an earlier process journaled and whose answer it never wrote, at Kite (which takes a
 * reused tag, so a blind resend could double it). The journal's sending mark, written just before
 * the placement request leaves, tells the next process what it can be: unmarked, it never left and
 * is placed again after one lookup; marked, Kite lists it within `placedOrderListedWithinMs` of the
 * mark if it took it, so it is placed again once that has passed with Kite still listing none; one
 * Kite did take is found by the first lookup and never placed again. Before the mark the next
 * process looked every such order up for 15.5 s (LOOKUP_BACKOFF_MS) before placing it, with the
 * exit's GTT already deleted: the position unprotected that long.
 * Real engine and Kite adapter against the loopback fake, on a FakeClock; times are the engine's.
 * Monday 2026-03-09: BUY 09:15 IST (03:45Z), SELL 09:20 IST (03:50Z); INFY at 100, the stop at 95.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startKiteFake, type KiteFake } from '../fakes/kite/kite-fake';
import { startKiteEngine, type KiteEngineArgs, type KiteTestEngine } from '../fakes/kite/kite-engine-harness';
import { waitFor } from '../fakes/kite/wait-for';
import { kitePlacedOrderListedWithinMs } from '../../engine/brokers/kite/kite-broker';
import type { Order } from '../../engine/core/types';
import type { StrategyId } from '../../engine/core/ids';

let fake: KiteFake;
const engines: KiteTestEngine[] = [];
afterEach(async () => {
  const all = engines.splice(0);
  // Killed, not stopped: a stop waits for answers a stalled request never gets.
  for (const e of [...all].reverse()) await e.kill().catch(() => {});
  all[0]?.closeDb();
  await fake?.close();
});

const LISTED_WITHIN_MS = kitePlacedOrderListedWithinMs(7_000);
const SELL_AT = Date.parse('2026-03-09T03:50:00Z');
const realPause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sells = () => fake.orders().filter((o) => o.transaction_type === 'SELL' && o.tag !== null && o.tag !== '');
const orderPosts = () => fake.requests().filter((r) => r.method === 'POST' && r.path === '/orders/regular').length;

async function engine(args: Omit<KiteEngineArgs, 'fake'>): Promise<KiteTestEngine> {
  const t = await startKiteEngine({ fake, kiteOptions: { stale_after_ms: 60_000 }, ...args });
  engines.push(t);
  return t;
}

/** A daemon in position on INFY (its GTT resting), about to meet its 09:20 SELL. */
async function inPosition(crashPoints?: KiteEngineArgs['crashPoints']): Promise<{ t: KiteTestEngine; strategyId: StrategyId }> {
  fake = await startKiteFake({ prices: { INFY: 100 }, heartbeatMs: 10, now: () => engines.at(-1)?.clock.now() ?? Date.parse('2026-03-09T03:44:00Z') });
  const t = await engine({ at: '2026-03-09T03:44:00Z', crashPoints });
  const s = await t.create();
  await t.start(s.id);
  await t.drive('2026-03-09T03:45:00Z', 500);
  await waitFor('in position with its GTT resting', () => t.run(s.id).state === 'IN_POSITION' && fake.gtts().some((g) => g.status === 'active'));
  return { t, strategyId: s.id };
}

/** The dead daemon's SELL row, once it is journaled (and, with `marked`, marked as sending). */
async function journaledSell(t: KiteTestEngine, strategyId: StrategyId, marked: boolean): Promise<Order> {
  // Not `drive`: it waits for the engine to be idle, and the SELL's answer never comes.
  while (t.clock.now() < SELL_AT) {
    await t.clock.advance(Math.min(1_000, SELL_AT - t.clock.now()));
    await realPause(2);
  }
  let sell: Order | undefined;
  await waitFor('the SELL journaled', () => {
    sell = t.orders(strategyId).find((o) => o.leg === 'SELL');
    return sell !== undefined && (marked ? sell.sendingAt !== null : true);
  });
  return sell!;
}

/** A new daemon on the dead one's database at `iso`, recovered. */
async function restart(dead: KiteTestEngine, iso: string): Promise<KiteTestEngine> {
  await dead.kill();
  const next = await engine({ at: iso, reuse: { repos: dead.repos, user: dead.user, account: dead.account, closeDb: () => {} } });
  await next.engine.recover();
  return next;
}

/** Drives `t` in 100 ms steps until Kite has a tagged SELL or `until`; returns the engine time it appeared, or null. */
async function sellPlacedBy(t: KiteTestEngine, until: number): Promise<number | null> {
  while (t.clock.now() < until) {
    await t.clock.advance(100);
    await realPause(15);
    if (sells().length > 0) return t.clock.now();
  }
  return null;
}

describe('an exit a killed daemon journaled, its answer never written (Kite)', () => {
  it('marked as sending, Kite has none: looked up at once, placed again once the bound since the mark has passed, one SELL', async () => {
    const { t: dead, strategyId } = await inPosition();
    // The SELL's POST reaches Kite and is never processed: the request left (the mark), Kite took nothing.
    fake.failNext('POST /orders', { kind: 'stall' });
    const posts = orderPosts();
    const sell = await journaledSell(dead, strategyId, true);
    await waitFor('the SELL POST at Kite', () => orderPosts() === posts + 1);
    expect(sell).toMatchObject({ status: 'pending', dispatchedAt: null });
    expect(sell.sendingAt).toBeGreaterThanOrEqual(SELL_AT);
    expect(fake.gtts().filter((g) => g.status === 'active')).toEqual([]); // deleted for the exit: unprotected from here
    const markedAt = sell.sendingAt!;

    const t = await restart(dead, new Date(markedAt + 2_000).toISOString());
    const listsBefore = fake.requests().filter((r) => r.method === 'GET' && r.path === '/orders').length;
    const placedAt = await sellPlacedBy(t, markedAt + LISTED_WITHIN_MS + 3_000);
    // Asked at the restart; not placed while Kite could still list the first request's order.
    expect(fake.requests().filter((r) => r.method === 'GET' && r.path === '/orders').length).toBeGreaterThan(listsBefore);
    expect(placedAt, 'the SELL placed again').not.toBeNull();
    expect(placedAt!).toBeGreaterThanOrEqual(markedAt + LISTED_WITHIN_MS);
    // The lookup and the placement (two requests) at most a second after the bound; before the mark, 15.5 s after the restart.
    expect(placedAt!).toBeLessThanOrEqual(markedAt + LISTED_WITHIN_MS + 1_000);
    await t.drive(new Date(markedAt + 40_000).toISOString(), 500);
    await waitFor('SOLD', () => t.run(strategyId).state === 'SOLD');
    expect(sells()).toHaveLength(1);
    expect(t.orders(strategyId).find((o) => o.leg === 'SELL')).toMatchObject({ status: 'filled', clientOrderId: sell.clientOrderId });
  });

  it('marked by a clock ahead of this one (it went back across the restart): waits the bound from the restart, not until the mark plus the bound', async () => {
    const { t: dead, strategyId } = await inPosition();
    fake.failNext('POST /orders', { kind: 'stall' });
    const sell = await journaledSell(dead, strategyId, true);
    // The new process's clock is a minute behind the mark.
    const restartAt = sell.sendingAt! - 60_000;
    const t = await restart(dead, new Date(restartAt).toISOString());
    const placedAt = await sellPlacedBy(t, restartAt + LISTED_WITHIN_MS + 3_000);
    expect(placedAt, 'the SELL placed again').not.toBeNull();
    expect(placedAt!).toBeGreaterThanOrEqual(restartAt + LISTED_WITHIN_MS);
    expect(placedAt!).toBeLessThanOrEqual(restartAt + LISTED_WITHIN_MS + 1_000);
    expect(sells()).toHaveLength(1);
  });

  it('one Kite did take (the answer lost with the process) is found by the first lookup and never placed again', async () => {
    const { t: dead, strategyId } = await inPosition();
    fake.failNext('POST /orders', { kind: 'accept_then_stall' });
    fake.ticker.stall(true); // no word of the SELL reaches the daemon before it dies
    const sell = await journaledSell(dead, strategyId, true);
    await waitFor('the SELL at Kite', () => sells().length === 1);
    expect(dead.orders(strategyId).find((o) => o.leg === 'SELL')!.status).toBe('pending');
    fake.ticker.stall(false);

    const t = await restart(dead, new Date(sell.sendingAt! + 1_000).toISOString());
    await t.drive(new Date(sell.sendingAt! + 3_000).toISOString(), 100);
    await waitFor('SOLD', () => t.run(strategyId).state === 'SOLD');
    // Well past every wait of either rule: still the one SELL.
    await t.drive(new Date(sell.sendingAt! + 60_000).toISOString(), 1_000);
    expect(sells()).toHaveLength(1);
    expect(t.orders(strategyId).find((o) => o.leg === 'SELL')).toMatchObject({ status: 'filled', brokerOrderId: sells()[0]!.order_id });
  });

  it('never marked (killed before the request left): placed after one lookup, at once', async () => {
    // The process dies at 'after-journal' of its SELL: journaled, nothing sent, no mark.
    let armed = false;
    const { t: dead, strategyId } = await inPosition({
      hit: (point) => {
        if (armed && point === 'after-journal') throw new Error('killed after the journal');
      },
    });
    armed = true;
    const posts = orderPosts();
    const sell = await journaledSell(dead, strategyId, false);
    expect(sell).toMatchObject({ status: 'pending', sendingAt: null });
    const restartAt = dead.clock.now() + 1_000;
    const t = await restart(dead, new Date(restartAt).toISOString());
    const placedAt = await sellPlacedBy(t, restartAt + 5_000);
    expect(placedAt, 'the SELL placed').not.toBeNull();
    // A lookup, then the placement (its own tag check and POST): before the mark, 15.5 s of lookups first.
    expect(placedAt! - restartAt).toBeLessThanOrEqual(1_000);
    expect(orderPosts()).toBe(posts + 1);
    await t.drive(new Date(restartAt + 30_000).toISOString(), 500);
    await waitFor('SOLD', () => t.run(strategyId).state === 'SOLD');
    expect(sells()).toHaveLength(1);
  });
});

describe('an entry a killed daemon journaled and marked, its answer never written (Kite)', () => {
  it('Kite has none: placed again once the bound since the mark has passed, within its grace; one BUY, in position', async () => {
    fake = await startKiteFake({ prices: { INFY: 100 }, heartbeatMs: 10, now: () => engines.at(-1)?.clock.now() ?? Date.parse('2026-03-09T03:44:00Z') });
    const dead = await engine({ at: '2026-03-09T03:44:00Z' });
    const s = await dead.create();
    await dead.start(s.id);
    fake.failNext('POST /orders', { kind: 'stall' });
    const buyAt = Date.parse('2026-03-09T03:45:00Z');
    while (dead.clock.now() < buyAt) {
      await dead.clock.advance(Math.min(1_000, buyAt - dead.clock.now()));
      await realPause(2);
    }
    await waitFor('the BUY marked as sending', () => (dead.orders(s.id)[0]?.sendingAt ?? null) !== null);
    const buy = dead.orders(s.id)[0]!;
    expect(buy).toMatchObject({ leg: 'BUY', status: 'pending' });
    const t = await restart(dead, new Date(buy.sendingAt! + 2_000).toISOString());
    const buys = () => fake.orders().filter((o) => o.transaction_type === 'BUY' && o.tag === buy.clientOrderId);
    let placedAt: number | null = null;
    while (t.clock.now() < buy.sendingAt! + LISTED_WITHIN_MS + 3_000 && placedAt === null) {
      await t.clock.advance(100);
      await realPause(15);
      if (buys().length > 0) placedAt = t.clock.now();
    }
    expect(placedAt, 'the BUY placed again').not.toBeNull();
    expect(placedAt!).toBeGreaterThanOrEqual(buy.sendingAt! + LISTED_WITHIN_MS);
    expect(placedAt!).toBeLessThanOrEqual(buy.sendingAt! + LISTED_WITHIN_MS + 1_000);
    await t.drive(new Date(buy.sendingAt! + 30_000).toISOString(), 500);
    await waitFor('in position', () => t.run(s.id).state === 'IN_POSITION');
    expect(buys()).toHaveLength(1);
  });
});
