import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { hostMatches, hostNames, listenUrls, parsePublicHost } from './allowed-hosts';

const v4 = (address: string, internal = false) => ({ address, family: 'IPv4', internal }) as NetworkInterfaceInfo;
const v6 = (address: string, internal = false) => ({ address, family: 'IPv6', internal }) as NetworkInterfaceInfo;
/** A laptop on Wi-Fi and a VPN. */
const laptop = () => ({
  lo: [v4('127.0.0.1', true), v6('::1', true)],
  wlan0: [v4('192.168.1.20'), v6('fe80::1c2:3ff:fe45:6789'), v6('2001:db8::20')],
  tun0: [v4('10.8.0.3')],
});

describe('hostNames', () => {
  it('loopback only for a loopback bind', () => {
    expect(hostNames('127.0.0.1', [], laptop)).toEqual(['127.0.0.1', 'localhost', '[::1]']);
  });

  it('every IPv4 interface address for 0.0.0.0; IPv6 too for ::, never a link-local one', () => {
    expect(hostNames('0.0.0.0', [], laptop)).toEqual(['127.0.0.1', 'localhost', '[::1]', '192.168.1.20', '10.8.0.3']);
    expect(hostNames('::', [], laptop)).toEqual(['127.0.0.1', 'localhost', '[::1]', '192.168.1.20', '[2001:db8::20]', '10.8.0.3']);
  });

  it('the one address of a specific bind, and the declared public names', () => {
    expect(hostNames('192.168.1.20', ['tradeclock.lan', 'fd00::7'], laptop)).toEqual(['127.0.0.1', 'localhost', '[::1]', '192.168.1.20', 'tradeclock.lan', '[fd00::7]']);
  });
});

describe('hostMatches', () => {
  const names = hostNames('0.0.0.0', ['tradeclock.lan'], laptop);
  it('needs one of the names with the bound port', () => {
    expect(hostMatches('192.168.1.20:7420', 7420, names)).toBe(true);
    expect(hostMatches('TradeClock.LAN:7420', 7420, names)).toBe(true);
    expect(hostMatches('192.168.1.20:7421', 7420, names)).toBe(false);
    expect(hostMatches('192.168.1.20', 7420, names)).toBe(false);
    expect(hostMatches('192.168.1.21:7420', 7420, names)).toBe(false);
    expect(hostMatches('evil.example:7420', 7420, names)).toBe(false);
    expect(hostMatches('0.0.0.0:7420', 7420, names)).toBe(false);
    expect(hostMatches('tradeclock.lan.evil.example:7420', 7420, names)).toBe(false);
  });

  it('takes a Host without a port only on port 80, where browsers leave it out', () => {
    expect(hostMatches('192.168.1.20', 80, names)).toBe(true);
    expect(hostMatches('192.168.1.20:80', 80, names)).toBe(true);
  });

  it('reads IPv6 literals in brackets', () => {
    const v6names = hostNames('::', [], laptop);
    expect(hostMatches('[2001:db8::20]:7420', 7420, v6names)).toBe(true);
    expect(hostMatches('[2001:db8::21]:7420', 7420, v6names)).toBe(false);
    expect(hostMatches('[::ffff:127.0.0.1]:7420', 7420, v6names)).toBe(false);
  });
});

describe('listenUrls', () => {
  it('one reachable URL per interface address for a wildcard bind, loopback first, never 0.0.0.0', () => {
    expect(listenUrls('0.0.0.0', 7420, [], laptop)).toEqual(['http://127.0.0.1:7420', 'http://192.168.1.20:7420', 'http://10.8.0.3:7420']);
    expect(listenUrls('::', 7420, ['tradeclock.lan'], laptop)).toEqual([
      'http://127.0.0.1:7420',
      'http://192.168.1.20:7420',
      'http://[2001:db8::20]:7420',
      'http://10.8.0.3:7420',
      'http://tradeclock.lan:7420',
    ]);
  });

  it('the bound address itself otherwise', () => {
    expect(listenUrls('127.0.0.1', 7420, [], laptop)).toEqual(['http://127.0.0.1:7420']);
    expect(listenUrls('::1', 7420, [], laptop)).toEqual(['http://[::1]:7420']);
    expect(listenUrls('192.168.1.20', 7420, [], laptop)).toEqual(['http://192.168.1.20:7420']);
  });
});

describe('parsePublicHost', () => {
  it('takes DNS names and IP literals, lower-cased', () => {
    expect(parsePublicHost('TradeClock.LAN')).toBe('tradeclock.lan');
    expect(parsePublicHost('box.local.')).toBe('box.local');
    expect(parsePublicHost('192.168.1.20')).toBe('192.168.1.20');
    expect(parsePublicHost('[2001:DB8::20]')).toBe('2001:db8::20');
  });

  it('refuses URLs, ports, wildcards in names and junk, saying what is wrong', () => {
    expect(() => parsePublicHost('http://box.lan')).toThrow(/not a URL/);
    expect(() => parsePublicHost('box.lan:7420')).toThrow(/without a port/);
    expect(() => parsePublicHost('*.lan')).toThrow(/not a host name/);
    expect(() => parsePublicHost('')).toThrow(/not a host name/);
    expect(() => parsePublicHost('a..b')).toThrow(/not a host name/);
  });
});
