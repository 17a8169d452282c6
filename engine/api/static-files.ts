/**
 * The built renderer at /, with the single-page-app fallback: a GET for a path the API does not
 * own and no file matches (a client-side route such as /strategies/3) gets index.html.
 */
import { resolve } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * First path segments that belong to the API: never answered with index.html. The renderer's
 * service worker leaves each of them to the network (renderer/src/pwa/sw-route.ts, checked by its test).
 */
export const API_ROOTS: ReadonlySet<string> = new Set(['auth', 'broker', 'strategy', 'runs', 'install-settings', 'notify', 'backtest', 'devices', 'events', 'health']);

export async function serveRenderer(app: FastifyInstance, staticDir: string): Promise<void> {
  // Loaded with the API, after the daemon's first exits (server.ts).
  const { default: fastifyStatic } = await import('@fastify/static');
  await app.register(fastifyStatic, { root: resolve(staticDir), prefix: '/', wildcard: true, index: ['index.html'], dotfiles: 'ignore' });
}

/** True when `request` should get index.html instead of a 404. */
export function wantsAppShell(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const first = request.url.split(/[/?#]/, 2)[1] ?? '';
  return !API_ROOTS.has(first);
}

export function sendAppShell(reply: FastifyReply): FastifyReply {
  // The shell names hashed asset files; a stale cached copy would point at deleted ones.
  return reply.header('cache-control', 'no-cache').sendFile('index.html');
}
