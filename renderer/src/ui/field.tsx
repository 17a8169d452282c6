/**
 * A labelled form control with its API error shown right under it, wired for screen readers
 * (aria-invalid, aria-describedby) and focusable by the error summary.
 */
import { useId, type ReactNode } from 'react';

interface FieldProps {
  readonly label: string;
  /** The API's field name: the input's name and the key its error comes back under. */
  readonly name: string;
  readonly error?: string | undefined;
  readonly hint?: ReactNode;
  readonly children: (props: ControlProps) => ReactNode;
  readonly className?: string;
}

export interface ControlProps {
  readonly id: string;
  readonly name: string;
  readonly 'aria-invalid': boolean;
  readonly 'aria-describedby': string | undefined;
}

export function Field({ label, name, error, hint, children, className }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field--invalid' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, name, 'aria-invalid': Boolean(error), 'aria-describedby': describedBy })}
      {hint && (
        <div id={hintId} className="field__hint">
          {hint}
        </div>
      )}
      {error && (
        <div id={errorId} className="field__error" data-field-error={name}>
          {error}
        </div>
      )}
    </div>
  );
}

/** Errors of fields that have no input of their own, or that are not about one field. */
export function FormError({ messages }: { readonly messages: readonly string[] }) {
  if (messages.length === 0) return null;
  return (
    <div className="form-error" role="alert">
      {messages.length === 1 ? messages[0] : (
        <ul>
          {messages.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
