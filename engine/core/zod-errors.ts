import type { z } from 'zod';
import { validationError, type DomainError, type FieldError } from './errors';

/** Turns a zod failure into the one error shape, one entry per offending field (path joined by "."). */
export function fromZodError(error: z.ZodError): DomainError {
  const seen = new Set<string>();
  const fields: FieldError[] = [];
  for (const issue of error.issues) {
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : unknownKeysField(issue) ?? 'body';
    const key = `${field}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    fields.push({ field, message: issue.message });
  }
  return validationError(fields);
}

function unknownKeysField(issue: z.core.$ZodIssue): string | undefined {
  return issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : undefined;
}
