import { afterEach, describe, expect, it } from 'vitest';
import { openTestDb } from '../../db/test-support';
import { engineOnBroker, type EngineOnBroker } from '../../tests/support/engine-harness';
import { FakeClock } from '../core/fake-clock';
import type { Broker } from './broker';
import { createPaperBroker } from './paper/paper-broker';
import { quoteOf, searchInstruments } from './instrument-finder';

let t: EngineOnBroker | undefined;
let closeDb = () => {};
afterEach(async () => {
  await t?.stopEngine();
  closeDb();
  t = undefined;
});

/**
 * A broker like Alpaca or Kite as the finder sees it: no price at hand and no list to search,
 * so the last tick is the only price and the instruments resolved before are the only list.
 */
async function brokerWithoutPriceOrList() {
  const clock = new FakeClock(Date.parse('2026-03-09T14:00:00Z'));
  const db = openTestDb();
  closeDb = () => db.close();
  const paper = createPaperBroker({ clock, seed: 1, volatilityBps: 0, tickIntervalMs: 1_000, startPrices: { 'NYSE:IBM': 250 } });
  const bare: Broker = {
    capabilities: paper.capabilities,
    instruments: { resolve: (symbol, exchange) => paper.instruments.resolve(symbol, exchange) },
    execution: paper.execution,
    data: { subscribe: (i) => paper.data.subscribe(i), unsubscribe: (i) => paper.data.unsubscribe(i), onTick: (l) => paper.data.onTick(l), onFeedState: (l) => paper.data.onFeedState(l) },
    start: () => paper.start(),
    stop: () => paper.stop(),
  };
  t = await engineOnBroker({ clock, repos: db.repos, broker: bare, brokerKind: 'paper', strategyDefaults: { exchange: 'NYSE', qty: 1, buy_time: '09:30', sell_time: '15:55', stop_loss: 95 } });
  return { t, clock };
}

describe('quoteOf', () => {
  it('says no price yet before any tick, then gives the last tick a running strategy brought', async () => {
    const { t, clock } = await brokerWithoutPriceOrList();
    expect(await quoteOf(t.engine.ctx, t.user.id, t.account.id, 'IBM', 'NYSE')).toEqual({ symbol: 'IBM', exchange: 'NYSE', known: true, price: null, at: null, rules: { qtyStep: null, minQty: null, minNotional: null } });
    const s = await t.create({ symbol: 'IBM' });
    await t.start(s.id);
    await clock.advanceTo(clock.now() + 2_000);
    expect(await quoteOf(t.engine.ctx, t.user.id, t.account.id, 'IBM', 'NYSE')).toMatchObject({ known: true, price: 250, at: expect.any(Number) });
  });
});

describe('searchInstruments', () => {
  it('searches the instruments resolved before when the broker has no list of its own', async () => {
    const { t } = await brokerWithoutPriceOrList();
    expect(await searchInstruments(t.engine.ctx, t.user.id, t.account.id, 'IB', { limit: 5 })).toEqual([]);
    await t.create({ symbol: 'IBM' });
    // The resolved instrument is stored a turn later, off the request's path.
    await new Promise((resolve) => setImmediate(resolve));
    expect(await searchInstruments(t.engine.ctx, t.user.id, t.account.id, 'IB', { limit: 5 })).toEqual([{ symbol: 'IBM', exchange: 'NYSE', name: null, tickSize: 0.01 }]);
  });
});
