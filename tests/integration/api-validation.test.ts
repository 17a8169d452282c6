/**
 * Every strategy rule, and the auth and broker rules, surface as 400 with the one error shape
 * naming the offending field, and nothing is written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startApiHarness, type ApiHarness } from '../support/api-harness';

let h: ApiHarness;
let token: string;
let account: number;
beforeAll(async () => {
  h = await startApiHarness();
  ({ token } = await h.register());
  account = await h.connectPaper(token);
});
afterAll(async () => h?.close());

/** The fields a 400 names, after checking the whole shape. */
async function fieldsOf(res: Promise<{ status: number; body: any }>): Promise<string[]> {
  const { status, body } = await res;
  expect(status).toBe(400);
  expect(body).toEqual({ error: { code: 'validation_failed', message: expect.any(String), fields: expect.any(Array) } });
  for (const f of body.error.fields) expect(f).toEqual({ field: expect.any(String), message: expect.any(String) });
  return body.error.fields.map((f: { field: string }) => f.field);
}

describe('strategy create: each rule names its field', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['missing stop_loss', { stop_loss: undefined }, 'stop_loss'],
    ['qty 0', { qty: 0 }, 'qty'],
    ['qty 1.5', { qty: 1.5 }, 'qty'],
    // A decimal string is a quantity (issue 22: "0.0015" as typed); words are not.
    ['qty as words', { qty: 'ten' }, 'qty'],
    ['negative stop_loss', { stop_loss: -1 }, 'stop_loss'],
    ['bad buy_time', { buy_time: '25:00' }, 'buy_time'],
    ['bad sell_time text', { sell_time: 'noon' }, 'sell_time'],
    ['sell before buy', { buy_time: '10:00', sell_time: '09:59' }, 'sell_time'],
    ['sell equal to buy', { buy_time: '10:00', sell_time: '10:00:00' }, 'sell_time'],
    ['bad timezone', { timezone: 'Mars/Olympus' }, 'timezone'],
    ['unknown exchange', { exchange: 'LSE' }, 'exchange'],
    ['bad repeat', { repeat: 'weekly' }, 'repeat'],
    ['grace too long', { buy_grace_seconds: 7200 }, 'buy_grace_seconds'],
    ['bad symbol', { symbol: 'not a symbol!' }, 'symbol'],
    ['unknown field', { colour: 'red' }, 'colour'],
    ['unknown broker_account_id', { broker_account_id: 99_999 }, 'broker_account_id'],
    ['broker_account_id as text', { broker_account_id: 'one' }, 'broker_account_id'],
  ];
  for (const [name, patch, field] of cases) {
    it(name, async () => {
      const body = { broker_account_id: account, symbol: 'AAPL', exchange: 'NYSE', qty: 10, buy_time: '09:05', sell_time: '09:10', stop_loss: 95, ...patch };
      expect(await fieldsOf(h.call('POST', '/strategy/create', { token, body }))).toContain(field);
    });
  }

  it('names every bad field at once', async () => {
    const fields = await fieldsOf(h.call('POST', '/strategy/create', { token, body: { broker_account_id: account, symbol: 'AAPL', qty: 0, buy_time: 'x', sell_time: '09:10' } }));
    expect(fields).toEqual(expect.arrayContaining(['qty', 'buy_time', 'stop_loss']));
  });

  it('refuses a missing body, an array body and a non-object', async () => {
    expect(await fieldsOf(h.call('POST', '/strategy/create', { token }))).toEqual(['body']);
    expect(await fieldsOf(h.call('POST', '/strategy/create', { token, body: [] }))).toEqual(['body']);
    expect(await fieldsOf(h.call('POST', '/strategy/create', { token, body: 42 }))).toEqual(['body']);
  });

  it('wrote nothing', async () => {
    expect((await h.call('GET', '/strategy', { token })).body.strategies).toEqual([]);
  });
});

describe('other routes validate too', () => {
  it('strategy edit: the same rules, merged with the stored strategy', async () => {
    const { body: s } = await h.createStrategy(token, account);
    expect(await fieldsOf(h.call('PATCH', `/strategy/${s.id}`, { token, body: { sell_time: '09:00' } }))).toEqual(['sell_time']);
    expect(await fieldsOf(h.call('PATCH', `/strategy/${s.id}`, { token, body: { user_id: 2 } }))).toEqual(['user_id']);
    expect(await fieldsOf(h.call('PATCH', '/strategy/abc', { token, body: { qty: 1 } }))).toEqual(['id']);
    expect((await h.call('GET', `/strategy/${s.id}`, { token })).body).toMatchObject({ sell_time: '09:10:00' });
    await h.call('DELETE', `/strategy/${s.id}`, { token });
  });

  it('start and stop', async () => {
    expect(await fieldsOf(h.call('POST', '/strategy/start', { token, body: {} }))).toEqual(['strategy_id']);
    expect(await fieldsOf(h.call('POST', '/strategy/start', { token, body: { strategy_id: 1.5 } }))).toEqual(['strategy_id']);
    expect(await fieldsOf(h.call('POST', '/strategy/stop', { token, body: { strategy_id: 1, close_position: 'yes' } }))).toEqual(['close_position']);
    expect((await h.call('POST', '/strategy/start', { token, body: { strategy_id: 424242 } })).status).toBe(404);
  });

  it('register and login', async () => {
    expect(await fieldsOf(h.call('POST', '/auth/register', { body: { email: 'not-an-email', password: PASSWORD } }))).toEqual(['email']);
    expect(await fieldsOf(h.call('POST', '/auth/register', { body: { email: 'a@example.com', password: 'short' } }))).toEqual(['password']);
    // Both at once: a mistyped address does not hide the password rule.
    const all = await h.call('POST', '/auth/register', { body: { email: 'not-an-email', password: 'short', confirm_password: 'shirt' } });
    expect(all.body.error.fields).toEqual([
      { field: 'email', message: 'email must be an email address' },
      { field: 'password', message: 'must be at least 10 characters' },
      { field: 'confirm_password', message: 'confirm_password must be the same as the password' },
    ]);
    expect(await fieldsOf(h.call('POST', '/auth/register', { body: { email: 'b@example.com', password: PASSWORD, confirm_password: `${PASSWORD}!` } }))).toEqual(['confirm_password']);
    expect(await fieldsOf(h.call('POST', '/auth/register', { body: { email: 'a@example.com', password: PASSWORD, admin: true } }))).toEqual(['admin']);
    expect(await fieldsOf(h.call('POST', '/auth/login', { body: { email: 'a@example.com' } }))).toEqual(['password']);
    const dup = await h.call('POST', '/auth/register', { body: { email: 'dup@example.com', password: PASSWORD } });
    expect(dup.status).toBe(201);
    const again = await h.call('POST', '/auth/register', { body: { email: ' DUP@example.com', password: PASSWORD } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
  });

  it('broker connect', async () => {
    expect(await fieldsOf(h.call('POST', '/broker/connect', { token, body: { broker: 'nyse-direct' } }))).toEqual(['broker']);
    expect(await fieldsOf(h.call('POST', '/broker/connect', { token, body: { broker: 'paper', options: { volatilityBps: -1 } } }))).toEqual(['options.volatilityBps']);
    expect(await fieldsOf(h.call('POST', '/broker/connect', { token, body: { broker: 'paper', credentials: { api_key: 'x' } } }))).toEqual(['credentials.api_key']);
    expect(await fieldsOf(h.call('POST', '/broker/connect', { token, body: { broker: 'paper', label: 'x'.repeat(65) } }))).toEqual(['label']);
  });

  it('the events log query', async () => {
    expect(await fieldsOf(h.call('GET', '/events/log?limit=0', { token }))).toEqual(['limit']);
    expect(await fieldsOf(h.call('GET', '/events/log?before_id=-3', { token }))).toEqual(['before_id']);
    expect(await fieldsOf(h.call('GET', '/events/log?page=2', { token }))).toEqual(['page']);
  });

  it('bad JSON is a 400 that does not echo the body', async () => {
    const res = await h.call('POST', '/strategy/create', { token, rawBody: '{"symbol": "SECRET-ECHO', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'validation_failed', message: 'the request body is not valid JSON', fields: [{ field: 'body', message: 'is not valid JSON' }] } });
    expect(res.text).not.toContain('SECRET-ECHO');
  });
});
