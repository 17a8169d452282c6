/** The local API: the server for the daemon, and the wire contract's types for the renderer. */
export { buildApiServer, DEFAULT_BODY_LIMIT, type ApiServerOptions } from './server';
export type { ApiDeps } from './api-deps';
export type { ApiErrorBody, ApiErrorCode } from './errors';
export type * from './dto';
export type * from './schemas';
export type { EventPage } from './routes/events';
export type { HealthDto } from './routes/health';
