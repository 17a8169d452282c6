/**
 * Defences of a server on 127.0.0.1 that any web page the user opens can try to reach
 * (research/electron.md §2):
 * - DNS rebinding: a page on evil.example re-resolves its name to 127.0.0.1 and becomes
 *   "same-origin". Only a Host header naming loopback by literal (or `localhost`) with our port
 *   tells our own UI apart, so every other Host is refused.
 * - Cross-site requests: a present Origin must be the UI's own. Browsers always send Origin on
 *   WebSocket handshakes and on cross-site POSTs.
 * - "Simple" cross-site POSTs: Fastify would parse text/plain and hand it to the handler without
 *   a CORS preflight, so every body must be application/json (which forces a preflight we never
 *   answer).
 * - No CORS headers at all; a CSP and frame-ancestors 'none' on every response.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './errors';

/** The port the server is bound to now (listen on port 0 picks one), or null before listen. */
export function boundPort(app: FastifyInstance): number | null {
  const address = app.server.address();
  return address && typeof address === 'object' ? (address as AddressInfo).port : null;
}

/** `Host` values this server answers to on `port`: loopback literals and localhost, nothing else. */
export function allowedHosts(port: number): readonly string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
}

/** Origins of the UI served by this server on `port`. */
export function allowedOrigins(port: number): readonly string[] {
  return allowedHosts(port).map((host) => `http://${host}`);
}

/** True when the request carries an Origin header (browsers always do on WebSocket handshakes). */
export function hasOrigin(request: FastifyRequest): boolean {
  return request.headers.origin !== undefined;
}

/**
 * Installs the Host, Origin and content-type checks on every request (WebSocket upgrades
 * included: @fastify/websocket routes them through the same hooks before upgrading) and the
 * security headers on every response.
 */
export function installHardening(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const port = boundPort(app);
    // Host names are case-insensitive; browsers send them lower-case anyway.
    const host = request.headers.host?.toLowerCase();
    if (port === null || host === undefined || !allowedHosts(port).includes(host)) {
      throw new ApiError('forbidden', 'this server only answers to 127.0.0.1, localhost or [::1] with its own port');
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !allowedOrigins(port).includes(origin)) {
      throw new ApiError('forbidden', 'requests from other web sites are refused');
    }
    if (hasBody(request) && !isJson(request.headers['content-type'])) {
      throw new ApiError('unsupported_media_type', 'request bodies must be application/json');
    }
  });
  app.addHook('onSend', async (_request, reply) => {
    setSecurityHeaders(reply, boundPort(app));
  });
}

function setSecurityHeaders(reply: FastifyReply, port: number | null): void {
  // Built from the bound port, never from the request's Host (which may be the forged one).
  const sockets = port === null ? '' : allowedHosts(port).map((host) => ` ws://${host}`).join('');
  reply.header(
    'content-security-policy',
    `default-src 'self'; connect-src 'self'${sockets}; img-src 'self' data:; style-src 'self' 'unsafe-inline'; ` +
      `frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'`,
  );
  reply.header('x-frame-options', 'DENY');
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('cross-origin-resource-policy', 'same-origin');
  // API answers carry user data; static files set their own caching.
  if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function isJson(contentType: string | undefined): boolean {
  return contentType?.split(';', 1)[0]?.trim().toLowerCase() === 'application/json';
}
