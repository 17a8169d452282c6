/** The login helpers that need no network: URL, checksum, reading the redirect. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { kiteChecksum, kiteLoginUrl, parseKiteRedirect } from './login';

describe('kiteChecksum', () => {
  it('is lower-case hex SHA-256 of api_key + request_token + api_secret, no separators', () => {
    // SHA-256("abc"), the FIPS 180-2 test vector.
    expect(kiteChecksum('a', 'b', 'c')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(kiteChecksum('key1', 'req2', 'sec3')).toBe(createHash('sha256').update('key1req2sec3').digest('hex'));
  });
});

describe('kiteLoginUrl', () => {
  it('points at Kite with v=3 and the api key, and packs redirect params into one field', () => {
    const url = new URL(kiteLoginUrl('abc123', { redirectParams: { account: '7', nonce: 'q9x' } }));
    expect(url.origin + url.pathname).toBe('https://kite.zerodha.com/connect/login');
    expect(url.searchParams.get('v')).toBe('3');
    expect(url.searchParams.get('api_key')).toBe('abc123');
    expect(url.searchParams.get('redirect_params')).toBe('account=7&nonce=q9x');
    expect(kiteLoginUrl('k', { loginUrl: 'http://127.0.0.1:5000/connect/login' })).toBe('http://127.0.0.1:5000/connect/login?v=3&api_key=k');
  });
});

describe('parseKiteRedirect', () => {
  it('reads the whole redirect URL, with the redirect params beside the token', () => {
    expect(parseKiteRedirect('http://127.0.0.1:7777/kite/callback?account=7&nonce=q9x&request_token=Ab12Cd34&action=login&type=login&status=success')).toEqual({
      ok: true,
      requestToken: 'Ab12Cd34',
      params: { account: '7', nonce: 'q9x', action: 'login', type: 'login', status: 'success' },
    });
  });

  it('reads a query string or a bare token pasted by hand', () => {
    expect(parseKiteRedirect('?request_token=Ab12Cd34&status=success')).toMatchObject({ ok: true, requestToken: 'Ab12Cd34' });
    expect(parseKiteRedirect('  Ab12Cd34Ef  ')).toEqual({ ok: true, requestToken: 'Ab12Cd34Ef', params: {} });
  });

  it('says why a redirect is useless', () => {
    expect(parseKiteRedirect('http://127.0.0.1/cb?status=cancelled')).toEqual({ ok: false, reason: expect.stringMatching(/"cancelled"/) });
    expect(parseKiteRedirect('http://127.0.0.1/cb?action=login')).toEqual({ ok: false, reason: expect.stringMatching(/no request_token/) });
    expect(parseKiteRedirect('http://127.0.0.1/cb?request_token=a%20b')).toEqual({ ok: false, reason: expect.stringMatching(/letters and digits/) });
  });
});
