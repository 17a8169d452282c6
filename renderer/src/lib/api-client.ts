/**
 * A typed fetch wrapper over the local API: `api('POST /strategy/start', { strategy_id: 3 })`.
 * Sends the bearer token, parses the one error shape `{error:{code,message,fields?}}` into an
 * ApiError, and tells the session when the token stopped working (401).
 *
 * The UI is served from the daemon itself, so paths are relative; in the desktop app the bridge
 * names the same origin.
 */
import type { ApiErrorBody, ApiRoutes, FieldError, RouteKey, TextRouteKey, TextRoutes } from './api-types';
import { bridge } from './bridge';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: readonly FieldError[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Status 0: the engine did not answer at all (stopped, restarting, network gone). */
export const isOffline = (err: unknown): boolean => err instanceof ApiError && err.status === 0;

interface ClientConfig {
  token: string | null;
  onUnauthorized: () => void;
}

const config: ClientConfig = {
  token: null,
  onUnauthorized: () => {},
};

export function setApiToken(token: string | null): void {
  config.token = token;
}

export function onUnauthorized(handler: () => void): void {
  config.onUnauthorized = handler;
}

/** '' (same origin) in a browser; the shell's API origin in the desktop app (the same one). */
export function apiBase(): string {
  return bridge()?.apiBase ?? '';
}

type Args<K extends RouteKey> = ApiRoutes[K]['body'] extends undefined
  ? [body?: undefined, opts?: CallOptions]
  : [body: ApiRoutes[K]['body'], opts?: CallOptions];

export interface CallOptions {
  /** Replaces `:id` in the route's path (a session's id is text). */
  readonly id?: number | string;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly signal?: AbortSignal;
}

/**
 * Calls one route of the API.
 *
 * @example const { strategies } = await api('GET /strategy');
 * @example await api('POST /strategy/stop', { strategy_id: 3, close_position: false });
 * @example const orders = await api('GET /strategy/:id/orders', undefined, { id: 3 });
 */
export async function api<K extends RouteKey>(route: K, ...[body, opts]: Args<K>): Promise<ApiRoutes[K]['res']> {
  const response = await send(route, body, opts);
  if (response.status === 204) return null as ApiRoutes[K]['res'];
  const text = await response.text();
  return (text === '' ? null : safeJson(text)) as ApiRoutes[K]['res'];
}

/**
 * Calls a route that answers text (a CSV export): the same token, paths and errors as `api`. A
 * plain link cannot carry the bearer token, so an export is fetched and then saved (csv.ts).
 *
 * @example const csv = await apiText('GET /strategy/:id/backtest.csv', { id: 3, query: { from: '2026-03-02', to: '2026-03-05' } });
 */
export async function apiText<K extends TextRouteKey>(route: K, opts: CallOptions & { readonly query: TextRoutes[K]['query'] }): Promise<string> {
  return (await send(route, undefined, opts)).text();
}

/** Sends one request; an answer that is not 2xx becomes an ApiError (and a 401 tells the session). */
async function send(route: string, body: unknown, opts: CallOptions | undefined): Promise<Response> {
  const space = route.indexOf(' ');
  const method = route.slice(0, space);
  let path = route.slice(space + 1);
  if (path.includes(':id')) {
    if (opts?.id === undefined) throw new Error(`${route} needs an id`);
    path = path.replace(':id', encodeURIComponent(String(opts.id)));
  }
  const query = Object.entries(opts?.query ?? {}).filter((e): e is [string, string | number] => e[1] !== undefined);
  if (query.length > 0) path += `?${new URLSearchParams(query.map(([k, v]) => [k, String(v)])).toString()}`;

  const headers: Record<string, string> = { accept: 'application/json' };
  if (config.token) headers.authorization = `Bearer ${config.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';

  let response: Response;
  try {
    response = await fetch(apiBase() + path, {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
      signal: opts?.signal ?? null,
      cache: 'no-store',
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'offline', 'The engine is not answering. Is Tradeclock running?');
  }
  if (!response.ok) {
    const text = await response.text();
    const err = toApiError(response.status, text === '' ? null : safeJson(text));
    if (response.status === 401 && config.token) config.onUnauthorized();
    throw err;
  }
  return response;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function toApiError(status: number, json: unknown): ApiError {
  const body = json as Partial<ApiErrorBody> | null;
  const e = body?.error;
  if (e && typeof e.code === 'string' && typeof e.message === 'string') {
    return new ApiError(status, e.code, e.message, Array.isArray(e.fields) ? e.fields : []);
  }
  return new ApiError(status, 'internal', `The engine answered HTTP ${status}.`);
}

/** A sentence for any error thrown by `api`, for places with no field to attach it to. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
