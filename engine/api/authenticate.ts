/**
 * Bearer-token authentication. The token travels in `Authorization: Bearer …`, never in a
 * cookie: a browser attaches cookies to cross-site requests by itself, but never this header,
 * so a hostile page cannot act as the signed-in user.
 */
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { User } from '../../db/repos';
import type { Authenticated, AuthService } from '../auth/auth-service';
import { DomainError } from '../core/errors';

/** Far above any token we issue; a longer header is refused without any crypto work. */
const MAX_TOKEN_CHARS = 2048;

const users = new WeakMap<FastifyRequest, { signedIn: Authenticated; token: string }>();

/** The token in an `Authorization: Bearer <token>` header; null when absent or of another scheme. */
export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header === undefined) return null;
  const m = /^Bearer +([A-Za-z0-9._~+/=-]+) *$/i.exec(header);
  return m?.[1] && m[1].length <= MAX_TOKEN_CHARS ? m[1] : null;
}

/** Checks a token and remembers its user for `userOf`; throws 401 when it does not verify. */
export async function authenticateToken(auth: AuthService, request: FastifyRequest, token: string | null): Promise<User> {
  const signedIn = token === null ? null : await auth.authenticate(token);
  if (!signedIn || token === null) throw new DomainError('unauthorized', 'sign in first: send Authorization: Bearer <token> with a valid token');
  users.set(request, { signedIn, token });
  return signedIn.user;
}

/** An onRequest hook that refuses requests without a valid bearer token (401). */
export function requireUser(auth: AuthService): onRequestAsyncHookHandler {
  return async (request) => {
    await authenticateToken(auth, request, bearerToken(request));
  };
}

/** The signed-in user of a request that passed `requireUser`. */
export function userOf(request: FastifyRequest): User {
  return signedInOf(request).user;
}

/** The signed-in user of a request that passed `requireUser`, with the session its token belongs to. */
export function signedInOf(request: FastifyRequest): Authenticated {
  const entry = users.get(request);
  // Only reachable if a route was registered outside the authenticated scope: a bug, not a 401.
  if (!entry) throw new DomainError('internal', 'route is missing authentication');
  return entry.signedIn;
}

/** The token the request authenticated with (the WebSocket re-checks it while open). */
export function tokenOf(request: FastifyRequest): string | null {
  return users.get(request)?.token ?? null;
}

/**
 * Registers routes in a scope where every request must carry a valid bearer token.
 *
 * @example signedIn(app, auth, (scope) => scope.get('/broker', (req) => list(userOf(req).id)));
 */
export function signedIn(app: FastifyInstance, auth: AuthService, routes: (scope: FastifyInstance) => void): void {
  void app.register(async (scope) => {
    scope.addHook('onRequest', requireUser(auth));
    routes(scope);
  });
}
