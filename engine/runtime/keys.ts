/**
 * Key names of the runtime store (see the header of runtime-store.ts), behind an optional prefix
 * so several installs can share one Redis. Every key the store touches is built here, so the
 * schema lives in one place.
 */

/** The keys of one install. */
export interface RuntimeKeys {
  readonly prefix: string;
  /** `strategy:{id}` hash: the strategy's parameters as armed. */
  strategy(strategyId: number): string;
  /** `runtime:{id}` hash: run state, position, last action. */
  runtime(strategyId: number): string;
  /** `symbol:{EXCHANGE:SYMBOL}:strategies` set: ids of running strategies on the instrument. */
  instrumentStrategies(instrument: string): string;
  /** `lock:runtime:{id}` string: the per-strategy lock. */
  lock(strategyId: number): string;
  /** SCAN MATCH pattern that finds every `strategy:{id}` key of this install. */
  readonly strategyScanPattern: string;
  /** The id in a key found by {@link strategyScanPattern}; null for a key that only looks alike. */
  strategyIdOf(key: string): number | null;
}

// Only characters that are not glob syntax: the prefix goes into a SCAN MATCH pattern, and
// escaping glob characters is one more thing ioredis-mock and Redis could disagree on.
const PREFIX_SYNTAX = /^[A-Za-z0-9_.:-]*$/;
const DECIMAL_ID = /^[1-9][0-9]*$/;

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
    runtime: (id) => `${prefix}runtime:${checkStrategyId(id)}`,
    instrumentStrategies: (instrument) => `${prefix}symbol:${checkInstrument(instrument)}:strategies`,
    lock: (id) => `${prefix}lock:runtime:${checkStrategyId(id)}`,
    strategyScanPattern: `${strategyPrefix}*`,
    strategyIdOf(key) {
      if (!key.startsWith(strategyPrefix)) return null;
      return parseStrategyId(key.slice(strategyPrefix.length));
    },
  };
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

function checkInstrument(instrument: string): string {
  // Whitespace would make a key that looks right in redis-cli and is not.
  if (instrument.length === 0 || /\s/.test(instrument)) {
    throw new RangeError(`instrument must be non-empty without spaces (e.g. "NSE:INFY"), got "${instrument}"`);
  }
  return instrument;
}
