/**
 * Reading GET /v2/positions/{symbol} as the signed net position (long positive, short negative). The fixtures are written from the
 * documented shapes, not copied: the long position from alpaca-py bd1fa9e
 * tests/trading/trading_client/test_position_routes.py and the OAS `Position` examples (alpaca-docs
 * 2080c5e oas/trading/openapi.yaml), the short from Alpaca-API#86 (negative qty, side "short").
 */
import { describe, expect, it } from 'vitest';
import { readNetQty } from './alpaca-position';

/** A long position in every documented field, values as strings (PROTOCOLS.md §1.2). */
const long = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  asset_id: '2b9f1c3e-5d2a-4c4e-9f1a-0c8d7e6f5a41',
  symbol: 'AAPL',
  exchange: 'NASDAQ',
  asset_class: 'us_equity',
  asset_marginable: true,
  avg_entry_price: '187.5',
  qty: '10',
  qty_available: '10',
  side: 'long',
  market_value: '1880.0',
  cost_basis: '1875.0',
  unrealized_pl: '5.0',
  unrealized_plpc: '0.0026666666666667',
  unrealized_intraday_pl: '5.0',
  unrealized_intraday_plpc: '0.0026666666666667',
  current_price: '188.0',
  lastday_price: '186.2',
  change_today: '0.0096670247046187',
  ...over,
});

/** A short as Alpaca lists it: qty, market_value and cost_basis negative. */
const short = (over: Record<string, unknown> = {}): Record<string, unknown> =>
  long({ qty: '-7', qty_available: '-7', side: 'short', market_value: '-1316.0', cost_basis: '-1312.5', ...over });

describe('readNetQty', () => {
  it('a long position: its qty', () => {
    expect(readNetQty(long(), 'AAPL')).toEqual({ ok: true, qty: 10 });
  });

  it('the whole position, not qty_available (an open order of the trader holds some)', () => {
    expect(readNetQty(long({ qty_available: '4' }), 'AAPL')).toEqual({ ok: true, qty: 10 });
  });

  it('without the optional fields (alpaca-py: qty_available, market_value … are Optional)', () => {
    expect(readNetQty({ asset_id: 'x', symbol: 'AAPL', exchange: 'NASDAQ', asset_class: 'us_equity', avg_entry_price: '1', qty: '3', side: 'long', cost_basis: '3' }, 'AAPL')).toEqual({ ok: true, qty: 3 });
  });

  it('a fractional position, and a qty sent as a JSON number', () => {
    expect(readNetQty(long({ qty: '2.5' }), 'AAPL')).toEqual({ ok: true, qty: 2.5 });
    expect(readNetQty(long({ qty: 12 }), 'AAPL')).toEqual({ ok: true, qty: 12 });
  });

  it('a short: negative, its size from qty and its sign from side, whether qty is signed or not', () => {
    expect(readNetQty(short(), 'AAPL')).toEqual({ ok: true, qty: -7 });
    expect(readNetQty(short({ qty: '7' }), 'AAPL')).toEqual({ ok: true, qty: -7 });
    expect(readNetQty(short({ qty: -7 }), 'AAPL')).toEqual({ ok: true, qty: -7 });
    expect(readNetQty(short({ qty: '-2.5' }), 'AAPL')).toEqual({ ok: true, qty: -2.5 });
  });

  it('a position of size 0 (long or short) is flat: 0, never -0', () => {
    const flatShort = readNetQty(short({ qty: '0' }), 'AAPL');
    expect(flatShort).toEqual({ ok: true, qty: 0 });
    expect(Object.is(flatShort.ok && flatShort.qty, 0)).toBe(true);
    expect(readNetQty(long({ qty: '0' }), 'AAPL')).toEqual({ ok: true, qty: 0 });
  });

  it('the docs example\'s "AAPL " (a trailing blank) is still AAPL', () => {
    expect(readNetQty(long({ symbol: 'AAPL ' }), 'AAPL')).toEqual({ ok: true, qty: 10 });
  });

  it.each([
    ['not an object', '<html>502</html>', /not an Alpaca position \(body: /],
    ['null', null, /not an Alpaca position/],
    ['an array (the list route)', [long()], /not an Alpaca position/],
    ['no qty', long({ qty: undefined }), /not an Alpaca position \(qty: /],
    ['no side', long({ side: undefined }), /not an Alpaca position \(side: /],
    ['qty null', long({ qty: null }), /not an Alpaca position \(qty: /],
    ['qty not a number', long({ qty: 'ten' }), /qty of the long position is not a quantity: "ten" is not a plain decimal/],
    ['a negative long', long({ qty: '-10' }), /qty of the long position is not a quantity: "-10" is not a plain decimal/],
    ['a short with a garbled qty', short({ qty: 'n/a' }), /qty of the short position is not a number: "n\/a"/],
    ['a short with a doubled sign', short({ qty: '--7' }), /qty of the short position is not a number: "--7"/],
    ['a short with an infinite qty', short({ qty: 'Infinity' }), /qty of the short position is not a number/],
    ['an unknown side', long({ side: 'flat' }), /side is "flat", neither "long" nor "short"/],
    ['another symbol', long({ symbol: 'MSFT' }), /symbol: the reply is the position of "MSFT", not of AAPL/],
  ])('%s: an error naming what was wrong, never 0', (_, body, reason) => {
    const read = readNetQty(body, 'AAPL');
    expect(read.ok).toBe(false);
    expect(read.ok ? '' : read.reason).toMatch(reason);
  });
});
