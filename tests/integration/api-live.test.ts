/**
 * What the UI sees live beyond engine events: price ticks of what the user's strategies watch
 * (an option's index, then its contract: each position's premium), thinned for display, and the
 * kill switch. Neither crosses users.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../support/api-harness';
import type { PaperBroker } from '../../engine/brokers/paper/paper-broker';
import { asBrokerAccountId, asStrategyId } from '../../engine/core/ids';

let h: ApiHarness;
beforeEach(async () => {
  h = await startApiHarness();
});
afterEach(async () => h.close());

async function runningStrategy(token: string, symbol: string, body: Record<string, unknown> = {}) {
  const account = await h.connectPaper(token);
  const created = await h.createStrategy(token, account, { symbol, ...body });
  expect(created.status).toBe(201);
  const started = await h.call('POST', '/strategy/start', { token, body: { strategy_id: created.body.id } });
  expect(started.status).toBe(200);
  const paper = (await h.engine.brokers.get(asBrokerAccountId(account))) as PaperBroker;
  return { account, id: created.body.id as number, paper };
}

describe('price ticks on the WebSocket', () => {
  it('reach the owner of the strategy only, and a burst is thinned to the first and the last price', async () => {
    const a = await h.register();
    const b = await h.register();
    const sa = await runningStrategy(a.token, 'AAPL');
    await runningStrategy(b.token, 'MSFT');
    const wa = await h.openSocket({ token: a.token });
    const wb = await h.openSocket({ token: b.token });
    await wa.waitFor((m) => m.type === 'hello');
    await wb.waitFor((m) => m.type === 'hello');

    for (const price of [101, 102, 103, 104]) sa.paper.setPrice('NYSE:AAPL', price);
    await h.advanceTo('2026-03-09T13:00:01Z');
    const last = await wa.waitFor((m) => m.type === 'tick' && m.price === 104);
    expect(last).toMatchObject({ broker_account_id: sa.account, exchange: 'NYSE', symbol: 'AAPL' });
    const prices = wa.messages.filter((m) => m.type === 'tick' && m.symbol === 'AAPL').map((m) => m.price);
    expect(prices).toEqual([101, 104]);
    expect(wb.messages.filter((m) => m.type === 'tick' && m.symbol === 'AAPL')).toEqual([]);
  });

  it('stop once the strategy is stopped', async () => {
    const a = await h.register();
    const sa = await runningStrategy(a.token, 'AAPL');
    const ws = await h.openSocket({ token: a.token });
    await ws.waitFor((m) => m.type === 'hello');
    sa.paper.setPrice('NYSE:AAPL', 101);
    await ws.waitFor((m) => m.type === 'tick' && m.price === 101);
    expect((await h.call('POST', '/strategy/stop', { token: a.token, body: { strategy_id: sa.id } })).status).toBe(200);
    await ws.waitFor((m) => m.type === 'strategy_stopped');
    sa.paper.setPrice('NYSE:AAPL', 99);
    await h.advanceTo('2026-03-09T13:00:02Z');
    expect(ws.messages.filter((m) => m.type === 'tick' && m.price === 99)).toEqual([]);
  });

  it('deliver the last price of a burst even when the strategy ends inside the throttle window', async () => {
    const a = await h.register();
    const sa = await runningStrategy(a.token, 'AAPL');
    const ws = await h.openSocket({ token: a.token });
    await ws.waitFor((m) => m.type === 'hello');
    sa.paper.setPrice('NYSE:AAPL', 101);
    sa.paper.setPrice('NYSE:AAPL', 94); // queued behind the first, inside 250 ms
    expect((await h.call('POST', '/strategy/stop', { token: a.token, body: { strategy_id: sa.id } })).status).toBe(200);
    await h.advanceTo('2026-03-09T13:00:01Z');
    await ws.waitFor((m) => m.type === 'tick' && m.price === 94);
  });
});

/** 09:00 IST, Monday 7 December 2026: the option strategies' BUY is 09:20, their contract chosen 2.5 s before. */
const MONDAY_0900_IST = '2026-12-07T03:30:00Z';
const NIFTY_CE = { symbol: 'NIFTY', exchange: 'NFO', option_right: 'CE', qty: 1, buy_time: '09:20:00', sell_time: '15:10:00', stop_loss: 40, stop_loss_mode: 'points', timezone: 'Asia/Kolkata' };
const ticksOf = (messages: readonly any[]) => messages.filter((m) => m.type === 'tick').map((m) => `${m.broker_account_id}|${m.exchange}:${m.symbol}`);

describe('price ticks of options on the WebSocket (issue 19)', () => {
  beforeEach(async () => {
    await h.close();
    h = await startApiHarness({ at: MONDAY_0900_IST });
  });

  it("carry the index until the contract is chosen, then the contract (the live premium), to its owner only: not another user's contract", async () => {
    const a = await h.register();
    const b = await h.register();
    const sa = await runningStrategy(a.token, 'NIFTY', NIFTY_CE);
    const sb = await runningStrategy(b.token, 'NIFTY', { ...NIFTY_CE, option_right: 'PE' });
    const wa = await h.openSocket({ token: a.token });
    const wb = await h.openSocket({ token: b.token });
    await wa.waitFor((m) => m.type === 'hello');
    await wb.waitFor((m) => m.type === 'hello');
    sa.paper.setPrice('NSE:NIFTY 50', 26_012);
    await wa.waitFor((m) => m.type === 'tick' && m.symbol === 'NIFTY 50');

    await h.advanceTo('2026-12-07T03:49:58Z'); // the warm-up's choice at 09:19:57.5 IST
    const ce = h.repos.runs.latestInternal(asStrategyId(sa.id))!.plan!.symbol;
    const pe = h.repos.runs.latestInternal(asStrategyId(sb.id))!.plan!.symbol;
    expect([ce, pe]).toEqual(['NIFTY26D0826000CE', 'NIFTY26D0826000PE']);
    const premium = await wa.waitFor((m) => m.type === 'tick' && m.symbol === ce);
    expect(premium).toMatchObject({ broker_account_id: sa.account, exchange: 'NFO', price: sa.paper.data.priceOf('NFO', ce) });
    await wb.waitFor((m) => m.type === 'tick' && m.symbol === pe);
    // The index is no longer watched once the contract is: no more of its ticks.
    sa.paper.setPrice('NSE:NIFTY 50', 26_100);
    await h.advanceTo('2026-12-07T03:49:59Z');
    expect(wa.messages.filter((m) => m.type === 'tick' && m.price === 26_100)).toEqual([]);
    expect(new Set(ticksOf(wa.messages))).toEqual(new Set([`${sa.account}|NSE:NIFTY 50`, `${sa.account}|NFO:${ce}`]));
    expect(new Set(ticksOf(wb.messages))).toEqual(new Set([`${sb.account}|NSE:NIFTY 50`, `${sb.account}|NFO:${pe}`]));
  });

  it("carry every position's contract of a group, and stop with the strategy", async () => {
    const a = await h.register();
    const { option_right: _r, ...index } = NIFTY_CE;
    const positions = [
      { side: 'sell', option_right: 'CE' },
      { side: 'sell', option_right: 'PE' },
    ];
    const sa = await runningStrategy(a.token, 'NIFTY', { ...index, positions });
    const ws = await h.openSocket({ token: a.token });
    await ws.waitFor((m) => m.type === 'hello');

    await h.advanceTo('2026-12-07T03:49:58Z');
    const contracts = h.repos.runs.latestGroupInternal(asStrategyId(sa.id)).map((r) => r.plan!.symbol);
    expect(contracts).toEqual(['NIFTY26D0826000CE', 'NIFTY26D0826000PE']);
    for (const symbol of contracts) await ws.waitFor((m) => m.type === 'tick' && m.symbol === symbol && m.broker_account_id === sa.account);

    expect((await h.call('POST', '/strategy/stop', { token: a.token, body: { strategy_id: sa.id } })).status).toBe(200);
    await ws.waitFor((m) => m.type === 'strategy_stopped');
    const seen = ws.messages.length;
    await h.advanceTo('2026-12-07T03:52:00Z'); // two of the contracts' minute ticks later
    expect(ws.messages.slice(seen).filter((m) => m.type === 'tick')).toEqual([]);
  });
});

describe('POST /strategy/stop-all', () => {
  it("stops every running strategy of the caller and none of another user's", async () => {
    const a = await h.register();
    const b = await h.register();
    const a1 = await runningStrategy(a.token, 'AAPL');
    const a2 = await runningStrategy(a.token, 'MSFT');
    const b1 = await runningStrategy(b.token, 'IBM');
    const res = await h.call('POST', '/strategy/stop-all', { token: b.token, body: {} });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ stopped: [b1.id] });
    for (const s of [a1, a2]) expect((await h.call('GET', `/strategy/${s.id}`, { token: a.token })).body.status).toBe('running');
    const all = await h.call('POST', '/strategy/stop-all', { token: a.token, body: { close_positions: true } });
    expect(all.body.stopped.sort()).toEqual([a1.id, a2.id].sort());
    expect((await h.call('POST', '/strategy/stop-all', { token: a.token, body: { close_positions: 'yes' } })).body.error.fields).toEqual([
      { field: 'close_positions', message: 'close_positions must be true or false' },
    ]);
  });
});
