/**
 * One strategy field drawn from its description alone (GET /strategy/form): a time of day as a
 * 24-hour text input, a number as text (so "ten" reaches the API and comes back named), a choice
 * as a select (a yes/no that may be left out too: empty, on, off), an open choice as text with
 * suggestions (an option's expiry: a rule or a date), a list as toggles, a yes/no as a checkbox. A field's `<name>_mode` (price,
 * points or percent) is a select beside it.
 */
import { useId, type ReactNode } from 'react';
import { Field, type ControlProps } from '../../ui/field';
import { choiceText, choicesOfField, inputKindOf, placeholderOf, type FormField, type FormValue } from './strategy-descriptor';
import { SuggestInput } from './suggest-input';

interface SpecInputProps {
  readonly field: FormField;
  readonly value: FormValue | undefined;
  readonly onChange: (name: string, value: FormValue) => void;
  readonly error: string | undefined;
  /** The field's `<name>_mode`, drawn beside it. */
  readonly mode?: { readonly field: FormField; readonly value: FormValue | undefined; readonly error: string | undefined } | undefined;
  /** Replaces the engine's hint (a hint that needs what the form knows, such as the account). */
  readonly hint?: ReactNode;
  /** Draws the control itself, for fields that need more than their description (the account, the symbol). */
  readonly control?: ((p: ControlProps) => ReactNode) | undefined;
}

export function SpecInput({ field, value, onChange, error, mode, hint, control }: SpecInputProps) {
  const text = typeof value === 'string' ? value : '';
  const errors = [error, mode?.error].filter(Boolean).join('; ') || undefined;
  if (inputKindOf(field) === 'list' && !control) return <ListInput field={field} value={Array.isArray(value) ? value : []} onChange={onChange} error={errors} />;
  return (
    <Field label={field.label} name={field.name} error={errors} hint={hint ?? field.hint}>
      {(p) =>
        control ? (
          control(p)
        ) : (
          <div className={mode ? 'field__pair' : undefined}>
            <Control field={field} p={p} value={text} onChange={onChange} />
            {mode && (
              <select name={mode.field.name} aria-label={mode.field.label} aria-invalid={Boolean(mode.error)} value={typeof mode.value === 'string' ? mode.value : ''} onChange={(e) => onChange(mode.field.name, e.target.value)}>
                {(mode.field.enum ?? []).map((v) => (
                  <option key={v} value={v}>
                    {choiceText(mode.field, v)}
                  </option>
                ))}
              </select>
            )}
          </div>
        )
      }
    </Field>
  );
}

function Control({ field, p, value, onChange }: { readonly field: FormField; readonly p: ControlProps; readonly value: string; readonly onChange: SpecInputProps['onChange'] }) {
  const change = (e: { target: { value: string } }) => onChange(field.name, e.target.value);
  switch (inputKindOf(field)) {
    case 'time':
      return <input {...p} type="text" inputMode="numeric" className="mono" value={value} onChange={change} placeholder={placeholderOf(field)} spellCheck={false} />;
    case 'number':
      return <input {...p} type="text" inputMode="decimal" value={value} onChange={change} placeholder={placeholderOf(field)} />;
    case 'choice':
      return (
        <select {...p} value={value} onChange={change}>
          {field.default === null && <option value="">{choiceText(field, '')}</option>}
          {choicesOfField(field, value).map((v) => (
            <option key={v} value={v}>
              {choiceText(field, v)}
            </option>
          ))}
        </select>
      );
    case 'suggest':
      return <SuggestInput field={field} p={p} value={value} onChange={(text) => onChange(field.name, text)} placeholder={placeholderOf(field)} />;
    case 'switch':
      return <input {...p} type="checkbox" checked={value === 'true'} onChange={(e) => onChange(field.name, e.target.checked ? 'true' : 'false')} />;
    case 'json':
      return <textarea {...p} value={value} onChange={change} rows={3} spellCheck={false} className="mono" />;
    default:
      return <input {...p} type="text" value={value} onChange={change} placeholder={placeholderOf(field)} spellCheck={false} />;
  }
}

/** A list of choices as toggles (checkboxes drawn as pills: Mon … Sun) under one legend; the error and hint are the group's. */
function ListInput({ field, value, onChange, error }: { readonly field: FormField; readonly value: readonly string[]; readonly onChange: SpecInputProps['onChange']; readonly error: string | undefined }) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const toggle = (item: string, on: boolean) => onChange(field.name, (field.enum ?? []).filter((v) => (v === item ? on : value.includes(v))));
  return (
    <fieldset className={`field field--list${error ? ' field--invalid' : ''}`} aria-describedby={[hintId, error ? errorId : ''].filter(Boolean).join(' ')}>
      <legend>{field.label}</legend>
      <div className="field__choices field__choices--toggles">
        {(field.enum ?? []).map((v) => (
          <label key={v} className="toggle">
            <input type="checkbox" name={field.name} value={v} checked={value.includes(v)} onChange={(e) => toggle(v, e.target.checked)} /> {choiceText(field, v)}
          </label>
        ))}
      </div>
      <div id={hintId} className="field__hint">
        {field.hint}
      </div>
      {error && (
        <div id={errorId} className="field__error" data-field-error={field.name}>
          {error}
        </div>
      )}
    </fieldset>
  );
}
