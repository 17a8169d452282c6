/**
 * The strategy form as GET /strategy/form describes it: which fields it offers and in what
 * groups, what each input holds and the body it sends. The engine owns the fields, their order,
 * words and whether it trades them yet; this file only turns them into inputs and back. A field
 * the engine does not trade yet (`available: false`) is never an input, so it is never sent: a
 * strategy cannot be built with what does not trade. A field the engine shows only while another
 * says it applies (`show_when`: the re-entry cut-off while re-entries > 0) is hidden otherwise, and
 * a hidden field is sent as an empty one.
 */
import type { FieldLabels } from '../../ui/field-labels';
import type { StrategyDto, StrategyFormBody, StrategyFormFieldDto } from '../../lib/api-types';

export type FormField = StrategyFormFieldDto;
export type FieldGroup = FormField['group'];

/** What an input holds: the text typed or the choice picked, the items ticked of a list. */
export type FormValue = string | readonly string[];
export type FormValues = Readonly<Record<string, FormValue>>;

/** The unit the engine gives a time of day ("09:20:00"). */
export const TIME_OF_DAY = 'time of day';

export type InputKind = 'time' | 'number' | 'choice' | 'list' | 'switch' | 'json' | 'text';

/**
 * A yes/no the trader may leave out, meaning something else than either (the backstop: the
 * broker's default): a choice of empty, yes and no, not a checkbox that cannot say "left out".
 */
const isOptionalYesNo = (f: FormField): boolean => f.type === 'boolean' && !f.required && f.default === null;

/** What a choice offers: an enum's values, an optional yes/no's 'true' and 'false' (beside the empty choice). */
export function choicesOfField(f: FormField): readonly string[] {
  return f.enum ?? (isOptionalYesNo(f) ? ['true', 'false'] : []);
}

/** The input a field is drawn as. */
export function inputKindOf(f: FormField): InputKind {
  if (f.type === 'list') return 'list';
  if (f.enum || isOptionalYesNo(f)) return 'choice';
  if (f.type === 'boolean') return 'switch';
  if (f.type === 'number' || f.type === 'decimal') return 'number';
  // Rows (a strategy's positions) are typed as JSON until the form has a row editor (issue 19).
  if (f.type === 'json' || f.type === 'rows') return 'json';
  return f.unit === TIME_OF_DAY ? 'time' : 'text';
}

/**
 * The field a `<prefix>_mode` says how to count: the first other field named `<prefix>` or
 * `<prefix>_…` (`stop_loss_mode` → `stop_loss`, `move_stop_to_cost_mode` → `move_stop_to_cost_after`).
 */
function baseOf(m: FormField, fields: readonly FormField[]): FormField | undefined {
  if (!m.name.endsWith('_mode') || !m.enum) return undefined;
  const prefix = m.name.slice(0, -'_mode'.length);
  return fields.find((f) => f.name !== m.name && !f.name.endsWith('_mode') && (f.name === prefix || f.name.startsWith(`${prefix}_`)));
}

/** The field that says how `f` is counted (price, points or percent), drawn beside `f`; undefined when none is offered. */
export function modeOf(f: FormField, offered: readonly FormField[]): FormField | undefined {
  return offered.find((m) => baseOf(m, offered)?.name === f.name);
}

/** Whether `f` only says how another of `fields` is counted. */
export function isModeOf(f: FormField, fields: readonly FormField[]): boolean {
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

/**
 * A new strategy's input: empty (the placeholder shows the default the engine applies), a
 * choice at its default, a list with nothing ticked.
 */
export function initialValue(f: FormField): FormValue {
  if (f.type === 'list') return [];
  if (f.type === 'boolean') return isOptionalYesNo(f) ? '' : f.default === true ? 'true' : 'false';
  if (f.enum && typeof f.default === 'string') return f.default;
  return '';
}

/** The input of a field of a stored strategy: its value, or the new strategy's input when it has none. */
export function storedValue(f: FormField, stored: StrategyDto): FormValue {
  const v: unknown = (stored as unknown as Record<string, unknown>)[f.name];
  if (v === undefined || v === null) return initialValue(f);
  if (Array.isArray(v)) return f.type === 'rows' ? JSON.stringify(v) : v.map(String);
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/**
 * Whether `f` applies with these inputs (`show_when`): the field it depends on, read as its
 * default when empty, is above the number, equals the choice, is anything but it, or has a value
 * (an option's expiry and strike while an option is chosen). A count typed as something other
 * than a number shows it, so the API's answer about that count is next to what it governs.
 */
export function isShown(f: FormField, values: FormValues, fields: readonly FormField[]): boolean {
  const when = f.show_when;
  if (!when) return true;
  const typed = values[when.field];
  const text = typeof typed === 'string' ? typed.trim() : '';
  const fallback = fields.find((x) => x.name === when.field)?.default;
  const value = text !== '' ? text : fallback === null || fallback === undefined ? '' : String(fallback);
  if ('equals' in when) return value === when.equals;
  if ('unless' in when) return value !== when.unless;
  if ('filled' in when) return value !== '';
  const n = Number(value);
  return value === '' ? false : Number.isNaN(n) || n > when.above;
}

/** The inputs of `offered`, from a stored strategy when editing, else new. */
export function valuesOf(offered: readonly FormField[], stored?: StrategyDto): Record<string, FormValue> {
  return Object.fromEntries(offered.map((f) => [f.name, stored ? storedValue(f, stored) : initialValue(f)]));
}

/** Whether an input holds what a new strategy's does (nothing typed, the default picked or typed: re-entries 0). */
export function isInitial(f: FormField, value: FormValue | undefined): boolean {
  const initial = initialValue(f);
  if (value === undefined) return true;
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

/** What an input sends; undefined for an empty one. Nothing is validated: the API is the one validator. */
function sentValue(f: FormField, value: FormValue | undefined): unknown {
  if (value === undefined) return undefined;
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
    case 'rows':
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
export const choiceText = (f: FormField, value: string): string => CHOICE_WORDS[f.name]?.[value] ?? (value === '' ? '—' : value);

/** What a folded group holds, as "Repeat: Every trading day"; empty and hidden inputs left out. */
export function summaryOf(g: FormGroup, values: FormValues): string {
  return g.offered
    .filter((f) => isShown(f, values, g.offered))
    .flatMap((f) => {
      const v = values[f.name];
      const shown = Array.isArray(v) ? v.map((x) => choiceText(f, x)).join(' ') : typeof v === 'string' && v.trim() !== '' ? (inputKindOf(f) === 'choice' ? choiceText(f, v) : v.trim()) : '';
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
export function placeholderOf(f: FormField): string {
  if (inputKindOf(f) === 'time') return 'HH:MM:SS';
  if (f.default !== null && typeof f.default !== 'object') return String(f.default);
  return f.unit ?? (f.required ? 'required' : '');
}
