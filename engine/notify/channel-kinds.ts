/**
 * The kinds of notification channel, each declared the same way (as broker kinds are): its
 * settings and its secret as zod schemas, and how to make its sender. The API validates a body
 * with these, the secret is sealed whole, and nothing else asks "which kind is this".
 */
import type { z } from 'zod';
import type { Clock } from '../core/clock';
import type { ChannelSender } from './channel';
import { createEmailSender, emailConfig, emailSecret } from './channels/email';
import { createTelegramSender, TELEGRAM_API_ROOT, telegramConfig, telegramSecret } from './channels/telegram';
import { createWebPushSender, webPushConfig, webPushSecret } from './channels/web-push';
import { createWebhookSender, webhookConfig, webhookSecret, webhookUrlHint } from './channels/webhook';
import type { VapidKeyPair } from './vapid-keys';

export const CHANNEL_KINDS = ['webhook', 'telegram', 'email', 'web_push'] as const;
export type ChannelKindName = (typeof CHANNEL_KINDS)[number];
/** The kinds a trader adds with the channel form; a device's Web Push comes from subscribing it (POST /notify/push/subscriptions). */
export const FORM_CHANNEL_KINDS = ['webhook', 'telegram', 'email'] as const satisfies readonly ChannelKindName[];

export interface ChannelKind {
  readonly title: string;
  readonly configSchema: z.ZodType<Record<string, unknown>>;
  readonly secretSchema: z.ZodType<Record<string, string>>;
  create(input: { readonly config: Record<string, unknown>; readonly secret: Record<string, string>; readonly clock: Clock }): ChannelSender;
  /** What is shown of a secret part instead of its mask, made by the server (a webhook URL's scheme and host). */
  readonly secretHints?: Readonly<Record<string, (value: string) => string>>;
  /**
   * Parts an earlier build kept in the plain `config` that are sealed in the secret now (a
   * webhook's `url`). Such a row is never shown with them, is sent with them, and loses them
   * from the plaintext once the vault is open (NotifyService.resealLegacy).
   */
  readonly sealedFromConfig?: readonly string[];
}

export type ChannelKinds = Readonly<Record<ChannelKindName, ChannelKind>>;

export interface ChannelKindsOptions {
  /** The Bot API's root; tests point it at a loopback fake. Default https://api.telegram.org. */
  readonly telegramApiRoot?: string;
  readonly webPush: {
    /** The install's VAPID pair (VapidKeys.pair). */
    readonly vapid: () => Promise<VapidKeyPair>;
    /** The VAPID JWT's `sub`. Default DEFAULT_VAPID_SUBJECT. */
    readonly subject?: string;
    /** Tests only: accept http://127.0.0.1 push endpoints (a loopback push-service fake). */
    readonly allowLoopbackHttp?: boolean;
  };
}

/**
 * The VAPID JWT's `sub` (RFC 8292 section 2.1): how a push service's operator reaches the sender.
 * A self-hosted install has no address of its own to give; TRADECLOCK_VAPID_SUBJECT sets one.
 */
export const DEFAULT_VAPID_SUBJECT = 'mailto:webpush@tradeclock.invalid';

/** @example defaultChannelKinds({ telegramApiRoot: 'http://127.0.0.1:4711', webPush: { vapid } }).telegram.configSchema.parse({ chat_ids: [42] }) */
export function defaultChannelKinds(options: ChannelKindsOptions): ChannelKinds {
  const apiRoot = options.telegramApiRoot ?? TELEGRAM_API_ROOT;
  const pushConfig = webPushConfig({ allowLoopbackHttp: options.webPush.allowLoopbackHttp === true });
  const subject = options.webPush.subject ?? DEFAULT_VAPID_SUBJECT;
  return {
    webhook: {
      title: 'Webhook',
      configSchema: webhookConfig,
      secretSchema: webhookSecret,
      create: ({ secret, clock }) => createWebhookSender({ secret: webhookSecret.parse(secret), clock }),
      secretHints: { url: webhookUrlHint },
      sealedFromConfig: ['url'],
    },
    telegram: {
      title: 'Telegram',
      configSchema: telegramConfig,
      secretSchema: telegramSecret,
      create: ({ config, secret }) => createTelegramSender({ config: telegramConfig.parse(config), secret: telegramSecret.parse(secret), apiRoot }),
    },
    email: {
      title: 'E-mail (SMTP)',
      configSchema: emailConfig,
      secretSchema: emailSecret,
      create: ({ config, secret }) => createEmailSender({ config: emailConfig.parse(config), secret: emailSecret.parse(secret) }),
    },
    web_push: {
      title: 'Web Push (a device)',
      configSchema: pushConfig,
      secretSchema: webPushSecret,
      create: ({ config, secret, clock }) => createWebPushSender({ config: pushConfig.parse(config), secret: webPushSecret.parse(secret), clock, vapid: options.webPush.vapid, subject }),
    },
  };
}
