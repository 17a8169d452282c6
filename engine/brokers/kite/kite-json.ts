/**
 * JSON from Kite with its order ids kept as strings. Kite sends `order_id` as a string today, but
 * new ids are 19 digits and any payload that ever carries one as a bare number (an older API
 * version, a proxy that re-encodes) would silently lose digits in JSON.parse. So id-valued
 * numbers are quoted in the text before parsing; Node 20's JSON.parse gives a reviver no access
 * to the source digits, so this cannot be done in a reviver.
 */

/** Keys whose values are identifiers, never quantities. */
const ID_KEYS = ['order_id', 'exchange_order_id', 'parent_order_id'] as const;

// An unescaped `"key"` followed by a bare integer; `(?<!\\)` keeps keys inside string values alone.
const BARE_ID = new RegExp(`(?<!\\\\)"(${ID_KEYS.join('|')})"(\\s*:\\s*)(-?\\d+)(?=\\s*[,}\\]])`, 'g');

/**
 * JSON.parse, with bare integer ids quoted first.
 *
 * @example parseKiteJson('{"order_id":1914227164488687616}') // { order_id: '1914227164488687616' }
 */
export function parseKiteJson(text: string): unknown {
  return JSON.parse(text.replace(BARE_ID, '"$1"$2"$3"'));
}
