/**
 * The one place where the API's field names become the words on screen. The engine's messages
 * start with the field's API name ("buy_time is required") or with a verb ("must be at least 10
 * characters"); the trader reads them with the label of the input ("BUY time is required",
 * "Password must be at least 10 characters"). Other fields a message mentions by their API name
 * ("… later than buy_time (09:30)") are named by their labels too.
 */
import type { StrategyLabels } from '../../../engine/api';

/** API field name → the label its input shows. */
export type FieldLabels = Readonly<Record<string, string>>;

/**
 * The strategy form's inputs, in the order the form shows them. Each label is the engine's own
 * (core/strategy-spec.ts, sent by GET /strategy/form): the type holds them equal, so a label
 * changed there fails this build until it is changed here too.
 */
export const STRATEGY_LABELS = {
  broker_account_id: 'Broker account',
  symbol: 'Symbol',
  exchange: 'Exchange',
  qty: 'Quantity',
  buy_time: 'BUY time',
  sell_time: 'SELL time',
  stop_loss: 'Stop-loss price',
  timezone: 'Time zone',
  repeat: 'Repeat',
  buy_grace_seconds: 'BUY grace (seconds)',
} as const satisfies Partial<StrategyLabels>;

/** The sign-in and create-account forms. */
export const AUTH_LABELS = {
  email: 'Email',
  password: 'Password',
  confirm_password: 'Confirm password',
} as const satisfies FieldLabels;

/** The Settings screen's password change. */
export const PASSWORD_CHANGE_LABELS = {
  current_password: 'Current password',
  new_password: 'New password',
  confirm_password: 'New password again',
} as const satisfies FieldLabels;

/** The History screen's filter. */
export const HISTORY_LABELS = {
  strategy_id: 'Strategy',
  from: 'From (trading date)',
  to: 'To (trading date)',
} as const satisfies FieldLabels;

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * `message`, about `field`, in the trader's words.
 *
 * @example labelled('sell_time', 'sell_time must be later than buy_time (09:30) on the same day', STRATEGY_LABELS)
 *   // 'SELL time must be later than BUY time (09:30) on the same day'
 * @example labelled('password', 'must be at least 10 characters', AUTH_LABELS) // 'Password must be at least 10 characters'
 */
export function labelled(field: string, message: string, labels: FieldLabels): string {
  const own = labels[field] ?? field;
  let text = message.trim();
  if (text === field || text.startsWith(`${field} `) || text.startsWith(`${field}:`)) text = own + text.slice(field.length);
  // Names with an underscore cannot be a plain word of a sentence: any of them is a field.
  for (const [key, label] of Object.entries(labels)) {
    if (key.includes('_')) text = text.replace(new RegExp(`\\b${escape(key)}\\b`, 'g'), label);
  }
  if (text.startsWith(own)) return text;
  return /^[a-z]/.test(text) ? `${own} ${text}` : `${own}: ${text}`;
}
