/**
 * Branded ids and the deterministic client order id, made and read back. Pure: the renderer's
 * types import this file through the API contract. Random ids are in random-ids.ts.
 */

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

export type UserId = Brand<number, 'UserId'>;
export type BrokerAccountId = Brand<number, 'BrokerAccountId'>;
export type StrategyId = Brand<number, 'StrategyId'>;
export type RunId = Brand<number, 'RunId'>;
export type OrderId = Brand<number, 'OrderId'>;

export const asUserId = (n: number) => n as UserId;
export const asBrokerAccountId = (n: number) => n as BrokerAccountId;
export const asStrategyId = (n: number) => n as StrategyId;
export const asRunId = (n: number) => n as RunId;
export const asOrderId = (n: number) => n as OrderId;

/** The most attempts an exit slot takes: attempt 1 is `X`, attempts 2–9 the digit itself. */
export const MAX_EXIT_ATTEMPTS = 9;

/** The highest leg number: leg 0 is the day's first entry and its exits, legs 1–9 re-entries (one digit in the id). */
export const MAX_LEG_NO = 9;

/** Base 36 in 5 characters, the most the 20-character leg 0 id has room for. */
const MAX_STRATEGY_ID = 36 ** 5 - 1;
const DAY_MS = 86_400_000;
/** Legs 1–9 write the trading date as 3 base-36 digits of days since this day, good to 2127-09-27. */
const DAY_ZERO = Date.UTC(2000, 0, 1);
const MAX_DAY = 36 ** 3 - 1;

/** What a client order id says: parseClientOrderId's answer, clientOrderId's inputs. */
export interface ClientOrderIdParts {
  readonly installId: string;
  readonly strategyId: StrategyId;
  /** "YYYY-MM-DD" */
  readonly tradingDate: string;
  /** 0 for the day's first entry and its exits; 1–9 for the re-entries. */
  readonly legNo: number;
  readonly slot: 'entry' | 'exit';
  /** 1 for the entry and an exit's first attempt; 2–9 for an exit's later attempts. */
  readonly attempt: number;
  /** The position of a multi-position strategy (a `tp` id); absent for a strategy of one position. */
  readonly positionNo?: number;
}

/**
 * The client order id of an order: the same inputs always give the same id, so a retry after a
 * crash or a timeout carries the id of the first attempt, and the broker (or our lookup by id)
 * can tell it is the same order. Both exits share the slot letter `X`, so SELL and STOPLOSS on
 * one leg can never be two different orders at a broker that rejects a reused id.
 *
 * An exit the broker refused for a reason that may pass is tried again as a new order: attempt
 * n (2–9) ends in the digit n instead of `X`, so each attempt is its own order at the broker and
 * the same attempt sent twice is still one.
 *
 * Leg 0 (the only leg before re-entries) is `tc` + install (6) + strategy (base 36, 1–5) +
 * yymmdd (6) + last (`E` | `X` | `2`–`9`) ≤ 20: the format every run journaled so far carries,
 * so an exit of such a run derives the same id after an upgrade. The last character always follows
 * the six date digits, so no two (strategy, day, slot, attempt) share an id. That format has no
 * spare character, so legs 1–9 take another: `tr` + install (6) + day (3, base 36 days since
 * 2000-01-01) + strategy (5, zero-padded base 36) + leg (1, `1`–`9`) + last = 18 characters,
 * fixed width, and a `tr` id is never a `tc` one. Both fit Kite's 20-character alphanumeric tag
 * and Alpaca's 48-character client_order_id.
 *
 * @throws Error naming the input that has no id: install id not 6 base-36 characters, strategy
 *   id not a whole number up to 36^5 - 1, a trading date that is not a calendar date (from
 *   2000-01-01; to 2099 on leg 0, 2127-09-27 on later legs), an attempt outside 1 (entry) or
 *   1–9 (exit), a leg outside 0–9.
 * @example clientOrderId('k3x9a1', asStrategyId(42), '2026-03-09', 'entry') === 'tck3x9a116260309E'
 * @example clientOrderId('k3x9a1', asStrategyId(42), '2026-03-09', 'exit', 2) === 'tck3x9a1162603092'
 * @example clientOrderId('k3x9a1', asStrategyId(42), '2026-03-09', 'exit', 1, 1) === 'trk3x9a17do000161X'
 */
export function clientOrderId(
  installId: string,
  strategyId: StrategyId,
  tradingDate: string,
  slot: 'entry' | 'exit',
  attempt = 1,
  legNo = 0,
): string {
  const { day, last } = checkedOrderParts(installId, strategyId, tradingDate, slot, attempt, legNo);
  if (legNo === 0) {
    if (tradingDate >= '2100') throw new Error(`trading date ${tradingDate} is past 2099, which a leg 0 id's yymmdd cannot tell from 20yy`);
    return `tc${installId}${strategyId.toString(36)}${tradingDate.slice(2, 4)}${tradingDate.slice(5, 7)}${tradingDate.slice(8, 10)}${last}`;
  }
  if (day > MAX_DAY) throw new Error(`trading date ${tradingDate} is past 2127-09-27, the last day a leg ${legNo} id can write`);
  return `tr${installId}${day.toString(36).padStart(3, '0')}${strategyId.toString(36).padStart(5, '0')}${legNo}${last}`;
}

/** The day number and last character of an order id, after every input is checked (clientOrderId's @throws). */
function checkedOrderParts(installId: string, strategyId: StrategyId, tradingDate: string, slot: 'entry' | 'exit', attempt: number, legNo: number): { day: number; last: string } {
  if (!/^[0-9a-z]{6}$/.test(installId)) throw new Error(`install id must be 6 base-36 chars, got "${installId}"`);
  if (!Number.isSafeInteger(strategyId) || strategyId < 0) throw new Error(`strategy id must be a whole number of 0 or more, got ${strategyId}`);
  if (strategyId > MAX_STRATEGY_ID) throw new Error(`strategy id ${strategyId} too large for a 20-char client order id`);
  const day = daysSince2000(tradingDate);
  const maxAttempt = slot === 'entry' ? 1 : MAX_EXIT_ATTEMPTS;
  if (!Number.isInteger(attempt) || attempt < 1 || attempt > maxAttempt) throw new Error(`attempt of an ${slot} order must be 1..${maxAttempt}, got ${attempt}`);
  if (!Number.isInteger(legNo) || legNo < 0 || legNo > MAX_LEG_NO) throw new Error(`leg must be 0..${MAX_LEG_NO}, got ${legNo}`);
  const last = slot === 'entry' ? 'E' : attempt === 1 ? 'X' : String(attempt);
  return { day, last };
}

/** The highest position number: positions 0–9 of a multi-position strategy (one digit in the id). */
export const MAX_POSITION_NO = 9;

/**
 * The client order id of an order of one position of a multi-position strategy (issue 19): as
 * clientOrderId, with the position in it, so the positions of one strategy's day never share an
 * id. A strategy of one position never uses this: its ids stay `tc`/`tr` as journaled. `tp` +
 * install (6) + day (3, base 36 days since 2000-01-01) + strategy (5, zero-padded base 36) +
 * position (1, `0`–`9`) + leg (1, `0`–`9`) + `E` | `X` | `2`–`9` = 19 characters, fixed width:
 * within Kite's 20-character tag and Alpaca's 48, and never a `tc`, `tr` or `tb` id.
 *
 * @throws Error naming the input that has no id (as clientOrderId, and a position outside 0–9).
 * @example positionClientOrderId('k3x9a1', asStrategyId(42), '2026-03-09', 1, 'entry') === 'tpk3x9a17do0001610E'
 */
export function positionClientOrderId(installId: string, strategyId: StrategyId, tradingDate: string, positionNo: number, slot: 'entry' | 'exit', attempt = 1, legNo = 0): string {
  const { day, last } = checkedOrderParts(installId, strategyId, tradingDate, slot, attempt, legNo);
  if (!Number.isInteger(positionNo) || positionNo < 0 || positionNo > MAX_POSITION_NO) throw new Error(`position must be 0..${MAX_POSITION_NO}, got ${positionNo}`);
  if (day > MAX_DAY) throw new Error(`trading date ${tradingDate} is past 2127-09-27, the last day a position id can write`);
  return `tp${installId}${day.toString(36).padStart(3, '0')}${strategyId.toString(36).padStart(5, '0')}${positionNo}${legNo}${last}`;
}

/**
 * Reads a client order id made by clientOrderId back into its parts. An id is read only if
 * clientOrderId gives exactly it again, so there is one spelling per order (no leading zeros,
 * no impossible dates).
 *
 * @throws Error saying why `id` is not one Tradeclock makes (another app's order, a typo).
 * @example parseClientOrderId('tck3x9a1162603092') // { installId: 'k3x9a1', strategyId: 42, tradingDate: '2026-03-09', legNo: 0, slot: 'exit', attempt: 2 }
 */
export function parseClientOrderId(id: string): ClientOrderIdParts {
  const parts = partsOf(id);
  let again: string;
  try {
    again =
      parts.positionNo === undefined
        ? clientOrderId(parts.installId, parts.strategyId, parts.tradingDate, parts.slot, parts.attempt, parts.legNo)
        : positionClientOrderId(parts.installId, parts.strategyId, parts.tradingDate, parts.positionNo, parts.slot, parts.attempt, parts.legNo);
  } catch (e) {
    throw refusal(id, (e as Error).message);
  }
  if (again !== id) throw refusal(id, `its parts give "${again}" (no leading zeros in the strategy id)`);
  return parts;
}

const LEG_ZERO = /^tc([0-9a-z]{6})([0-9a-z]{1,5})(\d{2})(\d{2})(\d{2})([EX2-9])$/;
const LEG_N = /^tr([0-9a-z]{6})([0-9a-z]{3})([0-9a-z]{5})([1-9])([EX2-9])$/;
const POSITION = /^tp([0-9a-z]{6})([0-9a-z]{3})([0-9a-z]{5})(\d)(\d)([EX2-9])$/;

function partsOf(id: string): ClientOrderIdParts {
  const zero = LEG_ZERO.exec(id);
  if (zero) {
    const [, installId, sid, yy, mm, dd, last] = zero as unknown as [string, string, string, string, string, string, string];
    return { installId, strategyId: asStrategyId(parseInt(sid, 36)), tradingDate: `20${yy}-${mm}-${dd}`, legNo: 0, ...slotAttempt(last) };
  }
  const n = LEG_N.exec(id);
  if (n) {
    const [, installId, day, sid, leg, last] = n as unknown as [string, string, string, string, string, string];
    const tradingDate = new Date(DAY_ZERO + parseInt(day, 36) * DAY_MS).toISOString().slice(0, 10);
    return { installId, strategyId: asStrategyId(parseInt(sid, 36)), tradingDate, legNo: Number(leg), ...slotAttempt(last) };
  }
  const p = POSITION.exec(id);
  if (p) {
    const [, installId, day, sid, position, leg, last] = p as unknown as [string, string, string, string, string, string, string];
    const tradingDate = new Date(DAY_ZERO + parseInt(day, 36) * DAY_MS).toISOString().slice(0, 10);
    return { installId, strategyId: asStrategyId(parseInt(sid, 36)), tradingDate, legNo: Number(leg), positionNo: Number(position), ...slotAttempt(last) };
  }
  if (id.startsWith('tp')) throw refusal(id, 'a position id is tp + install (6) + day (3) + strategy (5) + position (0-9) + leg (0-9) + E, X or 2-9, 19 characters');
  if (id.startsWith('tc')) throw refusal(id, 'a leg 0 id is tc + install (6) + strategy (1-5 base 36) + yymmdd + E, X or 2-9');
  if (id.startsWith('tr')) throw refusal(id, 'a leg 1-9 id is tr + install (6) + day (3) + strategy (5) + leg (1-9) + E, X or 2-9, 18 characters');
  throw refusal(id, 'it starts with none of tc (leg 0), tr (legs 1-9) and tp (a position of several)');
}

/** The most versions one leg's backstop takes (each trail move is one): 3 base-36 digits. */
export const MAX_BACKSTOP_VERSION = 36 ** 3 - 1;

/** What a backstop id says: parseBackstopId's answer, backstopId's inputs. */
export interface BackstopIdParts {
  readonly installId: string;
  readonly strategyId: StrategyId;
  /** "YYYY-MM-DD" */
  readonly tradingDate: string;
  readonly legNo: number;
  /** 1 for the stop placed after the entry; each modification (a trail move) the next. */
  readonly version: number;
  /** The position of a multi-position strategy (a 21-character id); absent for a strategy of one position. */
  readonly positionNo?: number;
}

/**
 * The id of one version of a leg's backstop (the stop resting at the broker, issue 20): the same
 * inputs always give the same id, so a placement after a crash is found again by it (the broker's
 * client order id where it takes one) and a replacement gets an id of its own. `tb` + install (6)
 * + day (3, base 36 days since 2000-01-01) + strategy (5, zero-padded base 36) + leg (1, `0`–`9`)
 * + version (3, zero-padded base 36) = 20 characters, fixed width, for a strategy of one position:
 * the format every backstop journaled so far carries, so a restart reads those rows as before.
 *
 * A position of a multi-position strategy (`positionNo`, issue 19) puts its digit before the leg:
 * 21 characters, fixed width, so its positions never share an id (the backstops table is unique
 * per account and id). A backstop id is never a Kite tag (a GTT carries none, nor does the order it
 * fires: Kite's adapter knows its GTTs by trigger id, and finds one by instrument, side, quantity
 * and trigger), so Kite's 20 does not bind it; it is a client_order_id at Alpaca (48) and paper
 * (48). The version keeps its three digits, which a day of trail moves at Kite's modify budget
 * (6 a minute) cannot use up. Never a `tc`, `tr` or `tp` order id, so no backstop is taken for an
 * entry or exit, and every backstop id starts `tb`.
 *
 * @throws Error naming the input that has no id (as clientOrderId, a version outside 1–46655, a
 *   position outside 0–9).
 * @example backstopId('k3x9a1', asStrategyId(42), '2026-03-09', 0, 1) === 'tbk3x9a17do000160001'
 * @example backstopId('k3x9a1', asStrategyId(42), '2026-03-09', 0, 1, 1) === 'tbk3x9a17do0001610001'
 */
export function backstopId(installId: string, strategyId: StrategyId, tradingDate: string, legNo: number, version: number, positionNo?: number): string {
  if (!/^[0-9a-z]{6}$/.test(installId)) throw new Error(`install id must be 6 base-36 chars, got "${installId}"`);
  if (!Number.isSafeInteger(strategyId) || strategyId < 0) throw new Error(`strategy id must be a whole number of 0 or more, got ${strategyId}`);
  if (strategyId > MAX_STRATEGY_ID) throw new Error(`strategy id ${strategyId} too large for a backstop id`);
  if (!Number.isInteger(legNo) || legNo < 0 || legNo > MAX_LEG_NO) throw new Error(`leg must be 0..${MAX_LEG_NO}, got ${legNo}`);
  if (!Number.isInteger(version) || version < 1 || version > MAX_BACKSTOP_VERSION) throw new Error(`backstop version must be 1..${MAX_BACKSTOP_VERSION}, got ${version}`);
  if (positionNo !== undefined && (!Number.isInteger(positionNo) || positionNo < 0 || positionNo > MAX_POSITION_NO)) throw new Error(`position must be 0..${MAX_POSITION_NO}, got ${positionNo}`);
  const day = daysSince2000(tradingDate);
  if (day > MAX_DAY) throw new Error(`trading date ${tradingDate} is past 2127-09-27, the last day a backstop id can write`);
  return `tb${installId}${day.toString(36).padStart(3, '0')}${strategyId.toString(36).padStart(5, '0')}${positionNo ?? ''}${legNo}${version.toString(36).padStart(3, '0')}`;
}

const BACKSTOP = /^tb([0-9a-z]{6})([0-9a-z]{3})([0-9a-z]{5})([0-9])?([0-9])([0-9a-z]{3})$/;

/**
 * Reads a backstop id back into its parts, only if backstopId gives exactly it again: 20
 * characters for a strategy of one position, 21 for a position of several (its `positionNo`).
 * @throws Error saying why `id` is not a backstop id Tradeclock makes.
 * @example parseBackstopId('tbk3x9a17do000160001') // { installId: 'k3x9a1', strategyId: 42, tradingDate: '2026-03-09', legNo: 0, version: 1 }
 * @example parseBackstopId('tbk3x9a17do0001610001').positionNo // 1
 */
export function parseBackstopId(id: string): BackstopIdParts {
  const m = BACKSTOP.exec(id);
  if (!m) throw new Error(`"${id}" is not a Tradeclock backstop id: it is tb + install (6) + day (3) + strategy (5) + leg (0-9) + version (3), 20 characters, or with the position (0-9) before the leg, 21`);
  const [, installId, day, sid, position, leg, version] = m as unknown as [string, string, string, string, string | undefined, string, string];
  const parts: BackstopIdParts = {
    installId,
    strategyId: asStrategyId(parseInt(sid, 36)),
    tradingDate: new Date(DAY_ZERO + parseInt(day, 36) * DAY_MS).toISOString().slice(0, 10),
    legNo: Number(leg),
    version: parseInt(version, 36),
    ...(position === undefined ? {} : { positionNo: Number(position) }),
  };
  let again: string;
  try {
    again = backstopId(parts.installId, parts.strategyId, parts.tradingDate, parts.legNo, parts.version, parts.positionNo);
  } catch (e) {
    throw new Error(`"${id}" is not a Tradeclock backstop id: ${(e as Error).message}`);
  }
  if (again !== id) throw new Error(`"${id}" is not a Tradeclock backstop id: its parts give "${again}"`);
  return parts;
}

function slotAttempt(last: string): Pick<ClientOrderIdParts, 'slot' | 'attempt'> {
  return last === 'E' ? { slot: 'entry', attempt: 1 } : { slot: 'exit', attempt: last === 'X' ? 1 : Number(last) };
}

/** Days from 2000-01-01 to a real calendar date "YYYY-MM-DD" (not 2026-02-30), 0 or more. */
function daysSince2000(tradingDate: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(tradingDate);
  if (!m) throw new Error(`trading date must be YYYY-MM-DD, got "${tradingDate}"`);
  const at = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (new Date(at).toISOString().slice(0, 10) !== tradingDate) throw new Error(`trading date ${tradingDate} is not a calendar date`);
  if (at < DAY_ZERO) throw new Error(`trading date ${tradingDate} is before 2000-01-01, the first day a client order id can write`);
  return (at - DAY_ZERO) / DAY_MS;
}

function refusal(id: string, why: string): Error {
  return new Error(`"${id}" is not a Tradeclock client order id: ${why}`);
}
