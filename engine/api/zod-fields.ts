/**
 * What a form needs to know of one zod field, read from the schema itself so a new field or a
 * new option needs no change in the API or the renderer: the schema a user types into (below
 * optional, default and the like, and the input side of a transform), whether it may be left
 * out, and the value it then takes.
 */
import type { z } from 'zod';

/** Wrappers that leave the input type alone; optional, default, prefault and catch also let it be left out. */
const OMITTABLE = new Set(['optional', 'default', 'prefault', 'catch']);
const TRANSPARENT = new Set([...OMITTABLE, 'nullable', 'readonly', 'nonoptional']);

export interface ZodField {
  /** The schema of what is typed. */
  readonly inner: z.core.$ZodType;
  readonly required: boolean;
  /** A `.default()`'s value; undefined without one. */
  readonly defaultValue: unknown;
}

export function zodField(field: z.core.$ZodType): ZodField {
  let required = true;
  let defaultValue: unknown;
  let inner: z.core.$ZodType = field;
  // Bounded: a schema is finite, but a hand-built cycle must not hang the request.
  for (let depth = 0; depth < 16; depth++) {
    const def = inner._zod.def as z.core.$ZodTypeDef & { innerType?: z.core.$ZodType; in?: z.core.$ZodType; defaultValue?: unknown };
    if (TRANSPARENT.has(def.type) && def.innerType) {
      if (OMITTABLE.has(def.type)) required = false;
      if (def.type === 'default' && defaultValue === undefined) defaultValue = def.defaultValue;
      inner = def.innerType;
    } else if (def.type === 'pipe' && def.in) {
      inner = def.in; // a transform: what the user types is its input
    } else break;
  }
  return { inner, required, defaultValue };
}

export type PlainType = 'string' | 'number' | 'boolean' | 'json';

/** string, number or boolean when one input holds the value; else json. */
export function plainTypeOf(schema: z.core.$ZodType): PlainType {
  const def = schema._zod.def;
  switch (def.type) {
    case 'string':
    case 'template_literal':
      return 'string';
    case 'number':
    case 'int':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'enum':
    case 'literal':
    case 'union':
      return plainType(choicesOf(schema) ?? []);
    default:
      return 'json';
  }
}

/**
 * The values an enum or literal allows; undefined for any other schema. A union that leads with an
 * enum offers that enum's values (a form's choices; the union also takes another spelling: days to
 * expiry as numbers, an option's expiry as a date).
 */
export function choicesOf(schema: z.core.$ZodType): readonly unknown[] | undefined {
  const def = schema._zod.def as z.core.$ZodTypeDef & { entries?: Record<string, unknown>; values?: readonly unknown[]; options?: readonly z.core.$ZodType[] };
  if (def.type === 'enum') return Object.values(def.entries ?? {});
  if (def.type === 'literal') return def.values ?? [];
  if (def.type === 'union' && def.options?.[0]?._zod.def.type === 'enum') return choicesOf(def.options[0]);
  return undefined;
}

/**
 * Whether a field's choices are suggestions: a union led by an enum that also takes other text (an
 * option's expiry, a rule or a date), so a form lets the trader type beside picking.
 */
export function isOpenChoice(schema: z.core.$ZodType): boolean {
  const def = schema._zod.def as z.core.$ZodTypeDef & { options?: readonly z.core.$ZodType[] };
  return def.type === 'union' && def.options?.[0]?._zod.def.type === 'enum' && def.options.slice(1).some((o) => o._zod.def.type === 'string');
}

/** An enum or literal's values all of one plain type; else json. */
function plainType(values: readonly unknown[]): PlainType {
  const types = new Set(values.map((v) => typeof v));
  if (types.size !== 1) return 'json';
  const [t] = types;
  return t === 'string' || t === 'number' || t === 'boolean' ? t : 'json';
}

/**
 * Whether a field takes a number or the same number as a decimal string (a quantity,
 * spec-fields.ts `decimalQty`): a form sends it as typed, so "0.1" is not made a double on the way.
 */
export function isDecimalInput(schema: z.core.$ZodType): boolean {
  const def = schema._zod.def as z.core.$ZodTypeDef & { options?: readonly z.core.$ZodType[] };
  if (def.type !== 'union' || !def.options) return false;
  return [...new Set(def.options.map((o) => o._zod.def.type))].sort().join() === 'number,string';
}
