/**
 * The strategy form's positions (issue 19): a table of 2 to 10 rows, each a fieldset "Position N"
 * whose inputs are the engine's row keys (`item_fields`) drawn as the strategy's own fields are
 * (side and option as choices, a level with its unit beside it). An empty key is the strategy's:
 * its placeholder says what that is now. Quick fills (short straddle, strangle, iron fly) only fill
 * rows. Each key's hint is written once above the rows and describes that key's input in every row;
 * the API's answer about a key (`positions.1.stop_loss`) is shown under it in its row.
 */
import { useId } from 'react';
import { choiceText, choicesOfField, inputKindOf, isModeOf, modeOf, placeholderOf, type DescribedField, type FormField, type FormValue, type FormValues, type RowsValue, type RowValues } from './strategy-descriptor';
import { SuggestInput } from './suggest-input';
import { addRow, canRemoveRow, inheritedFrom, inheritedText, POSITION_COUNT, PRESETS, presetRows, removeRow, rowChoiceText, rowInputName, rowKeyShown, withRowKey } from './position-rows';

interface PositionsEditorProps {
  readonly field: FormField;
  readonly value: RowsValue;
  readonly onChange: (name: string, value: FormValue) => void;
  /** The form's errors by API name (`positions`, `positions.1`, `positions.1.stop_loss`). */
  readonly errors: Readonly<Record<string, string>>;
  /** The strategy's inputs and fields, for what an empty key means. */
  readonly values: FormValues;
  readonly fields: readonly FormField[];
}

export function PositionsEditor({ field, value, onChange, errors, values, fields }: PositionsEditorProps) {
  const id = useId();
  const items = field.item_fields ?? [];
  const rows = value.rows;
  const set = (next: readonly RowValues[]) => onChange(field.name, { rows: next });
  const hintId = (key: string) => `${id}-hint-${key}`;
  const error = errors[field.name];
  const errorId = `${id}-error`;
  return (
    <fieldset
      className={`field positions${error ? ' positions--invalid' : ''}`}
      name={field.name}
      tabIndex={-1}
      aria-describedby={[`${id}-hint`, error ? errorId : ''].filter(Boolean).join(' ')}
      data-testid="positions"
    >
      <legend>{field.label}</legend>
      <div id={`${id}-hint`} className="field__hint">
        {field.hint}
      </div>
      <div className="positions__presets" role="group" aria-label="Fill the positions with">
        <span className="small muted">Fill with:</span>
        {PRESETS.map((p) => (
          <button key={p.id} type="button" className="btn btn--small" title={p.words} aria-describedby={`${id}-preset-${p.id}`} onClick={() => set(presetRows(p, items))}>
            {p.label}
          </button>
        ))}
        {PRESETS.map((p) => (
          <span key={p.id} id={`${id}-preset-${p.id}`} hidden>
            {p.words}; replaces the rows
          </span>
        ))}
      </div>
      {rows.length === 0 ? (
        <p className="small muted">None: the strategy holds one position, of Symbol or of the one option above.</p>
      ) : (
        <>
          <ul className="positions__hints small muted">
            {items
              .filter((k) => !isModeOf(k, items))
              .map((k) => (
                <li key={k.name} id={hintId(k.name)}>
                  <strong>{k.label}</strong>: {k.hint}
                </li>
              ))}
          </ul>
          {rows.map((row, i) => (
            <PositionRow
              key={i}
              index={i}
              fieldName={field.name}
              items={items}
              row={row}
              errors={errors}
              hintId={hintId}
              placeholder={(k) => {
                const from = inheritedFrom(k, fields);
                return from ? inheritedText(from, values) : placeholderOf(k);
              }}
              onChange={(key, text) => set(rows.map((r, j) => (j === i ? withRowKey(r, key, text) : r)))}
              onRemove={canRemoveRow(rows) ? () => set(removeRow(rows, i)) : undefined}
            />
          ))}
        </>
      )}
      <div className="positions__actions">
        <button type="button" className="btn btn--small" onClick={() => set(addRow(rows, items))} disabled={rows.length >= POSITION_COUNT.max}>
          {rows.length === 0 ? `Add ${POSITION_COUNT.min} positions` : 'Add a position'}
        </button>
        {rows.length > 0 && (
          <button type="button" className="btn btn--small" onClick={() => set([])}>
            Remove all positions
          </button>
        )}
        <span className="small muted" aria-live="polite">
          {rows.length > 0 && `${rows.length} of at most ${POSITION_COUNT.max}`}
        </span>
      </div>
      {error && (
        <div id={errorId} className="field__error" data-field-error={field.name}>
          {error}
        </div>
      )}
    </fieldset>
  );
}

interface PositionRowProps {
  readonly index: number;
  readonly fieldName: string;
  readonly items: readonly DescribedField[];
  readonly row: RowValues;
  readonly errors: Readonly<Record<string, string>>;
  readonly hintId: (key: string) => string;
  readonly placeholder: (k: DescribedField) => string;
  readonly onChange: (key: string, text: string) => void;
  /** Undefined while the rows are at their least. */
  readonly onRemove: (() => void) | undefined;
}

function PositionRow({ index, fieldName, items, row, errors, hintId, placeholder, onChange, onRemove }: PositionRowProps) {
  const id = useId();
  const rowError = errors[rowInputName(fieldName, index)];
  const title = `Position ${index + 1}`;
  return (
    <fieldset className={`position-row${rowError ? ' position-row--invalid' : ''}`} name={rowInputName(fieldName, index)} tabIndex={-1} data-position={index} aria-describedby={rowError ? `${id}-error` : undefined}>
      <legend>{title}</legend>
      <div className="position-row__keys">
        {items
          .filter((k) => !isModeOf(k, items) && rowKeyShown(row, k.name))
          .map((k) => {
            const mode = modeOf(k, items);
            const name = rowInputName(fieldName, index, k.name);
            const error = [errors[name], mode ? errors[rowInputName(fieldName, index, mode.name)] : undefined].filter(Boolean).join('; ') || undefined;
            const inputId = `${id}-${k.name}`;
            const describedBy = [hintId(k.name), error ? `${inputId}-error` : ''].filter(Boolean).join(' ');
            return (
              <div key={k.name} className={`field${mode ? ' position-row__pair' : ''}${error ? ' field--invalid' : ''}`}>
                <label htmlFor={inputId}>{k.label}</label>
                <div className={mode ? 'field__pair' : undefined}>
                  <KeyInput item={k} id={inputId} name={name} value={row[k.name] ?? ''} invalid={Boolean(error)} describedBy={describedBy} placeholder={placeholder(k)} onChange={(t) => onChange(k.name, t)} />
                  {mode && (
                    <KeyInput
                      item={mode}
                      row={row}
                      name={rowInputName(fieldName, index, mode.name)}
                      label={mode.label}
                      value={row[mode.name] ?? ''}
                      invalid={Boolean(errors[rowInputName(fieldName, index, mode.name)])}
                      describedBy={describedBy}
                      placeholder={placeholder(mode)}
                      onChange={(t) => onChange(mode.name, t)}
                    />
                  )}
                </div>
                {error && (
                  <div id={`${inputId}-error`} className="field__error" data-field-error={name}>
                    {error}
                  </div>
                )}
              </div>
            );
          })}
      </div>
      {rowError && (
        <div id={`${id}-error`} className="field__error" data-field-error={rowInputName(fieldName, index)}>
          {rowError}
        </div>
      )}
      <button type="button" className="btn btn--small position-row__remove" onClick={onRemove} disabled={!onRemove} aria-label={`Remove position ${index + 1}`} title={onRemove ? undefined : `A strategy with positions holds at least ${POSITION_COUNT.min}`}>
        Remove
      </button>
    </fieldset>
  );
}

interface KeyInputProps {
  readonly item: DescribedField;
  /** The row it is a key of, for a unit's words (a future's price is no premium). */
  readonly row?: RowValues;
  readonly id?: string;
  readonly name: string;
  /** The accessible name when no <label> names it (a unit beside its value). */
  readonly label?: string;
  readonly value: string;
  readonly invalid: boolean;
  readonly describedBy: string;
  /** What an empty input means: the strategy's value, or the key's own default. */
  readonly placeholder: string;
  readonly onChange: (text: string) => void;
}

/** One row key's control, drawn as the strategy's own field of that kind is; an empty choice says what leaving it empty means. */
function KeyInput({ item, row, id, name, label, value, invalid, describedBy, placeholder, onChange }: KeyInputProps) {
  const p = { id, name, 'aria-label': label, 'aria-invalid': invalid, 'aria-describedby': describedBy };
  if (inputKindOf(item) === 'choice') {
    return (
      <select {...p} value={value} onChange={(e) => onChange(e.target.value)}>
        {item.default === null && <option value="">{item.required ? choiceText(item, '') : placeholder}</option>}
        {choicesOfField(item, value).map((v) => (
          <option key={v} value={v}>
            {rowChoiceText(item, v, row)}
          </option>
        ))}
      </select>
    );
  }
  if (inputKindOf(item) === 'suggest') return <SuggestInput field={item} p={p} value={value} onChange={onChange} placeholder={placeholder} />;
  return <input {...p} type="text" inputMode={inputKindOf(item) === 'number' ? 'decimal' : undefined} value={value} onChange={(e) => onChange(e.target.value)} placeholder={placeholder} spellCheck={false} />;
}
