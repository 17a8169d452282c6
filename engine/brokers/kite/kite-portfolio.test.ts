/**
 * A Kite account's signed net position (long positive, short negative), read from GET
 * /portfolio/positions and GET /portfolio/holdings. The fixtures are ours, written in the documented shapes (kiteconnect-mocks
 * c7a8123 `positions.json`: `{net, day}` rows with `tradingsymbol`, `exchange`, `product`,
 * `quantity` (negative for a short), …; `holdings.json`: rows with `quantity`, `t1_quantity`,
 * `used_quantity`, `opening_quantity`, `mtf`, …) through the injected fetch the adapter uses.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock';
import type { Instrument } from '../broker';
import { KiteExecution } from './kite-execution';
import { KiteHttp, type FetchLike } from './kite-http';
import { holdingsOf, netPositionsOf, netQtyOf } from './kite-portfolio';
import { KiteSessionTracker } from './kite-session';
import { KITE_ORDER_WINDOWS, RateLimiter } from './rate-limiter';

const INFY: Instrument = { symbol: 'INFY', exchange: 'NSE', brokerRef: '408065', tickSize: 0.05, shortable: null };

/** A position row in every field of positions.json. */
function position(tradingsymbol: string, exchange: string, product: string, buy: number, sell: number, price = 1500): Record<string, unknown> {
  const quantity = buy - sell;
  return {
    tradingsymbol,
    exchange,
    instrument_token: 408065,
    product,
    quantity,
    overnight_quantity: 0,
    multiplier: 1,
    average_price: quantity > 0 ? price : quantity < 0 ? price : 0,
    close_price: 0,
    last_price: price,
    value: (sell - buy) * price,
    pnl: 0,
    m2m: 0,
    unrealised: 0,
    realised: 0,
    buy_quantity: buy,
    buy_price: buy > 0 ? price : 0,
    buy_value: buy * price,
    buy_m2m: buy * price,
    sell_quantity: sell,
    sell_price: sell > 0 ? price : 0,
    sell_value: sell * price,
    sell_m2m: sell * price,
    day_buy_quantity: buy,
    day_buy_price: buy > 0 ? price : 0,
    day_buy_value: buy * price,
    day_sell_quantity: sell,
    day_sell_price: sell > 0 ? price : 0,
    day_sell_value: sell * price,
  };
}

/** A holding row in every field of holdings.json. */
function holding(tradingsymbol: string, exchange: string, quantity: number, t1: number, used = 0): Record<string, unknown> {
  return {
    tradingsymbol,
    exchange,
    instrument_token: 408065,
    isin: 'INE009A01021',
    product: 'CNC',
    price: 0,
    quantity,
    used_quantity: used,
    t1_quantity: t1,
    realised_quantity: quantity,
    authorised_quantity: 0,
    authorised_date: '2026-03-09 00:00:00',
    authorisation: {},
    opening_quantity: quantity + t1,
    short_quantity: 0,
    collateral_quantity: 0,
    collateral_type: '',
    discrepancy: false,
    average_price: 1480,
    last_price: 1500,
    close_price: 1490,
    pnl: 20 * (quantity + t1),
    day_change: 10,
    day_change_percentage: 0.67,
    mtf: { quantity: 0, used_quantity: 0, average_price: 0, value: 0, initial_margin: 0 },
  };
}

const positions = (...net: Record<string, unknown>[]) => ({ net, day: net });
const net = (product: string, pos: unknown, hold: unknown = []) => netQtyOf(product, INFY, netPositionsOf(pos, 'INFY'), product === 'CNC' ? holdingsOf(hold, 'INFY') : null);

describe('MIS: the net MIS position of this exchange and symbol', () => {
  it('a long: its quantity', () => {
    expect(net('MIS', positions(position('INFY', 'NSE', 'MIS', 10, 0)))).toBe(10);
  });

  it('none, a flat one, or only other products, exchanges, symbols: 0', () => {
    expect(net('MIS', positions())).toBe(0);
    expect(net('MIS', positions(position('INFY', 'NSE', 'MIS', 10, 10)))).toBe(0);
    expect(net('MIS', positions(position('INFY', 'NSE', 'CNC', 10, 0), position('INFY', 'BSE', 'MIS', 10, 0), position('TCS', 'NSE', 'MIS', 10, 0)))).toBe(0);
  });

  it('the trader sold some by hand: what is left; sold more: a short, negative', () => {
    expect(net('MIS', positions(position('INFY', 'NSE', 'MIS', 10, 4)))).toBe(6);
    expect(net('MIS', positions(position('INFY', 'NSE', 'MIS', 10, 15)))).toBe(-5);
  });

  it('a short sold first today: negative; covered: 0', () => {
    expect(net('MIS', positions(position('INFY', 'NSE', 'MIS', 0, 8)))).toBe(-8);
    expect(net('MIS', positions(position('INFY', 'NSE', 'MIS', 8, 8)))).toBe(0);
  });

  it('a short of another product or exchange is not this one', () => {
    expect(net('MIS', positions(position('INFY', 'NSE', 'CNC', 0, 5), position('INFY', 'BSE', 'MIS', 0, 5), position('INFY', 'NSE', 'MIS', 2, 0)))).toBe(2);
  });

  it('holdings do not make an MIS sell a closing one', () => {
    expect(netQtyOf('MIS', INFY, [], [{ tradingsymbol: 'INFY', exchange: 'NSE', quantity: 50, t1_quantity: 0 }])).toBe(0);
  });
});

describe('CNC: the holding (quantity + t1_quantity) plus the net CNC positions', () => {
  it('bought today: only in positions', () => {
    expect(net('CNC', positions(position('INFY', 'NSE', 'CNC', 10, 0)), [])).toBe(10);
  });

  it('bought yesterday (a restart the day after): a T1 holding', () => {
    expect(net('CNC', positions(), [holding('INFY', 'NSE', 0, 10)])).toBe(10);
  });

  it('settled shares and T1 shares add up, and today\'s buy is added once', () => {
    expect(net('CNC', positions(position('INFY', 'NSE', 'CNC', 10, 0)), [holding('INFY', 'NSE', 5, 3)])).toBe(18);
  });

  it('sold from the holding today: a negative CNC position, used_quantity not subtracted again', () => {
    expect(net('CNC', positions(position('INFY', 'NSE', 'CNC', 0, 10)), [holding('INFY', 'NSE', 0, 10, 10)])).toBe(0);
    expect(net('CNC', positions(position('INFY', 'NSE', 'CNC', 0, 4)), [holding('INFY', 'NSE', 0, 10, 4)])).toBe(6);
  });

  it('delivery is not per exchange: bought on NSE, sold by hand on BSE', () => {
    expect(net('CNC', positions(position('INFY', 'NSE', 'CNC', 10, 0), position('INFY', 'BSE', 'CNC', 0, 10)))).toBe(0);
  });

  it('a holding listed under the other exchange is the same shares; MIS and MTF are left out', () => {
    const mtf = { ...holding('INFY', 'BSE', 2, 0), mtf: { quantity: 1000, used_quantity: 0, average_price: 100, value: 100000, initial_margin: 0 } };
    expect(net('CNC', positions(position('INFY', 'NSE', 'MIS', 7, 0)), [mtf])).toBe(2);
  });

  it('quantities sent as numeric strings are read', () => {
    expect(net('CNC', positions({ ...position('INFY', 'NSE', 'CNC', 0, 0), quantity: '4' }), [{ ...holding('INFY', 'NSE', 0, 0), quantity: '3', t1_quantity: '1' }])).toBe(8);
  });
});

describe('replies that cannot be read: an error naming what was wrong, never 0', () => {
  it.each([
    ['positions not an object', 'MIS', [], [], /did not return \{net: \[\.\.\.\], day: \[\.\.\.\]\}/],
    ['positions without net', 'MIS', { day: [] }, [], /did not return \{net/],
    ['holdings not a list', 'CNC', positions(), { data: [] }, /GET \/portfolio\/holdings did not return a list/],
    ['our row without quantity', 'MIS', positions({ ...position('INFY', 'NSE', 'MIS', 1, 0), quantity: undefined }), [], /net row 0 \(INFY\) cannot be read: quantity/],
    ['our row with a fractional quantity', 'MIS', positions({ ...position('INFY', 'NSE', 'MIS', 1, 0), quantity: 2.5 }), [], /net row 0 \(INFY\) cannot be read: quantity/],
    ['our row without product', 'MIS', positions({ ...position('INFY', 'NSE', 'MIS', 1, 0), product: null }), [], /cannot be read: product/],
    ['a row whose tradingsymbol cannot be read', 'MIS', positions({ ...position('INFY', 'NSE', 'MIS', 1, 0), tradingsymbol: 408065 }), [], /net row 0 has no readable tradingsymbol/],
    ['our holding without t1_quantity', 'CNC', positions(), [{ ...holding('INFY', 'NSE', 5, 0), t1_quantity: undefined }], /holdings row 0 \(INFY\) cannot be read: t1_quantity/],
    ['our holding with a negative quantity', 'CNC', positions(), [holding('INFY', 'NSE', -5, 0)], /holdings row 0 \(INFY\) cannot be read: quantity/],
    ['two MIS rows for the same position', 'MIS', positions(position('INFY', 'NSE', 'MIS', 1, 0), position('INFY', 'NSE', 'MIS', 2, 0)), [], /listed 2 net MIS positions of NSE:INFY/],
    ['two holdings of the symbol on the same exchange', 'CNC', positions(), [holding('INFY', 'NSE', 1, 0), holding('INFY', 'NSE', 2, 0)], /listed 2 holdings of INFY/],
  ])('%s', (_, product, pos, hold, message) => {
    expect(() => net(product, pos, hold)).toThrow(message);
  });

  it('an odd row of another tradingsymbol is skipped, not a reason to fail', () => {
    expect(net('MIS', positions({ tradingsymbol: 'GOLDM26APRFUT', quantity: 'n/a' }, position('INFY', 'NSE', 'MIS', 3, 0)))).toBe(3);
  });
});

/** KiteExecution.netQty with Kite's answers scripted per path. */
function kiteAnswering(answers: Record<string, { status: number; body: unknown } | 'drop'>, product: 'MIS' | 'CNC') {
  const calls: string[] = [];
  const fetch: FetchLike = async (url, init) => {
    const path = new URL(url).pathname;
    calls.push(`${init.method} ${path}`);
    const a = answers[path] ?? { status: 404, body: { status: 'error', error_type: 'GeneralException', message: 'Route not found', data: null } };
    if (a === 'drop') throw new TypeError('fetch failed', { cause: new Error('socket hang up') });
    return new Response(typeof a.body === 'string' ? a.body : JSON.stringify(a.body), { status: a.status, headers: { 'content-type': typeof a.body === 'string' ? 'text/html' : 'application/json' } });
  };
  const clock = new FakeClock(Date.parse('2026-03-09T04:00:00Z'));
  const session = new KiteSessionTracker(clock, true);
  const http = new KiteHttp({ restUrl: 'https://api.kite.test', apiKey: 'key', accessToken: () => 'token0001', clock, timeoutMs: 7_000, fetch, onAuth: (valid) => (valid ? session.markValid() : session.expire('refused')) });
  const exec = new KiteExecution({ http, clock, session, options: { product, market_protection: -1, max_rate_wait_ms: 2_000 }, orderLimiter: new RateLimiter(clock, KITE_ORDER_WINDOWS, 5_000) });
  return { exec, calls };
}
const ok = (data: unknown) => ({ status: 200, body: { status: 'success', data } });

describe('KiteExecution.netQty', () => {
  it('MIS asks for positions only; CNC for positions and holdings', async () => {
    const mis = kiteAnswering({ '/portfolio/positions': ok(positions(position('INFY', 'NSE', 'MIS', 10, 3))) }, 'MIS');
    expect(await mis.exec.netQty(INFY)).toBe(7);
    expect(mis.calls).toEqual(['GET /portfolio/positions']);
    const cnc = kiteAnswering({ '/portfolio/positions': ok(positions(position('INFY', 'NSE', 'CNC', 10, 0))), '/portfolio/holdings': ok([holding('INFY', 'NSE', 0, 5)]) }, 'CNC');
    expect(await cnc.exec.netQty(INFY)).toBe(15);
    expect(cnc.calls.sort()).toEqual(['GET /portfolio/holdings', 'GET /portfolio/positions']);
  });

  it('MIS: a short is negative', async () => {
    const { exec } = kiteAnswering({ '/portfolio/positions': ok(positions(position('INFY', 'NSE', 'MIS', 2, 9))) }, 'MIS');
    expect(await exec.netQty(INFY)).toBe(-7);
  });

  it.each([
    ['a dead session', { '/portfolio/positions': { status: 403, body: { status: 'error', error_type: 'TokenException', message: 'Incorrect `api_key` or `access_token`.', data: null } } }, 'unauthorized', /could not ask how many NSE:INFY \(MIS\).*TokenException/],
    ['a 503', { '/portfolio/positions': { status: 503, body: { status: 'error', error_type: 'NetworkException', message: 'Service unavailable', data: null } } }, 'unavailable', /GET \/portfolio\/positions.*NetworkException/],
    ['a dropped connection', { '/portfolio/positions': 'drop' as const }, 'unavailable', /could not reach Kite/],
    ['an HTML page with 200', { '/portfolio/positions': { status: 200, body: '<html>ok</html>' } }, 'unavailable', /not JSON/],
    ['a reply that cannot be read', { '/portfolio/positions': ok([]) }, 'broker_error', /could not tell how many NSE:INFY \(MIS\).*did not return \{net/],
  ])('%s throws %s, never 0', async (_, answers, code, message) => {
    const { exec } = kiteAnswering(answers, 'MIS');
    await expect(exec.netQty(INFY)).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
  });

  it('CNC: a failed holdings call fails the answer even when positions came back', async () => {
    const { exec } = kiteAnswering({ '/portfolio/positions': ok(positions(position('INFY', 'NSE', 'CNC', 10, 0))), '/portfolio/holdings': { status: 502, body: { status: 'error', error_type: 'DataException', message: 'OMS down', data: null } } }, 'CNC');
    await expect(exec.netQty(INFY)).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/GET \/portfolio\/holdings.*DataException/) });
  });
});
