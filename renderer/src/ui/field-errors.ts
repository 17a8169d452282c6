/**
 * Splits an API error into per-input messages and the rest. A nested path under `nestedUnder`
 * (`options.scripts.CRYPTO:BTC.1.afterMs`) is shown under that input; a field that is no input of
 * the form goes to the form-level summary.
 */
import { ApiError, errorText } from '../lib/api-client';

export interface FormErrors {
  readonly fields: Readonly<Record<string, string>>;
  readonly form: readonly string[];
}

export const NO_ERRORS: FormErrors = { fields: {}, form: [] };

export function formErrors(err: unknown, inputs: readonly string[], nestedUnder?: string): FormErrors {
  if (!(err instanceof ApiError)) return { fields: {}, form: [errorText(err)] };
  if (err.fields.length === 0) return { fields: {}, form: [err.message] };
  const fields: Record<string, string> = {};
  const form: string[] = [];
  const add = (name: string, message: string) => {
    fields[name] = fields[name] ? `${fields[name]}; ${message}` : message;
  };
  for (const f of err.fields) {
    if (inputs.includes(f.field)) add(f.field, f.message);
    else if (nestedUnder && f.field.startsWith(`${nestedUnder}.`)) add(nestedUnder, `${f.field.slice(nestedUnder.length + 1)}: ${f.message}`);
    else form.push(`${f.field}: ${f.message}`);
  }
  return { fields, form };
}
