import { describe, expect, it } from 'vitest';
import { alpacaCredentialsSchema, alpacaEndpoints, alpacaOptionsSchema } from './alpaca-config';

describe('alpaca options', () => {
  it('defaults to paper and the IEX feed, on the documented hosts', () => {
    const options = alpacaOptionsSchema.parse({});
    expect(options).toEqual({ paper: true, feed: 'iex' });
    expect(alpacaEndpoints(options)).toEqual({
      restUrl: 'https://paper-api.alpaca.markets',
      tradeStreamUrl: 'wss://paper-api.alpaca.markets/stream',
      dataStreamUrl: 'wss://stream.data.alpaca.markets/v2/iex',
      dataRestUrl: 'https://data.alpaca.markets',
    });
    expect(alpacaEndpoints(alpacaOptionsSchema.parse({ paper: false, feed: 'sip' }))).toEqual({
      restUrl: 'https://api.alpaca.markets',
      tradeStreamUrl: 'wss://api.alpaca.markets/stream',
      dataStreamUrl: 'wss://stream.data.alpaca.markets/v2/sip',
      dataRestUrl: 'https://data.alpaca.markets',
    });
  });

  it('takes endpoint overrides, deriving the trade stream from the REST URL', () => {
    const options = alpacaOptionsSchema.parse({ rest_url: 'https://eu.example.com/', data_stream_url: 'wss://stream.example.com/v2/test' });
    expect(alpacaEndpoints(options)).toEqual({ restUrl: 'https://eu.example.com', tradeStreamUrl: 'wss://eu.example.com/stream', dataStreamUrl: 'wss://stream.example.com/v2/test', dataRestUrl: 'https://data.alpaca.markets' });
    expect(alpacaEndpoints(alpacaOptionsSchema.parse({ data_url: 'https://data.sandbox.alpaca.markets/' })).dataRestUrl).toBe('https://data.sandbox.alpaca.markets');
    expect(alpacaOptionsSchema.parse({ rest_url: 'http://127.0.0.1:8080' }).rest_url).toBe('http://127.0.0.1:8080');
  });

  it('names the bad field: unknown keys, wrong types, clear-text hosts, queries', () => {
    const issues = (v: unknown) => alpacaOptionsSchema.safeParse(v).error?.issues.map((i) => [i.path.join('.') || i.code, i.message]);
    expect(issues({ papr: true })).toEqual([['unrecognized_keys', expect.stringContaining('papr')]]);
    expect(issues({ paper: 'yes' })).toEqual([['paper', 'must be true or false']]);
    expect(issues({ feed: 'nasdaq' })).toEqual([['feed', 'must be "iex" or "sip"']]);
    expect(issues({ rest_url: 'http://api.alpaca.markets' })).toEqual([['rest_url', expect.stringContaining('must use https://')]]);
    expect(issues({ rest_url: 'ftp://x' })).toEqual([['rest_url', 'must start with https:// or http://']]);
    expect(issues({ trade_stream_url: 'wss://x/stream?a=1' })).toEqual([['trade_stream_url', 'must not have a query string or fragment']]);
    expect(issues({ data_stream_url: 'not a url' })).toEqual([['data_stream_url', expect.stringContaining('absolute URL')]]);
  });
});

describe('alpaca credentials', () => {
  it('trims pasted keys and limits them', () => {
    expect(alpacaCredentialsSchema.parse({ key_id: ' PK123 ', secret_key: 'abc/def\n' })).toEqual({ key_id: 'PK123', secret_key: 'abc/def' });
    const bad = alpacaCredentialsSchema.safeParse({ key_id: '', secret_key: 'x'.repeat(200), extra: 1 });
    expect([...new Set(bad.error?.issues.map((i) => i.path.join('.') || i.code))].sort()).toEqual(['key_id', 'secret_key', 'unrecognized_keys']);
    expect(alpacaCredentialsSchema.safeParse({ key_id: 'PK 123', secret_key: 's' }).success).toBe(false);
  });
});
