/**
 * The one error shape that crosses a boundary: a stable code, a sentence for people, and for bad
 * input the offending fields. The API maps codes to HTTP statuses.
 */

export type ErrorCode =
  | 'validation_failed'
  | 'not_found'
  | 'conflict'
  | 'unauthorized'
  | 'forbidden'
  | 'rate_limited'
  | 'broker_error'
  | 'unavailable'
  | 'internal';

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: readonly FieldError[],
  ) {
    super(message);
    this.name = 'DomainError';
  }

  toJSON(): { code: ErrorCode; message: string; fields?: readonly FieldError[] } {
    return this.fields ? { code: this.code, message: this.message, fields: this.fields } : { code: this.code, message: this.message };
  }
}

export const validationError = (fields: readonly FieldError[]) =>
  new DomainError('validation_failed', fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields);

export const notFound = (what: string) => new DomainError('not_found', `${what} not found`);

export const conflict = (message: string) => new DomainError('conflict', message);
