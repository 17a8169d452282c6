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

/** How a field's message reads: under its input (`underInput`), or in the form's summary. */
export type Wording = (field: string, message: string, underInput: boolean) => string;

/** As the API sent it; in the summary, after the field's name. */
const AS_SENT: Wording = (field, message, underInput) => (underInput ? message : `${field}: ${message}`);

export function formErrors(err: unknown, inputs: readonly string[], nestedUnder?: string, word: Wording = AS_SENT): FormErrors {
  if (!(err instanceof ApiError)) return { fields: {}, form: [errorText(err)] };
  if (err.fields.length === 0) return { fields: {}, form: [err.message] };
  const fields: Record<string, string> = {};
  const form: string[] = [];
  const add = (name: string, message: string) => {
    fields[name] = fields[name] ? `${fields[name]}; ${message}` : message;
  };
  for (const f of err.fields) {
    if (inputs.includes(f.field)) add(f.field, word(f.field, f.message, true));
    else if (nestedUnder && f.field.startsWith(`${nestedUnder}.`)) add(nestedUnder, `${f.field.slice(nestedUnder.length + 1)}: ${f.message}`);
    else form.push(word(f.field, f.message, false));
  }
  return { fields, form };
}

/**
 * Like formErrors for a form whose inputs are `inputs` (the keys of `labels` unless given): every
 * message names its field by the label on screen, a summary message about a field too, so a
 * field with a label but no input (one the form does not offer) is named in the summary.
 *
 * @example labelledFormErrors(err, { buy_time: 'BUY time' }).fields.buy_time // 'BUY time is required'
 */
export function labelledFormErrors(err: unknown, labels: FieldLabels, inputs: readonly string[] = Object.keys(labels)): FormErrors {
  return formErrors(err, inputs, undefined, (field, message) => labelled(field, message, labels));
}
