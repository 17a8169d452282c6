/** Order ids survive JSON even when a payload carries them as bare 19-digit numbers. */
import { describe, expect, it } from 'vitest';
import { parseKiteJson } from './kite-json';

describe('parseKiteJson', () => {
  it('keeps a 19-digit order id exact', () => {
    expect(parseKiteJson('{"status":"success","data":{"order_id":1914227164488687616}}')).toEqual({ status: 'success', data: { order_id: '1914227164488687616' } });
    // What plain JSON.parse would have done: the last digits are gone.
    expect(String(JSON.parse('{"order_id":1914227164488687616}').order_id)).not.toBe('1914227164488687616');
  });

  it('quotes every id key, in lists and with spaces, and leaves other numbers alone', () => {
    const text = '[{"order_id" : 1914227164488687616, "exchange_order_id":1300000012345678901,"parent_order_id":null,"quantity":5,"average_price":1573.5}]';
    expect(parseKiteJson(text)).toEqual([{ order_id: '1914227164488687616', exchange_order_id: '1300000012345678901', parent_order_id: null, quantity: 5, average_price: 1573.5 }]);
  });

  it('leaves string ids and look-alikes inside strings untouched', () => {
    expect(parseKiteJson('{"order_id":"151220000000000","status_message":"see \\"order_id\\":123 above"}')).toEqual({ order_id: '151220000000000', status_message: 'see "order_id":123 above' });
  });

  it('still throws on text that is not JSON', () => {
    expect(() => parseKiteJson('<html>')).toThrow();
  });
});
