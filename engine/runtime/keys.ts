/**
 * Key names of the runtime store (see the header of runtime-store.ts), behind an optional prefix
 * so several installs can share one Redis. Every key the store touches is built here, so the
 * schema lives in one place.
 */
import { MAX_POSITION_NO } from '../core/ids';

/** The keys of one install. */
export interface RuntimeKeys {
  readonly prefix: string;
  /** `strategy:{id}` hash: the strategy's parameters as armed. */
  strategy(strategyId: number): string;
  /**
   * `runtime:{id}` hash: run state, position, last action; position p > 0 of a multi-position
   * strategy has its own, `runtime:{id}:{p}` (position 0 keeps the single-position key).
   */
  runtime(strategyId: number, positionNo?: number): string;
  /** `symbol:{EXCHANGE:SYMBOL}:strategies` set: members {@link member} of running strategies on the instrument. */
  instrumentStrategies(instrument: string): string;
  /** `lock:runtime:{id}` string: the per-strategy lock. */
  lock(strategyId: number): string;
  /** SCAN MATCH pattern that finds every `symbol:{instrument}:strategies` set of this install. */
  readonly instrumentSetScanPattern: string;
  /** SCAN MATCH pattern that finds every `strategy:{id}` key of this install. */
  readonly strategyScanPattern: string;
  /** The id in a key found by {@link strategyScanPattern}; null for a key that only looks alike. */
  strategyIdOf(key: string): number | null;
}

// Only characters that are not glob syntax: the prefix goes into a SCAN MATCH pattern, and
// escaping glob characters is one more thing ioredis-mock and Redis could disagree on.
const PREFIX_SYNTAX = /^[A-Za-z0-9_.:-]*$/;
const DECIMAL_ID = /^[1-9][0-9]*$/;
/** Positions 1–9 in a key (position 0 has none), one digit as in the client ids (MAX_POSITION_NO). */
const POSITION_NO = /^[1-9]$/;

/**
 * The keys for an install whose keys start with `prefix` (used verbatim, so end it with `:`).
 *
 * @example runtimeKeys('tc-alice:').runtime(7) === 'tc-alice:runtime:7'
 */
export function runtimeKeys(prefix = ''): RuntimeKeys {
  if (!PREFIX_SYNTAX.test(prefix)) {
    throw new RangeError(`key prefix may hold only letters, digits and _ . : -, got "${prefix}"`);
  }
  const strategyPrefix = `${prefix}strategy:`;
  return {
    prefix,
    strategy: (id) => `${strategyPrefix}${checkStrategyId(id)}`,
    runtime: (id, positionNo = 0) => `${prefix}runtime:${instrumentMember(id, positionNo)}`,
    instrumentStrategies: (instrument) => `${prefix}symbol:${checkInstrument(instrument)}:strategies`,
    lock: (id) => `${prefix}lock:runtime:${checkStrategyId(id)}`,
    instrumentSetScanPattern: `${prefix}symbol:*:strategies`,
    strategyScanPattern: `${strategyPrefix}*`,
    strategyIdOf(key) {
      if (!key.startsWith(strategyPrefix)) return null;
      return parseStrategyId(key.slice(strategyPrefix.length));
    },
  };
}

/**
 * The member an armed run adds to its instrument's set: `{id}`, or `{id}:{p}` for position p > 0
 * (so a strategy without positions writes what it always wrote).
 *
 * @example instrumentMember(7, 2) === '7:2'
 */
export function instrumentMember(strategyId: number, positionNo = 0): string {
  return positionNo === 0 ? String(checkStrategyId(strategyId)) : `${checkStrategyId(strategyId)}:${checkPositionNo(positionNo)}`;
}

/** Every member a strategy can have in an instrument's set (positions 0 to MAX_POSITION_NO), and every runtime key position. */
export const ALL_POSITION_NOS: readonly number[] = Array.from({ length: MAX_POSITION_NO + 1 }, (_, p) => p);

/** A member of an instrument's set read back ({@link instrumentMember}), or null. */
export function parseInstrumentMember(text: string): { strategyId: number; positionNo: number } | null {
  const [id, position, ...rest] = text.split(':');
  if (rest.length > 0 || id === undefined) return null;
  const strategyId = parseStrategyId(id);
  if (strategyId === null) return null;
  if (position === undefined) return { strategyId, positionNo: 0 };
  return POSITION_NO.test(position) ? { strategyId, positionNo: Number(position) } : null;
}

/**
 * The strategies in the instrument set `key` holds (its `members`), each once, ascending.
 * @throws Error naming the set and the member that is not one {@link instrumentMember} writes.
 */
export function strategyIdsOf(key: string, members: Iterable<string>): number[] {
  const ids = new Set<number>();
  for (const member of members) {
    const m = parseInstrumentMember(member);
    if (m === null) throw new Error(`${key} holds "${member}", which is not a strategy id`);
    ids.add(m.strategyId);
  }
  return [...ids].sort((a, b) => a - b);
}

/** A strategy id written as Redis holds it (decimal, no sign or leading zero), or null. */
export function parseStrategyId(text: string): number | null {
  if (!DECIMAL_ID.test(text)) return null;
  const id = Number(text);
  return Number.isSafeInteger(id) ? id : null;
}

function checkStrategyId(id: number): number {
  if (!Number.isSafeInteger(id) || id <= 0) throw new RangeError(`strategy id must be a positive integer, got ${id}`);
  return id;
}

function checkPositionNo(positionNo: number): number {
  if (!Number.isInteger(positionNo) || positionNo < 0 || positionNo > MAX_POSITION_NO) throw new RangeError(`position must be 0..${MAX_POSITION_NO}, got ${positionNo}`);
  return positionNo;
}

function checkInstrument(instrument: string): string {
  // Whitespace would make a key that looks right in redis-cli and is not.
  if (instrument.length === 0 || /\s/.test(instrument)) {
    throw new RangeError(`instrument must be non-empty without spaces (e.g. "NSE:INFY"), got "${instrument}"`);
  }
  return instrument;
}
