/**
 * GET /strategy/:id shows the stop resting at the broker for the run's current leg (issue 20):
 * its state, trigger and broker id; nothing once it no longer rests. Rows seeded in the journal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../support/api-harness';
import { asBrokerAccountId, asStrategyId, asUserId } from '../../engine/core/ids';

let h: ApiHarness;
let token: string;
let userId: number;

beforeAll(async () => {
  h = await startApiHarness({ at: '2026-03-09T13:00:00Z' });
  ({ token, userId } = await h.register('backstop@example.com'));
});
afterAll(async () => h?.close());

describe('the backstop on the strategy', () => {
  it('is its runtime.backstop while it rests, and null once cancelled', async () => {
    const account = await h.connectPaper(token);
    const id = (await h.createStrategy(token, account)).body.id;
    const run = h.repos.runs.create({ strategyId: asStrategyId(id), userId: asUserId(userId), tradingDate: '2026-03-09', state: 'IN_POSITION', buyAt: 1, sellAt: 2 }, 1);
    const row = h.repos.backstops.insert(
      { runId: run.id, strategyId: asStrategyId(id), userId: asUserId(userId), brokerAccountId: asBrokerAccountId(account), legNo: 0, version: 1, clientOrderId: 'tbtest01000001600101', symbol: 'AAPL', exchange: 'NYSE', side: 'sell', qty: 10, triggerPrice: 95, limitPrice: null, state: 'placing' },
      1,
    );
    h.repos.backstops.update(row.id, { state: 'resting', brokerRef: 'ord-9' }, 2);
    const get = async () => (await h.call('GET', `/strategy/${id}`, { token })).body.runtime.backstop;
    expect(await get()).toEqual({ state: 'resting', trigger_price: 95, target_price: null, broker_ref: 'ord-9' });
    h.repos.backstops.update(row.id, { state: 'cancelled' }, 3);
    expect(await get()).toBeNull();
  });
});
