/**
 * Issue 19's options exit chase at Kite with the real engine (real SQLite, the reconciler, the
 * run policy) over the loopback fake: a chase that gives up cancels its order and the engine
 * places a new attempt under a new tag; a restart hands a resting exit back to the chase through
 * the reconciler's own lookup (trackUnresolved → lookupOrder); a cancel no process remembers (a
 * crash between the chase's DELETE and its report) takes the run to ERROR, which notifies.
 * Monday 2026-12-07: short NIFTY 26000 CE at 09:20 IST (03:50Z), SELL (the buy-back) at 09:30 IST
 * (04:00Z). The fake fills nothing on its own: a resting LIMIT fills when a price crosses it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Strategy } from '../../engine/core/types';
import { parseClientOrderId } from '../../engine/core/ids';
import { notificationFor } from '../../engine/notify/policy';
import { startKiteFake, type KiteFake } from '../fakes/kite/kite-fake';
import { startKiteEngine, type KiteTestEngine } from '../fakes/kite/kite-engine-harness';
import { DEFAULT_INSTRUMENTS } from '../fakes/kite/fake-instruments';
import { fakeOptionChain } from '../fakes/kite/fake-option-chain';
import { waitFor } from '../fakes/kite/wait-for';

const CE = 'NIFTY26D0826000CE';
const DAY = '2026-12-07';
const SHORT_CE = { symbol: 'NIFTY', exchange: 'NFO', qty: 1, buy_time: '09:20:00', sell_time: '09:30:00', stop_loss: 40, stop_loss_mode: 'points', backstop: false, side: 'sell', option_right: 'CE' };

let fake: KiteFake | undefined;
const engines: KiteTestEngine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0).reverse()) await e.close();
  await fake?.close();
  fake = undefined;
});

async function engine(at: string, kiteOptions: Record<string, unknown> = {}, reuse?: KiteTestEngine): Promise<KiteTestEngine> {
  const t = await startKiteEngine({
    fake: fake!,
    at,
    kiteOptions: { stale_after_ms: 60_000, exit_reprice_after_ms: 2_000, ...kiteOptions },
    stalePrice: { staleAfterMs: 30 * 60_000 },
    ...(reuse ? { reuse: { repos: reuse.repos, user: reuse.user, account: reuse.account, closeDb: () => {} } } : {}),
  });
  engines.push(t);
  return t;
}

/** The short CE held (its entry filled at 100), the engine at 09:29:50 IST. */
async function shortHeld(kiteOptions: Record<string, unknown> = {}): Promise<{ t: KiteTestEngine; s: Strategy }> {
  fake = await startKiteFake({
    instruments: [...DEFAULT_INSTRUMENTS, ...fakeOptionChain({ today: DAY, holidays: [] })],
    prices: { 'NIFTY 50': 26_012, [CE]: 100 },
    heartbeatMs: 10,
    fillAfterMs: null,
    now: () => engines.at(-1)?.clock.now() ?? Date.now(),
  });
  const t = await engine('2026-12-07T03:49:00Z', kiteOptions);
  const s = await t.create(SHORT_CE);
  await t.start(s.id);
  await t.drive('2026-12-07T03:50:02Z', 500);
  await waitFor('the entry at Kite', () => fake!.orders().length === 1);
  fake!.fill(fake!.orders()[0]!.order_id, 100);
  await t.drive('2026-12-07T03:50:10Z', 500);
  await waitFor('the short held', () => run(t, s).state === 'IN_POSITION');
  await t.drive('2026-12-07T03:59:50Z', 10_000);
  return { t, s };
}

const run = (t: KiteTestEngine, s: Strategy) => t.repos.runs.groupInternal(s.id, DAY)[0]!;
const buys = () => fake!.orders().filter((o) => o.transaction_type === 'BUY');
const puts = () => fake!.requests().filter((r) => r.method === 'PUT');

/** The buy-back placed at 09:30 and left resting by a premium that ran to 120. */
async function exitResting(t: KiteTestEngine): Promise<string> {
  await t.drive('2026-12-07T04:00:01Z', 500);
  await waitFor('the buy-back at Kite', () => buys().length === 1);
  expect(buys()[0]).toMatchObject({ order_type: 'LIMIT', price: 105, status: 'OPEN' });
  fake!.setPrice(CE, 120);
  return buys()[0]!.tag!;
}

async function driveUntil(t: KiteTestEngine, what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 8_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out driving the engine until ${what}`);
    await t.clock.advance(500);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the options exit chase with the engine', () => {
  it('a chase that spends its modifications cancels the order, and the engine places attempt 2 under a new tag, telling the trader', async () => {
    const { t, s } = await shortHeld({ exit_max_modifications: 1 });
    const firstTag = await exitResting(t);
    await driveUntil(t, 'the one re-price', () => puts().length === 1);
    fake!.setPrice(CE, 135); // past 132, below the stop (140)
    await driveUntil(t, 'attempt 2 at Kite', () => buys().length === 2);
    const [first, second] = buys();
    expect(first).toMatchObject({ status: 'CANCELLED', filled_quantity: 0, tag: firstTag });
    expect(second!.tag).not.toBe(firstTag);
    expect(parseClientOrderId(second!.tag!)).toMatchObject({ slot: 'exit' });
    expect(second).toMatchObject({ order_type: 'LIMIT', status: 'OPEN', quantity: 65 });
    const retry = t.eventsOf('exit_retry_scheduled');
    expect(retry).toHaveLength(1);
    expect(retry[0]!.reason).toMatch(/^Tradeclock cancelled the exit at Kite: unfilled after 1 re-prices/);
    expect(notificationFor(retry[0]!, () => ({ symbol: CE, side: 'sell' }))).toMatchObject({ urgency: 'critical', topic: 'errors' });

    fake!.setPrice(CE, 136);
    await driveUntil(t, 'the run closed', () => run(t, s).state === 'SOLD');
    expect(buys().map((o) => o.status)).toEqual(['CANCELLED', 'COMPLETE']);
  });

  it('a partial fill (25 of 65), then the give-up cancel: attempt 2 buys back the 40 left and the run ends SOLD', async () => {
    const { t, s } = await shortHeld({ exit_max_modifications: 1 });
    await exitResting(t);
    await driveUntil(t, 'the one re-price', () => puts().length === 1);
    fake!.fillPart(buys()[0]!.order_id, 25, 131);
    fake!.setPrice(CE, 135); // the rest (40) left behind, below the stop (140)
    await driveUntil(t, 'attempt 2 at Kite', () => buys().length === 2);
    const [first, second] = buys();
    expect(first).toMatchObject({ status: 'CANCELLED', quantity: 65, filled_quantity: 25 });
    expect(second).toMatchObject({ order_type: 'LIMIT', status: 'OPEN', quantity: 40 });
    fake!.setPrice(CE, 136);
    await driveUntil(t, 'the run closed', () => run(t, s).state === 'SOLD');
    expect(buys().map((o) => [o.status, o.filled_quantity])).toEqual([['CANCELLED', 25], ['COMPLETE', 40]]);
    expect(fake!.positions().net.find((p) => p.tradingsymbol === CE)).toMatchObject({ quantity: 0 });
  });

  it('after a restart the reconciler\'s lookup hands the resting exit back to the chase: re-priced, no second order', async () => {
    const { t: dead, s } = await shortHeld();
    await exitResting(dead);
    await waitFor('the exit accepted in the journal', () => dead.orders(s.id).some((o) => o.leg === 'SELL' && o.status === 'accepted'));
    await dead.kill();
    fake!.setPrice(CE, 125);

    const t = await engine(new Date(dead.clock.now() + 1_000).toISOString(), {}, dead);
    await t.engine.recover();
    await driveUntil(t, 'the re-price by the new process', () => puts().length === 1);
    // 125 + 2 × 5% = 137.5 (its step after a restart is not known: the next crosses by two buffers).
    expect(puts()[0]!.form.get('price')).toBe('137.5');
    fake!.setPrice(CE, 130);
    await driveUntil(t, 'the run closed', () => run(t, s).state === 'SOLD');
    expect(buys()).toHaveLength(1);
  });

  it('a cancel no process remembers (a crash between the DELETE and its report) takes the run to ERROR, which notifies', async () => {
    const { t: dead, s } = await shortHeld();
    const tag = await exitResting(dead);
    await waitFor('the exit accepted in the journal', () => dead.orders(s.id).some((o) => o.leg === 'SELL' && o.status === 'accepted'));
    await dead.kill();
    // The dead process's DELETE went through; its report never reached the journal.
    const res = await fetch(`${fake!.options().rest_url}/orders/regular/${buys()[0]!.order_id}`, { method: 'DELETE', headers: { 'X-Kite-Version': '3', Authorization: `token ${fake!.credentials().api_key}:${fake!.credentials().access_token}` } });
    expect(res.status).toBe(200);

    const t = await engine(new Date(dead.clock.now() + 1_000).toISOString(), {}, dead);
    await t.engine.recover();
    await driveUntil(t, 'the run in ERROR', () => run(t, s).state === 'ERROR');
    const error = t.eventsOf('run_state_changed').find((e) => e.to === 'ERROR')!;
    expect(error.reason).toMatch(/cancelled at the broker with nothing bought back/);
    expect(notificationFor(error, () => ({ symbol: CE, side: 'sell' }))).toMatchObject({ urgency: 'critical' });
    expect(buys().map((o) => [o.tag, o.status])).toEqual([[tag, 'CANCELLED']]);
  });
});
