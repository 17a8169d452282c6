/**
 * The API's bodies for notification channels (zod at the edge). A channel's `config` and `secret`
 * are checked by its kind's own schemas (channel-kinds.ts), their errors named `config.<key>` and
 * `secret.<key>`.
 */
import { z } from 'zod';
import { fromZodError } from '../core/zod-errors';
import { FORM_CHANNEL_KINDS, type ChannelKind, type ChannelKinds } from './channel-kinds';
import { NOTIFY_TOPICS } from './policy';

const label = z.string({ error: 'label must be text' }).trim().min(1, { error: 'label is required' }).max(64, { error: 'label must be at most 64 characters' });
const topics = z
  .array(z.enum(NOTIFY_TOPICS, { error: `each topic must be one of ${NOTIFY_TOPICS.join(', ')}` }), { error: 'topics must be a list' })
  .max(NOTIFY_TOPICS.length)
  .transform((t) => [...new Set(t)]);
/** Checked in depth by the kind; here only bounded. */
const anyObject = (field: string) => z.record(z.string().max(64), z.unknown(), { error: `${field} must be an object` });

export const createChannelBody = z.strictObject({
  kind: z.enum(FORM_CHANNEL_KINDS, { error: `kind must be one of ${FORM_CHANNEL_KINDS.join(', ')} (a device's Web Push is added by subscribing it: POST /notify/push/subscriptions)` }),
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
  const kind = FORM_CHANNEL_KINDS.find((k) => k === kindName);
  const parts = kind && z.strictObject({ config: kinds[kind].configSchema, secret: kinds[kind].secretSchema }).safeParse({ config: (value as { config?: unknown }).config, secret: (value as { secret?: unknown }).secret });
  const issues = [...(top.success ? [] : top.error.issues), ...(parts && !parts.success ? parts.error.issues : [])];
  if (issues.length > 0) throw fromZodError(new z.ZodError(issues));
  return top.data!;
}

const pushKeys = z.strictObject({ p256dh: z.string({ error: 'keys.p256dh is required' }), auth: z.string({ error: 'keys.auth is required' }) }, { error: 'keys must be an object with p256dh and auth' });

export const pushSubscriptionBody = z.strictObject({
  endpoint: z.string({ error: 'endpoint is required' }),
  keys: pushKeys,
  label: label.default('This device'),
  topics: topics.default([...NOTIFY_TOPICS]),
});

/** A subscription parsed: the web_push kind's settings and secret, in its own words. */
export interface PushSubscriptionInput {
  readonly label: string;
  readonly topics: z.infer<typeof topics>;
  readonly config: { readonly endpoint: string; readonly p256dh: string };
  readonly secret: { readonly auth: string };
}

/** Where the kind's field names come from in the browser's PushSubscription. */
const PUSH_FIELDS: Readonly<Record<string, string>> = { 'config.endpoint': 'endpoint', 'config.p256dh': 'keys.p256dh', 'secret.auth': 'keys.auth' };

/**
 * The browser's PushSubscription, checked by the web_push kind (an https endpoint, a P-256 key, a
 * 16-byte auth secret), every problem named as the browser names the field.
 * @throws DomainError validation_failed naming `endpoint`, `keys.p256dh`, `keys.auth`, `label`, `topics`.
 * @example parsePushSubscription(kinds, { endpoint: 'https://push.example/abc', keys: { p256dh: 'BN…', auth: 'q1…' } }).label === 'This device'
 */
export function parsePushSubscription(kinds: ChannelKinds, value: unknown): PushSubscriptionInput {
  const top = pushSubscriptionBody.safeParse(value);
  if (!top.success) throw fromZodError(top.error);
  const { endpoint, keys } = top.data;
  const kind = kinds.web_push;
  const parts = z.strictObject({ config: kind.configSchema, secret: kind.secretSchema }).safeParse({ config: { endpoint, p256dh: keys.p256dh }, secret: { auth: keys.auth } });
  if (!parts.success) {
    const issues = parts.error.issues.map((i) => ({ ...i, path: (PUSH_FIELDS[i.path.slice(0, 2).join('.')] ?? 'body').split('.') }));
    throw fromZodError(new z.ZodError(issues));
  }
  return { label: top.data.label, topics: top.data.topics, config: { endpoint, p256dh: keys.p256dh }, secret: { auth: keys.auth } };
}

export const pushUnsubscribeBody = z.strictObject({ endpoint: z.string({ error: 'endpoint is required' }).min(1, { error: 'endpoint is required' }).max(2048, { error: 'endpoint must be at most 2048 characters' }) });
