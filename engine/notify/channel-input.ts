/**
 * The API's bodies for notification channels (zod at the edge). A channel's `config` and `secret`
 * are checked by its kind's own schemas (channel-kinds.ts), their errors named `config.<key>` and
 * `secret.<key>`.
 */
import { z } from 'zod';
import { fromZodError } from '../core/zod-errors';
import { CHANNEL_KINDS, type ChannelKind, type ChannelKinds } from './channel-kinds';
import { NOTIFY_TOPICS } from './policy';

const label = z.string({ error: 'label must be text' }).trim().min(1, { error: 'label is required' }).max(64, { error: 'label must be at most 64 characters' });
const topics = z
  .array(z.enum(NOTIFY_TOPICS, { error: `each topic must be one of ${NOTIFY_TOPICS.join(', ')}` }), { error: 'topics must be a list' })
  .max(NOTIFY_TOPICS.length)
  .transform((t) => [...new Set(t)]);
/** Checked in depth by the kind; here only bounded. */
const anyObject = (field: string) => z.record(z.string().max(64), z.unknown(), { error: `${field} must be an object` });

export const createChannelBody = z.strictObject({
  kind: z.enum(CHANNEL_KINDS, { error: `kind must be one of ${CHANNEL_KINDS.join(', ')}` }),
  label,
  enabled: z.boolean({ error: 'enabled must be true or false' }).default(true),
  /** Default: every topic. */
  topics: topics.default([...NOTIFY_TOPICS]),
  config: anyObject('config'),
  secret: anyObject('secret'),
});
export type CreateChannelBody = z.infer<typeof createChannelBody>;

export const updateChannelBody = z.strictObject({
  label: label.optional(),
  enabled: z.boolean({ error: 'enabled must be true or false' }).optional(),
  topics: topics.optional(),
  /** Replaces the settings whole. */
  config: anyObject('config').optional(),
  /** Replaces the secret whole; absent keeps the sealed one. */
  secret: anyObject('secret').optional(),
});
export type UpdateChannelBody = z.infer<typeof updateChannelBody>;

/** The kind's settings and secret, parsed; a DomainError naming `config.x` / `secret.x` when they do not fit. */
export function parseChannelParts(
  kind: ChannelKind,
  parts: { readonly config?: unknown; readonly secret?: unknown },
): { config?: Record<string, unknown>; secret?: Record<string, string> } {
  const shape = z.strictObject({ config: kind.configSchema.optional(), secret: kind.secretSchema.optional() });
  const result = shape.safeParse(parts);
  if (!result.success) throw fromZodError(result.error);
  return { ...(result.data.config === undefined ? {} : { config: result.data.config }), ...(result.data.secret === undefined ? {} : { secret: result.data.secret }) };
}

/**
 * A new channel's body, with its kind's settings and secret checked too: every problem named at
 * once (a missing label and a bad URL in one answer), as the strategy form's are.
 * @throws DomainError validation_failed naming each field (`label`, `config.url`, `secret.bot_token`).
 */
export function parseCreateChannel(kinds: ChannelKinds, value: unknown): CreateChannelBody {
  const top = createChannelBody.safeParse(value);
  const kindName = (value as { kind?: unknown } | null)?.kind;
  const kind = CHANNEL_KINDS.find((k) => k === kindName);
  const parts = kind && z.strictObject({ config: kinds[kind].configSchema, secret: kinds[kind].secretSchema }).safeParse({ config: (value as { config?: unknown }).config, secret: (value as { secret?: unknown }).secret });
  const issues = [...(top.success ? [] : top.error.issues), ...(parts && !parts.success ? parts.error.issues : [])];
  if (issues.length > 0) throw fromZodError(new z.ZodError(issues));
  return top.data!;
}
