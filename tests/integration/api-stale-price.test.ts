/**
 * A position's stale price over the API: the strategy's answer carries `stale_price` while its
 * stop watches one, and the WebSocket carries price_stale (snake_case), so the row can say "stop
 * watching a stale price". Paper broker, fake clock, Monday 2026-03-09 New York.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../support/api-harness';
import type { PaperBroker } from '../../engine/brokers/paper/paper-broker';
import { asBrokerAccountId } from '../../engine/core/ids';

let h: ApiHarness;
afterEach(async () => h?.close());

describe('GET /strategy/:id while the stop watches a stale price', () => {
  it('carries stale_price with the stream\'s last price, and the socket the price_stale event', async () => {
    h = await startApiHarness({ at: '2026-03-09T13:20:00Z' });
    const { token } = await h.register();
    const connect = await h.call('POST', '/broker/connect', { token, body: { broker: 'paper', options: { seed: 1, volatilityBps: 0, tickIntervalMs: 86_400_000 } } });
    const accountId: number = connect.body.id;
    const created = await h.createStrategy(token, accountId, { buy_time: '09:30:00', sell_time: '15:55:00' });
    const id: number = created.body.id;
    expect((await h.call('POST', '/strategy/start', { token, body: { strategy_id: id } })).status).toBe(200);
    await h.advanceTo('2026-03-09T13:30:01Z');
    const fresh = await h.call('GET', `/strategy/${id}`, { token });
    expect([fresh.body.runtime.state, fresh.body.stale_price]).toEqual(['IN_POSITION', null]);

    const socket = await h.openSocket({ token });
    const paper = (await h.engine.brokers.get(asBrokerAccountId(accountId))) as PaperBroker;
    paper.data.setFeed('stale', 'frozen for the test');
    paper.setPrice('NYSE:AAPL', 97);
    await h.advanceTo('2026-03-09T13:30:16Z');
    const stale = await h.call('GET', `/strategy/${id}`, { token });
    expect(stale.body.stale_price).toEqual({ since: Date.parse('2026-03-09T13:30:15Z'), last_price: 100, last_price_at: Date.parse('2026-03-09T13:20:00Z') });
    expect(await socket.waitFor((m) => m.type === 'price_stale')).toMatchObject({ strategy_id: id, instrument: 'NYSE:AAPL', last_price: 100, quote_price: 97 });
  });
});
