/**
 * RuntimeFields <-> the string fields of a `runtime:{id}` hash.
 *
 * Null is stored as an absent field (never as ""), so an empty string stays a value of its own
 * and a reader can tell "no entry price yet" from a corrupt one. Numbers are written with
 * String(n), the shortest text that reads back to the same double, so 1234.55 returns exactly.
 */
import type { RuntimeFields, StrategyFields } from './runtime-store';

type Kind = 'int' | 'number' | 'string';
interface FieldSpec {
  readonly kind: Kind;
  readonly nullable: boolean;
}

const SPECS = {
  runId: { kind: 'int', nullable: false },
  tradingDate: { kind: 'string', nullable: false },
  state: { kind: 'string', nullable: false },
  positionQty: { kind: 'number', nullable: false },
  entryPrice: { kind: 'number', nullable: true },
  lastAction: { kind: 'string', nullable: true },
  lastActionAt: { kind: 'int', nullable: true },
} as const satisfies Record<keyof RuntimeFields, FieldSpec>;

type FieldName = keyof typeof SPECS;
const FIELD_NAMES = Object.keys(SPECS) as FieldName[];

// What String(n) produces for a finite double; rejects "", " 1", "0x10" that Number() accepts.
const NUMBER_TEXT = /^-?\d+(\.\d+)?(e[+-]\d+)?$/;

/** A write to a runtime hash: fields to set and fields to delete (the nulls). */
export interface RuntimeHashWrite {
  readonly set: Record<string, string>;
  readonly unset: string[];
}

/**
 * Encodes the given fields; unknown keys and undefined values are ignored, nulls become deletes.
 * Throws a RangeError naming the field for a non-finite number, a non-integer id or time, or a
 * null where the field cannot be null.
 *
 * @example encodeRuntimeFields({ entryPrice: 1234.55, lastAction: null })
 *   // { set: { entryPrice: '1234.55' }, unset: ['lastAction'] }
 */
export function encodeRuntimeFields(fields: Partial<RuntimeFields>): RuntimeHashWrite {
  const set: Record<string, string> = {};
  const unset: string[] = [];
  for (const name of FIELD_NAMES) {
    const value: unknown = fields[name];
    if (value === undefined) continue;
    const spec: FieldSpec = SPECS[name];
    if (value === null) {
      if (!spec.nullable) throw new RangeError(`runtime field ${name} cannot be null`);
      unset.push(name);
    } else {
      set[name] = encodeValue(name, spec.kind, value);
    }
  }
  return { set, unset };
}

/** Encodes a whole runtime hash (arm), where every field that cannot be null must be given. */
export function encodeWholeRuntime(fields: RuntimeFields): Record<string, string> {
  const { set } = encodeRuntimeFields(fields);
  for (const name of FIELD_NAMES) {
    if (!SPECS[name].nullable && set[name] === undefined) throw new RangeError(`runtime field ${name} is required`);
  }
  return set;
}

/**
 * Decodes a whole runtime hash as HGETALL returns it. Throws an Error naming `key` and the field
 * when a required field is missing or a value is malformed: the cache is then unusable and must
 * be rebuilt from the database, not guessed at.
 */
export function decodeRuntimeFields(key: string, hash: Readonly<Record<string, string>>): RuntimeFields {
  const required = (name: FieldName): string => {
    const text = hash[name];
    if (text === undefined) throw new Error(`${key} is missing field ${name}`);
    return text;
  };
  const optional = (name: FieldName, kind: 'int' | 'number'): number | null => {
    const text = hash[name];
    return text === undefined ? null : decodeNumber(key, name, kind, text);
  };
  // Spelled out per field so the compiler checks each one against RuntimeFields.
  return {
    runId: decodeNumber(key, 'runId', 'int', required('runId')),
    tradingDate: required('tradingDate'),
    state: required('state'),
    positionQty: decodeNumber(key, 'positionQty', 'number', required('positionQty')),
    entryPrice: optional('entryPrice', 'number'),
    lastAction: hash.lastAction ?? null,
    lastActionAt: optional('lastActionAt', 'int'),
  } satisfies RuntimeFields;
}

/** Checks a strategy hash before it is written: Redis holds no empty hash and only strings. */
export function checkStrategyFields(fields: StrategyFields): Record<string, string> {
  const entries = Object.entries(fields);
  // An armed strategy is found by its strategy:{id} key; an empty hash would not exist.
  if (entries.length === 0) throw new RangeError('strategy fields must not be empty');
  for (const [name, value] of entries) {
    if (typeof value !== 'string') throw new RangeError(`strategy field ${name} must be a string, got ${typeof value}`);
  }
  return Object.fromEntries(entries);
}

function encodeValue(name: string, kind: Kind, value: unknown): string {
  if (kind === 'string') {
    if (typeof value !== 'string') throw new RangeError(`runtime field ${name} must be a string`);
    return value;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RangeError(`runtime field ${name} must be a finite number, got ${String(value)}`);
  }
  if (kind === 'int' && !Number.isSafeInteger(value)) {
    throw new RangeError(`runtime field ${name} must be an integer, got ${value}`);
  }
  return String(value);
}

function decodeNumber(key: string, name: string, kind: 'int' | 'number', text: string): number {
  const n = NUMBER_TEXT.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(n) || (kind === 'int' && !Number.isSafeInteger(n))) {
    throw new Error(`${key} field ${name} is not ${kind === 'int' ? 'an integer' : 'a number'}: "${text}"`);
  }
  return n;
}
