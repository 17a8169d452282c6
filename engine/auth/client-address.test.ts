import { describe, expect, it } from 'vitest';
import { clientKey, LOOPBACK_CLIENT } from './client-address';

describe('clientKey', () => {
  it('makes every loopback address one client: 127.0.0.0/8, ::1 and their IPv4-mapped forms', () => {
    for (const a of ['127.0.0.1', '127.0.0.2', '127.255.255.254', '127.1.2.3', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '::FFFF:127.9.9.9', '0:0:0:0:0:ffff:127.0.0.5', '::ffff:7f00:1', '::ffff:7f12:3456']) {
      expect(clientKey(a), a).toBe(LOOPBACK_CLIENT);
    }
  });

  it('keeps other addresses apart, and an IPv4-mapped address is its IPv4 address', () => {
    expect(clientKey('192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey('::ffff:c000:207')).toBe('192.0.2.7');
    expect(clientKey('2001:DB8::1')).toBe('2001:db8::1');
    expect(clientKey('128.0.0.1')).toBe('128.0.0.1');
    expect(clientKey('::2')).toBe('::2');
    expect(clientKey('10.127.0.1')).toBe('10.127.0.1');
  });
});
