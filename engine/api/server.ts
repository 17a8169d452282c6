/**
 * The local HTTP + WebSocket API. buildApiServer wires the routes, the hardening of a loopback
 * server, the one error shape and the renderer's static files; the daemon then calls
 * `app.listen({ host: '127.0.0.1', port })`.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AuthService } from '../auth/auth-service';
import type { HashGate } from '../auth/hash-gate';
import type { FailureLimitOptions } from '../auth/login-limiter';
import type { ScryptParams } from '../auth/password';
import type { RegistrationOptions } from '../auth/registration';
import type { ApiContext } from './api-context';
import { redactPaths } from '../logger';
import type { ApiDeps } from './api-deps';
import { handleError, sendError } from './errors';
import { dualProtocolServer, type TlsFiles } from './dual-protocol-server';
import { installHardening } from './hardening';
import { LiveSockets } from './live-sockets';
import { PriceStream } from './price-stream';
import { redactUrl } from './redact-url';
import { authRoutes } from './routes/auth';
import { brokerRoutes } from './routes/broker';
import { eventRoutes } from './routes/events';
import { healthRoutes } from './routes/health';
import { barRoutes } from './routes/bars';
import { backtestRoutes } from './routes/backtest';
import { runRoutes } from './routes/runs';
import { strategyRoutes } from './routes/strategy';
import { readinessRoutes } from './routes/readiness';
import { notifyRoutes } from './routes/notify';
import { deviceRoutes } from './routes/devices';
import { settingsRoutes } from './routes/settings';
import { sendAppShell, serveRenderer, wantsAppShell } from './static-files';

/** Tuning for tests and special installs; the daemon uses the defaults. */
export interface ApiServerOptions {
  /** Largest request body in bytes (413 above). Default 64 KiB. */
  readonly bodyLimit?: number;
  /** scrypt cost of new password hashes. Default PASSWORD_SCRYPT; tests pass a cheap one. */
  readonly passwordParams?: ScryptParams;
  /** Who may create an account. Default: a single-user install, closed after its first account. */
  readonly registration?: RegistrationOptions;
  /** Registrations per client. Default 5 per 15 minutes; tests that make many users raise it. */
  readonly registerLimit?: FailureLimitOptions;
  /** Bounds password hashing. Default one hash at a time and four waiting. */
  readonly hashGate?: HashGate;
  /** WebSocket ping interval. Default 30 s. */
  readonly heartbeatMs?: number;
  /** How long a browser's WebSocket may take to send its auth message. Default 10 s. */
  readonly socketAuthTimeoutMs?: number;
  /** Serve HTTPS with this certificate too (same port; plain HTTP stays for loopback only). */
  readonly tls?: TlsFiles;
  /** Wrong pairing codes per client. Default PAIRING_CLIENT_LIMIT. */
  readonly pairingLimit?: FailureLimitOptions;
}

export const DEFAULT_BODY_LIMIT = 64 * 1024;

/** Log keys that may hold a secret, wherever a log call puts them (pino redact paths). */
const REDACTED = [...redactPaths, 'headers.authorization'];
/**
 * Builds the API app (not yet listening).
 *
 * @example
 *   const app = await buildApiServer(deps);
 *   await app.listen({ host: '127.0.0.1', port: 4780 });
 */
export async function buildApiServer(deps: ApiDeps, options: ApiServerOptions = {}): Promise<FastifyInstance> {
  // Loaded here, not when the daemon's modules load: a start's first exits need none of the HTTP
  // server's packages (about a third of the daemon's module loading), which load meanwhile.
  const [{ default: Fastify }, { default: websocket }] = await Promise.all([import('fastify'), import('@fastify/websocket')]);
  // Typed as Fastify's base logger so the instance is a plain FastifyInstance for route modules.
  const loggerInstance: FastifyBaseLogger = apiLogger(deps.logger);
  const { tls } = options;
  const app = Fastify({
    loggerInstance,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // Loopback only: no proxy in front, and a client-chosen request id has no business in our logs.
    trustProxy: false,
    requestIdHeader: false,
    return503OnClosing: true,
    forceCloseConnections: true,
    frameworkErrors: (err, request, reply) => {
      handleError(err, request, reply);
    },
    ...(tls ? { serverFactory: (handler: Parameters<typeof dualProtocolServer>[0]) => dualProtocolServer(handler, tls) } : {}),
  });

  const auth = new AuthService({
    repos: deps.repos,
    clock: deps.clock,
    tokens: deps.tokens,
    limiter: deps.loginLimiter,
    ...(options.passwordParams ? { passwordParams: options.passwordParams } : {}),
    ...(options.registration ? { registration: options.registration } : {}),
    ...(options.registerLimit ? { registerLimit: options.registerLimit } : {}),
    ...(options.hashGate ? { hashGate: options.hashGate } : {}),
    ...(options.pairingLimit ? { pairingLimit: options.pairingLimit } : {}),
  });
  const sockets = new LiveSockets({
    heartbeatMs: options.heartbeatMs ?? 30_000,
    stillValid: async (token, userId) => (await auth.authenticate(token))?.user.id === userId,
  });
  const prices = new PriceStream(deps.engine, deps.repos, deps.clock);
  const ctx: ApiContext = { deps, auth, sockets, prices, socketAuthTimeoutMs: options.socketAuthTimeoutMs ?? 10_000, startedAt: deps.clock.monotonic() };

  // First: its onRequest hook marks upgrade requests, and its onResponse hook destroys the socket
  // of an upgrade we refused; a hardening hook that ran before it would leave that socket open.
  // Clients send one small auth message at most; nothing larger has a reason to exist.
  await app.register(websocket, { options: { maxPayload: 4096 } });
  installJsonOnly(app);
  installHardening(app, { https: options.tls !== undefined });
  app.setErrorHandler((err, request, reply) => handleError(err, request, reply));
  app.setNotFoundHandler((request, reply) =>
    deps.staticDir !== null && wantsAppShell(request) ? sendAppShell(reply) : sendError(reply, 'not_found', 'no such route'),
  );
  app.addHook('onClose', async () => {
    sockets.closeAll();
    prices.close();
  });

  authRoutes(app, ctx);
  brokerRoutes(app, ctx);
  strategyRoutes(app, ctx);
  readinessRoutes(app, ctx);
  settingsRoutes(app, ctx);
  eventRoutes(app, ctx);
  runRoutes(app, ctx);
  barRoutes(app, ctx);
  notifyRoutes(app, ctx);
  deviceRoutes(app, ctx);
  backtestRoutes(app, ctx);
  healthRoutes(app, ctx);
  if (deps.staticDir !== null) await serveRenderer(app, deps.staticDir);

  await app.ready();
  return app;
}

/**
 * Only JSON bodies are parsed (Fastify would also hand text/plain to handlers). An empty JSON
 * body is "no body", so a bodiless POST with the usual JSON header reaches the route's own
 * validation instead of failing in the parser.
 */
function installJsonOnly(app: FastifyInstance): void {
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text === '') return done(null, undefined);
    return json(request, text, done);
  });
}

/** The daemon's logger, scoped to the API, with secrets redacted and tokens cut out of URLs. */
function apiLogger(logger: Logger): Logger {
  return logger.child(
    { component: 'api' },
    {
      redact: { paths: REDACTED, censor: '[redacted]' },
      serializers: {
        req: (req: { method?: string; url?: string; ip?: string; headers?: Record<string, unknown> }) => ({
          method: req.method,
          // Names compared decoded, as the route reads them: `%72equest_token=` is request_token.
          url: req.url === undefined ? undefined : redactUrl(req.url),
          remoteAddress: req.ip,
        }),
      },
    },
  );
}
