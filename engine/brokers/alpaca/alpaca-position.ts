/**
 * How many shares of a symbol an Alpaca account holds long, from GET /v2/positions/{symbol}
 * (alpaca-docs 2080c5e data/webapi/endpoints/positions.yaml; alpaca-py bd1fa9e
 * `TradingClient.get_open_position` → `Position`). The engine asks this before a second or later
 * exit attempt and sells at most the answer, so a trader who cancelled Tradeclock's SELL and sold
 * by hand is not sold short.
 *
 * What counts as held, and why:
 * - `side` "long": `qty`, the whole position. Not `qty_available` (the position less what open
 *   orders hold): when one of the trader's own orders holds shares, a sell for them is refused
 *   ("insufficient qty available", which placement-refusal.ts treats as passing) until that order
 *   ends, and then this question is asked again; `qty_available` would report 0 and end the exit
 *   as if there were no position at all.
 * - `side` "short": 0. A short holds nothing a sell-to-close can sell; its `qty` is negative
 *   ("-2478", Alpaca-API#86) and is only checked to be a number.
 * - 404 "position does not exist" (Alpaca-API#215, alpaca-trade-api-go#269; positions.yaml:
 *   "Position is not found."): 0. It is read in alpaca-execution.ts, which sees the status.
 * - Anything else (another side, a qty that is not a number, a negative long, the position of
 *   another symbol) is a reply that cannot be read: an error naming what was wrong, never 0.
 */
import type Decimal from 'decimal.js';
import { Dec, readDecimal } from './alpaca-decimal';
import { positionSchema } from './alpaca-wire';

export type HeldQtyRead = { readonly ok: true; readonly qty: number } | { readonly ok: false; readonly reason: string };

/** A short's qty: a plain decimal with an optional minus sign, or a JSON number. */
const SIGNED_DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * Reads a GET /v2/positions/{symbol} body as the quantity held long, or why it cannot.
 * @example readHeldQty({ symbol: 'AAPL', qty: '5', side: 'long', … }, 'AAPL') → { ok: true, qty: 5 }
 * @example readHeldQty({ symbol: 'AAPL', qty: '-5', side: 'short', … }, 'AAPL') → { ok: true, qty: 0 }
 */
export function readHeldQty(body: unknown, symbol: string): HeldQtyRead {
  const parsed = positionSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `the reply is not an Alpaca position (${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'unreadable'})` };
  }
  const position = parsed.data;
  // alpaca-docs' own example writes "AAPL " with a trailing blank: spacing is not a different symbol.
  if (position.symbol.trim() !== symbol) return { ok: false, reason: `the reply is the position of "${position.symbol.slice(0, 20)}", not of ${symbol}` };
  switch (position.side) {
    case 'long': {
      const qty = readDecimal(position.qty);
      if (!qty.ok) return { ok: false, reason: `qty of the long position is not a quantity: ${qty.reason}` };
      return { ok: true, qty: toNumber(qty.value) };
    }
    case 'short': {
      const q = position.qty;
      const readable = typeof q === 'number' ? Number.isFinite(q) : SIGNED_DECIMAL.test(q);
      if (!readable) return { ok: false, reason: `qty of the short position is not a number: ${JSON.stringify(q).slice(0, 40)}` };
      return { ok: true, qty: 0 };
    }
    default:
      return { ok: false, reason: `side is "${position.side.slice(0, 20)}", neither "long" nor "short"` };
  }
}

function toNumber(d: Decimal): number {
  // -0 never leaves here: a flat position is 0.
  return d.isZero() ? 0 : new Dec(d).toNumber();
}
