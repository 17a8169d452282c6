import { describe, expect, it } from 'vitest';
import { heldByOpenOrder, refusalLasts } from './placement-refusal';

describe('refusalLasts', () => {
  it.each([
    // §1.3: the key itself.
    [401, { code: 40110000, message: 'request is not authorized' }],
    [403, { message: 'forbidden.' }],
    // No shares to sell (403, code 40310000).
    [403, { code: 40310000, message: 'insufficient qty available for order (requested: 10, available: 0)' }],
    [403, { code: 40310000, message: 'insufficient qty available for order (requested: 10, available: 0)', available: '0', existing_qty: '0', held_for_orders: '0', symbol: 'AAPL' }],
    // The account may not trade.
    [403, { code: 40310000, message: 'account is not authorized to trade' }],
    [403, { code: 40310000, message: 'new orders are rejected by user request' }],
    [403, { code: 40310000, message: 'trading is blocked for this account' }],
    [404, { code: 40410000, message: 'position not found' }],
    // The asset is not traded.
    [422, { code: 40010001, message: 'asset NOTRD is not tradable' }],
    [422, { code: 40010001, message: 'asset "GONE" is not active' }],
    [422, { code: 40010001, message: 'asset "NOPE" not found' }],
  ])('%s %j will not pass', (status, error) => {
    expect(refusalLasts(status, error)).toBe(true);
  });

  it.each([
    // Shares exist but another open order holds them: passes when that order ends.
    [403, { code: 40310000, message: 'insufficient qty available for order (requested: 10, available: 0)', available: '0', existing_qty: '10', held_for_orders: '10' }],
    [403, { code: 40310000, message: 'insufficient qty available for order (requested: 10, available: 0)', held_for_orders: 10 }],
    // Everything not known to last.
    [403, { buying_power: '0', code: 40310000, cost_basis: '1000', message: 'insufficient buying power' }],
    [403, { code: 40310000, message: 'day trading margin call protection' }],
    [403, { code: 40310100, message: 'trade denied due to pattern day trading protection' }],
    [422, { code: 40010001, message: 'request could not be processed' }],
    [422, { code: 40010001, message: 'us_equity orders not allowed for account' }],
    [400, { code: 40010000, message: 'request body format is invalid' }],
    [404, { code: 40410000, message: 'order is not found.' }],
  ])('%s %j may pass', (status, error) => {
    expect(refusalLasts(status, error)).toBe(false);
  });

  it('reads a reply without a §1.8 body by its status alone', () => {
    expect(refusalLasts(401, null)).toBe(true);
    expect(refusalLasts(403, null)).toBe(true);
    expect(refusalLasts(422, null)).toBe(false);
  });

  it("reads Alpaca's reservation for a resting stop as passing, told by the reply or by the stop we know rests", () => {
    const bare = { code: 40310000, message: 'insufficient qty available for order (requested: 10, available: 0)' };
    expect(refusalLasts(403, bare)).toBe(true);
    expect(refusalLasts(403, bare, true)).toBe(false);
    expect(heldByOpenOrder(bare, true)).toBe(true);
    expect(heldByOpenOrder(bare)).toBe(false);
    expect(heldByOpenOrder({ ...bare, held_for_orders: '10' })).toBe(true);
    expect(heldByOpenOrder({ code: 40310000, message: 'insufficient buying power' }, true)).toBe(false);
  });
});
