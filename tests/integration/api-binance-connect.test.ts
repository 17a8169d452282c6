/**
 * Binance spot (through CCXT) as a broker kind a trader connects (issue 22): GET /broker/kinds
 * describes its fields from its schemas, POST /broker/connect checks the key and secret against
 * the venue (here the loopback Binance fake) before the vault seals them, the account is testnet
 * (paper money) unless `testnet` is false, trades CRYPTO in UTC, the symbol's quote (price and
 * pair facts) comes from the venue, so create checks the least order value before any strategy
 * watches the pair, and a started strategy's trade stream shows as the account's `feed_state` in
 * GET /broker. The key and secret appear in no response, WebSocket message,
 * log line (the API's and the adapter's, at trace) or error, nor in the database's bytes.
 */
import { setTimeout as realDelay } from 'node:timers/promises';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultBrokerKinds } from '../../engine/brokers/broker-kinds';
import { BINANCE, ccxtBrokerKind } from '../../engine/brokers/ccxt';
import { startFakeBinance, type FakeBinance } from '../fakes/binance/fake-binance';
import { startApiHarness, type ApiHarness } from '../support/api-harness';

let h: ApiHarness | undefined;
let fake: FakeBinance | undefined;
afterEach(async () => {
  await h?.close();
  await fake?.close();
  h = fake = undefined;
});

/** Every 12-character piece of `secret`: a partial leak counts too. */
const pieces = (secret: string) => Array.from({ length: secret.length - 11 }, (_, i) => secret.slice(i, i + 12));
const leaks = (text: string, secrets: readonly string[]) => secrets.flatMap(pieces).filter((p) => text.includes(p));

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await realDelay(20);
  }
}

async function setup(): Promise<{ h: ApiHarness; fake: FakeBinance; token: string; adapterLog: string[] }> {
  const adapterLog: string[] = [];
  const logger = pino({ level: 'trace' }, { write: (line: string) => void adapterLog.push(line) });
  h = await startApiHarness({ kinds: { ...defaultBrokerKinds(), binance: ccxtBrokerKind(BINANCE, { logger }) }, logLevel: 'trace' });
  const clock = h.clock;
  fake = await startFakeBinance({ now: () => clock.now(), prices: { BTCUSDT: '60000' } });
  const { token } = await h.register();
  return { h, fake, token, adapterLog };
}

describe('a Binance account through the API', () => {
  it('the connect form: key shown, secret masked, testnet, endpoint and timeout options', async () => {
    const { h, token } = await setup();
    const kinds = (await h.call('GET', '/broker/kinds', { token })).body.kinds as Array<Record<string, unknown>>;
    expect(kinds.find((k) => k['broker'] === 'binance')).toEqual({
      broker: 'binance',
      title: 'Binance spot (crypto pairs through CCXT, testnet or live)',
      needs_secret: true,
      daily_login: false,
      historical_bars: false,
      historical_ticks: false,
      credential_fields: [
        { name: 'api_key', secret: false, required: true },
        { name: 'secret', secret: true, required: true },
      ],
      option_fields: [
        { name: 'testnet', type: 'boolean', required: false },
        { name: 'rest_url', type: 'string', required: false },
        { name: 'timeout_ms', type: 'number', required: false },
      ],
    });
  });

  it('connects on testnet, quotes BTC/USDT from the venue, refuses a wrong secret and bad options by name; no key or secret anywhere', async () => {
    const { h, fake, token, adapterLog } = await setup();
    const { apiKey, secret } = fake.credentials();
    const connect = await h.call('POST', '/broker/connect', { token, body: { broker: 'binance', label: 'Binance test', credentials: { api_key: apiKey, secret }, options: { rest_url: fake.url } } });
    expect(connect.status).toBe(201);
    expect(connect.body).toMatchObject({ broker: 'binance', mode: 'paper', backstop_by_default: true, markets: [{ exchange: 'CRYPTO', timezone: 'UTC' }], credentials_masked: { api_key: 'vm…8A', secret: 'Nh…0j' }, options: { testnet: true, rest_url: fake.url, timeout_ms: 10_000 } });
    // The key was checked with a signed request before anything was stored.
    expect(fake.requests().map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(expect.arrayContaining(['GET /api/v3/account 200']));

    const quote = await h.call('GET', `/broker/${connect.body.id}/quote?symbol=${encodeURIComponent('BTC/USDT')}&exchange=CRYPTO`, { token });
    expect(quote.status).toBe(200);
    expect(quote.body).toMatchObject({ symbol: 'BTC/USDT', exchange: 'CRYPTO', known: true, price: 60_000, instrument: { base: 'BTC', quote: 'USDT', qty_step: 0.00001, min_qty: 0.00001, min_notional: 5 } });

    // At create, the least order value is checked against the venue's price, before any strategy watches the pair.
    const strategy = { broker_account_id: connect.body.id, symbol: 'BTC/USDT', exchange: 'CRYPTO', buy_time: '14:00:00', sell_time: '14:05:00', stop_loss: 55_000 };
    const tiny = await h.call('POST', '/strategy/create', { token, body: { ...strategy, qty: '0.00001' } });
    expect(tiny.status).toBe(400);
    expect(tiny.body.error.fields).toEqual([{ field: 'qty', message: expect.stringContaining('at the last price 60000, below BTC/USDT\'s least order value of 5 USDT') }]);
    const created = await h.call('POST', '/strategy/create', { token, body: { ...strategy, qty: '0.0015' } });
    expect(created.status).toBe(201);
    // Started, the pair is watched on the trade stream: the account's price feed shows in the broker list.
    expect((await h.call('POST', '/strategy/start', { token, body: { strategy_id: created.body.id } })).status).toBe(200);
    await eventually(async () => (await h.call('GET', '/broker', { token })).body.accounts[0].feed_state === 'up', 'the feed up in GET /broker');
    expect(fake.streamSubscriptions().flat()).toContain('btcusdt@trade');
    expect((await h.call('POST', '/strategy/stop', { token, body: { strategy_id: created.body.id } })).status).toBe(200);

    const live = await h.call('POST', '/broker/connect', { token, body: { broker: 'binance', label: 'Binance live', credentials: { api_key: apiKey, secret }, options: { testnet: false, rest_url: fake.url } } });
    expect(live.status).toBe(201);
    expect(live.body.mode).toBe('live');

    // A secret the venue does not take: refused naming the credentials, the venue's words, not the secret.
    const wrongSecret = `${secret.slice(0, -4)}WXYZ`;
    const refused = await h.call('POST', '/broker/connect', { token, body: { broker: 'binance', credentials: { api_key: apiKey, secret: wrongSecret }, options: { rest_url: fake.url } } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.fields).toEqual([{ field: 'credentials', message: expect.stringMatching(/Signature for this request is not valid/) }]);
    const missing = await h.call('POST', '/broker/connect', { token, body: { broker: 'binance', credentials: { api_key: apiKey } } });
    expect(missing.body.error.fields).toEqual([{ field: 'credentials.secret', message: expect.any(String) }]);
    const badTestnet = await h.call('POST', '/broker/connect', { token, body: { broker: 'binance', credentials: { api_key: apiKey, secret }, options: { testnet: 'yes' } } });
    expect(badTestnet.body.error.fields).toEqual([{ field: 'options.testnet', message: 'must be true or false' }]);
    const plainHttp = await h.call('POST', '/broker/connect', { token, body: { broker: 'binance', credentials: { api_key: apiKey, secret }, options: { rest_url: 'http://api.example.com' } } });
    expect(plainHttp.body.error.fields).toEqual([{ field: 'options.rest_url', message: expect.stringMatching(/must use https:\/\/ \(plain http is only allowed for localhost\)/) }]);
    const misspelt = await h.call('POST', '/broker/connect', { token, body: { broker: 'binance', credentials: { api_key: apiKey, secret }, options: { test_net: false } } });
    expect(misspelt.status).toBe(400);
    expect(JSON.stringify(misspelt.body.error.fields)).toContain('test_net');

    expect((await h.call('GET', '/broker', { token })).body.accounts.map((a: { broker: string; mode: string }) => [a.broker, a.mode])).toEqual([
      ['binance', 'paper'],
      ['binance', 'live'],
    ]);
    // Only ciphertext is stored.
    expect(h.repos.brokerAccounts.getCiphertextInternal(connect.body.id as never)).not.toBeNull();

    expect(adapterLog.length + h.logLines.length).toBeGreaterThan(10);
    const secrets = [secret, wrongSecret, apiKey];
    expect(leaks(h.received.join('\n'), secrets)).toEqual([]);
    expect(leaks(h.logLines.join('\n'), secrets)).toEqual([]);
    expect(leaks(adapterLog.join('\n'), secrets)).toEqual([]);
    expect(h.logLines.join('\n')).not.toMatch(/signature=[0-9a-f]{64}/);
  });
});
