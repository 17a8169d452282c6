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
import { createWebhookSender, webhookConfig, webhookSecret } from './channels/webhook';

export const CHANNEL_KINDS = ['webhook', 'telegram', 'email'] as const;
export type ChannelKindName = (typeof CHANNEL_KINDS)[number];

export interface ChannelKind {
  readonly title: string;
  readonly configSchema: z.ZodType<Record<string, unknown>>;
  readonly secretSchema: z.ZodType<Record<string, string>>;
  create(input: { readonly config: Record<string, unknown>; readonly secret: Record<string, string>; readonly clock: Clock }): ChannelSender;
}

export type ChannelKinds = Readonly<Record<ChannelKindName, ChannelKind>>;

export interface ChannelKindsOptions {
  /** The Bot API's root; tests point it at a loopback fake. Default https://api.telegram.org. */
  readonly telegramApiRoot?: string;
}

/** @example defaultChannelKinds({ telegramApiRoot: 'http://127.0.0.1:4711' }).telegram.configSchema.parse({ chat_ids: [42] }) */
export function defaultChannelKinds(options: ChannelKindsOptions = {}): ChannelKinds {
  const apiRoot = options.telegramApiRoot ?? TELEGRAM_API_ROOT;
  return {
    webhook: {
      title: 'Webhook',
      configSchema: webhookConfig,
      secretSchema: webhookSecret,
      create: ({ config, secret, clock }) => createWebhookSender({ config: webhookConfig.parse(config), secret: webhookSecret.parse(secret), clock }),
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
  };
}
