/** Kite credentials and options: strict, defaulted, and errors that name the field. */
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../core/errors';
import { parseKiteCredentials, parseKiteOptions } from './kite-options';

function fieldsOf(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    return (err as DomainError).fields;
  }
  throw new Error('expected a validation error');
}

describe('parseKiteOptions', () => {
  it('defaults everything to the real Kite and ltp / MIS / market protection auto', () => {
    expect(parseKiteOptions(undefined)).toEqual({
      rest_url: 'https://api.kite.trade',
      ticker_url: 'wss://ws.kite.trade',
      login_url: 'https://kite.zerodha.com/connect/login',
      mode: 'ltp',
      product: 'MIS',
      exchanges: ['NSE', 'BSE'],
      market_protection: -1,
      exit_price_buffer_pct: 5,
      exit_reprice_after_ms: 2_000,
      exit_max_modifications: 20,
      request_timeout_ms: 7_000,
      stale_after_ms: 5_000,
      reconnect_max_delay_ms: 30_000,
      max_rate_wait_ms: 2_000,
    });
  });

  it('accepts plain http/ws on loopback only, so a token never crosses a network in clear', () => {
    expect(parseKiteOptions({ rest_url: 'http://127.0.0.1:9000', ticker_url: 'ws://localhost:9001' }).rest_url).toBe('http://127.0.0.1:9000');
    expect(fieldsOf(() => parseKiteOptions({ rest_url: 'http://kite.example.com' }))).toEqual([{ field: 'rest_url', message: expect.stringMatching(/must use https:\/\//) }]);
    expect(fieldsOf(() => parseKiteOptions({ ticker_url: 'https://ws.kite.trade' }))).toEqual([{ field: 'ticker_url', message: expect.stringMatching(/must use wss:\/\//) }]);
    expect(fieldsOf(() => parseKiteOptions({ login_url: 'not a url' }))).toEqual([{ field: 'login_url', message: 'must be an absolute URL' }]);
  });

  it('names each bad option', () => {
    expect(fieldsOf(() => parseKiteOptions({ mode: 'depth', product: 'NRML', exchanges: ['NSE', 'NSE'], market_protection: 0, modee: 'ltp' }))).toEqual(
      expect.arrayContaining([
        { field: 'mode', message: 'must be ltp, quote or full' },
        { field: 'product', message: 'must be MIS (intraday) or CNC (delivery)' },
        { field: 'exchanges', message: 'must not repeat an exchange' },
        { field: 'market_protection', message: expect.stringMatching(/Kite refuses market orders without protection/) },
        { field: 'modee', message: 'is not a Kite option' },
      ]),
    );
  });

  it('bounds the options exit chase: a buffer within NSE\'s protection band, Kite\'s 25 modifications', () => {
    expect(parseKiteOptions({ exit_price_buffer_pct: 2.5, exit_reprice_after_ms: 1_000, exit_max_modifications: 25 })).toMatchObject({ exit_price_buffer_pct: 2.5, exit_reprice_after_ms: 1_000, exit_max_modifications: 25 });
    expect(fieldsOf(() => parseKiteOptions({ exit_price_buffer_pct: 45, exit_reprice_after_ms: 100, exit_max_modifications: 26 }))).toEqual([
      { field: 'exit_price_buffer_pct', message: expect.stringMatching(/at most 40 \(%\).*limit price protection/) },
      { field: 'exit_reprice_after_ms', message: 'must be at least 500 ms' },
      { field: 'exit_max_modifications', message: 'must be at most 25: Kite allows 25 modifications an order' },
    ]);
    expect(fieldsOf(() => parseKiteOptions({ exit_price_buffer_pct: '5' }))).toEqual([{ field: 'exit_price_buffer_pct', message: 'must be a number (a percentage of the last price)' }]);
  });
});

describe('parseKiteCredentials', () => {
  it('takes api_key and api_secret, the access token once logged in', () => {
    expect(parseKiteCredentials({ api_key: 'abc123', api_secret: 'S3cret' })).toEqual({ api_key: 'abc123', api_secret: 'S3cret' });
    expect(parseKiteCredentials({ api_key: ' abc123 ', api_secret: 'x', access_token: 'tok' }).access_token).toBe('tok');
  });

  it('refuses what cannot be a Kite key, with limits, and unknown fields', () => {
    expect(fieldsOf(() => parseKiteCredentials({ api_key: 'abc:123', api_secret: 'x'.repeat(129), password: 'p' }))).toEqual(
      expect.arrayContaining([
        { field: 'api_key', message: 'api_key must be letters and digits only, exactly as Kite shows it' },
        { field: 'api_secret', message: 'api_secret must be at most 128 characters' },
        { field: 'password', message: 'is not a Kite credential' },
      ]),
    );
    expect(fieldsOf(() => parseKiteCredentials({}))).toEqual(expect.arrayContaining([{ field: 'api_key', message: 'api_key is required' }]));
  });
});
