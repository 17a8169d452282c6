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

/**
 * A strategy whose stored definition (its spec) cannot be read: named, with what still works and
 * how to repair it. 409: the request is sound, the strategy's row is not.
 * @example damagedStrategy(7, 'spec is not JSON').message // 'strategy #7: its stored definition is damaged …'
 */
export const damagedStrategy = (id: number, reason: string) =>
  new DomainError(
    'conflict',
    `strategy #${id}: its stored definition is damaged (${reason}), so it cannot be shown, edited, started or deleted; STOP still works. ` +
      'Restore a backup: stop Tradeclock, then run `npx tsx scripts/restore-backup.ts` (README: "Backups, and restoring one")',
  );
