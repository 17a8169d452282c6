/**
 * Invariant 8 through the real HTTP API: an exit sells what the BUY bought, where it bought it.
 *
 * Two paper accounts (A and B) for one trader; each strategy buys AAPL on A. Once the BUY is at
 * the broker, the API refuses to edit or delete the strategy (409, naming why), even after STOP
 * while the BUY is still working. To test the exit path itself regardless of that gate, the
 * strategy row is then rewritten directly (`repos.strategies.update`, as an edit from before the
 * gate existed would have left it) to MSFT on account B, and every kind of exit is driven: the
 * SELL at its time, the stop-loss, a manual STOP, the kill switch and recovery after a restart.
 * The judge is each paper broker's own record of the orders it took: account A reads "buy AAPL,
 * sell AAPL" and account B reads nothing.
 *
 * Monday 2026-03-09, New York on EDT: 09:05 NY = 13:05Z (BUY), 09:10 NY = 13:10Z (SELL).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PAPER_OPTIONS, PASSWORD, startApiHarness, type ApiHarness } from '../support/api-harness';
import { asBrokerAccountId, asStrategyId, asUserId, clientOrderId } from '../../engine/core/ids';
import type { PaperBroker } from '../../engine/brokers/paper/paper-broker';

interface Desk {
  readonly h: ApiHarness;
  readonly token: string;
  readonly userId: number;
  /** The account the strategies buy on. */
  readonly a: number;
  /** The account a legacy edit points them at. */
  readonly b: number;
}

let desks: ApiHarness[] = [];
let dirs: string[] = [];
afterEach(async () => {
  for (const h of desks.splice(0)) await h.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A trader with paper accounts A (fills after `fillLatencyMs`) and B, over the API. */
async function openDesk(opts: { fillLatencyMs?: number; dbPath?: string } = {}): Promise<Desk> {
  const h = await startApiHarness({ at: '2026-03-09T13:00:00Z', ...(opts.dbPath ? { dbPath: opts.dbPath } : {}) });
  desks.push(h);
  const { token, userId } = await h.register('ana@example.com');
  const connect = async (label: string, options: Record<string, unknown>): Promise<number> => {
    const res = await h.call('POST', '/broker/connect', { token, body: { broker: 'paper', label, options } });
    expect(res.status).toBe(201);
    return res.body.id as number;
  };
  const a = await connect('Account A', { ...PAPER_OPTIONS, fillLatencyMs: opts.fillLatencyMs ?? 0 });
  const b = await connect('Account B', PAPER_OPTIONS);
  return { h, token, userId, a, b };
}

async function createAndStart(d: Desk, body: Record<string, unknown> = {}): Promise<number> {
  const created = await d.h.createStrategy(d.token, d.a, { symbol: 'AAPL', exchange: 'NYSE', qty: 10, buy_time: '09:05', sell_time: '09:10', stop_loss: 95, ...body });
  expect(created.status).toBe(201);
  const started = await d.h.call('POST', '/strategy/start', { token: d.token, body: { strategy_id: created.body.id } });
  expect(started.status).toBe(200);
  return created.body.id as number;
}

/** What the paper broker of `accountId` holds, in its own words (empty if never opened). */
function brokerRecord(h: ApiHarness, accountId: number): string[] {
  const broker = h.engine.brokers.peek(asBrokerAccountId(accountId)) as PaperBroker | undefined;
  return (broker?.placedOrders() ?? []).map((o) => `${o.request.side} ${o.request.instrument.exchange}:${o.request.instrument.symbol} x${o.request.qty} ${o.report.status}`);
}

function paperOf(h: ApiHarness, accountId: number): PaperBroker {
  const broker = h.engine.brokers.peek(asBrokerAccountId(accountId)) as PaperBroker | undefined;
  if (!broker) throw new Error(`account ${accountId} has no open broker`);
  return broker;
}

/** The edit an engine without the 409 would have let through: the row now says MSFT on B. */
function legacyEdit(d: Desk, id: number, to: { symbol: string; accountId: number } = { symbol: 'MSFT', accountId: d.b }): void {
  const { spec } = d.h.repos.strategies.getInternal(asStrategyId(id))!;
  const edited = d.h.repos.strategies.update(asUserId(d.userId), asStrategyId(id), { spec: { ...spec, symbol: to.symbol, broker_account_id: to.accountId } }, d.h.clock.now());
  expect(edited).toMatchObject({ symbol: to.symbol, brokerAccountId: to.accountId });
}

function runOf(d: Desk, id: number) {
  return d.h.repos.runs.latestInternal(asStrategyId(id))!;
}

async function journal(d: Desk, id: number): Promise<string[]> {
  const res = await d.h.call('GET', `/strategy/${id}/orders`, { token: d.token });
  expect(res.status).toBe(200);
  return res.body.orders.map((o: { leg: string; symbol: string; broker_account_id: number; qty: number; status: string }) => `${o.leg} ${o.symbol} @${o.broker_account_id === d.a ? 'A' : o.broker_account_id === d.b ? 'B' : o.broker_account_id} x${o.qty} ${o.status}`);
}

/** Moves the fake clock in steps, so fills due on the paper broker's timers are written between them. */
async function advanceTo(h: ApiHarness, iso: string): Promise<void> {
  const target = Date.parse(iso);
  while (h.clock.now() < target) await h.advanceTo(new Date(Math.min(target, h.clock.now() + 1_000)).toISOString());
  await h.advanceTo(iso);
}

/** The BUY filled on A (AAPL x10), the run IN_POSITION. */
async function inPosition(d: Desk, id: number): Promise<void> {
  await advanceTo(d.h, '2026-03-09T13:05:01Z');
  expect(runOf(d, id)).toMatchObject({ state: 'IN_POSITION', positionQty: 10 });
  expect(brokerRecord(d.h, d.a)).toEqual(['buy NYSE:AAPL x10 filled']);
}

const BOUGHT_AND_SOLD_ON_A = ['BUY AAPL @A x10 filled', expect.stringMatching(/^(SELL|STOPLOSS|MANUAL_EXIT) AAPL @A x10 filled$/)];

describe('an exit sells what the BUY bought, where it bought it (invariant 8, through the API)', () => {
  it('after STOP with the BUY still working, PATCH and DELETE get 409 naming why; a legacy edit does not move the exit', async () => {
    // Before today's change: StrategyService.update refused only `status === 'running'`; after STOP
    // the status is 'stopped', so this PATCH was 200 and wrote MSFT into the strategy, and
    // decide() built the MANUAL_EXIT that follows the fill from the strategy row: a sell of MSFT
    // (on B, after the account edit) while AAPL stayed held on A.
    const d = await openDesk({ fillLatencyMs: 120_000 });
    const id = await createAndStart(d);
    await advanceTo(d.h, '2026-03-09T13:05:00Z');
    expect(runOf(d, id).state).toBe('BUYING');
    expect(brokerRecord(d.h, d.a)).toEqual(['buy NYSE:AAPL x10 accepted']);

    const stop = await d.h.call('POST', '/strategy/stop', { token: d.token, body: { strategy_id: id } });
    expect(stop.status).toBe(200);
    expect(stop.body).toMatchObject({ status: 'stopped', runtime: { state: 'BUYING' } });

    for (const body of [{ symbol: 'MSFT' }, { broker_account_id: d.b }, { qty: 3 }]) {
      const patch = await d.h.call('PATCH', `/strategy/${id}`, { token: d.token, body });
      expect(patch.status).toBe(409);
      expect(patch.body.error).toMatchObject({ code: 'conflict', message: expect.stringMatching(/cannot be edited while its last run is BUYING/) });
    }
    const del = await d.h.call('DELETE', `/strategy/${id}`, { token: d.token });
    expect(del.status).toBe(409);
    expect(del.body.error.message).toMatch(/cannot be deleted while its last run is BUYING/);
    expect((await d.h.call('GET', `/strategy/${id}`, { token: d.token })).body).toMatchObject({ symbol: 'AAPL', broker_account_id: d.a, qty: 10 });

    legacyEdit(d, id);
    // The BUY fills at 13:07; the STOP asked for the position to be sold at once; that sell fills at 13:09.
    await advanceTo(d.h, '2026-03-09T13:09:30Z');
    expect(runOf(d, id)).toMatchObject({ state: 'STOPPED', positionQty: 0, exitLeg: 'MANUAL_EXIT' });
    expect(brokerRecord(d.h, d.a)).toEqual(['buy NYSE:AAPL x10 filled', 'sell NYSE:AAPL x10 filled']);
    expect(brokerRecord(d.h, d.b)).toEqual([]);
    expect(await journal(d, id)).toEqual(['BUY AAPL @A x10 filled', 'MANUAL_EXIT AAPL @A x10 filled']);

    // The run is over: the same edit is accepted now (the 409 was about the unfinished run).
    const later = await d.h.call('PATCH', `/strategy/${id}`, { token: d.token, body: { qty: 3 } });
    expect(later.status).toBe(200);
  });

  it('SELL at its time: sells AAPL on A after the row was rewritten to MSFT on B', async () => {
    // Before: decide() took account, symbol and exchange of every exit from the strategy row, so
    // the SELL at 09:10 went to B for MSFT, and the AAPL bought on A stayed open.
    const d = await openDesk();
    const id = await createAndStart(d);
    await inPosition(d, id);
    expect((await d.h.call('PATCH', `/strategy/${id}`, { token: d.token, body: { symbol: 'MSFT' } })).status).toBe(409);
    legacyEdit(d, id);

    await advanceTo(d.h, '2026-03-09T13:10:01Z');
    expect(runOf(d, id)).toMatchObject({ state: 'SOLD', positionQty: 0, exitLeg: 'SELL' });
    expect(brokerRecord(d.h, d.a)).toEqual(['buy NYSE:AAPL x10 filled', 'sell NYSE:AAPL x10 filled']);
    expect(brokerRecord(d.h, d.b)).toEqual([]);
    expect(await journal(d, id)).toEqual(BOUGHT_AND_SOLD_ON_A);
  });

  it('stop-loss: a tick of AAPL on A at the stop sells AAPL on A', async () => {
    // Before: the stop was armed on AAPL at the fill (the row still said AAPL then), so the tick
    // fired it, but decide() built the STOPLOSS from the row: a sell of MSFT on B.
    const d = await openDesk();
    const id = await createAndStart(d);
    await inPosition(d, id);
    legacyEdit(d, id);

    paperOf(d.h, d.a).setPrice('NYSE:AAPL', 94);
    await advanceTo(d.h, '2026-03-09T13:05:05Z');
    expect(runOf(d, id)).toMatchObject({ state: 'EXITED_BY_SL', positionQty: 0, exitLeg: 'STOPLOSS', exitPrice: 94 });
    expect(brokerRecord(d.h, d.a)).toEqual(['buy NYSE:AAPL x10 filled', 'sell NYSE:AAPL x10 filled']);
    expect(brokerRecord(d.h, d.b)).toEqual([]);
    expect(await journal(d, id)).toEqual(['BUY AAPL @A x10 filled', 'STOPLOSS AAPL @A x10 filled']);
    // And the SELL time passes without a second exit.
    await advanceTo(d.h, '2026-03-09T13:11:00Z');
    expect(brokerRecord(d.h, d.a)).toHaveLength(2);
  });

  it('manual STOP (POST /strategy/stop) sells AAPL on A', async () => {
    // Before: the MANUAL_EXIT was built from the row: a sell of MSFT on B.
    const d = await openDesk();
    const id = await createAndStart(d);
    await inPosition(d, id);
    legacyEdit(d, id);

    const stop = await d.h.call('POST', '/strategy/stop', { token: d.token, body: { strategy_id: id } });
    expect(stop.status).toBe(200);
    await advanceTo(d.h, '2026-03-09T13:05:05Z');
    expect(runOf(d, id)).toMatchObject({ state: 'STOPPED', positionQty: 0, exitLeg: 'MANUAL_EXIT' });
    expect(brokerRecord(d.h, d.a)).toEqual(['buy NYSE:AAPL x10 filled', 'sell NYSE:AAPL x10 filled']);
    expect(brokerRecord(d.h, d.b)).toEqual([]);
    expect(await journal(d, id)).toEqual(['BUY AAPL @A x10 filled', 'MANUAL_EXIT AAPL @A x10 filled']);
  });

  it('kill switch (POST /strategy/stop-all) sells each position where it was bought, two strategies crossed over', async () => {
    // Before: both MANUAL_EXITs were built from the rows: MSFT sold on B and IBM sold on A, with
    // AAPL on A and SPY on B left open.
    const d = await openDesk();
    const first = await createAndStart(d);
    const created = await d.h.createStrategy(d.token, d.b, { symbol: 'SPY', exchange: 'NYSE', qty: 4, buy_time: '09:05', sell_time: '09:10', stop_loss: 95 });
    const second = created.body.id as number;
    expect((await d.h.call('POST', '/strategy/start', { token: d.token, body: { strategy_id: second } })).status).toBe(200);
    await inPosition(d, first);
    expect(runOf(d, second)).toMatchObject({ state: 'IN_POSITION', positionQty: 4 });
    legacyEdit(d, first, { symbol: 'MSFT', accountId: d.b });
    legacyEdit(d, second, { symbol: 'IBM', accountId: d.a });

    const kill = await d.h.call('POST', '/strategy/stop-all', { token: d.token, body: {} });
    expect(kill.status).toBe(200);
    expect([...kill.body.stopped].sort()).toEqual([first, second].sort());
    await advanceTo(d.h, '2026-03-09T13:05:05Z');
    expect(runOf(d, first)).toMatchObject({ state: 'STOPPED', positionQty: 0 });
    expect(runOf(d, second)).toMatchObject({ state: 'STOPPED', positionQty: 0 });
    expect(brokerRecord(d.h, d.a)).toEqual(['buy NYSE:AAPL x10 filled', 'sell NYSE:AAPL x10 filled']);
    expect(brokerRecord(d.h, d.b)).toEqual(['buy NYSE:SPY x4 filled', 'sell NYSE:SPY x4 filled']);
  });

  it('recovery after a restart past the SELL time sells AAPL on A at once', async () => {
    // Before: recovery armed the stop and the prices on the row's instrument (MSFT on B) and the
    // SELL that recovery sends at once was built from the row: a sell of MSFT on B.
    const dir = mkdtempSync(join(tmpdir(), 'tc-exit-integrity-'));
    dirs.push(dir);
    const dbPath = join(dir, 'tradeclock.db');
    const d = await openDesk({ dbPath });
    const id = await createAndStart(d);
    await inPosition(d, id);
    legacyEdit(d, id);
    const before = { a: brokerRecord(d.h, d.a), b: brokerRecord(d.h, d.b) };
    await d.h.close();
    desks = desks.filter((x) => x !== d.h);

    // The process is gone through the SELL time; a new one starts at 09:20 on the same database.
    const h2 = await startApiHarness({ at: '2026-03-09T13:20:00Z', dbPath });
    desks.push(h2);
    const login = await h2.call('POST', '/auth/login', { body: { email: 'ana@example.com', password: PASSWORD } });
    expect(login.status).toBe(200);
    const d2: Desk = { ...d, h: h2, token: login.body.token };
    const report = await h2.engine.recover();
    expect(report).toMatchObject({ runsResumed: 1, failures: 0 });
    await advanceTo(h2, '2026-03-09T13:20:05Z');

    expect(runOf(d2, id)).toMatchObject({ state: 'SOLD', positionQty: 0, exitLeg: 'SELL' });
    expect(before).toEqual({ a: ['buy NYSE:AAPL x10 filled'], b: [] });
    expect(brokerRecord(h2, d.a)).toEqual(['sell NYSE:AAPL x10 filled']);
    expect(brokerRecord(h2, d.b)).toEqual([]);
    const orders = h2.repos.orders.list(asUserId(d.userId), asStrategyId(id));
    expect(orders.map((o) => [o.leg, o.symbol, o.brokerAccountId, o.qty, o.status, o.clientOrderId])).toEqual([
      ['BUY', 'AAPL', d.a, 10, 'filled', clientOrderId('test01', asStrategyId(id), '2026-03-09', 'entry')],
      ['SELL', 'AAPL', d.a, 10, 'filled', clientOrderId('test01', asStrategyId(id), '2026-03-09', 'exit')],
    ]);
  });
});
