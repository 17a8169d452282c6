import { describe, expect, it } from 'vitest';
import { clientKey, LOOPBACK_CLIENT } from './client-address';

describe('clientKey', () => {
  it('makes every loopback address one client: 127.0.0.0/8, ::1 and their IPv4-mapped forms', () => {
    for (const a of ['127.0.0.1', '127.0.0.2', '127.255.255.254', '127.1.2.3', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '::FFFF:127.9.9.9', '0:0:0:0:0:ffff:127.0.0.5', '::ffff:7f00:1', '::ffff:7f12:3456']) {
      expect(clientKey(a), a).toBe(LOOPBACK_CLIENT);
    }
  });

  it('keeps other IPv4 addresses apart, and an IPv4-mapped address is its IPv4 address', () => {
    expect(clientKey('192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey('::ffff:c000:207')).toBe('192.0.2.7');
    expect(clientKey('128.0.0.1')).toBe('128.0.0.1');
    expect(clientKey('10.127.0.1')).toBe('10.127.0.1');
    expect(clientKey('192.0.2.8')).not.toBe(clientKey('192.0.2.7'));
  });

  it('makes an IPv6 client its /64: a host rotating its interface identifier stays one client', () => {
    const lan = ['2001:db8:1:2::1', '2001:DB8:1:2:ffff:ffff:ffff:fffe', '2001:0db8:0001:0002:a1b2:c3d4:e5f6:0708', '2001:db8:1:2::abcd:1'];
    for (const a of lan) expect(clientKey(a), a).toBe('2001:db8:1:2::/64');
    // The neighbouring /64 is another client.
    expect(clientKey('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(clientKey('fd12:3456:789a:1::99')).toBe('fd12:3456:789a:1::/64');
    // Link-local, with or without the zone the socket may report.
    expect(clientKey('fe80::1234:5678:9abc:def0%eth0')).toBe(clientKey('fe80::1'));
    expect(clientKey('fe80::1%br-0a1b2c')).toBe('fe80::/64');
    expect(clientKey('::2')).not.toBe(LOOPBACK_CLIENT);
  });

  it('counts something that is not an IP address as itself', () => {
    expect(clientKey(' Not-An-Address ')).toBe('not-an-address');
    expect(clientKey('010.1')).toBe('010.1');
  });
});
