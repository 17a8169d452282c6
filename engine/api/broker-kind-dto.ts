/**
 * GET /broker/kinds: the registered broker kinds (engine/brokers/broker-kinds.ts) described for a
 * connect form, read from their zod schemas so a new broker or a new option needs no change here
 * or in the renderer. Only object schemas have fields to list; anything else lists none.
 */
import { z } from 'zod';
import type { BrokerKind, BrokerKinds } from '../brokers/broker-kinds';
import type { BrokerCredentialFieldDto, BrokerKindDto, BrokerOptionFieldDto } from './contract';
import { plainTypeOf, zodField } from './zod-fields';

/** Credential fields that identify a key rather than unlock it, so they are shown in clear. */
const PUBLIC_CREDENTIALS = new Set(['key_id', 'api_key', 'proxy_username']);

export function brokerKindsDto(kinds: BrokerKinds): BrokerKindDto[] {
  return Object.entries(kinds).map(([broker, kind]) => brokerKindDto(broker, kind));
}

export function brokerKindDto(broker: string, kind: BrokerKind): BrokerKindDto {
  return {
    broker,
    title: kind.title,
    needs_secret: kind.needsSecret,
    daily_login: kind.dailyLogin !== undefined,
    historical_bars: kind.historicalBars !== undefined,
    historical_ticks: kind.historicalTrades !== undefined,
    credential_fields: fieldsOf(kind.credentialsSchema).map(({ name, required }): BrokerCredentialFieldDto => ({ name, secret: !PUBLIC_CREDENTIALS.has(name), required })),
    option_fields: fieldsOf(kind.optionsSchema),
  };
}

function fieldsOf(schema: z.ZodType): BrokerOptionFieldDto[] {
  if (!(schema instanceof z.ZodObject)) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, field]) => {
    const { inner, required } = zodField(field);
    return { name, type: plainTypeOf(inner), required };
  });
}
