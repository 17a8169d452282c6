/**
 * The Kite fake's faults on order placements (tests/fakes/kite/fake-order-faults.ts), on the wire
 * as Kite documents them (../shared/brokers/PROTOCOLS.md §2.4, §2.9), and as the adapter reads
 * them: a 429 `NetworkException` "Too many requests" is "not placed, send again" (nothing booked),
 * an `OrderException` a refusal that may pass (nothing booked), an order booked and then REJECTED
 * by the RMS a refusal that may pass too. A fault armed `closing_only` (the crash soak's, through
 * POST /__fake/order-faults) passes over an entry (by its tag) and meets the exit; each one met is in the record.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { classifyKiteFailure } from '../../engine/brokers/kite/kite-errors';
import { toOrderReport } from '../../engine/brokers/kite/kite-orders';
import { startKiteFake, type KiteFake } from '../fakes/kite/kite-fake';
import { waitFor } from '../fakes/kite/wait-for';

let fake: KiteFake;
afterEach(async () => fake?.close());

async function call(method: string, path: string, form?: Record<string, string>, json?: unknown): Promise<{ status: number; body: { status: string; data?: any; error_type?: string; message?: string } }> {
  const res = await fetch(`${fake.restUrl}${path}`, {
    method,
    headers: { 'X-Kite-Version': '3', Authorization: `token ${fake.apiKey}:${fake.accessToken}`, ...(form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}) },
    ...(form ? { body: new URLSearchParams(form).toString() } : json !== undefined ? { body: JSON.stringify(json) } : {}),
  });
  return { status: res.status, body: (await res.json()) as never };
}

const place = (side: 'BUY' | 'SELL', tag: string) =>
  call('POST', '/orders/regular', { tradingsymbol: 'INFY', exchange: 'NSE', transaction_type: side, order_type: 'MARKET', quantity: '5', product: 'MIS', validity: 'DAY', market_protection: '-1', tag });

describe("the Kite fake's order faults", () => {
  it('answers a 429 NetworkException and an OrderException without booking the order, and the adapter reads them as not placed and as a refusal that may pass', async () => {
    fake = await startKiteFake({ prices: { INFY: 100 } });
    fake.orderFaults.inject('rate-limit', 1);
    fake.orderFaults.inject('order-exception', 1);
    const limited = await place('BUY', 'tcfault1E');
    expect(limited).toEqual({ status: 429, body: { status: 'error', error_type: 'NetworkException', message: 'Too many requests', data: null } });
    const refused = await place('BUY', 'tcfault1E');
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ status: 'error', error_type: 'OrderException', data: null });
    expect(fake.orders()).toEqual([]);
    expect(classifyKiteFailure(limited.status, limited.body.error_type, limited.body.message ?? null)).toMatchObject({ outcome: 'unknown', notPlaced: true });
    expect(classifyKiteFailure(refused.status, refused.body.error_type, refused.body.message ?? null)).toMatchObject({ outcome: 'rejected', lasting: false });
    // The next placement goes through.
    expect((await place('BUY', 'tcfault1E')).status).toBe(200);
    expect(fake.orderFaults.record().map((f) => [f.kind, f.tag, f.after_orders])).toEqual([
      ['rate-limit', 'tcfault1E', 0],
      ['order-exception', 'tcfault1E', 0],
    ]);
  });

  it('books an order and has the RMS reject it, with Kite\'s reworded message and the raw text, a refusal the adapter does not take as lasting', async () => {
    fake = await startKiteFake({ prices: { INFY: 100 } });
    fake.orderFaults.inject('rms-reject', 1);
    const booked = await place('BUY', 'tcfault2E');
    expect(booked.status).toBe(200);
    await waitFor('the RMS rejection', () => fake.orders()[0]?.status === 'REJECTED');
    const row = fake.orders()[0]!;
    expect(row).toMatchObject({ order_id: booked.body.data.order_id, status: 'REJECTED', status_message: expect.stringMatching(/circuit limit/), status_message_raw: expect.stringMatching(/^RMS:/), filled_quantity: 0 });
    expect(toOrderReport(row as never, Date.now())).toMatchObject({ status: 'rejected' });
    expect(toOrderReport(row as never, Date.now())?.lasting).not.toBe(true);
  });

  it("holds a closing-only fault, armed through the admin route, past the entries for an exit's placement, by its tag", async () => {
    fake = await startKiteFake({ prices: { INFY: 100 } });
    expect((await call('POST', '/__fake/order-faults', undefined, { kind: 'rate-limit', times: 1, closing_only: true })).body.data).toBe(true);
    expect((await place('BUY', 'tcfault03261207E')).status).toBe(200);
    await waitFor('the entry filled', () => fake.orders()[0]?.status === 'COMPLETE');
    // A second entry on the same side adds to the position: not met either.
    expect((await place('BUY', 'tcfault04261207E')).status).toBe(200);
    await waitFor('the second entry filled', () => fake.orders()[1]?.status === 'COMPLETE');
    // Another strategy's short sale reduces the account's position in INFY, yet it is an entry: not met
    // (a long soak found a fault read by the book meeting one).
    expect((await place('SELL', 'tcfault05261207E')).status).toBe(200);
    expect((await place('SELL', 'tcfault03261207X')).status).toBe(429);
    expect((await place('SELL', 'tcfault03261207X')).status).toBe(200);
    expect(fake.orderFaults.record().map((f) => [f.kind, f.tag, f.side])).toEqual([['rate-limit', 'tcfault03261207X', 'SELL']]);
    const bad = await call('POST', '/__fake/order-faults', undefined, { kind: 'timeout', times: 1 });
    expect(bad).toMatchObject({ status: 400, body: { error_type: 'InputException', message: expect.stringMatching(/one of rate-limit, order-exception, rms-reject/) } });
  });
});
