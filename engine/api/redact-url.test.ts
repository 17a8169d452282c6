import { describe, expect, it } from 'vitest';
import { redactUrl } from './redact-url';

describe('redactUrl', () => {
  it('replaces the values of secret parameters and keeps the rest', () => {
    expect(redactUrl('/broker/login/callback?request_token=Ab12&action=login&status=success&tc_nonce=n0nce')).toBe(
      '/broker/login/callback?request_token=[redacted]&action=login&status=success&tc_nonce=[redacted]',
    );
    expect(redactUrl('/x?token=a&access_token=b&password=c&api_secret=d&checksum=e')).toBe(
      '/x?token=[redacted]&access_token=[redacted]&password=[redacted]&api_secret=[redacted]&checksum=[redacted]',
    );
    expect(redactUrl('/events/log?limit=50&before=9')).toBe('/events/log?limit=50&before=9');
    expect(redactUrl('/health')).toBe('/health');
  });

  it('matches names the way the server decodes them: percent-encoded, plus for space, any case, doubly encoded', () => {
    for (const name of ['%72equest_token', '%72%65%71%75%65%73%74%5F%74%6F%6B%65%6E', 'REQUEST_TOKEN', 'Request%5ftoken', '%2572equest_token', 'token+', 'tok%65n', 'token[]', 'token%5B0%5D']) {
      expect(redactUrl(`/cb?a=1&${name}=secretvalue&b=2`), name).toBe(`/cb?a=1&${name}=[redacted]&b=2`);
    }
  });

  it('redacts whatever the value is, encoded or not, and leaves no part of it', () => {
    for (const value of ['abc%26def', 'a%3Db', '%E2%82%AC%20x', 'bad%zz', '']) {
      const out = redactUrl(`/cb?request_token=${value}&status=ok`);
      expect(out).toBe('/cb?request_token=[redacted]&status=ok');
    }
    // A bare name (no "=") and a fragment.
    expect(redactUrl('/cb?token&x=1#frag')).toBe('/cb?token=[redacted]&x=1#frag');
  });

  it('does not redact names that only contain a secret name', () => {
    expect(redactUrl('/x?tokens_left=3&my_password_hint=x')).toBe('/x?tokens_left=3&my_password_hint=x');
  });
});
