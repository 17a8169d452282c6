/** JSON columns: objects in, objects out; a column that is not a JSON object is corruption. */

/** Parses a JSON-object column; throws naming the column when the text is not an object. */
export function parseJsonObject(text: string, column: string): Record<string, unknown> {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${column} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** Copies only `keys` of `patch` that are present, so a whole row passed as a patch cannot move ids. */
export function pick<T extends object, K extends keyof T>(patch: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (patch[k] !== undefined) out[k] = patch[k];
  return out;
}
