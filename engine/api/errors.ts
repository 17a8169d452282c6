/**
 * The API's one error shape, `{ error: { code, message, fields? } }`, for every failure: domain
 * errors, Fastify's own (bad JSON, body too large, wrong content type), unknown routes, and bugs.
 * Messages of unexpected errors never reach the client: they may quote input or internals.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ForeignKeyViolation, UniqueViolation } from '../../db/repos';
import { UnreadableStrategy } from '../../db/repos/strategies';
import { damagedStrategy, DomainError, type FieldError } from '../core/errors';
import { RateLimitedError } from '../auth/auth-service';

import type { ApiErrorBody, ApiErrorCode } from './contract';

export type { ApiErrorBody, ApiErrorCode };

const STATUS: Readonly<Record<ApiErrorCode, number>> = {
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  broker_error: 502,
  unavailable: 503,
};

/** An error the API raises itself (hardening checks), carrying an API-only code. */
export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Sends the error shape with the status its code maps to. */
export function sendError(reply: FastifyReply, code: ApiErrorCode, message: string, fields?: readonly FieldError[]): FastifyReply {
  const body: ApiErrorBody = { error: fields && fields.length > 0 ? { code, message, fields } : { code, message } };
  return reply.code(STATUS[code]).type('application/json; charset=utf-8').send(body);
}

/** Fastify's setErrorHandler: classifies, logs what deserves it, answers in the one shape. */
export function handleError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof RateLimitedError) reply.header('retry-after', String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))));
  if (err instanceof DomainError) {
    if (err.code === 'internal') request.log.error({ err }, 'internal error');
    // An internal DomainError may say something useful about the install, never about input.
    return sendError(reply, err.code, err.message, err.fields);
  }
  if (err instanceof ApiError) return sendError(reply, err.code, err.message);
  if (err instanceof UnreadableStrategy) {
    const named = damagedStrategy(err.strategyId, err.reason);
    return sendError(reply, named.code, named.message);
  }
  if (err instanceof UniqueViolation) return sendError(reply, 'conflict', 'this already exists');
  if (err instanceof ForeignKeyViolation) return sendError(reply, 'conflict', 'another record still refers to this one, or this one refers to a record that does not exist');
  const status = (err as Partial<FastifyError> | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return sendFrameworkError(reply, status, err as FastifyError);
  request.log.error({ err }, 'unhandled error');
  return sendError(reply, 'internal', 'internal error');
}

/** Fastify's own 4xx errors. Their messages can quote the body (JSON.parse does), so ours replace them. */
function sendFrameworkError(reply: FastifyReply, status: number, err: FastifyError): FastifyReply {
  switch (status) {
    case 413:
      return sendError(reply, 'payload_too_large', 'the request body is too large');
    case 415:
      return sendError(reply, 'unsupported_media_type', 'request bodies must be application/json');
    case 400:
      if (err instanceof SyntaxError || /JSON/i.test(err.code ?? '')) return sendError(reply, 'validation_failed', 'the request body is not valid JSON', [{ field: 'body', message: 'is not valid JSON' }]);
      return sendError(reply, 'validation_failed', 'bad request', [{ field: 'body', message: 'could not be read' }]);
    case 401:
      return sendError(reply, 'unauthorized', 'sign in first');
    case 403:
      return sendError(reply, 'forbidden', 'forbidden');
    case 404:
      return sendError(reply, 'not_found', 'not found');
    case 429:
      return sendError(reply, 'rate_limited', 'too many requests');
    default:
      // 405, 408, 414, 431…: no domain code fits; keep the status, say it plainly.
      return reply
        .code(status)
        .type('application/json; charset=utf-8')
        .send({ error: { code: 'validation_failed', message: `request refused (HTTP ${status})` } } satisfies ApiErrorBody);
  }
}
