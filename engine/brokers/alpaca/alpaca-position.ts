/**
 * An Alpaca account's signed net position in a symbol, from GET /v2/positions/{symbol}
 * (alpaca-docs 2080c5e data/webapi/endpoints/positions.yaml; alpaca-py bd1fa9e
 * `TradingClient.get_open_position` → `Position`, "an open long or short holding"). The engine asks
 * this before a second or later exit attempt and closes at most what it says (closableQty), so a
 * trader who cancelled Tradeclock's exit and closed by hand is neither sold short nor bought long.
 *
 * What the answer is, and why:
 * - `side` "long": `qty`, the whole position. Not `qty_available` (the position less what open
 *   orders hold): when one of the trader's own orders holds shares, a sell for them is refused
 *   ("insufficient qty available", which placement-refusal.ts treats as passing) until that order
 *   ends, and then this question is asked again; `qty_available` would report 0 and end the exit
 *   as if there were no position at all. A negative long is a contradiction: an error.
 * - `side` "short": minus the size of `qty`. Alpaca's staff say the negative qty and side "short"
 *   "go hand in hand" ("qty": "-2478", Alpaca-API#86), but third-party connectors read `qty` as a
 *   magnitude with the direction in `side` **[conflict]**. The side decides the sign, so either
 *   spelling is a short of that size: taking an unsigned short's "7" for a long of 7 would sell 7
 *   more and double the short.
 * - 404 "position does not exist" (Alpaca-API#215, alpaca-trade-api-go#269; positions.yaml:
 *   "Position is not found."): 0. It is read in alpaca-execution.ts, which sees the status.
 * - Anything else (another side, a qty that is not a number, the position of another symbol) is a
 *   reply that cannot be read: an error naming the field, never 0.
 */
import type Decimal from 'decimal.js';
import { Dec, readDecimal } from './alpaca-decimal';
import { positionSchema } from './alpaca-wire';

export type NetQtyRead = { readonly ok: true; readonly qty: number } | { readonly ok: false; readonly reason: string };

/**
 * Reads a GET /v2/positions/{symbol} body as the signed net position, or why it cannot.
 * @example readNetQty({ symbol: 'AAPL', qty: '5', side: 'long', … }, 'AAPL') → { ok: true, qty: 5 }
 * @example readNetQty({ symbol: 'AAPL', qty: '-5', side: 'short', … }, 'AAPL') → { ok: true, qty: -5 }
 */
export function readNetQty(body: unknown, symbol: string): NetQtyRead {
  const parsed = positionSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `the reply is not an Alpaca position (${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'unreadable'})` };
  }
  const position = parsed.data;
  // alpaca-docs' own example writes "AAPL " with a trailing blank: spacing is not a different symbol.
  if (position.symbol.trim() !== symbol) return { ok: false, reason: `symbol: the reply is the position of "${position.symbol.slice(0, 20)}", not of ${symbol}` };
  switch (position.side) {
    case 'long': {
      const qty = readDecimal(position.qty);
      if (!qty.ok) return { ok: false, reason: `qty of the long position is not a quantity: ${qty.reason}` };
      return { ok: true, qty: toNumber(qty.value) };
    }
    case 'short': {
      const q = position.qty;
      const size = readDecimal(typeof q === 'number' ? Math.abs(q) : q.replace(/^-/, ''));
      if (!size.ok) return { ok: false, reason: `qty of the short position is not a number: ${JSON.stringify(q).slice(0, 40)}` };
      return { ok: true, qty: toNumber(size.value.negated()) };
    }
    default:
      return { ok: false, reason: `side is "${position.side.slice(0, 20)}", neither "long" nor "short"` };
  }
}

function toNumber(d: Decimal): number {
  // -0 never leaves here: a flat position is 0.
  return d.isZero() ? 0 : new Dec(d).toNumber();
}
