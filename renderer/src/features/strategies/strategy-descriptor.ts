/**
 * The strategy form as GET /strategy/form describes it: which fields it offers and in what
 * groups, what each input holds and the body it sends. The engine owns the fields, their order,
 * words and whether it trades them yet; this file only turns them into inputs and back. A field
 * the engine does not trade yet (`available: false`) is never an input, so it is never sent: a
 * strategy cannot be built with what does not trade. A field the engine shows only while another
 * says it applies (`show_when`: the re-entry cut-off while re-entries > 0) is hidden otherwise, and
 * a hidden field is sent as an empty one. A 'rows' field (a strategy's positions) holds rows whose
 * keys are described like fields (`item_fields`) and drawn and sent by the same rules.
 */
import type { FieldLabels } from '../../ui/field-labels';
import type { StrategyDto, StrategyFormBody, StrategyFormFieldDto, StrategyFormItemFieldDto } from '../../lib/api-types';

export type FormField = StrategyFormFieldDto;
export type FieldGroup = FormField['group'];
/** What a field and a row's key have alike: enough to draw an input and send its value (a rows field's keys too). */
export type DescribedField = StrategyFormItemFieldDto & { readonly item_fields?: readonly StrategyFormItemFieldDto[] };

/** One row of a 'rows' field (a position): each key's input, as typed or picked. */
export type RowValues = Readonly<Record<string, string>>;
/** A 'rows' field's input: its rows in order; none: the field is left out. */
export interface RowsValue {
  readonly rows: readonly RowValues[];
}

/** What an input holds: the text typed or the choice picked, the items ticked of a list, the rows of a table. */
export type FormValue = string | readonly string[] | RowsValue;
export type FormValues = Readonly<Record<string, FormValue>>;

/** The unit the engine gives a time of day ("09:20:00"). */
export const TIME_OF_DAY = 'time of day';

/** 'suggest': text with the choices offered as suggestions (an open choice: an option's expiry, a rule or a date). */
export type InputKind = 'time' | 'number' | 'choice' | 'suggest' | 'list' | 'rows' | 'switch' | 'json' | 'text';

/** Whether an input holds rows (a 'rows' field's). */
export const isRows = (v: FormValue | undefined): v is RowsValue => typeof v === 'object' && !Array.isArray(v);

/**
 * A yes/no the trader may leave out, meaning something else than either (the backstop: the
 * broker's default): a choice of empty, yes and no, not a checkbox that cannot say "left out".
 */
const isOptionalYesNo = (f: DescribedField): boolean => f.type === 'boolean' && !f.required && f.default === null;

/**
 * What a choice offers: an enum's values, an optional yes/no's 'true' and 'false' (beside the empty
 * choice); and the value it holds when that is none of them (an option's expiry stored as a date
 * through the API), so drawing the choice never changes what is saved.
 */
export function choicesOfField(f: DescribedField, held = ''): readonly string[] {
  const choices = f.enum ?? (isOptionalYesNo(f) ? ['true', 'false'] : []);
  return held.trim() === '' || choices.includes(held) ? choices : [...choices, held];
}

/** The input a field is drawn as. */
export function inputKindOf(f: DescribedField): InputKind {
  if (f.type === 'list') return 'list';
  if (f.type === 'rows') return 'rows';
  if (f.enum && f.open) return 'suggest';
  if (f.enum || isOptionalYesNo(f)) return 'choice';
  if (f.type === 'boolean') return 'switch';
  if (f.type === 'number' || f.type === 'decimal') return 'number';
  if (f.type === 'json') return 'json';
  return f.unit === TIME_OF_DAY ? 'time' : 'text';
}

/**
 * The field a `<prefix>_mode` says how to count: the first other field named `<prefix>` or
 * `<prefix>_…` (`stop_loss_mode` → `stop_loss`, `move_stop_to_cost_mode` → `move_stop_to_cost_after`).
 */
function baseOf<F extends DescribedField>(m: F, fields: readonly F[]): F | undefined {
  if (!m.name.endsWith('_mode') || !m.enum) return undefined;
  const prefix = m.name.slice(0, -'_mode'.length);
  return fields.find((f) => f.name !== m.name && !f.name.endsWith('_mode') && (f.name === prefix || f.name.startsWith(`${prefix}_`)));
}

/** The field that says how `f` is counted (price, points or percent), drawn beside `f`; undefined when none is offered. */
export function modeOf<F extends DescribedField>(f: F, offered: readonly F[]): F | undefined {
  return offered.find((m) => baseOf(m, offered)?.name === f.name);
}

/** Whether `f` only says how another of `fields` is counted. */
export function isModeOf<F extends DescribedField>(f: F, fields: readonly F[]): boolean {
  return baseOf(f, fields) !== undefined;
}

export interface FormGroup {
  readonly group: FieldGroup;
  /** The inputs, in the engine's order, a `<name>_mode` included (drawn with its field). */
  readonly offered: readonly FormField[];
  /** Fields the engine does not trade yet, named so the trader knows they come later (no `_mode`). */
  readonly later: readonly FormField[];
  /** Whether the group may start folded: nothing in it must be filled in. */
  readonly optional: boolean;
}

/** The fields by group, groups in the order their first field comes. */
export function groupsOf(fields: readonly FormField[]): FormGroup[] {
  const order = [...new Set(fields.map((f) => f.group))];
  return order.map((group) => {
    const own = fields.filter((f) => f.group === group);
    const offered = own.filter((f) => f.available);
    return {
      group,
      offered,
      later: own.filter((f) => !f.available && !isModeOf(f, fields)),
      optional: !offered.some((f) => f.required),
    };
  });
}

/** Field name → the label its input shows, for naming fields in errors. */
export function labelsOf(fields: readonly FormField[]): FieldLabels {
  return Object.fromEntries(fields.map((f) => [f.name, f.label]));
}

const NO_ROWS: RowsValue = { rows: [] };
const textOf = (v: FormValue): string => (typeof v === 'string' ? v : '');

/**
 * A new strategy's input: empty (the placeholder shows the default the engine applies), a
 * choice at its default, a list with nothing ticked, no rows.
 */
export function initialValue(f: DescribedField): FormValue {
  if (f.type === 'list') return [];
  if (f.type === 'rows') return NO_ROWS;
  if (f.type === 'boolean') return isOptionalYesNo(f) ? '' : f.default === true ? 'true' : 'false';
  if (f.enum && typeof f.default === 'string') return f.default;
  return '';
}

/** A new row of a 'rows' field: each key's new input (a choice at its default, the rest empty). */
export function blankRow(items: readonly DescribedField[]): RowValues {
  return Object.fromEntries(items.map((k) => [k.name, textOf(initialValue(k))]));
}

/** The input of a value the engine sent: its text, or the new input when it has none. */
function inputOf(f: DescribedField, v: unknown): FormValue {
  if (v === undefined || v === null) return initialValue(f);
  if (f.type === 'rows' && Array.isArray(v)) {
    const items = f.item_fields ?? [];
    return { rows: v.map((row: Readonly<Record<string, unknown>>) => Object.fromEntries(items.map((k) => [k.name, textOf(inputOf(k, row[k.name]))]))) };
  }
  if (Array.isArray(v)) return v.map(String);
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** The input of a field of a stored strategy: its value, or the new strategy's input when it has none. */
export function storedValue(f: FormField, stored: StrategyDto): FormValue {
  return inputOf(f, (stored as unknown as Record<string, unknown>)[f.name]);
}

/**
 * Whether `f` applies with these inputs (`show_when`): the field it depends on, read as its
 * default when empty, is above the number, equals the choice, is anything but it, or has a value
 * (an option's expiry and strike while an option is chosen). A count is read in the rows too (a
 * position's own re-entries show the strategy's cut-off, which every position re-enters by). A
 * count typed as something other than a number shows it, so the API's answer about that count is
 * next to what it governs.
 */
export function isShown(f: FormField, values: FormValues, fields: readonly FormField[]): boolean {
  const when = f.show_when;
  if (!when) return true;
  const typed = values[when.field];
  // A rows field counts as filled with a row in it (mtm_stop shows once a position is added).
  const text = typed !== undefined && isRows(typed) ? (typed.rows.length > 0 ? String(typed.rows.length) : '') : typeof typed === 'string' ? typed.trim() : '';
  const fallback = fields.find((x) => x.name === when.field)?.default;
  const value = text !== '' ? text : fallback === null || fallback === undefined ? '' : String(fallback);
  if ('equals' in when) return value === when.equals;
  if ('unless' in when) return value !== when.unless;
  if ('filled' in when) return value !== '';
  const above = (v: string) => v !== '' && (Number.isNaN(Number(v)) || Number(v) > when.above);
  // A count a row may set for itself (a position's own reentries) shows the field when any row's is above too.
  const inRows = fields.some((x) => {
    const rows = values[x.name];
    return rows !== undefined && isRows(rows) && rows.rows.some((row) => above((row[when.field] ?? '').trim()));
  });
  return above(value) || inRows;
}

/** The inputs of `offered`, from a stored strategy when editing, else new. */
export function valuesOf(offered: readonly FormField[], stored?: StrategyDto): Record<string, FormValue> {
  return Object.fromEntries(offered.map((f) => [f.name, stored ? storedValue(f, stored) : initialValue(f)]));
}

/** Whether an input holds what a new strategy's does (nothing typed, the default picked or typed: re-entries 0). */
export function isInitial(f: FormField, value: FormValue | undefined): boolean {
  const initial = initialValue(f);
  if (value === undefined) return true;
  if (isRows(value)) return value.rows.length === 0;
  if (isRows(initial)) return false;
  if (Array.isArray(value) || Array.isArray(initial)) return Array.isArray(value) && value.length === 0;
  const text = (value as string).trim();
  return text === initial || (f.default !== null && typeof f.default !== 'object' && text === String(f.default));
}

/** "12" → 12; "1,5" or "abc" → sent as typed, so the API names what is wrong. */
function numberOrText(t: string): number | string {
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
}

function jsonOrText(t: string): unknown {
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return t;
  }
}

/** What a row sends: each key that holds something (an empty one is the strategy's, or the engine's default). */
function sentRow(items: readonly DescribedField[], row: RowValues): Record<string, unknown> {
  return Object.fromEntries(items.flatMap((k) => {
    const sent = sentValue(k, row[k.name]);
    return sent === undefined ? [] : [[k.name, sent]];
  }));
}

/** What an input sends; undefined for an empty one. Nothing is validated: the API is the one validator. */
function sentValue(f: DescribedField, value: FormValue | undefined): unknown {
  if (value === undefined) return undefined;
  if (isRows(value)) return value.rows.length > 0 ? value.rows.map((row) => sentRow(f.item_fields ?? [], row)) : undefined;
  if (Array.isArray(value)) return value.length > 0 ? value : undefined;
  const t = (value as string).trim();
  if (t === '') return undefined;
  switch (f.type) {
    case 'number':
      return numberOrText(t);
    case 'decimal':
      // As typed: "0.1" stays the decimal 0.1 (a quantity of a crypto pair), the engine reads it.
      return t;
    case 'boolean':
      return t === 'true';
    case 'json':
      return jsonOrText(t);
    default:
      return t;
  }
}

/**
 * The body to send: each offered field that holds something, with its unit (`<name>_mode`) when it
 * has one. An emptied field is left out (the engine applies its default, or keeps the stored value
 * on an edit), except on an edit of a field with no default that the strategy had: that sends
 * null, which removes it (a target, a trail, a cut-off). A hidden field counts as emptied: turning
 * re-entries off removes the cut-off, a strategy that no longer repeats daily loses its weekdays.
 * `keptWhenEmpty` are fields whose empty input means "as the engine settles it" (exchange, zone).
 */
export function bodyOf(offered: readonly FormField[], values: FormValues, stored: StrategyDto | undefined, keptWhenEmpty: ReadonlySet<string>): StrategyFormBody {
  const body: Record<string, unknown> = {};
  for (const f of offered) {
    if (isModeOf(f, offered)) continue;
    const sent = isShown(f, values, offered) ? sentValue(f, values[f.name]) : undefined;
    if (sent !== undefined) body[f.name] = sent;
    else if (stored && !f.required && f.default === null && !keptWhenEmpty.has(f.name) && !isInitial(f, storedValue(f, stored))) body[f.name] = null;
    // A unit goes with its value, so an edit that changes either sends both; an empty value sends none.
    const mode = modeOf(f, offered);
    const unit = mode && sent !== undefined ? sentValue(mode, values[mode.name]) : undefined;
    if (mode && unit !== undefined) body[mode.name] = unit;
  }
  return body as StrategyFormBody;
}

/** Which exit allows a re-entry; a trailing stop's exit counts as the stop-loss's. */
export const REENTRY_AFTER_WORDS: Readonly<Record<StrategyDto['reentry_after'], string>> = { stop_loss: 'A stop-loss (or trailing stop) exit', target: 'A target exit', either: 'Either exit' };
export const WEEKDAY_WORDS: Readonly<Record<NonNullable<StrategyDto['weekdays']>[number], string>> = { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' };

/** Words for choices the engine names by code; any other choice shows its code. */
const LEVEL_UNITS = { price: 'price', points: 'points', percent: '% of entry' };
const CHOICE_WORDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  repeat: { once: 'Once', daily: 'Every trading day' },
  side: { buy: 'Buy first (long)', sell: 'Sell first (short)' },
  stop_loss_mode: LEVEL_UNITS,
  target_mode: LEVEL_UNITS,
  trail_mode: { points: 'points', percent: '% of best price' },
  move_stop_to_cost_mode: { points: 'points', percent: '% of entry' },
  reentry_after: REENTRY_AFTER_WORDS,
  weekdays: WEEKDAY_WORDS,
  backstop: { '': "Broker's default (on at Alpaca and Kite, off on paper)", true: 'On', false: 'Off' },
  backstop_margin_mode: { points: 'points', percent: '% of the stop-loss' },
};

/** The words of a choice; '' is the empty choice (left out), '—' unless the field names it. */
export const choiceText = (f: DescribedField, value: string): string => CHOICE_WORDS[f.name]?.[value] ?? (value === '' ? '—' : value);

/** What a folded group holds, as "Repeat: Every trading day"; empty and hidden inputs left out. */
export function summaryOf(g: FormGroup, values: FormValues): string {
  return g.offered
    .filter((f) => isShown(f, values, g.offered))
    .flatMap((f) => {
      const v = values[f.name];
      const shown = isRows(v) ? (v.rows.length > 0 ? `${v.rows.length}` : '') : Array.isArray(v) ? v.map((x) => choiceText(f, x)).join(' ') : typeof v === 'string' && v.trim() !== '' ? (inputKindOf(f) === 'choice' ? choiceText(f, v) : v.trim()) : '';
      return shown ? [`${f.label}: ${shown}`] : [];
    })
    .join(', ');
}

/**
 * What the engine does not trade yet, in the form's order: the fields of a group the form draws,
 * a group with nothing offered by its title. Null when everything is offered.
 *
 * @example notOfferedYet(groups, { exits: 'Exits', reentry: 'Re-entry', … }) // 'Target, Trailing stop, Re-entry'
 */
export function notOfferedYet(groups: readonly FormGroup[], titles: Readonly<Record<FieldGroup, string>>): string | null {
  const names = groups.flatMap((g) => (g.offered.length === 0 ? (g.later.length > 0 ? [titles[g.group]] : []) : g.later.map((f) => f.label)));
  return names.length > 0 ? names.join(', ') : null;
}

/** The placeholder of a text input: the default the engine applies, else the unit, else whether it is required. */
export function placeholderOf(f: DescribedField): string {
  if (inputKindOf(f) === 'time') return 'HH:MM:SS';
  if (f.default !== null && typeof f.default !== 'object') return String(f.default);
  return f.unit ?? (f.required ? 'required' : '');
}
