import { describe, expect, it } from 'vitest';
import { chainReport, readLeg, type OrderLeg } from './alpaca-order-report';
import { MAX_REPLACEMENTS, OrderChains } from './order-chains';
import { orderSchema } from './alpaca-wire';

/**
 * Orders shaped as alpaca-py's `Order` model has them (bd1fa9e, alpaca/trading/models.py):
 * `replaced_by` / `replaces` are order ids (UUIDs) or null, `replaced_at` a timestamp or null.
 */
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const leg = (n: number, over: Record<string, unknown> = {}): OrderLeg => {
  const r = readLeg(
    orderSchema.parse({
      id: id(n),
      client_order_id: n === 1 ? 'tcabc1231260309E' : `alpaca-made-${n}`,
      symbol: 'AAPL',
      side: 'buy',
      status: 'new',
      qty: '10',
      filled_qty: '0',
      filled_avg_price: null,
      replaced_by: null,
      replaces: null,
      updated_at: '2026-03-09T14:30:00Z',
      ...over,
    }),
    0,
  );
  if (!r.ok) throw new Error(r.reason);
  return r.leg;
};
const replaced = (n: number, by: number | null, over: Record<string, unknown> = {}) => leg(n, { status: 'replaced', replaced_by: by === null ? null : id(by), replaced_at: '2026-03-09T14:30:00Z', ...over });
const ids = (v: { chain: readonly OrderLeg[] }) => v.chain.map((l) => l.id);

describe('OrderChains', () => {
  it('our order replaced first: names the replacement to fetch, then carries it under our id', () => {
    const chains = new OrderChains();
    const first = chains.add(replaced(1, 2));
    expect(ids(first)).toEqual([id(1)]);
    expect(first.follow).toBe(id(2));
    const next = chains.add(leg(2, { replaces: id(1), status: 'filled', filled_qty: '10', filled_avg_price: '187.23' }));
    expect(ids(next)).toEqual([id(1), id(2)]);
    expect(next.follow).toBeNull();
    expect(chainReport(next.chain)).toMatchObject({ clientOrderId: 'tcabc1231260309E', brokerOrderId: id(2), status: 'filled', filledQty: 10 });
  });

  it('the replacement seen first (on the stream, by its `replaces`), our order turning replaced after', () => {
    const chains = new OrderChains();
    chains.add(leg(1, { status: 'pending_replace' }));
    // While ours is only pending_replace, the replace may still be refused: ours is the order.
    const early = chains.add(leg(2, { replaces: id(1) }));
    expect(ids(early)).toEqual([id(2)]);
    expect(chainReport(chains.add(leg(1, { status: 'pending_replace' })).chain).brokerOrderId).toBe(id(1));
    const later = chains.add(replaced(1, 2));
    expect(ids(later)).toEqual([id(1), id(2)]);
    expect(later.follow).toBeNull();
    expect(chains.add(leg(2, { replaces: id(1), status: 'partially_filled', filled_qty: '3', filled_avg_price: '1' })).chain[0].clientOrderId).toBe('tcabc1231260309E');
  });

  it('links by `replaces` alone when replaced_by is missing, and follows a chain of replacements', () => {
    const chains = new OrderChains();
    chains.add(replaced(1, null));
    chains.add(replaced(2, 3, { replaces: id(1) }));
    const view = chains.add(leg(3, { replaces: id(2) }));
    expect(ids(view)).toEqual([id(1), id(2), id(3)]);
    expect(chains.add(leg(3, { replaces: id(2), status: 'canceled' })).chain[0].id).toBe(id(1));
  });

  it('does not follow replaced_by on an order that is not replaced (a replace Alpaca may refuse)', () => {
    const chains = new OrderChains();
    const view = chains.add(leg(1, { status: 'pending_replace', replaced_by: id(2) }));
    expect(view).toMatchObject({ follow: null });
    expect(ids(view)).toEqual([id(1)]);
  });

  it('keeps the newest state of each leg: an older snapshot arriving late changes nothing', () => {
    const chains = new OrderChains();
    chains.add(replaced(1, 2));
    chains.add(leg(2, { replaces: id(1), status: 'partially_filled', filled_qty: '5', filled_avg_price: '10' }));
    const stale = chains.add(leg(2, { replaces: id(1), status: 'new' }));
    expect(chainReport(stale.chain)).toMatchObject({ status: 'partially_filled', filledQty: 5 });
    chains.add(leg(2, { replaces: id(1), status: 'filled', filled_qty: '10', filled_avg_price: '10' }));
    expect(chainReport(chains.add(leg(2, { replaces: id(1), status: 'partially_filled', filled_qty: '5', filled_avg_price: '10' })).chain).status).toBe('filled');
  });

  it('stops at a loop and after MAX_REPLACEMENTS replacements', () => {
    const loop = new OrderChains();
    loop.add(replaced(1, 2));
    const view = loop.add(replaced(2, 1, { replaces: id(1) }));
    expect(ids(view)).toEqual([id(1), id(2)]);
    expect(view.follow).toBeNull();

    const long = new OrderChains();
    for (let n = 1; n <= MAX_REPLACEMENTS + 5; n++) long.add(replaced(n, n + 1, n > 1 ? { replaces: id(n - 1) } : {}));
    const end = long.add(replaced(1, 2));
    expect(end.chain).toHaveLength(MAX_REPLACEMENTS + 1);
    expect(end.follow).toBeNull();
    expect(chainReport(end.chain).status).toBe('accepted');
  });
});
