/**
 * The one place where the API's field names become the words on screen. The engine's messages
 * start with the field's API name ("buy_time is required") or with a verb ("must be at least 10
 * characters"); the trader reads them with the label of the input ("BUY time is required",
 * "Password must be at least 10 characters"). Other fields a message mentions by their API name
 * ("… later than buy_time (09:30)") are named by their labels too.
 */

/** API field name → the label its input shows. The strategy form's come from the engine (GET /strategy/form). */
export type FieldLabels = Readonly<Record<string, string>>;

/** The sign-in and create-account forms. */
export const AUTH_LABELS = {
  email: 'Email',
  password: 'Password',
  confirm_password: 'Confirm password',
} as const satisfies FieldLabels;

/** Pairing a phone (the sign-in screen's pairing form) and renaming a paired device. */
export const PAIR_LABELS = {
  code: 'Pairing code',
  name: 'Name of this device',
} as const satisfies FieldLabels;

/** The Settings screen's password change. */
export const PASSWORD_CHANGE_LABELS = {
  current_password: 'Current password',
  new_password: 'New password',
  confirm_password: 'New password again',
} as const satisfies FieldLabels;

/** The Settings screen's install settings (the readiness lead, the stale-price bound). */
export const INSTALL_SETTINGS_LABELS = {
  readiness_lead_minutes: 'Readiness check lead',
  stale_price_seconds: 'Stale price after',
} as const satisfies FieldLabels;

/** The History screen's filter. */
export const HISTORY_LABELS = {
  strategy_id: 'Strategy',
  from: 'From (trading date)',
  to: 'To (trading date)',
} as const satisfies FieldLabels;

/** A strategy page's backtest panel: the range and fill, and the grid's windows (one "every" for both). */
export const BACKTEST_LABELS = {
  strategy_id: 'Strategy',
  from: 'From (trading date)',
  to: 'To (trading date)',
  slippage_bps: 'Slippage (bps)',
  fees: 'Fees',
  fetch_missing: 'Fetch missing days',
  fetch_ticks: 'Fetch trades',
  lot_size: 'Lot size',
  'buy.from': 'Entry times from',
  'buy.to': 'Entry times to',
  'sell.from': 'Exit times from',
  'sell.to': 'Exit times to',
  'buy.every_minutes': 'Every (minutes)',
  'sell.every_minutes': 'Every (minutes)',
} as const satisfies FieldLabels;

/** Field names without an underscore that no sentence uses as a word ("re-entries" is spelled with a hyphen). */
const NOT_A_WORD: ReadonlySet<string> = new Set(['reentries']);

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * `message`, about `field`, in the trader's words.
 *
 * @example labelled('sell_time', 'sell_time must be later than buy_time (09:30) on the same day', { buy_time: 'BUY time', sell_time: 'SELL time' })
 *   // 'SELL time must be later than BUY time (09:30) on the same day'
 * @example labelled('password', 'must be at least 10 characters', AUTH_LABELS) // 'Password must be at least 10 characters'
 */
export function labelled(field: string, message: string, labels: FieldLabels): string {
  const own = labels[field] ?? field;
  let text = message.trim();
  if (text === field || text.startsWith(`${field} `) || text.startsWith(`${field}:`)) text = own + text.slice(field.length);
  // Names with an underscore or a dot (`buy.from`), or no English word (NOT_A_WORD), cannot be a plain word of a sentence: any of them is a field.
  for (const [key, label] of Object.entries(labels)) {
    if (key.includes('_') || key.includes('.') || NOT_A_WORD.has(key)) text = text.replace(new RegExp(`\\b${escape(key)}\\b`, 'g'), label);
  }
  if (text.startsWith(own)) return text;
  return /^[a-z]/.test(text) ? `${own} ${text}` : `${own}: ${text}`;
}
