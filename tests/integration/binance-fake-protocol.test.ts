/**
 * The Binance fake against Binance's own documentation (tests/fakes/binance/SOURCES.md): the
 * docs' signed example requests are accepted byte for byte, the replies have the documented
 * fields as decimal strings, refusals carry the documented `{code,msg}`, and the rate-limit
 * answers carry `Retry-After` and the weight header.
 */
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DOCS_API_KEY, DOCS_SECRET_KEY, startFakeBinance, type FakeBinance, type FakeBinanceOptions } from '../fakes/binance/fake-binance';
import { DEFAULT_SYMBOLS, type FakeSymbol } from '../fakes/binance/fake-symbols';
import { wsApiPayload } from '../fakes/binance/fake-ws-api';

const LTCBTC: FakeSymbol = { symbol: 'LTCBTC', baseAsset: 'LTC', quoteAsset: 'BTC', tickSize: '0.00000100', minPrice: '0.00000100', maxPrice: '100000.00000000', stepSize: '0.01000000', minQty: '0.01000000', maxQty: '100000.00000000', minNotional: '0.00010000' };
/** The docs' example timestamp; the fake's clock 100 ms later. */
const DOCS_TS = 1499827319559;

let fake: FakeBinance | undefined;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  await fake?.close();
  fake = undefined;
});

let clockMs = DOCS_TS + 100;
async function start(opts: FakeBinanceOptions = {}): Promise<FakeBinance> {
  clockMs = DOCS_TS + 100;
  fake = await startFakeBinance({ now: () => clockMs, symbols: [...DEFAULT_SYMBOLS, LTCBTC], prices: { BTCUSDT: '60000.00', LTCBTC: '0.1' }, balances: { USDT: '10000', BTC: '1' }, ...opts });
  return fake;
}

const sign = (total: string) => createHmac('sha256', DOCS_SECRET_KEY).update(total).digest('hex');

/** A signed request as a client library sends it: every parameter in the query (GET, DELETE) or the form body (POST). */
async function signed(method: string, path: string, params: Record<string, string>, key = DOCS_API_KEY): Promise<{ status: number; body: any; headers: Headers }> {
  const query = new URLSearchParams({ ...params, timestamp: params.timestamp ?? String(clockMs) }).toString();
  const all = `${query}&signature=${sign(query)}`;
  const post = method === 'POST';
  const res = await fetch(`${fake!.url}${path}${post ? '' : `?${all}`}`, { method, headers: { 'X-MBX-APIKEY': key, ...(post ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}) }, ...(post ? { body: all } : {}) });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

async function get(path: string): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${fake!.url}${path}`);
  return { status: res.status, body: await res.json(), headers: res.headers };
}

describe('SIGNED endpoint security (developers.binance.com, "SIGNED Endpoint Examples for POST /api/v3/order")', () => {
  it("accepts the docs' example 1, every parameter in the query string, with the docs' signature", async () => {
    await start();
    const query = 'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559';
    expect(sign(query)).toBe('c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71');
    const res = await fetch(`${fake!.url}/api/v3/order?${query}&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71`, { method: 'POST', headers: { 'X-MBX-APIKEY': DOCS_API_KEY } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ symbol: 'LTCBTC', status: 'FILLED', executedQty: '1.00000000', type: 'LIMIT', side: 'BUY' });
  });

  it("accepts the docs' example 3, query and body mixed, signed over their concatenation", async () => {
    await start();
    const res = await fetch(`${fake!.url}/api/v3/order?symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC`, {
      method: 'POST',
      headers: { 'X-MBX-APIKEY': DOCS_API_KEY, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559&signature=0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77',
    });
    expect(res.status).toBe(200);
    expect(fake!.received().map((r) => r.outcome)).toEqual(['placed #1']);
  });

  it('refuses a changed parameter (-1022), a missing key (-2014), an unknown key (-2015)', async () => {
    await start();
    const query = 'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=2&price=0.1&recvWindow=5000&timestamp=1499827319559';
    const res = await fetch(`${fake!.url}/api/v3/order?${query}&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71`, { method: 'POST', headers: { 'X-MBX-APIKEY': DOCS_API_KEY } });
    expect([res.status, await res.json()]).toEqual([400, { code: -1022, msg: 'Signature for this request is not valid.' }]);
    const noKey = await fetch(`${fake!.url}/api/v3/account?timestamp=${clockMs}&signature=${sign(`timestamp=${clockMs}`)}`);
    expect(await noKey.json()).toEqual({ code: -2014, msg: 'API-key format invalid.' });
    expect((await signed('GET', '/api/v3/account', {}, 'someone-else')).body).toEqual({ code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' });
    expect(fake!.orders()).toHaveLength(0);
  });

  it('takes a timestamp up to recvWindow (default 5000) behind and less than 1000 ms ahead; else -1021', async () => {
    await start();
    expect((await signed('GET', '/api/v3/account', { timestamp: String(clockMs - 5000) })).status).toBe(200);
    expect((await signed('GET', '/api/v3/account', { timestamp: String(clockMs - 5001) })).body).toEqual({ code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' });
    expect((await signed('GET', '/api/v3/account', { timestamp: String(clockMs - 9000), recvWindow: '10000' })).status).toBe(200);
    expect((await signed('GET', '/api/v3/account', { timestamp: String(clockMs + 999) })).status).toBe(200);
    expect((await signed('GET', '/api/v3/account', { timestamp: String(clockMs + 1000) })).body).toEqual({ code: -1021, msg: "Timestamp for this request was 1000ms ahead of the server's time." });
  });
});

describe('public endpoints', () => {
  it('GET /api/v3/time and /api/v3/exchangeInfo answer the documented shape, with the filters as decimal strings', async () => {
    await start();
    expect((await get('/api/v3/time')).body).toEqual({ serverTime: clockMs });
    const info = await get('/api/v3/exchangeInfo?symbol=BTCUSDT');
    expect(Object.keys(info.body)).toEqual(['timezone', 'serverTime', 'rateLimits', 'exchangeFilters', 'symbols']);
    expect(info.body.rateLimits[0]).toEqual({ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 });
    const [btc] = info.body.symbols;
    expect(btc).toMatchObject({ symbol: 'BTCUSDT', status: 'TRADING', baseAsset: 'BTC', quoteAsset: 'USDT', baseAssetPrecision: 8, quoteAssetPrecision: 8, isSpotTradingAllowed: true, permissionSets: [['SPOT']] });
    expect(btc.filters).toContainEqual({ filterType: 'LOT_SIZE', minQty: '0.00001000', maxQty: '9000.00000000', stepSize: '0.00001000' });
    expect(btc.filters).toContainEqual({ filterType: 'PRICE_FILTER', minPrice: '0.01000000', maxPrice: '1000000.00000000', tickSize: '0.01000000' });
    expect(btc.filters).toContainEqual(expect.objectContaining({ filterType: 'NOTIONAL', minNotional: '5.00000000', applyMinToMarket: true }));
    // exchangeInfo weighs 20 (plus the time request's 1).
    expect(info.headers.get('x-mbx-used-weight-1m')).toBe('21');
  });

  it('lists a halted symbol with its status in exchangeInfo and refuses its orders -2010 "Market is closed."; TRADING again, it takes them', async () => {
    await start();
    fake!.setSymbolStatus('BTCUSDT', 'HALT');
    expect((await get('/api/v3/exchangeInfo?symbol=BTCUSDT')).body.symbols[0]).toMatchObject({ symbol: 'BTCUSDT', status: 'HALT' });
    const order = { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.0015' };
    expect(await signed('POST', '/api/v3/order', order).then((r) => [r.status, r.body])).toEqual([400, { code: -2010, msg: 'Market is closed.' }]);
    fake!.setSymbolStatus('BTCUSDT', 'TRADING');
    expect((await signed('POST', '/api/v3/order', order)).status).toBe(200);
  });

  it("GET /sapi/v1/account/apiRestrictions (signed, weight 1) states the key's permissions; a key whose trading is off, or ran out, is refused -2015 on an order; a pair outside the account's permissions -2010", async () => {
    await start();
    const restrictions = await signed('GET', '/sapi/v1/account/apiRestrictions', {});
    expect(restrictions.body).toMatchObject({ ipRestrict: true, enableReading: true, enableSpotAndMarginTrading: true });
    expect(restrictions.body).not.toHaveProperty('tradingAuthorityExpirationTime');
    expect((await signed('GET', '/sapi/v1/account/apiRestrictions', {}, 'someone-else')).body).toEqual({ code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' });
    const order = { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.0015' };
    fake!.account.key.enableSpotAndMarginTrading = false;
    expect(await signed('POST', '/api/v3/order', order).then((r) => [r.status, r.body])).toEqual([401, { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' }]);
    fake!.account.key = { enableSpotAndMarginTrading: true, ipRestrict: false, tradingAuthorityExpirationTime: clockMs };
    expect((await signed('GET', '/sapi/v1/account/apiRestrictions', {})).body).toMatchObject({ ipRestrict: false, tradingAuthorityExpirationTime: clockMs });
    expect((await signed('POST', '/api/v3/order', order)).body).toEqual({ code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' });
    fake!.account.key.tradingAuthorityExpirationTime = null;
    fake!.account.permissions = ['TRD_GRP_002'];
    expect((await signed('GET', '/api/v3/account', {})).body.permissions).toEqual(['TRD_GRP_002']);
    expect(await signed('POST', '/api/v3/order', order).then((r) => [r.status, r.body])).toEqual([400, { code: -2010, msg: 'This symbol is not permitted for this account.' }]);
    fake!.account.permissions = ['SPOT'];
    expect((await signed('POST', '/api/v3/order', order)).status).toBe(200);
  });

  it('GET /api/v3/ticker/price answers one symbol as an object, none as the whole list, an unknown one -1121', async () => {
    await start();
    expect((await get('/api/v3/ticker/price?symbol=BTCUSDT')).body).toEqual({ symbol: 'BTCUSDT', price: '60000.00000000' });
    expect((await get('/api/v3/ticker/price')).body).toContainEqual({ symbol: 'LTCBTC', price: '0.10000000' });
    expect((await get(`/api/v3/ticker/price?symbols=${encodeURIComponent('["BTCUSDT"]')}`)).body).toEqual([{ symbol: 'BTCUSDT', price: '60000.00000000' }]);
    expect((await get('/api/v3/ticker/price?symbol=NOPE')).body).toEqual({ code: -1121, msg: 'Invalid symbol.' });
  });
});

describe('orders (POST/GET/DELETE /api/v3/order, GET /api/v3/openOrders, GET /api/v3/account)', () => {
  it("answers a MARKET order with the docs' FULL response: fields in order, decimals as strings, fills with the commission", async () => {
    await start();
    const res = await signed('POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.0015', newClientOrderId: 'tck3x9a116260309E' });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['symbol', 'orderId', 'orderListId', 'clientOrderId', 'transactTime', 'price', 'origQty', 'executedQty', 'origQuoteOrderQty', 'cummulativeQuoteQty', 'status', 'timeInForce', 'type', 'side', 'workingTime', 'selfTradePreventionMode', 'fills']);
    expect(res.body).toMatchObject({ symbol: 'BTCUSDT', orderListId: -1, clientOrderId: 'tck3x9a116260309E', transactTime: clockMs, price: '0.00000000', origQty: '0.00150000', executedQty: '0.00150000', cummulativeQuoteQty: '90.00000000', status: 'FILLED', type: 'MARKET', side: 'BUY' });
    expect(res.body.fills).toEqual([{ price: '60000.00000000', qty: '0.00150000', commission: '0.00000150', commissionAsset: 'BTC', tradeId: expect.any(Number) }]);
    expect(res.headers.get('x-mbx-order-count-10s')).toBe('1');
    expect(res.headers.get('x-mbx-order-count-1d')).toBe('1');
    expect(res.headers.get('x-mbx-used-weight-1m')).toBe('1');
    // The fee came out of the BTC received: 1 + 0.0015 − 0.0000015.
    expect(fake!.balance('BTC')).toEqual({ free: '1.00149850', locked: '0.00000000' });
    expect(fake!.balance('USDT')).toEqual({ free: '9910.00000000', locked: '0.00000000' });
    const ack = await signed('POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.001', newOrderRespType: 'ACK' });
    expect(Object.keys(ack.body)).toEqual(['symbol', 'orderId', 'orderListId', 'clientOrderId', 'transactTime']);
  });

  it('refuses with -2010 for funds, -1013 for each filter, naming the filter', async () => {
    await start();
    const place = (p: Record<string, string>) => signed('POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', ...p }).then((r) => [r.status, r.body]);
    expect(await place({ quantity: '1' })).toEqual([400, { code: -2010, msg: 'Account has insufficient balance for requested action.' }]);
    expect(await place({ side: 'SELL', quantity: '2' })).toEqual([400, { code: -2010, msg: 'Account has insufficient balance for requested action.' }]);
    expect(await place({ quantity: '0.000015' })).toEqual([400, { code: -1013, msg: 'Filter failure: MARKET_LOT_SIZE' }]);
    expect(await place({ type: 'LIMIT', timeInForce: 'GTC', price: '60000', quantity: '0.000015' })).toEqual([400, { code: -1013, msg: 'Filter failure: LOT_SIZE' }]);
    expect(await place({ type: 'LIMIT', timeInForce: 'GTC', price: '60000.001', quantity: '0.001' })).toEqual([400, { code: -1013, msg: 'Filter failure: PRICE_FILTER' }]);
    expect(await place({ quantity: '0.00008' })).toEqual([400, { code: -1013, msg: 'Filter failure: NOTIONAL' }]);
    expect(fake!.orders()).toHaveLength(0);
    expect(fake!.received().map((r) => r.outcome.split(' ').slice(0, 2).join(' '))).toEqual(Array(6).fill('refused').map((_, i) => (i < 2 ? 'refused -2010' : 'refused -1013')));
  });

  it('refuses a client order id in use by an open order (-2010 "Duplicate order sent."), and takes it again once that order is closed', async () => {
    await start();
    const limit = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', price: '50000', quantity: '0.001', newClientOrderId: 'same-id' };
    expect((await signed('POST', '/api/v3/order', limit)).body.status).toBe('NEW');
    expect((await signed('POST', '/api/v3/order', limit)).body).toEqual({ code: -2010, msg: 'Duplicate order sent.' });
    expect(fake!.balance('USDT')).toEqual({ free: '9950.00000000', locked: '50.00000000' });
    fake!.setPrice('BTCUSDT', '50000');
    expect((await signed('GET', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'same-id' })).body.status).toBe('FILLED');
    // Closed: the same id is a second order (why a lookup must come before any resend).
    const again = await signed('POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001', newClientOrderId: 'same-id' });
    expect(again.body).toMatchObject({ clientOrderId: 'same-id', status: 'FILLED' });
    expect(fake!.orders().map((o) => [o.clientOrderId, o.status])).toEqual([
      ['same-id', 'FILLED'],
      ['same-id', 'FILLED'],
    ]);
  });

  it('looks an order up by origClientOrderId (-2013 when none), cancels it (-2011 when not open), lists open orders and balances', async () => {
    await start();
    const placed = await signed('POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', price: '70000', quantity: '0.5', newClientOrderId: 'rest1' });
    const looked = await signed('GET', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'rest1' });
    expect(Object.keys(looked.body)).toEqual(['symbol', 'orderId', 'orderListId', 'clientOrderId', 'price', 'origQty', 'executedQty', 'cummulativeQuoteQty', 'status', 'timeInForce', 'type', 'side', 'stopPrice', 'icebergQty', 'time', 'updateTime', 'isWorking', 'workingTime', 'origQuoteOrderQty', 'selfTradePreventionMode']);
    expect(looked.body).toMatchObject({ orderId: placed.body.orderId, clientOrderId: 'rest1', price: '70000.00000000', origQty: '0.50000000', executedQty: '0.00000000', status: 'NEW', timeInForce: 'GTC' });
    expect((await signed('GET', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'nope' })).body).toEqual({ code: -2013, msg: 'Order does not exist.' });
    expect((await signed('GET', '/api/v3/openOrders', { symbol: 'BTCUSDT' })).body.map((o: any) => o.clientOrderId)).toEqual(['rest1']);
    const account = await signed('GET', '/api/v3/account', { omitZeroBalances: 'true' });
    expect(account.body).toMatchObject({ canTrade: true, accountType: 'SPOT', commissionRates: { taker: '0.00100000' }, permissions: ['SPOT'] });
    expect(account.body.balances).toContainEqual({ asset: 'BTC', free: '0.50000000', locked: '0.50000000' });

    const cancelled = await signed('DELETE', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'rest1' });
    expect(cancelled.body).toMatchObject({ symbol: 'BTCUSDT', origClientOrderId: 'rest1', orderId: placed.body.orderId, orderListId: -1, status: 'CANCELED', executedQty: '0.00000000' });
    expect(Object.keys(cancelled.body).slice(0, 6)).toEqual(['symbol', 'origClientOrderId', 'orderId', 'orderListId', 'clientOrderId', 'transactTime']);
    expect((await signed('DELETE', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'rest1' })).body).toEqual({ code: -2011, msg: 'Unknown order sent.' });
    expect(fake!.balance('BTC')).toEqual({ free: '1.00000000', locked: '0.00000000' });
  });
});

describe('the stale balance after a cancel (staleBalanceAfterCancelMs, ours: CCXT #8507, Freqtrade)', () => {
  it('GET /api/v3/account still shows the cancelled order\'s 0.5 locked for 2 s of the fake\'s clock, while a sell of it is already taken', async () => {
    await start({ staleBalanceAfterCancelMs: 2_000 });
    const btc = async () => ((await signed('GET', '/api/v3/account', {})).body.balances as { asset: string }[]).find((b) => b.asset === 'BTC');
    await signed('POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', price: '70000', quantity: '0.5', newClientOrderId: 'stale1' });
    await signed('DELETE', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'stale1' });
    expect(fake!.balance('BTC')).toEqual({ free: '1.00000000', locked: '0.00000000' });
    expect(await btc()).toEqual({ asset: 'BTC', free: '0.50000000', locked: '0.50000000' });
    // The matching engine has it free: a sell of all of it is taken.
    expect((await signed('POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '1' })).status).toBe(200);
    clockMs += 1_999;
    expect(await btc()).toEqual({ asset: 'BTC', free: '0.00000000', locked: '0.50000000' });
    clockMs += 1;
    expect(await btc()).toEqual({ asset: 'BTC', free: '0.00000000', locked: '0.00000000' });
  });
});

describe('rate limits and faults', () => {
  it('answers 429 and 418 with Retry-After and code -1003, and 429 once the minute weight is spent', async () => {
    await start({ weightLimit: 25 });
    fake!.injectFault({ route: 'GET /api/v3/time', fault: { kind: 'rate-limit', retryAfterSec: 7 } });
    fake!.injectFault({ route: 'GET /api/v3/time', fault: { kind: 'ban', retryAfterSec: 120 } });
    const limited = await get('/api/v3/time');
    expect([limited.status, limited.headers.get('retry-after'), limited.body.code]).toEqual([429, '7', -1003]);
    const banned = await get('/api/v3/time');
    expect([banned.status, banned.headers.get('retry-after'), banned.body.code]).toEqual([418, '120', -1003]);
    expect(banned.body.msg).toMatch(/^Way too much request weight used; IP banned until \d+\./);
    await get('/api/v3/exchangeInfo'); // 20: 22 spent
    expect((await get('/api/v3/ticker/price?symbol=BTCUSDT')).status).toBe(200); // 24
    const over = await get('/api/v3/ticker/price?symbol=BTCUSDT'); // 26 > 25
    expect([over.status, over.body.code, over.headers.get('x-mbx-used-weight-1m')]).toEqual([429, -1003, '26']);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    clockMs += 60_000;
    expect((await get('/api/v3/time')).status).toBe(200);
  });

  it('places an order and then cuts the connection (drop-after-accept): the order exists, the client got nothing', async () => {
    await start();
    fake!.injectFault({ route: 'POST /api/v3/order', fault: { kind: 'drop-after-accept' } });
    await expect(signed('POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001', newClientOrderId: 'lost1' })).rejects.toThrow();
    expect(fake!.orders().map((o) => [o.clientOrderId, o.status])).toEqual([['lost1', 'FILLED']]);
    const record = (await (await fetch(`${fake!.url}/__fake/record`)).json()) as { received: { outcome: string }[]; orders: unknown[] };
    expect(record.received.map((r) => r.outcome)).toEqual(['placed #1']);
    expect(record.orders).toHaveLength(1);
  });
});

describe('market streams (developers.binance.com, "WebSocket Streams")', () => {
  it('sends <symbol>@trade in the documented payload on /ws after SUBSCRIBE, and wrapped on /stream', async () => {
    await start();
    const raw = new WebSocket(fake!.streamUrl);
    const combined = new WebSocket(`${fake!.url.replace('http', 'ws')}/stream?streams=btcusdt@trade`);
    sockets.push(raw, combined);
    await Promise.all([once(raw, 'open'), once(combined, 'open')]);
    raw.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['btcusdt@trade'], id: 1 }));
    expect(JSON.parse(String((await once(raw, 'message'))[0]))).toEqual({ result: null, id: 1 });
    const rawNext = once(raw, 'message');
    const combinedNext = once(combined, 'message');
    fake!.setPrice('BTCUSDT', '60001.5');
    const trade = JSON.parse(String((await rawNext)[0]));
    expect(Object.keys(trade)).toEqual(['e', 'E', 's', 't', 'p', 'q', 'T', 'm', 'M']);
    expect(trade).toMatchObject({ e: 'trade', E: clockMs, s: 'BTCUSDT', p: '60001.50000000', q: '0.00001000', T: clockMs });
    expect(JSON.parse(String((await combinedNext)[0]))).toEqual({ stream: 'btcusdt@trade', data: trade });
    raw.send(JSON.stringify({ method: 'LIST_SUBSCRIPTIONS', id: 2 }));
    expect(JSON.parse(String((await once(raw, 'message'))[0]))).toEqual({ result: ['btcusdt@trade'], id: 2 });
  });
});

describe('WebSocket API user data stream (developers.binance.com, "WebSocket API": SIGNED request security, user data stream requests)', () => {
  /** The next `n` frames of a socket, parsed. */
  function frames(ws: WebSocket, n: number): Promise<any[]> {
    return new Promise((resolve) => {
      const got: any[] = [];
      const on = (raw: unknown) => {
        got.push(JSON.parse(String(raw)));
        if (got.length === n) {
          ws.off('message', on);
          resolve(got);
        }
      };
      ws.on('message', on);
    });
  }

  it("builds the docs' signature payload (parameters sorted by name) and signs it to the docs' signature", () => {
    const params = { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01000000', price: '52000.00', newOrderRespType: 'ACK', recvWindow: 100, timestamp: 1645423376532, apiKey: DOCS_API_KEY };
    const payload = wsApiPayload(params);
    expect(payload).toBe(`apiKey=${DOCS_API_KEY}&newOrderRespType=ACK&price=52000.00&quantity=0.01000000&recvWindow=100&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT`);
    expect(sign(payload)).toBe('cc15477742bd704c29492d96c7ead9414dfd8e0ec4a00f947bb5bb454ddbd08a');
  });

  it('subscribes with a signature, refuses a bad one (-1022) or an old timestamp (-1021), then sends executionReport for each order change', async () => {
    await start();
    const ws = new WebSocket(fake!.wsApiUrl);
    sockets.push(ws);
    await once(ws, 'open');
    const request = (id: string, params: Record<string, unknown>, bad = false) => {
      const signature = sign(wsApiPayload(params));
      ws.send(JSON.stringify({ id, method: 'userDataStream.subscribe.signature', params: { ...params, signature: bad ? signature.replace(/^./, signature[0] === 'a' ? 'b' : 'a') : signature } }));
    };
    request('bad', { apiKey: DOCS_API_KEY, timestamp: clockMs }, true);
    expect((await frames(ws, 1))[0]).toEqual({ id: 'bad', status: 400, error: { code: -1022, msg: 'Signature for this request is not valid.' }, rateLimits: [expect.objectContaining({ rateLimitType: 'REQUEST_WEIGHT', count: 2 })] });
    request('old', { apiKey: DOCS_API_KEY, timestamp: clockMs - 6000 });
    expect((await frames(ws, 1))[0]).toMatchObject({ id: 'old', status: 400, error: { code: -1021 } });
    request('ok', { apiKey: DOCS_API_KEY, timestamp: clockMs, recvWindow: 5000 });
    expect((await frames(ws, 1))[0]).toEqual({ id: 'ok', status: 200, result: { subscriptionId: 0 }, rateLimits: [expect.objectContaining({ count: 6 })] });
    expect(fake!.userDataSubscriptions()).toBe(1);

    const events = frames(ws, 2);
    await signed('POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.0015', newClientOrderId: 'tckWs1' });
    const [placed, traded] = await events;
    expect(Object.keys(placed)).toEqual(['subscriptionId', 'event']);
    expect(Object.keys(placed.event)).toEqual(['e', 'E', 's', 'c', 'S', 'o', 'f', 'q', 'p', 'P', 'F', 'g', 'C', 'x', 'X', 'r', 'i', 'l', 'z', 'L', 'n', 'N', 'T', 't', 'I', 'w', 'm', 'M', 'O', 'Z', 'Y', 'Q', 'W', 'V']);
    expect(placed).toMatchObject({ subscriptionId: 0, event: { e: 'executionReport', s: 'BTCUSDT', c: 'tckWs1', S: 'BUY', o: 'MARKET', q: '0.00150000', x: 'NEW', X: 'NEW', z: '0.00000000', N: null, t: -1 } });
    expect(traded.event).toMatchObject({ c: 'tckWs1', x: 'TRADE', X: 'FILLED', l: '0.00150000', z: '0.00150000', L: '60000.00000000', n: '0.00000150', N: 'BTC', Z: '90.00000000', Y: '90.00000000' });

    // A cancel: `c` is the cancel's own id, `C` the order's.
    const resting = frames(ws, 1);
    await signed('POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', price: '70000', quantity: '0.001', newClientOrderId: 'tckWs2' });
    expect((await resting)[0].event).toMatchObject({ c: 'tckWs2', x: 'NEW', X: 'NEW', w: true });
    const cancelEvent = frames(ws, 1);
    await signed('DELETE', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'tckWs2', newClientOrderId: 'tckWs2cancel' });
    expect((await cancelEvent)[0].event).toMatchObject({ c: 'tckWs2cancel', C: 'tckWs2', x: 'CANCELED', X: 'CANCELED' });

    ws.send(JSON.stringify({ id: 'u', method: 'userDataStream.unsubscribe', params: { subscriptionId: 0 } }));
    expect((await frames(ws, 1))[0]).toMatchObject({ id: 'u', status: 200, result: {} });
    expect(fake!.userDataSubscriptions()).toBe(0);
  });
});
