/**
 * What clients (the renderer, third-party tools) may import from the API: types only, and only
 * the wire contract and request schemas. Nothing here pulls in Node, Fastify or the database.
 */
export type * from './contract';
export type * from './schemas';
