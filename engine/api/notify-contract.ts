/**
 * The wire shapes of notification channels (issue 21), part of the contract (contract.ts
 * re-exports them). Types only, engine/core-free: the renderer imports them.
 */

export type NotifyTopicDto = 'fills' | 'exits' | 'errors' | 'entries' | 'readiness';
export type ChannelKindDto = 'webhook' | 'telegram' | 'email' | 'web_push';
/** The kinds the channel form adds; a device's Web Push comes from POST /notify/push/subscriptions. */
export type FormChannelKindDto = Exclude<ChannelKindDto, 'web_push'>;
/** ok; failing: the last 3 attempts failed (see last_error); off: turned off; untested: nothing sent yet. */
export type ChannelStatusDto = 'ok' | 'failing' | 'off' | 'untested';

export interface NotifyChannelDto {
  readonly id: number;
  readonly kind: ChannelKindDto;
  readonly label: string;
  readonly enabled: boolean;
  readonly topics: readonly NotifyTopicDto[];
  /**
   * The kind's settings: webhook {} (its URL is a secret), telegram { chat_ids, commands }, email
   * { host, port, security, username?, from, to }, web_push { endpoint, p256dh } (the auth secret
   * is sealed).
   */
  readonly config: Readonly<Record<string, unknown>>;
  /**
   * e.g. { bot_token: '12…Zk' }: enough to recognise which secret is saved, too little to use it. A
   * webhook's `url` is shown as its scheme and host, made by the server: { url: 'https://hooks.slack.com/…' }.
   */
  readonly secret_masked: Readonly<Record<string, string>>;
  readonly status: ChannelStatusDto;
  /** Attempts failed in a row. */
  readonly failure_streak: number;
  /** Why the last attempt failed; null once one succeeds. Never holds the secret. */
  readonly last_error: string | null;
  readonly last_failure_at: number | null;
  readonly last_success_at: number | null;
  readonly created_at: number;
}

/** GET /notify/channels */
export interface NotifyChannelsDto {
  readonly channels: NotifyChannelDto[];
}

/** POST /notify/channels/:id/test */
export interface NotifyTestResultDto {
  readonly delivered: boolean;
  readonly error: string | null;
}

/** One row of GET /notify/channels/:id/deliveries, newest first. */
export interface NotifyDeliveryDto {
  readonly id: number;
  /** A topic, or `test`. */
  readonly topic: string;
  readonly title: string;
  readonly state: 'pending' | 'sending' | 'sent' | 'failed';
  readonly attempts: number;
  /** When the next attempt is due (pending). */
  readonly next_attempt_at: number;
  readonly last_error: string | null;
  readonly created_at: number;
  readonly updated_at: number;
}

export interface NotifyDeliveriesDto {
  readonly deliveries: NotifyDeliveryDto[];
}

/** POST /notify/channels (checked by engine/notify/channel-input.ts; `config` and `secret` by the kind). */
export interface NotifyChannelBodyDto {
  readonly kind: FormChannelKindDto;
  readonly label: string;
  readonly enabled?: boolean;
  /** Default: every topic. */
  readonly topics?: readonly NotifyTopicDto[];
  readonly config: Readonly<Record<string, unknown>>;
  /** Sealed whole: webhook { url, signing_secret }, telegram { bot_token }, email { password }. */
  readonly secret: Readonly<Record<string, unknown>>;
}

/** PATCH /notify/channels/:id: what is sent replaces what was; `secret` absent keeps the sealed one (a webhook's new URL comes in a whole new `secret`). */
export type NotifyChannelPatchDto = Partial<NotifyChannelBodyDto>;

/** GET /notify/push/key: the install's VAPID public key, the `applicationServerKey` to subscribe with. */
export interface PushKeyDto {
  /** base64url, an uncompressed P-256 point (65 bytes). */
  readonly public_key: string;
}

/**
 * POST /notify/push/subscriptions: the browser's PushSubscription (its toJSON()'s endpoint and
 * keys). Subscribing an endpoint again replaces its keys and keeps its channel. Answers 201 with
 * the device's channel (kind web_push), which is then listed, tested and removed like any other.
 */
export interface PushSubscriptionBodyDto {
  /** The push service's URL for this browser; https only. */
  readonly endpoint: string;
  readonly keys: {
    /** base64url: the browser's P-256 public key. */
    readonly p256dh: string;
    /** base64url: the 16-byte auth secret; sealed, never shown again. */
    readonly auth: string;
  };
  /** Default "This device". */
  readonly label?: string;
  /** Default: every topic. */
  readonly topics?: readonly NotifyTopicDto[];
}

/** DELETE /notify/push/subscriptions: the browser unsubscribed; its channel goes. 204, or 404 when this user has none for the endpoint. */
export interface PushUnsubscribeBodyDto {
  readonly endpoint: string;
}
