/**
 * GET /broker/kinds: the registered broker kinds (engine/brokers/broker-kinds.ts) described for a
 * connect form, read from their zod schemas so a new broker or a new option needs no change here
 * or in the renderer. Only object schemas have fields to list; anything else lists none.
 */
import { z } from 'zod';
import type { BrokerKind, BrokerKinds } from '../brokers/broker-kinds';
import type { BrokerCredentialFieldDto, BrokerKindDto, BrokerOptionFieldDto } from './contract';

/** Credential fields that identify a key rather than unlock it, so they are shown in clear. */
const PUBLIC_CREDENTIALS = new Set(['key_id', 'api_key']);

export function brokerKindsDto(kinds: BrokerKinds): BrokerKindDto[] {
  return Object.entries(kinds).map(([broker, kind]) => brokerKindDto(broker, kind));
}

export function brokerKindDto(broker: string, kind: BrokerKind): BrokerKindDto {
  return {
    broker,
    title: kind.title,
    needs_secret: kind.needsSecret,
    daily_login: kind.dailyLogin !== undefined,
    credential_fields: fieldsOf(kind.credentialsSchema).map(({ name, required }): BrokerCredentialFieldDto => ({ name, secret: !PUBLIC_CREDENTIALS.has(name), required })),
    option_fields: fieldsOf(kind.optionsSchema),
  };
}

function fieldsOf(schema: z.ZodType): BrokerOptionFieldDto[] {
  if (!(schema instanceof z.ZodObject)) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, field]) => ({ name, ...describe(field) }));
}

/** Wrappers that leave the input type alone; optional, default, prefault and catch also let it be left out. */
const OMITTABLE = new Set(['optional', 'default', 'prefault', 'catch']);
const TRANSPARENT = new Set([...OMITTABLE, 'nullable', 'readonly', 'nonoptional']);

function describe(field: z.ZodType): Pick<BrokerOptionFieldDto, 'type' | 'required'> {
  let required = true;
  let inner: z.core.$ZodType = field;
  // Bounded: a schema is finite, but a hand-built cycle must not hang the request.
  for (let depth = 0; depth < 16; depth++) {
    const def = inner._zod.def as z.core.$ZodTypeDef & { innerType?: z.core.$ZodType; in?: z.core.$ZodType };
    if (TRANSPARENT.has(def.type) && def.innerType) {
      if (OMITTABLE.has(def.type)) required = false;
      inner = def.innerType;
    } else if (def.type === 'pipe' && def.in) {
      inner = def.in; // a transform: what the user types is its input
    } else break;
  }
  return { type: typeOf(inner), required };
}

function typeOf(schema: z.core.$ZodType): BrokerOptionFieldDto['type'] {
  const def = schema._zod.def as z.core.$ZodTypeDef & { entries?: Record<string, unknown>; values?: readonly unknown[] };
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
      return plainType(Object.values(def.entries ?? {}));
    case 'literal':
      return plainType(def.values ?? []);
    default:
      return 'json';
  }
}

/** An enum or literal's values all of one plain type; else json. */
function plainType(values: readonly unknown[]): BrokerOptionFieldDto['type'] {
  const types = new Set(values.map((v) => typeof v));
  if (types.size !== 1) return 'json';
  const [t] = types;
  return t === 'string' || t === 'number' || t === 'boolean' ? t : 'json';
}
