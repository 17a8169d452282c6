/**
 * The backstop at Binance when the account endpoint lags our own stop's cancel (issue 22 slice 5,
 * "the stale balance"): the fake keeps showing the cancelled STOP_LOSS's 0.00149 BTC as `locked`,
 * not `free`, for 2 s of its clock (staleBalanceAfterCancelMs: our model of CCXT #8507 and
 * Freqtrade's reports, SOURCES.md), while its matching engine already sells it. The exit sells the
 * cancelled stop's quantity, and a trailing move rests its next version for it, whatever the
 * balance says meanwhile. The real engine and CCXT adapter against the loopback fake; Sunday
 * 2026-12-06, UTC: BUY 03:00 (0.0015 BTC, 0.0014985 held after the fee), SELL 03:01, stop 55 000.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Strategy } from '../../engine/core/types';
import { startCcxtTestEngine, type CcxtTestEngine } from '../fakes/binance/ccxt-engine-harness';
import { eventually } from '../fakes/alpaca/eventually';

let t: CcxtTestEngine | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const at = (iso: string) => Date.parse(iso);
const STALE_MS = 2_000;
const backstop = (s: Strategy) => t!.repos.backstops.listByRunInternal(t!.run(s.id).id)[0];
/** Every order the venue took or refused: id prefix (tb: backstop, tc: entry or exit), type, side, quantity, outcome. */
const record = () => t!.fake.received().map((o) => [o.newClientOrderId?.slice(0, 2), o.type, o.side, o.quantity, o.outcome.split(' ')[0]]);
const stops = () => t!.fake.orders().filter((o) => o.type === 'STOP_LOSS');
/** What GET /api/v3/account shows of BTC now (the balance the engine reads), not the matching engine's. */
async function accountBtcFree(): Promise<number> {
  const btc = await t!.broker.instruments.resolve('BTC/USDT', 'CRYPTO');
  return t!.broker.execution.netQty(btc!);
}

/**
 * Checks every write of the leg's backstop row, as it is made: a row journaled resting names a stop
 * the venue holds open. What it found wrong is in the returned list.
 */
function watchRows(): string[] {
  const wrong: string[] = [];
  const rows = t!.repos.backstops;
  const update = rows.update.bind(rows);
  rows.update = (...args: Parameters<typeof update>) => {
    const row = update(...args);
    const open = stops().find((o) => o.clientOrderId === row.clientOrderId && o.status !== 'CANCELED');
    if (row.state === 'resting' && !open) wrong.push(`v${row.version} ${row.clientOrderId}`);
    return row;
  };
  return wrong;
}

async function inPosition(body: Record<string, unknown> = {}): Promise<Strategy> {
  t = await startCcxtTestEngine({ at: '2026-12-06T02:59:50Z', fake: { staleBalanceAfterCancelMs: STALE_MS } });
  // Left out: Binance's default, a backstop (CCXT_BACKSTOP_BY_DEFAULT).
  const s = await t.create(body);
  expect(s.spec.backstop ?? null).toBeNull();
  await t.start(s.id);
  await eventually(() => t!.fake.streamSubscriptions().flat().includes('btcusdt@trade') && t!.fake.userDataSubscriptions() === 1, { what: 'the trade stream and the user stream' });
  await t.clock.advanceTo(at('2026-12-06T03:00:00Z'));
  await eventually(() => backstop(s)?.state === 'resting', { what: 'the backstop resting', timeoutMs: 10_000 });
  expect(stops()).toEqual([expect.objectContaining({ origQty: '0.00149000', stopPrice: '55000.00000000', status: 'NEW' })]);
  return s;
}

describe('the backstop at Binance while the balance lags its cancel by 2 s', () => {
  it('the SELL cancels the stop and sells its 0.00149 though the balance still shows it locked: SOLD, only the fee\'s 0.00001 unsold', async () => {
    const s = await inPosition();
    // The engine's clock stays at the SELL time: the whole exit happens inside the stale window.
    await t!.clock.advanceTo(at('2026-12-06T03:01:00Z'));
    await eventually(() => ['SOLD', 'ERROR'].includes(t!.run(s.id).state), { what: 'the SELL settled', timeoutMs: 10_000 });
    await t!.engine.idle();
    expect(stops()).toEqual([expect.objectContaining({ status: 'CANCELED', executedQty: '0.00000000' })]);
    // What the exit read right after the cancel: nothing free.
    expect(await accountBtcFree()).toBe(0);
    expect(t!.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0, unsoldQty: 0.00001, exitLeg: 'SELL' });
    expect(record()).toEqual([
      ['tc', 'MARKET', 'BUY', '0.0015', 'placed'],
      ['tb', 'STOP_LOSS', 'SELL', '0.00149', 'placed'],
      ['tc', 'MARKET', 'SELL', '0.00149', 'placed'],
    ]);
    expect(t!.fake.balance('BTC')).toEqual({ free: '0.00000850', locked: '0.00000000' });
  });

  it('a trailing move cancels v1 and rests v2 for v1\'s 0.00149, not for the ~0 the balance shows; the row never says resting for a cancelled version', async () => {
    const s = await inPosition({ trail: 5000 });
    const restingCancelled = watchRows();
    const look = () => backstop(s)!;
    await t!.clock.advance(1_000);
    t!.fake.setPrice('BTCUSDT', '60600');
    // No clock steps: the cancel and the next version happen inside the stale window.
    await eventually(() => t!.fake.requests().some((r) => r.method === 'DELETE') && look().state !== 'modifying', { what: 'the move settled', timeoutMs: 10_000 });
    expect(look()).toMatchObject({ state: 'resting', version: 2, triggerPrice: 55_600, qty: 0.00149 });
    expect(stops().map((o) => [o.stopPrice, o.origQty, o.status])).toEqual([
      ['55000.00000000', '0.00149000', 'CANCELED'],
      ['55600.00000000', '0.00149000', 'NEW'],
    ]);
    expect(t!.eventsOf('backstop_moved')).toEqual([expect.objectContaining({ from: 55_000, to: 55_600 })]);
    expect(restingCancelled).toEqual([]);

    // v2 cancelled at the SELL time, the balance stale again: the SELL sells v2's 0.00149.
    await t!.clock.advanceTo(at('2026-12-06T03:01:00Z'));
    await eventually(() => ['SOLD', 'ERROR'].includes(look().state === 'cancelled' ? t!.run(s.id).state : ''), { what: 'the SELL settled', timeoutMs: 10_000 });
    expect(restingCancelled).toEqual([]);
    expect(t!.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0, unsoldQty: 0.00001 });
    expect(record().slice(-1)).toEqual([['tc', 'MARKET', 'SELL', '0.00149', 'placed']]);
  });

  it('a trailing move whose next version is refused (the price through the new trigger) journals v1 cancelled, as it is at the venue, never resting', async () => {
    const s = await inPosition({ trail: 5000 });
    const restingCancelled = watchRows();
    t!.fake.injectFault({ route: 'POST /api/v3/order', fault: { kind: 'error', status: 400, code: -2010, msg: 'Order would trigger immediately.' }, times: 1 });
    await t!.clock.advance(1_000);
    t!.fake.setPrice('BTCUSDT', '60600');
    await eventually(() => t!.fake.requests().some((r) => r.method === 'DELETE') && backstop(s)!.state !== 'modifying', { what: 'the move settled', timeoutMs: 10_000 });
    expect(backstop(s)).toMatchObject({ state: 'cancelled', version: 1, reason: expect.stringContaining('Order would trigger immediately.') });
    expect(stops().map((o) => [o.stopPrice, o.status])).toEqual([['55000.00000000', 'CANCELED']]);
    expect(restingCancelled).toEqual([]);
  });
});
