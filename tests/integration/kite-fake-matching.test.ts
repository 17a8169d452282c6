/**
 * The Kite fake's order matching for options (fake-matching.ts), over its REST API as a client
 * sees it: the documented behaviours the exit chase is tested against (sources in
 * tests/fakes/kite/SOURCES.md). Equity MARKET orders keep the fake's old fill.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_INSTRUMENTS } from '../fakes/kite/fake-instruments';
import { CIRCUIT_REFUSAL, MODIFY_LIMIT_REFUSAL, SL_M_REFUSAL } from '../fakes/kite/fake-matching';
import { fakeOptionChain } from '../fakes/kite/fake-option-chain';
import { startKiteFake, type KiteFake } from '../fakes/kite/kite-fake';
import { waitFor } from '../fakes/kite/wait-for';

const CE = 'NIFTY26D0826000CE';
let fake: KiteFake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(fillAfterMs: number | null): Promise<KiteFake> {
  fake = await startKiteFake({ instruments: [...DEFAULT_INSTRUMENTS, ...fakeOptionChain({ today: '2026-12-07' })], fillAfterMs, now: () => Date.parse('2026-12-07T04:30:00Z') });
  fake.setPrice(CE, 100);
  fake.setPrice('INFY', 1500);
  fake.setCircuit(CE, 50, 200);
  return fake;
}

async function kite(f: KiteFake, method: string, path: string, form?: Record<string, string>, query = ''): Promise<{ status: number; body: { status: string; data?: unknown; message?: string; error_type?: string } }> {
  const res = await fetch(`${f.restUrl}${path}${query}`, {
    method,
    headers: { 'X-Kite-Version': '3', Authorization: `token ${f.apiKey}:${f.accessToken}`, ...(form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}) },
    ...(form ? { body: new URLSearchParams(form).toString() } : {}),
  });
  return { status: res.status, body: (await res.json()) as { status: string; data?: unknown } };
}

const option = (o: Record<string, string>) => ({ tradingsymbol: CE, exchange: 'NFO', quantity: '65', product: 'MIS', validity: 'DAY', ...o });
const idOf = (r: { body: { data?: unknown } }) => (r.body.data as { order_id: string }).order_id;

describe('the Kite fake matches options orders as Kite documents', () => {
  it('refuses SL-M on an option and a LIMIT outside the circuit, booking nothing; GET /quote serves the circuit', async () => {
    const f = await start(0);
    const slm = await kite(f, 'POST', '/orders/regular', option({ transaction_type: 'BUY', order_type: 'SL-M', trigger_price: '110', market_protection: '-1' }));
    expect(slm).toMatchObject({ status: 400, body: { error_type: 'InputException', message: SL_M_REFUSAL } });
    const wide = await kite(f, 'POST', '/orders/regular', option({ transaction_type: 'BUY', order_type: 'LIMIT', price: '200.05' }));
    expect(wide).toMatchObject({ status: 400, body: { message: CIRCUIT_REFUSAL } });
    expect(f.orders()).toHaveLength(0);
    const quote = await kite(f, 'GET', '/quote', undefined, `?i=NFO:${CE}&i=NSE:INFY`);
    expect((quote.body.data as Record<string, unknown>)[`NFO:${CE}`]).toMatchObject({ last_price: 100, lower_circuit_limit: 50, upper_circuit_limit: 200, depth: { buy: expect.any(Array) } });
    expect((quote.body.data as Record<string, unknown>)['NSE:INFY']).toMatchObject({ last_price: 1500, lower_circuit_limit: 1200, upper_circuit_limit: 1800 });
  });

  it('a marketable LIMIT fills at the last price; MARKET with protection rests at its protection price once the price ran past it', async () => {
    const f = await start(0);
    const limit = await kite(f, 'POST', '/orders/regular', option({ transaction_type: 'BUY', order_type: 'LIMIT', price: '105' }));
    await waitFor('the LIMIT to fill', () => f.orders().find((o) => o.order_id === idOf(limit))?.status === 'COMPLETE');
    expect(f.orders()[0]).toMatchObject({ average_price: 100, filled_quantity: 65 });

    await f.close();
    const g = await start(null);
    const market = await kite(g, 'POST', '/orders/regular', option({ transaction_type: 'BUY', order_type: 'MARKET', market_protection: '2' }));
    g.setPrice(CE, 110);
    expect(g.orders()[0]).toMatchObject({ order_id: idOf(market), status: 'OPEN', order_type: 'LIMIT', price: 102 });
    g.setPrice(CE, 101.5);
    expect(g.orders()[0]).toMatchObject({ status: 'COMPLETE', average_price: 101.5 });
  });

  it('an SL waits for its trigger, then is a LIMIT that fills only at its price or better', async () => {
    const f = await start(null);
    const sl = await kite(f, 'POST', '/orders/regular', option({ transaction_type: 'SELL', order_type: 'SL', trigger_price: '90', price: '88' }));
    expect(f.orders()[0]).toMatchObject({ order_id: idOf(sl), status: 'TRIGGER PENDING', trigger_price: 90 });
    const history = (await kite(f, 'GET', `/orders/${idOf(sl)}`)).body.data as { status: string }[];
    expect(history[history.length - 1]).toMatchObject({ status: 'TRIGGER PENDING', order_type: 'SL' });
    f.setPrice(CE, 95);
    expect(f.orders()[0]!.status).toBe('TRIGGER PENDING');
    f.setPrice(CE, 87); // through the trigger and past the limit: a LIMIT sell at 88 rests (the gap a stop-limit risks)
    expect(f.orders()[0]).toMatchObject({ status: 'OPEN', order_type: 'LIMIT', price: 88 });
    f.setPrice(CE, 88.5);
    expect(f.orders()[0]).toMatchObject({ status: 'COMPLETE', average_price: 88.5 });
  });

  it('a modify keeps the order id, walks order_info.json\'s states, and is refused after 25 or once the order is final', async () => {
    const f = await start(null);
    const id = idOf(await kite(f, 'POST', '/orders/regular', option({ transaction_type: 'BUY', order_type: 'LIMIT', price: '101', tag: 'tpk3x9a17do0001610X' })));
    const one = await kite(f, 'PUT', `/orders/regular/${id}`, { order_type: 'LIMIT', price: '103', quantity: '65' });
    expect(one).toMatchObject({ status: 200, body: { status: 'success', data: { order_id: id } } });
    const history = await kite(f, 'GET', `/orders/${id}`);
    expect((history.body.data as { status: string }[]).map((h) => h.status).slice(-4)).toEqual(['MODIFY VALIDATION PENDING', 'MODIFY PENDING', 'MODIFIED', 'OPEN']);
    expect(f.orders()[0]).toMatchObject({ price: 103, tag: 'tpk3x9a17do0001610X' });
    expect(await kite(f, 'PUT', `/orders/regular/${id}`, { order_type: 'LIMIT', price: '250' })).toMatchObject({ status: 400, body: { message: CIRCUIT_REFUSAL } });
    expect(await kite(f, 'PUT', `/orders/regular/${id}`, { order_type: 'MARKET' })).toMatchObject({ status: 400, body: { message: expect.stringMatching(/without market protection/) } });
    for (let i = 2; i <= 25; i++) expect((await kite(f, 'PUT', `/orders/regular/${id}`, { price: String(103 + i * 0.05) })).status).toBe(200);
    expect(await kite(f, 'PUT', `/orders/regular/${id}`, { price: '104.5' })).toMatchObject({ status: 400, body: { error_type: 'NetworkException', message: MODIFY_LIMIT_REFUSAL } });
    f.setPrice(CE, 104);
    expect(f.orders()[0]!.status).toBe('COMPLETE');
    expect(await kite(f, 'PUT', `/orders/regular/${id}`, { price: '104.5' })).toMatchObject({ status: 400, body: { error_type: 'OrderException' } });
    expect(f.orders()).toHaveLength(1);
  });
});
