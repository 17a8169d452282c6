/**
 * GET /broker/kinds: what the connect form offers, read from the registered broker kinds' zod
 * schemas (engine/brokers/broker-kinds.ts): fields, which credentials are masked, which are
 * required, option types through optional/default/transform wrappers, and the daily-login flag.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defaultBrokerKinds } from '../../engine/brokers/broker-kinds';
import { startKiteFake, type KiteFake } from '../fakes/kite/kite-fake';
import { PASSWORD, startApiHarness, type ApiHarness } from '../support/api-harness';

let h: ApiHarness | undefined;
let kite: KiteFake | undefined;
afterEach(async () => {
  await h?.close();
  await kite?.close();
  h = undefined;
  kite = undefined;
});

describe('GET /broker/kinds', () => {
  it('needs a signed-in user', async () => {
    h = await startApiHarness();
    const res = await h.call('GET', '/broker/kinds');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
  });

  it('describes every registered broker, in the registry order', async () => {
    h = await startApiHarness();
    const { token } = await h.register();
    const res = await h.call('GET', '/broker/kinds', { token });
    expect(res.status).toBe(200);
    const kinds = res.body.kinds as Array<Record<string, any>>;
    // Binance's entry is described in api-binance-connect.test.ts.
    expect(kinds.map((k) => k.broker)).toEqual(['paper', 'alpaca', 'kite', 'binance']);

    const [paper, alpaca, kiteKind] = kinds;
    expect(paper).toMatchObject({ broker: 'paper', title: 'Paper trading (simulated market)', needs_secret: false, daily_login: false, historical_bars: false, historical_ticks: false, credential_fields: [] });
    expect(paper!.option_fields).toEqual(
      expect.arrayContaining([
        { name: 'seed', type: 'number', required: false },
        { name: 'tickIntervalMs', type: 'number', required: false },
        { name: 'scripts', type: 'json', required: false },
        { name: 'startPrices', type: 'json', required: false },
      ]),
    );

    expect(alpaca).toEqual({
      broker: 'alpaca',
      title: 'Alpaca (US stocks, paper or live)',
      needs_secret: true,
      daily_login: false,
      historical_bars: true,
      historical_ticks: true,
      credential_fields: [
        { name: 'key_id', secret: false, required: true },
        { name: 'secret_key', secret: true, required: true },
      ],
      option_fields: [
        { name: 'paper', type: 'boolean', required: false },
        // optional(string.transform(...)): the input of the transform is what the user types
        { name: 'rest_url', type: 'string', required: false },
        { name: 'data_url', type: 'string', required: false },
        { name: 'data_stream_url', type: 'string', required: false },
        { name: 'trade_stream_url', type: 'string', required: false },
        { name: 'feed', type: 'string', required: false },
      ],
    });

    expect(kiteKind).toMatchObject({
      broker: 'kite',
      needs_secret: true,
      daily_login: true,
      historical_bars: true,
      historical_ticks: false,
      credential_fields: [
        { name: 'api_key', secret: false, required: true },
        { name: 'api_secret', secret: true, required: true },
        { name: 'access_token', secret: true, required: false },
        // The proxy's user name is shown as typed; its password is a password input.
        { name: 'proxy_username', secret: false, required: false },
        { name: 'proxy_password', secret: true, required: false },
      ],
    });
    expect(kiteKind!.option_fields).toEqual(
      expect.arrayContaining([
        { name: 'proxy_url', type: 'string', required: false },
        { name: 'rest_url', type: 'string', required: false },
        { name: 'ticker_url', type: 'string', required: false },
        { name: 'login_url', type: 'string', required: false },
        { name: 'exchanges', type: 'json', required: false },
        { name: 'market_protection', type: 'number', required: false },
      ]),
    );
    // Nothing about a schema beyond names and plain types goes on the wire.
    expect(res.text).not.toMatch(/kite\.zerodha\.com|api\.kite\.trade|_zod/);
  });

  it('follows the registry: a new kind, required options, literals, and a schema that is not an object', async () => {
    const kinds = {
      ...defaultBrokerKinds(),
      custom: {
        title: 'Custom',
        credentialsSchema: z.union([z.strictObject({ token: z.string() }), z.strictObject({ user: z.string(), password: z.string() })]),
        optionsSchema: z.strictObject({
          host: z.string().min(1),
          port: z.number().int().nullable(),
          live: z.literal(true).optional(),
          mode: z.enum(['a', 'b']).default('a'),
          extra: z.record(z.string(), z.unknown()).prefault({}),
        }),
        needsSecret: true,
        create: () => {
          throw new Error('not used');
        },
      },
    } as unknown as ReturnType<typeof defaultBrokerKinds>;
    h = await startApiHarness({ kinds });
    const { token } = await h.register();
    const res = await h.call('GET', '/broker/kinds', { token });
    expect(res.body.kinds.at(-1)).toEqual({
      broker: 'custom',
      title: 'Custom',
      needs_secret: true,
      daily_login: false,
      historical_bars: false,
      historical_ticks: false,
      credential_fields: [],
      option_fields: [
        { name: 'host', type: 'string', required: true },
        { name: 'port', type: 'number', required: true },
        { name: 'live', type: 'boolean', required: false },
        { name: 'mode', type: 'string', required: false },
        { name: 'extra', type: 'json', required: false },
      ],
    });
  });
});

describe('the session of a closed daily-login broker', () => {
  it('is what the last login said, and the user hears of it', async () => {
    h = await startApiHarness();
    kite = await startKiteFake();
    const { token, email } = await h.register();
    const connected = await h.call('POST', '/broker/connect', { token, body: { broker: 'kite', credentials: { api_key: kite.apiKey, api_secret: kite.apiSecret }, options: kite.options() } });
    expect(connected.body).toMatchObject({ status: 'login_required', session: null });
    const socket = await h.openSocket({ token });
    await socket.waitFor((m) => m.type === 'hello');

    const done = await h.call('POST', `/broker/${connected.body.id}/session`, { token, body: { redirect: kite.issueRequestToken() } });
    expect(done.status).toBe(200);
    const expiresAt = done.body.session_expires_at as number;
    expect(done.body.account.session).toEqual({ state: 'valid', expires_at: expiresAt, checked_at: h.clock.now(), message: expect.any(String) });
    const event = await socket.waitFor((m) => m.type === 'broker_session_changed');
    expect(event).toMatchObject({ broker_account_id: connected.body.id, state: 'valid', expires_at: expiresAt });
    expect((await h.call('GET', `/broker/${connected.body.id}`, { token })).body.session).toMatchObject({ state: 'valid', expires_at: expiresAt });

    await h.advanceTo(new Date(expiresAt + 1000).toISOString());
    // The API token may have run out too by then (the fake Kite's login time is the real clock's).
    const again = (await h.call('POST', '/auth/login', { body: { email, password: PASSWORD } })).body.token as string;
    expect((await h.call('GET', `/broker/${connected.body.id}`, { token: again })).body.session).toMatchObject({ state: 'expired', expires_at: expiresAt });
  });

  it('is null for brokers without a daily login', async () => {
    h = await startApiHarness();
    const { token } = await h.register();
    const id = await h.connectPaper(token);
    expect((await h.call('GET', `/broker/${id}`, { token })).body.session).toBeNull();
  });
});
