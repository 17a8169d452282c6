/**
 * Splits an API error into per-input messages and the rest. A nested path under `nestedUnder`
 * (`options.scripts.CRYPTO:BTC.1.afterMs`) is shown under that input; a field that is no input of
 * the form goes to the form-level summary.
 */
import { ApiError, errorText } from '../lib/api-client';
import { labelled, type FieldLabels } from './field-labels';

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

/**
 * Like formErrors for a form whose inputs are the keys of `labels`: every message names its field
 * by the label on screen, a summary message about a field too.
 *
 * @example labelledFormErrors(err, STRATEGY_LABELS).fields.buy_time // 'BUY time is required'
 */
export function labelledFormErrors(err: unknown, labels: FieldLabels): FormErrors {
  if (!(err instanceof ApiError) || err.fields.length === 0) return formErrors(err, Object.keys(labels));
  const fields: Record<string, string> = {};
  const form: string[] = [];
  for (const f of err.fields) {
    if (f.field in labels) fields[f.field] = fields[f.field] ? `${fields[f.field]}; ${labelled(f.field, f.message, labels)}` : labelled(f.field, f.message, labels);
    else form.push(labelled(f.field, f.message, labels));
  }
  return { fields, form };
}
