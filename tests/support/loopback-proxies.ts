/**
 * Two small proxies on 127.0.0.1 for the tests of a broker account's proxy setting, each keeping a
 * record of the tunnels it opened:
 * - an HTTP proxy that answers `CONNECT host:port` (RFC 9110 §9.3.6) and nothing else, checking
 *   `Proxy-Authorization: Basic` when given a user (407 with `Proxy-Authenticate` otherwise);
 * - a SOCKS5 server (RFC 1928: CONNECT with an IPv4, domain or IPv6 address) with no
 *   authentication, or the user name and password of RFC 1929 when given a user.
 */
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export interface Tunnel {
  /** `host:port` the client asked for. */
  readonly target: string;
  /** The user name and password the client gave ('' when none). */
  readonly user: string;
  readonly password: string;
}

export interface LoopbackProxy {
  /** e.g. `http://127.0.0.1:41234` or `socks5://127.0.0.1:41235`. */
  readonly url: string;
  /** Tunnels opened (authenticated), in order. */
  readonly tunnels: Tunnel[];
  /** Attempts refused for wrong or missing credentials. */
  refused: number;
  close(): Promise<void>;
}

interface Auth {
  readonly user: string;
  readonly password: string;
}

function pipeTo(client: Duplex, target: string, head: Buffer, onOpen: (upstream: Socket) => void): Socket {
  const colon = target.lastIndexOf(':');
  const host = target.slice(0, colon).replace(/^\[|\]$/g, '');
  const upstream = connect(Number(target.slice(colon + 1)), host, () => {
    onOpen(upstream);
    if (head.length > 0) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  const end = () => {
    upstream.destroy();
    client.destroy();
  };
  upstream.on('error', end);
  client.on('error', end);
  client.on('close', () => upstream.destroy());
  return upstream;
}

/** An HTTP CONNECT proxy; with `auth`, only that user and password are let through. */
export async function startConnectProxy(auth?: Auth): Promise<LoopbackProxy> {
  const sockets = new Set<Duplex>();
  const server = createHttpServer((_req, res) => {
    // Only tunnels: a forwarded plain request would let the proxy read the broker's token.
    res.writeHead(405, { connection: 'close' }).end();
  });
  const proxy: LoopbackProxy = {
    url: '',
    tunnels: [],
    refused: 0,
    close: () => closeServer(server, sockets),
  };
  server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    const given = basicCredentials(req.headers['proxy-authorization']);
    if (auth && (given?.user !== auth.user || given.password !== auth.password)) {
      proxy.refused++;
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const target = req.url ?? '';
    pipeTo(client, target, head, () => {
      proxy.tunnels.push({ target, user: given?.user ?? '', password: given?.password ?? '' });
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    });
  });
  const port = await listen(server);
  return Object.assign(proxy, { url: `http://127.0.0.1:${port}` });
}

function basicCredentials(header: string | undefined): Auth | null {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!m) return null;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon === -1 ? null : { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** A SOCKS5 server; with `auth`, method 0x02 (RFC 1929) and only that user and password. */
export async function startSocks5Proxy(auth?: Auth): Promise<LoopbackProxy> {
  const sockets = new Set<Duplex>();
  const proxy: LoopbackProxy = { url: '', tunnels: [], refused: 0, close: () => closeServer(server, sockets) };
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    let buffered = Buffer.alloc(0);
    let stage: 'greeting' | 'auth' | 'request' | 'open' = 'greeting';
    let user = '';
    let password = '';
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        if (stage === 'greeting') {
          // VER NMETHODS METHODS...
          if (buffered.length < 2 || buffered.length < 2 + buffered[1]!) return;
          const methods = [...buffered.subarray(2, 2 + buffered[1]!)];
          buffered = buffered.subarray(2 + buffered[1]!);
          const wanted = auth ? 0x02 : 0x00;
          if (!methods.includes(wanted)) {
            proxy.refused++;
            client.end(Buffer.from([0x05, 0xff]));
            return;
          }
          client.write(Buffer.from([0x05, wanted]));
          stage = auth ? 'auth' : 'request';
        } else if (stage === 'auth') {
          // VER(1) ULEN UNAME PLEN PASSWD
          if (buffered.length < 2) return;
          const ulen = buffered[1]!;
          if (buffered.length < 3 + ulen) return;
          const plen = buffered[2 + ulen]!;
          if (buffered.length < 3 + ulen + plen) return;
          user = buffered.subarray(2, 2 + ulen).toString('utf8');
          password = buffered.subarray(3 + ulen, 3 + ulen + plen).toString('utf8');
          buffered = buffered.subarray(3 + ulen + plen);
          if (user !== auth!.user || password !== auth!.password) {
            proxy.refused++;
            client.end(Buffer.from([0x01, 0x01]));
            return;
          }
          client.write(Buffer.from([0x01, 0x00]));
          stage = 'request';
        } else if (stage === 'request') {
          // VER CMD RSV ATYP DST.ADDR DST.PORT
          if (buffered.length < 5) return;
          const cmd = buffered[1]!;
          const atyp = buffered[3]!;
          const addrLength = atyp === 0x01 ? 4 : atyp === 0x04 ? 16 : 1 + buffered[4]!;
          if (buffered.length < 4 + addrLength + 2) return;
          const addr = buffered.subarray(4, 4 + addrLength);
          const host = atyp === 0x01 ? [...addr].join('.') : atyp === 0x04 ? `[${(addr.toString('hex').match(/.{4}/g) ?? []).join(':')}]` : addr.subarray(1).toString('utf8');
          const port = buffered.readUInt16BE(4 + addrLength);
          const head = buffered.subarray(4 + addrLength + 2);
          buffered = Buffer.alloc(0);
          stage = 'open';
          client.off('data', onData);
          // Only CONNECT (0x01): anything else is "command not supported".
          if (cmd !== 0x01) return void client.end(Buffer.from([0x05, 0x07, 0x00, 0x01, 0, 0, 0, 0, 0, 0]));
          const target = `${host}:${port}`;
          pipeTo(client, target, head, () => {
            proxy.tunnels.push({ target, user, password });
            client.write(Buffer.from([0x05, 0x00, 0x00, 0x01, 127, 0, 0, 1, 0, 0]));
          });
          return;
        } else return;
      }
    };
    client.on('data', onData);
  });
  const port = await listen(server);
  return Object.assign(proxy, { url: `socks5://127.0.0.1:${port}` });
}

async function listen(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function closeServer(server: Server | ReturnType<typeof createHttpServer>, sockets: Set<Duplex>): Promise<void> {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
