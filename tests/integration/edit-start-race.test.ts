/**
 * PATCH racing START (invariant 8: what is armed, bought and watched is one strategy). An edit and
 * a start of the same strategy are fired together through the services, many times, with the
 * broker's instrument lookup slowed by a varying number of event-loop turns, in both call orders.
 * Afterwards the strategy row, the runtime keys, the price subscription, the BUY sent and the
 * stop-loss must all name one symbol: the edit either went before the start (and the start armed
 * the edited symbol) or was refused with 409. The stop-loss must then fire on the symbol bought.
 *
 * Before today's change (StrategyLocks): start() read the strategy, awaited the instrument lookup,
 * then armed what it had read, while update() checked only `status === 'running'` (not yet set),
 * awaited its own lookup and wrote the new symbol. Both calls succeeded; the runtime keys and the
 * subscription named the old symbol, the BUY (built from the row) bought the new one, and its
 * stop-loss watched an instrument that no price ever arrived for.
 *
 * Monday 2026-03-09, New York on EDT: 09:30 NY = 13:30Z.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../engine/core/fake-clock';
import { createPaperBroker, type PaperBroker } from '../../engine/brokers/paper/paper-broker';
import type { Broker } from '../../engine/brokers/broker';
import type { Strategy } from '../../engine/core/types';
import { specFromV1 } from '../../engine/core/strategy-spec';
import { DomainError } from '../../engine/core/errors';
import { openTestDb } from '../../db/test-support';
import { engineOnBroker, type EngineOnBroker } from '../support/engine-harness';

const ROUNDS = 24;

let t: EngineOnBroker | undefined;
let closeDb: (() => void) | undefined;
afterEach(async () => {
  await t?.stopEngine();
  closeDb?.();
  t = undefined;
  closeDb = undefined;
});

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The paper broker with a lookup that takes `delays.get(symbol)` event-loop turns. */
function slowLookups(paper: PaperBroker, delays: Map<string, number>, lookups: string[]): Broker {
  return {
    ...paper,
    instruments: {
      async resolve(symbol, exchange) {
        lookups.push(symbol);
        for (let i = 0; i < (delays.get(symbol) ?? 0); i++) await turn();
        return paper.instruments.resolve(symbol, exchange);
      },
    },
  };
}

interface Round {
  readonly strategy: Strategy;
  readonly from: string;
  readonly to: string;
  readonly patchFirst: boolean;
  patch?: PromiseSettledResult<Strategy>;
  start?: PromiseSettledResult<unknown>;
}

describe('PATCH racing START', () => {
  it('arms, subscribes, buys and stops out one and the same symbol, whichever call wins, in every interleaving', async () => {
    const clock = new FakeClock(Date.parse('2026-03-09T13:00:00Z'));
    const db = openTestDb();
    closeDb = () => db.close();
    // Two symbols per round, none resolved before: put on the paper market by the account's options, at its default price.
    const listed = Object.fromEntries(Array.from({ length: ROUNDS }, (_, i) => String(i).padStart(2, '0')).flatMap((n) => [[`NYSE:OLD${n}`, 100], [`NYSE:NEW${n}`, 100]]));
    const paper = createPaperBroker({ clock, seed: 1, volatilityBps: 0, tickIntervalMs: 60_000, startPrices: listed });
    const delays = new Map<string, number>();
    const lookups: string[] = [];
    t = await engineOnBroker({
      clock,
      repos: db.repos,
      broker: slowLookups(paper, delays, lookups),
      brokerKind: 'paper',
      strategyDefaults: {},
    });
    const engine = t.engine;

    const rounds: Round[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const n = String(i).padStart(2, '0');
      const from = `OLD${n}`;
      const to = `NEW${n}`;
      // Both lookups go to the (slow) broker: nothing has resolved either symbol before.
      delays.set(from, [0, 1, 4, 12][Math.floor(i / 2) % 4]!);
      delays.set(to, [0, 3, 12][Math.floor(i / 8) % 3]!);
      const strategy = db.repos.strategies.create(
        {
          userId: t.user.id,
          status: 'idle',
          spec: specFromV1({ broker_account_id: t.account.id, symbol: from, exchange: 'NYSE', qty: 1, buy_time: '09:30:00', sell_time: '15:55:00', stop_loss: 95, timezone: 'America/New_York', repeat: 'once', buy_grace_ms: 60_000 }),
        },
        clock.now(),
      );
      rounds.push({ strategy, from, to, patchFirst: i % 2 === 0 });
    }

    for (const r of rounds) {
      const patch = () => engine.strategies.update(t!.user.id, r.strategy.id, { symbol: r.to });
      const start = () => engine.manager.start(t!.user.id, r.strategy.id);
      const [first, second] = r.patchFirst ? [patch(), start()] : [start(), patch()];
      const settled = await Promise.allSettled([first, second]);
      r.patch = (r.patchFirst ? settled[0] : settled[1]) as PromiseSettledResult<Strategy>;
      r.start = r.patchFirst ? settled[1] : settled[0];
    }
    // The subscriptions are made after start() returns; give them their turns, bounded.
    for (let i = 0; i < 200 && !rounds.every((r) => engine.market.isWatching(r.strategy.id)); i++) await turn();

    for (const r of rounds) {
      expect(r.start, `START of ${r.from}`).toMatchObject({ status: 'fulfilled' });
      const row = db.repos.strategies.getInternal(r.strategy.id)!;
      expect(row.status).toBe('running');
      if (r.patch!.status === 'fulfilled') {
        expect(row.symbol, `PATCH of ${r.from} was accepted: it must have gone before START`).toBe(r.to);
      } else {
        expect(r.patch!.reason).toBeInstanceOf(DomainError);
        expect(r.patch!.reason).toMatchObject({ code: 'conflict', message: expect.stringMatching(/running/) });
        expect(row.symbol).toBe(r.from);
      }
      // The symbol armed was resolved by the slow broker, not from a cache.
      expect(lookups).toContain(row.symbol);
      const other = row.symbol === r.to ? r.from : r.to;
      expect(await t.runtime.readStrategy(r.strategy.id), `runtime keys of ${r.from}`).toMatchObject({ symbol: row.symbol });
      expect(await t.runtime.strategiesOn(`NYSE:${row.symbol}`)).toEqual([r.strategy.id]);
      expect(await t.runtime.strategiesOn(`NYSE:${other}`)).toEqual([]);
      expect(engine.market.isWatching(r.strategy.id)).toBe(true);
      expect(paper.data.subscriptions(), `prices watched for ${r.from}`).toContain(`NYSE:${row.symbol}`);
      expect(paper.data.subscriptions()).not.toContain(`NYSE:${other}`);
    }
    // Both outcomes were exercised: an edit that went first, and one refused because START won.
    expect(rounds.filter((r) => r.patch!.status === 'fulfilled').length).toBeGreaterThan(0);
    expect(rounds.filter((r) => r.patch!.status === 'rejected').length).toBeGreaterThan(0);

    await clock.advanceTo(Date.parse('2026-03-09T13:30:01Z'));
    await engine.idle();
    const bought = new Map(paper.placedOrders().map((o) => [o.request.clientOrderId, o.request.instrument.symbol]));
    for (const r of rounds) {
      const row = db.repos.strategies.getInternal(r.strategy.id)!;
      expect(t.run(r.strategy.id)).toMatchObject({ state: 'IN_POSITION', positionQty: 1 });
      const [buy] = t.orders(r.strategy.id);
      expect(buy).toMatchObject({ leg: 'BUY', symbol: row.symbol, status: 'filled' });
      expect(bought.get(buy!.clientOrderId), `the broker's BUY for ${r.from}`).toBe(row.symbol);
      expect(engine.market.isStopArmed(r.strategy.id)).toBe(true);
    }

    // Each bought symbol falls through its stop: the tick must reach the stop of the strategy that bought it.
    for (const r of rounds) paper.setPrice(`NYSE:${db.repos.strategies.getInternal(r.strategy.id)!.symbol}`, 94);
    await clock.advance(1_000);
    await engine.idle();
    const placed = paper.placedOrders();
    for (const r of rounds) {
      const row = db.repos.strategies.getInternal(r.strategy.id)!;
      expect(t.run(r.strategy.id), `stop-loss of ${r.from}`).toMatchObject({ state: 'EXITED_BY_SL', positionQty: 0, exitPrice: 94 });
      const mine = t.orders(r.strategy.id).map((o) => o.clientOrderId);
      expect(placed.filter((o) => mine.includes(o.request.clientOrderId)).map((o) => `${o.request.side} ${o.request.instrument.symbol} x${o.request.qty}`)).toEqual([`buy ${row.symbol} x1`, `sell ${row.symbol} x1`]);
    }
    expect(placed).toHaveLength(2 * ROUNDS);
  });
});
