/**
 * The engine's events: GET /events/log, the paged audit log; GET /events, the live stream as a
 * WebSocket (and, without an upgrade, the same page as /events/log, for clients that poll).
 *
 * WebSocket sign-in. Browsers cannot set headers on a WebSocket, and a token in the URL ends up
 * in logs, so:
 * - a browser (it always sends Origin, which must be the UI's own) connects, then sends
 *   `{"type":"auth","token":"…"}` as its first message within socketAuthTimeoutMs;
 * - any other client sends `Authorization: Bearer …` on the upgrade request.
 * An upgrade with neither an allowed Origin nor a valid token is refused (401, 403 for a foreign
 * Origin). A wrong first message or a silent socket is closed with 4401.
 * Once signed in the server sends `{"type":"hello","user":{…},"version":"…","server_time":ms}`,
 * then every engine event of this user as `{"type":…, …snake_case fields}`, never another user's.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/websocket';
import type { RawData, WebSocket } from 'ws';
import type { User } from '../../../db/repos';
import { DomainError, notFound } from '../../core/errors';
import { asStrategyId } from '../../core/ids';
import type { ApiContext } from '../api-context';
import type { EventPage } from '../contract';
import { authenticateToken, bearerToken, signedIn, tokenOf, userOf } from '../authenticate';
import { eventDto, loggedEventDto, userDto } from '../dto';
import { hasOrigin } from '../hardening';
import { CLOSE_TOO_SLOW, CLOSE_UNAUTHORIZED } from '../live-sockets';
import { eventLogQuery, parse, socketAuthMessage } from '../schemas';

/** A client this far behind is not reading; dropping it beats buffering without bound. */
const MAX_BUFFERED_BYTES = 1024 * 1024;


export function eventRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { auth } = ctx;
  const { repos } = ctx.deps;

  const logPage = async (request: FastifyRequest): Promise<EventPage> => {
    const user = userOf(request);
    const q = parse(eventLogQuery, request.query);
    const strategyId = q.strategy_id === undefined ? undefined : asStrategyId(q.strategy_id);
    if (strategyId !== undefined && !repos.strategies.get(user.id, strategyId)) throw notFound('strategy');
    const limit = q.limit ?? 100;
    const rows = repos.events.list(user.id, { strategyId, beforeId: q.before_id, limit });
    return { events: rows.map(loggedEventDto), next_before_id: rows.length === limit ? (rows.at(-1)?.id ?? null) : null };
  };

  signedIn(app, auth, (scope) => {
    scope.get('/events/log', logPage);
  });

  app.route({
    method: 'GET',
    url: '/events',
    onRequest: async (request: FastifyRequest) => {
      const token = bearerToken(request);
      if (!request.ws || token !== null || request.headers.authorization !== undefined) {
        await authenticateToken(auth, request, token);
      } else if (!hasOrigin(request)) {
        // No browser (no Origin) and no header: nothing vouches for this client.
        throw new DomainError('unauthorized', 'a WebSocket needs Authorization: Bearer <token>, or a browser Origin and an auth message');
      }
    },
    handler: async (request: FastifyRequest, _reply: FastifyReply) => logPage(request),
    wsHandler: (socket: WebSocket, request: FastifyRequest) => {
      const token = tokenOf(request);
      if (token !== null) stream(ctx, socket, userOf(request), token);
      else awaitAuthMessage(ctx, socket);
    },
  });
}

/** Waits for the browser's `{"type":"auth","token":…}`; anything else, or silence, closes the socket. */
function awaitAuthMessage(ctx: ApiContext, socket: WebSocket): void {
  const refuse = (why: string) => socket.close(CLOSE_UNAUTHORIZED, why);
  const timer = setTimeout(() => refuse('send {"type":"auth","token":"…"} first'), ctx.socketAuthTimeoutMs).unref();
  socket.once('close', () => clearTimeout(timer));
  socket.once('message', (data: RawData, isBinary: boolean) => {
    clearTimeout(timer);
    const message = isBinary ? null : socketAuthMessage.safeParse(parseJson(data));
    if (!message?.success) return refuse('the first message must be {"type":"auth","token":"…"}');
    const { token } = message.data;
    ctx.auth.authenticate(token).then(
      (signedIn) => (signedIn ? stream(ctx, socket, signedIn.user, token) : refuse('invalid or expired token')),
      () => refuse('could not check the token'),
    );
  });
}

/** Sends hello, then the user's events as they happen, until the socket closes. */
function stream(ctx: ApiContext, socket: WebSocket, user: User, token: string): void {
  if (socket.readyState !== socket.OPEN) return;
  const { engine, version, clock } = ctx.deps;
  ctx.sockets.add(socket, user.id, token);
  socket.send(JSON.stringify({ type: 'hello', user: userDto(user), version, server_time: clock.now() }));
  const off = engine.bus.onAny((event) => {
    if (event.userId !== user.id || socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) return socket.close(CLOSE_TOO_SLOW, 'not reading events fast enough');
    socket.send(JSON.stringify(eventDto(event)));
  });
  const offPrices = ctx.prices.subscribe(user.id, (tick) => {
    if (socket.readyState === socket.OPEN && socket.bufferedAmount <= MAX_BUFFERED_BYTES) socket.send(JSON.stringify(tick));
  });
  socket.once('close', () => {
    off();
    offPrices();
  });
}

function parseJson(data: RawData): unknown {
  const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
