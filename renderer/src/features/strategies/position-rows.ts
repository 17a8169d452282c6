/**
 * The positions editor's rules (issue 19), on the rows of the strategy form's 'rows' field: how
 * many rows it holds, the quick fills a trader expects, what an empty key means (the strategy's
 * own value, shown as the placeholder) and where the API's answer about a row's key is shown
 * (`positions.1.stop_loss` under position 2's stop-loss). The keys themselves are the engine's
 * (`item_fields`); nothing here validates: the API is the one validator.
 */
import { labelled, type FieldLabels } from '../../ui/field-labels';
import { formErrors, type FormErrors, type Wording } from '../../ui/field-errors';
import { blankRow, choiceText, inputKindOf, isRows, type DescribedField, type FormField, type FormValue, type FormValues, type RowValues } from './strategy-descriptor';

/**
 * How many positions a strategy with positions holds: engine/core/position-spec.ts's
 * MIN_POSITIONS and MAX_POSITIONS (the renderer imports no engine code; a test holds them equal).
 * Fewer than two is the strategy's own keys.
 */
export const POSITION_COUNT = { min: 2, max: 10 } as const;

/** Adds a row; the first add makes the two a strategy with positions needs. Unchanged at the most. */
export function addRow(rows: readonly RowValues[], items: readonly DescribedField[]): readonly RowValues[] {
  if (rows.length >= POSITION_COUNT.max) return rows;
  return rows.length === 0 ? [blankRow(items), blankRow(items)] : [...rows, blankRow(items)];
}

/** Whether a row may go: never below the least a strategy with positions holds (remove them all instead). */
export const canRemoveRow = (rows: readonly RowValues[]): boolean => rows.length > POSITION_COUNT.min;

export function removeRow(rows: readonly RowValues[], index: number): readonly RowValues[] {
  return canRemoveRow(rows) ? rows.filter((_, i) => i !== index) : rows;
}

export interface Preset {
  readonly id: string;
  readonly label: string;
  /** What it holds, in a trader's words (the button's description). */
  readonly words: string;
  readonly rows: readonly RowValues[];
}

const leg = (side: 'buy' | 'sell', right: 'CE' | 'PE', strike: string): RowValues => ({ side, option_right: right, option_strike: strike });

/**
 * The usual shapes of an index options day. Each only fills rows (side, option, strike; the expiry
 * at its default, lots and levels the strategy's), replacing what the rows held. "+n" is out of the
 * money for both rights (CE: n strikes above ATM, PE: n below), as the engine counts it.
 */
export const PRESETS: readonly Preset[] = [
  { id: 'short_straddle', label: 'Short straddle', words: 'Sell the ATM CE and the ATM PE', rows: [leg('sell', 'CE', 'atm'), leg('sell', 'PE', 'atm')] },
  { id: 'short_strangle', label: 'Short strangle', words: 'Sell a CE and a PE two strikes out of the money', rows: [leg('sell', 'CE', 'atm+2'), leg('sell', 'PE', 'atm+2')] },
  {
    id: 'iron_fly',
    label: 'Iron fly',
    words: 'Sell the ATM CE and PE, buy a CE and a PE four strikes out as hedges',
    rows: [leg('sell', 'CE', 'atm'), leg('sell', 'PE', 'atm'), leg('buy', 'CE', 'atm+4'), leg('buy', 'PE', 'atm+4')],
  },
];

/** A preset's rows: each a new row (the engine's keys at their new inputs) with the preset's keys over it. */
export function presetRows(preset: Preset, items: readonly DescribedField[]): readonly RowValues[] {
  const known = new Set(items.map((k) => k.name));
  return preset.rows.map((row) => ({ ...blankRow(items), ...Object.fromEntries(Object.entries(row).filter(([k]) => known.has(k))) }));
}

/** A row's keys that count what another strategy key counts under another name. */
const STRATEGY_KEY_OF: Readonly<Record<string, string>> = { lots: 'qty' };

/**
 * The strategy's field an empty row key takes its value from (a position's lots: the strategy's
 * Quantity; its stop-loss, target and their units: the strategy's), or undefined: a key that may be
 * left out, has no default of its own, and counts what a strategy field counts.
 */
export function inheritedFrom(item: DescribedField, fields: readonly FormField[]): FormField | undefined {
  if (item.required || item.default !== null) return undefined;
  const name = STRATEGY_KEY_OF[item.name] ?? item.name;
  return fields.find((f) => f.name === name);
}

/**
 * What an empty row key shows: "Strategy's: 30" (its words for a choice), "Strategy's: none" when
 * the strategy's field is empty too and has no default; the key's own placeholder when it inherits nothing.
 */
export function inheritedText(from: FormField, values: FormValues): string {
  const typed = values[from.name];
  const own = typeof typed === 'string' ? typed.trim() : '';
  const value = own !== '' ? own : from.default !== null && typeof from.default !== 'object' ? String(from.default) : '';
  if (value === '') return "Strategy's: none";
  return `Strategy's: ${from.enum ? choiceText(from, value) : value}`;
}

/** A row's level units: a position's price is the premium of its own contract (a future's: its price). */
const ROW_UNIT_WORDS: Readonly<Record<string, string>> = { price: 'premium', points: 'points', percent: '% of entry' };
const ROW_UNIT_KEYS = new Set(['stop_loss_mode', 'target_mode']);

/** The row is a position on the index's future (option_right FUT): no strike, no premium. */
const isFuture = (row: RowValues | undefined): boolean => row?.option_right === 'FUT';

/**
 * The words of a row key's choice: as the strategy's field of that name says it (choiceText), but a
 * stop-loss's or target's unit `price` reads "premium" (an absolute premium of the position's
 * contract), or "price" on a future's row.
 * @example rowChoiceText(stopLossModeItem, 'price') // 'premium'
 */
export function rowChoiceText(item: DescribedField, value: string, row?: RowValues): string {
  if (!ROW_UNIT_KEYS.has(item.name) || !(value in ROW_UNIT_WORDS)) return choiceText(item, value);
  return value === 'price' && isFuture(row) ? 'price' : ROW_UNIT_WORDS[value]!;
}

/** Whether a row shows its key: a future's row has no strike. */
export const rowKeyShown = (row: RowValues, key: string): boolean => !(key === 'option_strike' && isFuture(row));

/**
 * The row with `key` set to `text`. Choosing FUT puts an expiry at the options' default
 * (current_week) at a future's, current_month (the engine reads either so; the form says which),
 * and empties the strike, which a future's row does not show.
 * @example withRowKey({ option_right: 'CE', option_expiry: 'current_week', option_strike: 'atm+2' }, 'option_right', 'FUT') // { option_right: 'FUT', option_expiry: 'current_month', option_strike: '' }
 */
export function withRowKey(row: RowValues, key: string, text: string): RowValues {
  const next = { ...row, [key]: text };
  if (key !== 'option_right' || text !== 'FUT') return next;
  const expiry = row.option_expiry ?? '';
  return { ...next, option_expiry: expiry === '' || expiry === 'current_week' ? 'current_month' : expiry, option_strike: '' };
}

/** The API's name of a row's key: `positions.1.stop_loss`; without a key, the row itself (`positions.1`). */
export const rowInputName = (field: string, index: number, key?: string): string => (key === undefined ? `${field}.${index}` : `${field}.${index}.${key}`);

/** Every name an answer about these rows may come under, in the order the form shows them: the field, then each row and its keys. */
export function rowInputNames(field: string, value: FormValue | undefined, items: readonly DescribedField[]): string[] {
  const rows = isRows(value) ? value.rows : [];
  return [field, ...rows.flatMap((_, i) => [rowInputName(field, i), ...items.map((k) => rowInputName(field, i, k.name))])];
}

/**
 * How the API's messages read: one about a row's key under that key's input in the key's words
 * ("Stop-loss must be below 100 …"), in the summary after its row ("Position 2: Stop-loss …"); a
 * row's own message as sent; any other as `labelled` words it.
 */
export function rowsWording(field: string, items: readonly DescribedField[], labels: FieldLabels): Wording {
  const itemLabels: FieldLabels = Object.fromEntries(items.map((k) => [k.name, k.label]));
  const path = new RegExp(`^${field}\\.(\\d+)(?:\\.(\\w+))?$`);
  return (name, message, underInput) => {
    const m = path.exec(name);
    if (!m) return labelled(name, message, labels);
    const row = `Position ${Number(m[1]) + 1}`;
    const text = m[2] === undefined ? message : labelled(m[2], message, itemLabels);
    return underInput ? text : `${row}: ${text}`;
  };
}

/**
 * The strategy form's errors from the API's answer, with the names of its inputs in the form's
 * order (a rows field's rows and keys in place of the field): each message under its input by its
 * label, a row's key's under that key in its row, the rest in the summary.
 */
export function rowsFormErrors(err: unknown, labels: FieldLabels, shown: readonly FormField[], values: FormValues): { readonly errors: FormErrors; readonly inputs: readonly string[] } {
  const inputs = shown.flatMap((f) => (inputKindOf(f) === 'rows' ? rowInputNames(f.name, values[f.name], f.item_fields ?? []) : [f.name]));
  const rowsField = shown.find((f) => inputKindOf(f) === 'rows');
  const word: Wording = rowsField ? rowsWording(rowsField.name, rowsField.item_fields ?? [], labels) : (field, message) => labelled(field, message, labels);
  return { errors: formErrors(err, inputs, undefined, word), inputs };
}
