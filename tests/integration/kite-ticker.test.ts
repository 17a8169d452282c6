/**
 * The Kite ticker end to end against the fake's real WebSocket and real binary frames: modes,
 * index and currency packets, heartbeats, a garbage frame, drops and stalls with reconnect and
 * resubscribe (timers on a FakeClock), 403 on a bad token, and order updates as text frames.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../engine/core/fake-clock';
import type { FeedState } from '../../engine/core/events';
import type { Tick } from '../../engine/core/types';
import type { Instrument, OrderReport } from '../../engine/brokers/broker';
import { createKiteBroker, exchangeRequestToken, type KiteBroker, type KiteTickerNotice } from '../../engine/brokers/kite';
import { startKiteFake, type KiteFake } from '../fakes/kite/kite-fake';
import { waitFor } from '../fakes/kite/wait-for';

let fake: KiteFake;
let clock: FakeClock;
let kite: KiteBroker;
let ticks: Tick[];
let states: Array<[FeedState, string | null]>;
let notices: KiteTickerNotice[];
let reports: OrderReport[];

async function setup(options: Record<string, unknown> = {}): Promise<void> {
  fake = await startKiteFake({ prices: { INFY: 100, 'NIFTY 50': 22500, USDINR26MARFUT: 83.2525 }, heartbeatMs: 20 });
  clock = new FakeClock(Date.parse('2026-03-09T04:00:00Z'));
  kite = createKiteBroker({ clock, credentials: fake.credentials(), options: { ...fake.options(), ...options }, random: () => 0.5 });
  ticks = [];
  states = [];
  notices = [];
  reports = [];
  kite.data.onTick((t) => ticks.push(t));
  kite.data.onFeedState((s, d) => states.push([s, d]));
  kite.onNotice((n) => notices.push(n));
  kite.execution.onOrderUpdate((r) => reports.push(r));
  await kite.start();
  await waitFor('the feed to come up', () => lastState() === 'up');
}

const lastState = () => states.at(-1)?.[0];
const infy = async () => (await kite.instruments.resolve('INFY', 'NSE'))!;
const byHand = (symbol: string, token: number): Instrument => ({ symbol, exchange: 'NSE', brokerRef: String(token), tickSize: 0.0025, shortable: null });

afterEach(async () => {
  await kite?.stop();
  await fake?.close();
});

describe('subscriptions and modes', () => {
  it('subscribes in ltp mode by default: the first tick is Kite\'s quote snapshot, then ltp packets', async () => {
    await setup();
    kite.data.subscribe([await infy()]);
    await waitFor('the snapshot tick', () => ticks.length === 1);
    expect(ticks[0]).toEqual({ symbol: 'INFY', exchange: 'NSE', price: 100, at: clock.now() });
    expect(fake.ticker.received).toEqual([{ a: 'subscribe', v: [408065] }, { a: 'mode', v: ['ltp', [408065]] }]);
    await waitFor('the mode to apply', () => fake.ticker.connections()[0]?.tokens[408065] === 'ltp');
    expect(fake.setPrice('INFY', 101.55)).toBe(1);
    await waitFor('the ltp tick', () => ticks.length === 2);
    expect(ticks[1]!.price).toBe(101.55);
  });

  it('full mode: ticks carry the exchange timestamp', async () => {
    await setup({ mode: 'full' });
    kite.data.subscribe([await infy()]);
    await waitFor('full mode', () => fake.ticker.connections()[0]?.tokens[408065] === 'full');
    fake.setPrice('INFY', 99.9, { exchangeTimestamp: 1773028800, bids: [{ qty: 5, price: 99.85, orders: 1 }] });
    await waitFor('the full tick', () => ticks.some((t) => t.price === 99.9));
    expect(ticks.at(-1)).toEqual({ symbol: 'INFY', exchange: 'NSE', price: 99.9, at: 1773028800_000 });
  });

  it('decodes index packets (high/low/open/close order) and the CDS divisor (1e7) from the wire', async () => {
    await setup({ mode: 'quote' });
    kite.data.subscribe([byHand('NIFTY 50', 256265), byHand('USDINR', 412675)]);
    await waitFor('both snapshots', () => ticks.length === 2);
    expect(ticks.map((t) => [t.symbol, t.price])).toEqual([['NIFTY 50', 22500], ['USDINR', 83.2525]]);
  });

  it('unsubscribes', async () => {
    await setup();
    const i = await infy();
    kite.data.subscribe([i]);
    await waitFor('subscribed', () => fake.ticker.connections()[0]?.tokens[408065] !== undefined);
    kite.data.unsubscribe([i]);
    await waitFor('unsubscribed', () => fake.ticker.connections()[0]?.tokens[408065] === undefined);
  });
});

describe('a healthy but quiet feed, and bad frames', () => {
  it('1-byte heartbeats keep the feed up while no price moves', async () => {
    await setup();
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 30)); // a heartbeat arrives in real time...
      await clock.advance(1_000); // ...before a second of engine time passes
    }
    expect(states.map(([s]) => s)).toEqual(['up']);
  });

  it('drops a garbage frame with a notice and keeps streaming', async () => {
    await setup();
    kite.data.subscribe([await infy()]);
    await waitFor('the snapshot', () => ticks.length === 1);
    fake.ticker.broadcastRaw(Buffer.from([0, 3, 0, 44, 1, 2, 3]));
    fake.ticker.broadcastText({ type: 'error', data: 'Invalid mode' });
    await waitFor('the notices', () => notices.length === 2);
    expect(notices).toEqual([
      { kind: 'malformed_frame', detail: expect.stringMatching(/dropped a malformed 7-byte ticker frame: packet 1 says 44 bytes/) },
      { kind: 'kite_error', detail: 'Kite ticker error: Invalid mode' },
    ]);
    await waitFor('ltp mode', () => fake.ticker.connections()[0]?.tokens[408065] === 'ltp');
    fake.setPrice('INFY', 102);
    await waitFor('the next tick', () => ticks.at(-1)?.price === 102);
    expect(lastState()).toBe('up');
  });
});

describe('reconnects', () => {
  it('after a drop: down, reconnect after the jittered backoff, resubscribe with the mode, ticks again', async () => {
    await setup();
    kite.data.subscribe([await infy()]);
    await waitFor('ltp mode', () => fake.ticker.connections()[0]?.tokens[408065] === 'ltp');
    fake.ticker.drop();
    await waitFor('the drop to be seen', () => lastState() === 'down');
    expect(states.at(-1)![1]).toMatch(/reconnecting in 0\.4 s/); // attempt 0: 500 ms step, jitter 0.5 → 375 ms
    await clock.advance(375);
    await waitFor('the feed to be back', () => lastState() === 'up');
    await waitFor('the resubscription', () => fake.ticker.connections()[0]?.tokens[408065] === 'ltp');
    expect(fake.ticker.received.slice(-2)).toEqual([{ a: 'subscribe', v: [408065] }, { a: 'mode', v: ['ltp', [408065]] }]);
    fake.setPrice('INFY', 98);
    await waitFor('a tick on the new connection', () => ticks.at(-1)?.price === 98);
  });

  it('after silence: stale at 5 s, reconnect, and the backoff grows while the server stays away', async () => {
    await setup();
    fake.ticker.stall(true);
    await new Promise((r) => setTimeout(r, 50));
    await clock.advance(5_000);
    expect(states.map(([s]) => s).slice(-2)).toEqual(['stale', 'down']);
    expect(states.at(-2)![1]).toMatch(/no data from the Kite ticker for 5 s/);
    fake.ticker.refuseUpgrades(503);
    await clock.advance(375);
    await waitFor('the refused attempt', () => states.at(-1)![1]?.includes('HTTP 503') === true);
    expect(states.at(-1)![1]).toMatch(/reconnecting in 0\.8 s/); // attempt 1: 1 s step → 750 ms
    fake.ticker.refuseUpgrades(null);
    fake.ticker.stall(false);
    await clock.advance(750);
    await waitFor('the feed to be back', () => lastState() === 'up');
  });

  it('a 403 on the upgrade expires the session, waits at the cap, and a new token reconnects at once', async () => {
    await setup({ reconnect_max_delay_ms: 60_000 });
    fake.revokeTokens();
    fake.ticker.drop();
    await clock.advance(375);
    await waitFor('the 403', () => notices.some((n) => n.kind === 'token_rejected'));
    expect(kite.session()).toMatchObject({ state: 'expired', message: expect.stringMatching(/HTTP 403/) });
    expect(states.at(-1)).toEqual(['down', expect.stringMatching(/HTTP 403.*log in to Kite again; reconnecting in 60\.0 s/)]);
    const login = await exchangeRequestToken({ apiKey: fake.apiKey, apiSecret: fake.apiSecret, requestToken: fake.issueRequestToken(), clock, restUrl: fake.restUrl });
    kite.setAccessToken(login.accessToken);
    await waitFor('the feed to be back with the new token', () => lastState() === 'up');
    expect(fake.ticker.upgrades.map((u) => u.status)).toEqual([101, 403, 101]);
  });
});

describe('order updates on the ticker', () => {
  it('turns `order` text frames into reports: accepted is implied, the fill arrives with its price', async () => {
    await setup();
    const i = await infy();
    const placed = await kite.execution.placeOrder({ clientOrderId: 'tck3x9a116260309E', instrument: i, side: 'buy', opens: true, qty: 5 });
    await waitFor('the fill report', () => reports.some((r) => r.status === 'filled'));
    expect(reports.at(-1)).toEqual({ clientOrderId: 'tck3x9a116260309E', brokerOrderId: placed.kind === 'accepted' ? placed.brokerOrderId : '', status: 'filled', filledQty: 5, avgFillPrice: 100, at: expect.any(Number), reason: null });
  });

  it('reports an order Kite accepted and the RMS then rejected, with Kite\'s reason', async () => {
    await setup();
    fake.rejectNextAfterAccept('RMS:Margin Exceeds, Required:5000, Available:100');
    const placed = await kite.execution.placeOrder({ clientOrderId: 'tck3x9a116260309E', instrument: await infy(), side: 'buy', opens: true, qty: 50 });
    expect(placed.kind).toBe('accepted');
    await waitFor('the rejection report', () => reports.some((r) => r.status === 'rejected'));
    expect(reports.at(-1)).toMatchObject({ status: 'rejected', filledQty: 0, reason: 'Kite: RMS:Margin Exceeds, Required:5000, Available:100' });
  });

  it('nothing fires after stop', async () => {
    await setup();
    kite.data.subscribe([await infy()]);
    await waitFor('the snapshot', () => ticks.length === 1);
    await kite.stop();
    const seen = [ticks.length, states.length, notices.length];
    fake.setPrice('INFY', 150);
    fake.ticker.broadcastRaw(Buffer.from([9, 9, 9]));
    await new Promise((r) => setTimeout(r, 50));
    await clock.advance(60_000);
    expect([ticks.length, states.length, notices.length]).toEqual(seen);
  });
});
