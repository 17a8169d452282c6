/**
 * The fields a validation refusal names: runs `run`, expects it to throw a `validation_failed`
 * DomainError, and returns its fields; a run that does not throw fails the test.
 */
import { expect } from 'vitest';

export interface RefusedField {
  readonly field: string;
  readonly message: string;
}

/** @example expect(await refusedFields(() => engine.create({ qty: '1.5' }))).toEqual([{ field: 'qty', message: 'qty must be a whole number at this broker' }]) */
export async function refusedFields(run: () => Promise<unknown>): Promise<RefusedField[]> {
  try {
    await run();
  } catch (err) {
    expect(err).toMatchObject({ code: 'validation_failed' });
    return (err as { fields: RefusedField[] }).fields;
  }
  throw new Error('expected a validation error');
}
