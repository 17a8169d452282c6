/**
 * One port, both protocols: the daemon on the LAN speaks HTTPS (a phone's browser installs the app
 * and keeps its token only over a secure origin), while the desktop on loopback keeps plain HTTP
 * with nothing to accept. Each new connection's first byte tells: 0x16 opens a TLS handshake and
 * goes to the HTTPS server, anything else to the HTTP one. Both hand requests to Fastify's one
 * handler, and their WebSocket upgrades to the outer server's 'upgrade' listeners
 * (@fastify/websocket listens on the server Fastify was given). Which requests may use plain HTTP
 * is the hardening's to say (hardening.ts: loopback only, when HTTPS is on).
 */
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';

/** A TLS handshake record starts with this content type. */
const TLS_HANDSHAKE = 0x16;
/** A connection that sends nothing this long is dropped before either server sees it. */
const FIRST_BYTE_TIMEOUT_MS = 10_000;

export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
}

/** What Fastify calls on the server it is given at close (forceCloseConnections). */
type DualServer = Server & { closeAllConnections(): void; closeIdleConnections(): void };

/**
 * A server for Fastify's `serverFactory`.
 *
 * @example Fastify({ serverFactory: (handler) => dualProtocolServer(handler, { cert, key }) })
 */
export function dualProtocolServer(handler: (req: IncomingMessage, res: ServerResponse) => void, tls: TlsFiles): HttpServer {
  const listener = handler as RequestListener;
  const plain = createHttpServer(listener);
  const secure = createHttpsServer({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' }, listener);
  const waiting = new Set<Socket>();
  const outer = createNetServer((socket) => {
    waiting.add(socket);
    socket.setTimeout(FIRST_BYTE_TIMEOUT_MS, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.once('close', () => waiting.delete(socket));
    socket.once('data', (first: Buffer) => {
      waiting.delete(socket);
      socket.setTimeout(0);
      socket.pause();
      socket.unshift(first);
      (first[0] === TLS_HANDSHAKE ? secure : plain).emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
  }) as DualServer;
  for (const inner of [plain, secure]) inner.on('upgrade', (...args: unknown[]) => outer.emit('upgrade', ...args));
  // A handshake that fails (a phone that does not trust the certificate yet) is the client's business.
  secure.on('tlsClientError', (_err, socket) => socket.destroy());
  outer.closeAllConnections = () => {
    for (const socket of waiting) socket.destroy();
    plain.closeAllConnections();
    secure.closeAllConnections();
  };
  outer.closeIdleConnections = () => {
    plain.closeIdleConnections();
    secure.closeIdleConnections();
  };
  // Fastify types its server as an http.Server; of it, Fastify and @fastify/websocket use listen,
  // close, address, the close*Connections above and the 'upgrade' event, which this one has.
  return outer as unknown as HttpServer;
}
