/**
 * A strategy whose stored definition (its spec) no longer parses, damaged here by SQL as a disk or
 * a hand could: every route that reads it answers 409 naming it, saying it is damaged and how to
 * restore a backup, with no stack and nothing of the row; the list shows it apart as damaged; and
 * STOP still works, selling its open position by the run's own plan.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { asStrategyId } from '../../engine/core/ids';
import { startApiHarness, type ApiHarness } from '../support/api-harness';

let h: ApiHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

/** Damages the stored spec of `id` the way upgrade-recovery does: it is JSON, but fails its own rules. */
const damage = (id: number) => h!.db.sqlite.prepare(`UPDATE strategies SET spec = json_set(spec, '$.stop_loss', -1) WHERE id = ?`).run(id);

async function setUp() {
  h = await startApiHarness();
  const { token } = await h.register();
  const account = await h.connectPaper(token);
  const id = (await h.createStrategy(token, account)).body.id as number;
  const other = (await h.createStrategy(token, account, { symbol: 'MSFT' })).body.id as number;
  return { h, token, account, id, other };
}

/** The 409 a damaged strategy answers with, checked whole. */
function expectDamaged(res: { status: number; body: any; text: string }, id: number): void {
  expect(res.status).toBe(409);
  expect(res.body).toEqual({ error: { code: 'conflict', message: expect.stringMatching(new RegExp(`^strategy #${id}: its stored definition is damaged \\(stop_loss must be greater than 0\\), .*STOP still works\\. Restore a backup: .*restore-backup\\.ts`)) } });
  expect(res.text).not.toMatch(/at .*\.ts:\d+|UnreadableStrategy|SELECT|password|token/i);
}

describe('a strategy whose stored definition is damaged', () => {
  it('every read, edit, start and delete answers 409 naming it and saying how to restore; the list shows it as damaged', async () => {
    const { h, token, account, id, other } = await setUp();
    damage(id);
    for (const [method, path, body] of [
      ['GET', `/strategy/${id}`],
      ['PATCH', `/strategy/${id}`, { qty: 3 }],
      ['DELETE', `/strategy/${id}`],
      ['POST', '/strategy/start', { strategy_id: id }],
      ['GET', `/strategy/${id}/bars`],
      ['GET', `/strategy/${id}/orders`],
      ['GET', `/runs?strategy_id=${id}`],
      ['GET', `/events?strategy_id=${id}`],
    ] as const) {
      expectDamaged(await h.call(method, path, { token, ...(body ? { body } : {}) }), id);
    }
    const list = await h.call('GET', '/strategy', { token });
    expect(list.status).toBe(200);
    expect(list.body.strategies.map((s: { id: number }) => s.id)).toEqual([other]);
    expect(list.body.damaged).toEqual([
      { id, broker_account_id: account, symbol: 'AAPL', exchange: 'NYSE', status: 'idle', damaged: expect.stringMatching(`^strategy #${id}: its stored definition is damaged`), stoppable: false },
    ]);
    // Idle and holding nothing: there is nothing to stop.
    expect((await h.call('POST', '/strategy/stop', { token, body: { strategy_id: id } })).body.error.code).toBe('conflict');
    // Another user learns nothing of it: not found, as for any strategy not theirs.
    const stranger = (await h.register('stranger@example.com')).token;
    expect((await h.call('GET', `/strategy/${id}`, { token: stranger })).body.error.code).toBe('not_found');
    expect((await h.call('GET', '/strategy', { token: stranger })).body).toEqual({ strategies: [], damaged: [] });
    // The other strategy is untouched.
    expect((await h.call('GET', `/strategy/${other}`, { token })).status).toBe(200);
  });

  it('STOP still stops it and sells its open position by the run plan', async () => {
    const { h, token, account, id } = await setUp();
    expect((await h.call('POST', '/strategy/start', { token, body: { strategy_id: id } })).status).toBe(200);
    await h.advanceTo('2026-03-09T13:06:00Z');
    damage(id);
    expect((await h.call('GET', '/strategy', { token })).body.damaged).toEqual([expect.objectContaining({ id, status: 'running', stoppable: true })]);

    const stopped = await h.call('POST', '/strategy/stop', { token, body: { strategy_id: id } });
    expect(stopped.status).toBe(200);
    expect(stopped.body).toEqual({ id, broker_account_id: account, symbol: 'AAPL', exchange: 'NYSE', status: 'stopped', damaged: expect.stringContaining('damaged'), stoppable: true });
    await h.advanceTo('2026-03-09T13:06:01Z');
    const sid = asStrategyId(id);
    const orders = h.repos.orders.list(h.repos.strategies.identityInternal(sid)!.userId, sid).map((o) => [o.leg, o.symbol, o.qty, o.status]);
    expect(orders).toEqual([
      ['BUY', 'AAPL', 10, 'filled'],
      ['MANUAL_EXIT', 'AAPL', 10, 'filled'],
    ]);
    expect(h.repos.runs.latestInternal(sid)).toMatchObject({ positionQty: 0 });
    expect((await h.call('GET', '/strategy', { token })).body.damaged).toEqual([expect.objectContaining({ id, status: 'stopped', stoppable: false })]);
  });

  it('the kill switch stops it too, selling its position', async () => {
    const { h, token, id, other } = await setUp();
    for (const s of [id, other]) expect((await h.call('POST', '/strategy/start', { token, body: { strategy_id: s } })).status).toBe(200);
    await h.advanceTo('2026-03-09T13:06:00Z');
    damage(id);
    const killed = await h.call('POST', '/strategy/stop-all', { token, body: {} });
    expect(killed.status).toBe(200);
    expect([...killed.body.stopped].sort()).toEqual([id, other].sort());
    await h.advanceTo('2026-03-09T13:06:01Z');
    expect(h.repos.runs.latestInternal(asStrategyId(id))).toMatchObject({ positionQty: 0, exitLeg: 'MANUAL_EXIT' });
  });
});
