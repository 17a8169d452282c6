/**
 * Defences of a server on 127.0.0.1 that any web page the user opens can try to reach
 * (research/electron.md §2):
 * - DNS rebinding: a page on evil.example re-resolves its name to 127.0.0.1 (or to the machine's
 *   LAN address) and becomes "same-origin". Only a Host header naming an address of this server
 *   by literal, `localhost`, or a name declared with `--public-host`, with our port, tells our own
 *   UI apart (allowed-hosts.ts), so every other Host is refused.
 * - Cross-site requests: a present Origin must be the UI's own. Browsers always send Origin on
 *   WebSocket handshakes and on cross-site POSTs.
 * - "Simple" cross-site POSTs: Fastify would parse text/plain and hand it to the handler without
 *   a CORS preflight, so every body must be application/json (which forces a preflight we never
 *   answer).
 * - No CORS headers at all; a CSP and frame-ancestors 'none' on every response.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hostMatches, hostNames, isLoopback, LOOPBACK_NAMES, parsePublicHost, type Interfaces } from './allowed-hosts';
import { contentSecurityPolicy } from './content-security-policy';
import { ApiError } from './errors';

/** The port the server is bound to now (listen on port 0 picks one), or null before listen. */
export function boundPort(app: FastifyInstance): number | null {
  const address = app.server.address();
  return address && typeof address === 'object' ? (address as AddressInfo).port : null;
}

/** The address the server is bound to now, or null before listen. */
function boundAddress(app: FastifyInstance): string | null {
  const address = app.server.address();
  return address && typeof address === 'object' ? (address as AddressInfo).address : null;
}

/** `Host` values every server answers to on `port`: loopback literals and localhost. */
const loopbackHosts = (port: number): readonly string[] => LOOPBACK_NAMES.map((name) => `${name}:${port}`);

interface HostPolicy {
  readonly publicHosts: readonly string[];
  readonly interfaces?: Interfaces;
}

// Per app, set by the daemon after building it: buildApiServer stays unaware of the CLI's options.
const policies = new WeakMap<FastifyInstance, HostPolicy>();

/**
 * Also answer to these names (`--public-host`), on the bound port. `interfaces` is for tests.
 *
 * @example
 *   allowPublicHosts(app, ['tradeclock.lan']);
 */
export function allowPublicHosts(app: FastifyInstance, names: readonly string[], interfaces?: Interfaces): void {
  policies.set(app, { publicHosts: names.map(parsePublicHost), ...(interfaces ? { interfaces } : {}) });
}

/** What a request's Host header says about it, worked out once per request. */
interface RequestHosts {
  /** The request's Host (lower-case) when it is one of ours, else null. */
  readonly host: string | null;
  /** True when `host` (a Host header, or an Origin without its scheme) is one this server answers to. */
  readonly answers: (host: string) => boolean;
}

// The Host is checked in onRequest and again for the CSP in onSend, and an Origin against the same
// names; on a wildcard bind the names mean reading the machine's interfaces, so once per request.
const requestHosts = new WeakMap<FastifyRequest, RequestHosts>();

function hostsOf(app: FastifyInstance, request: FastifyRequest): RequestHosts {
  let hosts = requestHosts.get(request);
  if (hosts === undefined) {
    hosts = checkHosts(app, request.headers.host);
    requestHosts.set(request, hosts);
  }
  return hosts;
}

function checkHosts(app: FastifyInstance, header: string | undefined): RequestHosts {
  const port = boundPort(app);
  let names: readonly string[] | undefined;
  const answers = (host: string): boolean => {
    if (port === null) return false;
    if (loopbackHosts(port).includes(host.toLowerCase())) return true;
    const policy = policies.get(app) ?? { publicHosts: [] };
    names ??= hostNames(boundAddress(app), policy.publicHosts, policy.interfaces);
    return hostMatches(host, port, names);
  };
  // Host names are case-insensitive; browsers send them lower-case anyway.
  const host = header?.toLowerCase();
  return { host: host !== undefined && answers(host) ? host : null, answers };
}

/** The name in a Host value, without its port or an IPv6 literal's brackets: `[::1]:7420` → `::1`. */
function hostName(host: string): string {
  const name = host.slice(0, host.lastIndexOf(':') > host.lastIndexOf(']') ? host.lastIndexOf(':') : host.length);
  return name.startsWith('[') ? name.slice(1, -1) : name;
}

/** True when the request carries an Origin header (browsers always do on WebSocket handshakes). */
export function hasOrigin(request: FastifyRequest): boolean {
  return request.headers.origin !== undefined;
}

/**
 * Installs the Host, Origin and content-type checks on every request (WebSocket upgrades
 * included: @fastify/websocket routes them through the same hooks before upgrading) and the
 * security headers on every response.
 *
 * With `https` (the daemon serves both on one port, dual-protocol-server.ts), plain HTTP is for
 * loopback only: a page load over http:// at a LAN address is sent to its https:// twin, any other
 * such request refused, so a token never crosses the LAN in the clear. An Origin must carry the
 * scheme the request came in on.
 */
export function installHardening(app: FastifyInstance, options: { readonly https?: boolean } = {}): void {
  app.addHook('onRequest', async (request, reply) => {
    const hosts = hostsOf(app, request);
    if (hosts.host === null) {
      throw new ApiError('forbidden', 'this server only answers to its own addresses (127.0.0.1, localhost, [::1], or those it is bound to) with its own port');
    }
    if (options.https && request.protocol === 'http' && !isLoopback(hostName(hosts.host))) {
      if (request.method === 'GET' && !request.ws && request.headers.authorization === undefined) return reply.redirect(`https://${hosts.host}${request.url}`, 308);
      throw new ApiError('forbidden', `beyond loopback this server speaks HTTPS only: use https://${hosts.host}`);
    }
    const origin = request.headers.origin;
    const scheme = `${request.protocol}://`;
    if (origin !== undefined && !(origin.startsWith(scheme) && hosts.answers(origin.slice(scheme.length)))) {
      throw new ApiError('forbidden', 'requests from other web sites are refused');
    }
    if (hasBody(request) && !isJson(request.headers['content-type'])) {
      throw new ApiError('unsupported_media_type', 'request bodies must be application/json');
    }
  });
  app.addHook('onSend', async (request, reply) => {
    setSecurityHeaders(reply, boundPort(app), hostsOf(app, request).host);
  });
}

function setSecurityHeaders(reply: FastifyReply, port: number | null, host: string | null): void {
  // Built from the bound port and a Host already checked, never from a forged one.
  reply.header('content-security-policy', contentSecurityPolicy(port === null ? [] : loopbackHosts(port), host));
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
