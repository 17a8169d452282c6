/**
 * GET /strategy/form: the strategy body's fields described for a form, read from the one
 * definition (core/strategy-spec.ts): its zod rules give the type, choices, whether a field may be
 * left out and what it then means; its meta gives the words, the group and whether the engine
 * trades it yet. A new field is described here with no change to this file or the renderer.
 */
import type { z } from 'zod';
import { SPEC_VERSION, STRATEGY_FIELD_META, STRATEGY_FIELD_SHOW_WHEN, strategyShape, type FieldMeta, type StrategyField } from '../core/strategy-spec';
import { POSITION_FIELD_META, positionShape, type PositionField } from '../core/position-spec';
import type { StrategyFormDto, StrategyFormFieldDto, StrategyFormItemFieldDto } from './contract';
import { choicesOf, isDecimalInput, isOpenChoice, plainTypeOf, zodField } from './zod-fields';

export function strategyFormDto(): StrategyFormDto {
  return {
    spec_version: SPEC_VERSION,
    fields: (Object.keys(strategyShape) as StrategyField[]).map((name) => fieldDto(name, strategyShape[name], STRATEGY_FIELD_META[name])),
  };
}

function fieldDto(name: StrategyField, schema: z.core.$ZodType, meta: FieldMeta): StrategyFormFieldDto {
  const { inner } = zodField(schema);
  const item = listItem(inner);
  // A list of objects is rows; its one object schema is the positions' (the only such field).
  const rows = item !== undefined && zodField(item).inner._zod.def.type === 'object';
  return {
    ...described(name, schema, meta),
    name,
    ...(rows ? { type: 'rows' as const, item_fields: (Object.keys(positionShape) as PositionField[]).map((key) => described(key, positionShape[key], POSITION_FIELD_META[key])) } : {}),
    group: meta.group,
    available: meta.available,
    show_when: STRATEGY_FIELD_SHOW_WHEN[name] ?? null,
  };
}

/** What a field and a row's key have alike: the type, choices and default read from the schema, the words from the meta. */
function described(name: string, schema: z.core.$ZodType, meta: { readonly label: string; readonly hint: string; readonly unit?: string }): StrategyFormItemFieldDto {
  const { inner, required, defaultValue } = zodField(schema);
  const item = listItem(inner);
  const choices = choicesOf(item ? zodField(item).inner : inner);
  return {
    name,
    type: item ? 'list' : isDecimalInput(inner) ? 'decimal' : plainTypeOf(inner),
    ...(choices ? { enum: choices.map(String) } : {}),
    ...(choices && !item && isOpenChoice(inner) ? { open: true as const } : {}),
    required,
    default: (defaultValue ?? null) as StrategyFormFieldDto['default'],
    label: meta.label,
    hint: meta.hint,
    unit: meta.unit ?? null,
  };
}

/** The item schema of an array; undefined for anything else. */
function listItem(schema: z.core.$ZodType): z.core.$ZodType | undefined {
  const def = schema._zod.def as z.core.$ZodTypeDef & { element?: z.core.$ZodType };
  return def.type === 'array' ? def.element : undefined;
}
