/**
 * A Kite account's REST through the trader's proxy (Kite takes orders only from a registered static
 * IP): an HTTP CONNECT proxy and a SOCKS5 server on 127.0.0.1 in front of the Kite fake. Every call
 * of the account (the tag check, the order, the lookup) goes through a tunnel to the fake, with the
 * proxy's credentials when it asks; a proxy that refuses them is named without the password; the
 * setting is refused, naming the field, when it is not a proxy URL or carries its password.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../engine/core/fake-clock';
import { createKiteBroker, type KiteBroker } from '../../engine/brokers/kite';
import { parseKiteCredentials, parseKiteOptions } from '../../engine/brokers/kite/kite-options';
import type { PlaceOrderRequest } from '../../engine/brokers/broker';
import { startKiteFake, type KiteFake } from '../fakes/kite/kite-fake';
import { startConnectProxy, startSocks5Proxy, type LoopbackProxy } from '../support/loopback-proxies';

let fake: KiteFake | undefined;
let proxy: LoopbackProxy | undefined;
const brokers: KiteBroker[] = [];
const clock = new FakeClock(Date.parse('2026-03-09T04:00:00Z')); // 09:30 IST

afterEach(async () => {
  for (const b of brokers.splice(0)) await b.stop();
  await proxy?.close();
  await fake?.close();
  proxy = undefined;
  fake = undefined;
});

const PASSWORD = 'pr0xy-pass word';

async function kiteThrough(p: LoopbackProxy, credentials: Record<string, string> = {}): Promise<KiteBroker> {
  fake ??= await startKiteFake({ prices: { INFY: 100 } });
  proxy = p;
  const b = createKiteBroker({ clock, credentials: { ...fake.credentials(), ...credentials }, options: { ...fake.options(), proxy_url: p.url }, random: () => 0.5 });
  brokers.push(b);
  return b;
}

const order = (over: Partial<PlaceOrderRequest> = {}) => ({ clientOrderId: 'tck3x9a116260309E', side: 'buy' as const, qty: 10, opens: true, ...over });
const fakeHost = () => new URL(fake!.options().rest_url).host;

describe('a Kite account behind a proxy', () => {
  it('HTTP CONNECT: the instruments, the tag check and the order each go through a tunnel to Kite', async () => {
    const kite = await kiteThrough(await startConnectProxy());
    const infy = (await kite.instruments.resolve('INFY', 'NSE'))!;
    const result = await kite.execution.placeOrder({ ...order(), instrument: infy });
    expect(result).toMatchObject({ kind: 'accepted', brokerOrderId: fake!.orders()[0]!.order_id });
    expect(fake!.orders()[0]!.tag).toBe('tck3x9a116260309E');
    // Every tunnel is to the fake (the REST host), none elsewhere; the ticker is not started here.
    expect(proxy!.tunnels.length).toBeGreaterThan(0);
    expect(new Set(proxy!.tunnels.map((t) => t.target))).toEqual(new Set([fakeHost()]));
    expect(await kite.execution.lookupOrder('tck3x9a116260309E')).toMatchObject({ status: expect.any(String), brokerOrderId: fake!.orders()[0]!.order_id });
  });

  it("HTTP CONNECT with a user: Proxy-Authorization carries them; wrong ones are refused, the proxy named, the password in no message", async () => {
    const kite = await kiteThrough(await startConnectProxy({ user: 'trader', password: PASSWORD }), { proxy_username: 'trader', proxy_password: PASSWORD });
    const infy = (await kite.instruments.resolve('INFY', 'NSE'))!;
    expect(await kite.execution.placeOrder({ ...order(), instrument: infy })).toMatchObject({ kind: 'accepted' });
    expect(proxy!.tunnels.every((t) => t.user === 'trader' && t.password === PASSWORD)).toBe(true);

    const wrong = createKiteBroker({ clock, credentials: { ...fake!.credentials(), proxy_username: 'trader', proxy_password: 'not it' }, options: { ...fake!.options(), proxy_url: proxy!.url }, random: () => 0.5 });
    brokers.push(wrong);
    const refused = await wrong.instruments.resolve('INFY', 'NSE').then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(Error);
    const message = (refused as Error).message;
    expect(message).toContain(`through the proxy ${proxy!.url}`);
    expect(message).not.toContain('not it');
    expect(message).not.toContain(PASSWORD);
    expect(proxy!.refused).toBeGreaterThan(0);
    expect(fake!.orders()).toHaveLength(1);
  });

  it('SOCKS5 with a user (RFC 1929): the order goes through the tunnel; without the user the server refuses and nothing reaches Kite', async () => {
    const kite = await kiteThrough(await startSocks5Proxy({ user: 'trader', password: PASSWORD }), { proxy_username: 'trader', proxy_password: PASSWORD });
    const infy = (await kite.instruments.resolve('INFY', 'NSE'))!;
    expect(await kite.execution.placeOrder({ ...order(), instrument: infy })).toMatchObject({ kind: 'accepted' });
    expect(proxy!.tunnels.length).toBeGreaterThan(0);
    expect(proxy!.tunnels.every((t) => t.target === fakeHost() && t.user === 'trader' && t.password === PASSWORD)).toBe(true);

    const anonymous = createKiteBroker({ clock, credentials: fake!.credentials(), options: { ...fake!.options(), proxy_url: proxy!.url }, random: () => 0.5 });
    brokers.push(anonymous);
    const before = fake!.requests().length;
    const result = await anonymous.execution.placeOrder({ ...order({ clientOrderId: 'tck3x9a116260309F' }), instrument: infy });
    expect(result.kind).toBe('unknown');
    expect(fake!.requests()).toHaveLength(before);
    expect(fake!.orders()).toHaveLength(1);
  });
});

describe('the proxy setting', () => {
  const optionErrors = (proxy_url: unknown) => {
    try {
      parseKiteOptions({ proxy_url });
      return [];
    } catch (err) {
      return (err as { fields: { field: string; message: string }[] }).fields;
    }
  };

  it('takes http, https and socks5 URLs with a host and a port (http and https may use their default ports)', () => {
    for (const url of ['http://203.0.113.7:3128', 'https://proxy.example.com', 'socks5://203.0.113.7:1080', 'socks5://proxy.example.com:1080', 'http://[2001:db8::7]:3128']) expect(parseKiteOptions({ proxy_url: url }).proxy_url).toBe(url);
    expect(parseKiteOptions({}).proxy_url).toBeUndefined();
  });

  it('refuses anything else, naming proxy_url and what to do', () => {
    expect(optionErrors('203.0.113.7:3128')).toEqual([{ field: 'proxy_url', message: expect.stringMatching(/must (be a URL|start with)/) }]);
    expect(optionErrors('ftp://203.0.113.7:21')).toEqual([{ field: 'proxy_url', message: 'must start with http://, https:// or socks5://, not ftp://' }]);
    expect(optionErrors('socks5://me:secret@203.0.113.7:1080')).toEqual([
      { field: 'proxy_url', message: 'must not hold a user name or password: put them in credentials.proxy_username and credentials.proxy_password (kept in the vault)' },
    ]);
    expect(optionErrors('socks5://203.0.113.7')).toEqual([{ field: 'proxy_url', message: 'must name the SOCKS5 port (e.g. socks5://203.0.113.7:1080)' }]);
    expect(optionErrors('http://203.0.113.7:3128/path')).toEqual([{ field: 'proxy_url', message: 'must be the proxy alone: scheme, host and port, without a path, query or fragment' }]);
    expect(optionErrors(3128)).toEqual([{ field: 'proxy_url', message: 'must be a URL' }]);
    expect(optionErrors('socks5://[2001:db8::7]:1080')).toEqual([{ field: 'proxy_url', message: 'a SOCKS5 proxy must be named by an IPv4 address or a host name, not an IPv6 address' }]);
  });

  it('refuses a proxy password without a user name and the other way round, and a user name with a colon', () => {
    const base = { api_key: 'abc123', api_secret: 'def456' };
    expect(() => parseKiteCredentials({ ...base, proxy_username: 'trader' })).toThrow(expect.objectContaining({ fields: [{ field: 'proxy_password', message: 'a proxy user name needs a proxy_password' }] }));
    expect(() => parseKiteCredentials({ ...base, proxy_password: 'x' })).toThrow(expect.objectContaining({ fields: [{ field: 'proxy_username', message: 'a proxy password needs a proxy_username' }] }));
    expect(() => parseKiteCredentials({ ...base, proxy_username: 'a:b', proxy_password: 'x' })).toThrow(
      expect.objectContaining({ fields: [{ field: 'proxy_username', message: "proxy_username must be printable ASCII without spaces or ':'" }] }),
    );
    expect(parseKiteCredentials({ ...base, proxy_username: 'trader', proxy_password: PASSWORD })).toMatchObject({ proxy_username: 'trader', proxy_password: PASSWORD });
  });
});
