/**
 * The chart's history over HTTP: the engine records the ticks of a running strategy's instrument
 * as 1-minute bars (on the fake clock, paper ticking once a minute at 100), and
 * GET /strategy/:id/bars serves them to the strategy's owner.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../support/api-harness';

let h: ApiHarness;
let token = '';
let strategy = 0;
const T0 = Date.parse('2026-03-09T13:00:00Z');

beforeAll(async () => {
  h = await startApiHarness({ at: '2026-03-09T13:00:00Z' });
  ({ token } = await h.register('bars@example.com'));
  const account = await h.connectPaper(token);
  strategy = (await h.createStrategy(token, account)).body.id;
  expect((await h.call('POST', '/strategy/start', { token, body: { strategy_id: strategy } })).status).toBe(200);
  await h.advanceTo('2026-03-09T13:15:00Z');
});
afterAll(async () => h?.close());

describe('GET /strategy/:id/bars', () => {
  it("serves the minutes the daemon watched the strategy's instrument, oldest first", async () => {
    const res = await h.call('GET', `/strategy/${strategy}/bars`, { token });
    expect(res.status).toBe(200);
    const bars = res.body.bars as Array<{ minute: number; open: number; close: number }>;
    expect(bars.length).toBeGreaterThanOrEqual(5);
    expect(bars.every((b) => b.minute % 60_000 === 0 && b.minute >= T0 && b.close === 100)).toBe(true);
    expect(bars.map((b) => b.minute)).toEqual([...bars.map((b) => b.minute)].sort((x, y) => x - y));
    const later = await h.call('GET', `/strategy/${strategy}/bars?from=${T0 + 5 * 60_000}&to=${T0 + 6 * 60_000}`, { token });
    expect(later.body.bars.every((b: { minute: number }) => b.minute >= T0 + 5 * 60_000 && b.minute <= T0 + 6 * 60_000)).toBe(true);
  });

  it('reaches the minute being built, which the recorder has not written yet', async () => {
    // The instrument watched again (the first strategy's day is over): a tick every minute.
    const account = (await h.call('GET', '/broker', { token })).body.accounts[0].id as number;
    const again = (await h.createStrategy(token, account, { buy_time: '09:30', sell_time: '09:50' })).body.id as number;
    expect((await h.call('POST', '/strategy/start', { token, body: { strategy_id: again } })).status).toBe(200);
    await h.advanceTo('2026-03-09T13:17:30Z');
    const minutes = ((await h.call('GET', `/strategy/${again}/bars`, { token })).body.bars as Array<{ minute: number }>).map((b) => b.minute);
    expect(minutes.at(-1)).toBe(Math.floor(h.clock.now() / 60_000) * 60_000);
    expect(new Set(minutes).size).toBe(minutes.length);
  });

  it('refuses a bad range naming the field', async () => {
    const res = await h.call('GET', `/strategy/${strategy}/bars?from=10&to=5`, { token });
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toEqual([{ field: 'to', message: expect.any(String) }]);
    expect((await h.call('GET', `/strategy/${strategy}/bars?from=yesterday`, { token })).status).toBe(400);
  });
});
