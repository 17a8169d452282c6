/**
 * Telegram: a bot the trader made with @BotFather sends each notification to the allow-listed
 * chats, through grammY's `Api` (Bot API over HTTPS; `apiRoot` points tests at a loopback fake).
 * The same allow-list is the only source of commands (telegram-commands.ts).
 */
import { Api, GrammyError, HttpError } from 'grammy';
import { z } from 'zod';
import { DeliveryError, scrub, type ChannelSender, type OutgoingNotification } from '../channel';

export const TELEGRAM_API_ROOT = 'https://api.telegram.org';

/** A chat id: a user's is positive, a group's negative; Telegram's fit in 52 bits. */
const chatId = z
  .number({ error: 'each chat id must be a number' })
  .int({ error: 'each chat id must be a whole number' })
  .refine((n) => n !== 0 && Math.abs(n) < 2 ** 52, { error: 'each chat id must be a Telegram chat id' });

export const telegramConfig = z.strictObject({
  /** Where notifications go, and the only chats whose commands are obeyed. */
  chat_ids: z.array(chatId, { error: 'chat_ids must be a list of chat ids' }).min(1, { error: 'chat_ids needs at least one chat id' }).max(10, { error: 'chat_ids takes at most 10 chats' }),
  /** Obey /status, /positions, /stop and /stopall from those chats. */
  commands: z.boolean({ error: 'commands must be true or false' }).default(false),
});
export type TelegramConfig = z.infer<typeof telegramConfig>;

export const telegramSecret = z.strictObject({
  bot_token: z
    .string({ error: 'bot_token is required' })
    .regex(/^\d{1,20}:[A-Za-z0-9_-]{20,100}$/, { error: 'bot_token must be the token @BotFather gave (digits, a colon, then letters)' }),
});
export type TelegramSecret = z.infer<typeof telegramSecret>;

/** grammY's Node build types its signal as the abort-controller package's; node-fetch takes Node's own. */
export type GrammySignal = Parameters<Api['getMe']>[0];

/** The Bot API client of a channel: requests on the default fetch, no retries of its own (the queue retries). */
export function telegramApi(token: string, apiRoot: string): Api {
  return new Api(token, { apiRoot });
}

/** What went wrong, in words without the token; `permanent` for a refusal that will repeat (401 bad token, 403 blocked, 400 bad chat). */
export function telegramFailure(err: unknown, token: string, signal?: AbortSignal): DeliveryError {
  if (err instanceof GrammyError) {
    const mayPass = err.error_code === 429 || err.error_code >= 500;
    const why = err.error_code === 401 ? ': the bot token is not valid (revoked or mistyped); paste a new one from @BotFather' : '';
    // A 429 carries parameters.retry_after, seconds (Bot API, ResponseParameters).
    const retryAfterS = err.parameters.retry_after;
    return new DeliveryError(scrub(`Telegram refused ${err.method}: ${err.error_code} ${err.description}${why}`, [token]), !mayPass, retryAfterS === undefined ? {} : { retryAfterMs: retryAfterS * 1000 });
  }
  if (signal?.aborted) return new DeliveryError('the Telegram Bot API did not answer in time');
  if (err instanceof HttpError) return new DeliveryError('could not reach the Telegram Bot API');
  return new DeliveryError(scrub(`Telegram: ${err instanceof Error ? err.message : String(err)}`, [token]));
}

/** The message text: the title on its own line, then the body. */
export function telegramText(note: Pick<OutgoingNotification, 'title' | 'body' | 'urgency'>): string {
  return `${note.urgency === 'critical' ? '\u203c ' : ''}${note.title}\n${note.body}`;
}

export function createTelegramSender(input: { readonly config: TelegramConfig; readonly secret: TelegramSecret; readonly apiRoot: string }): ChannelSender {
  const api = telegramApi(input.secret.bot_token, input.apiRoot);
  return {
    async send(note, signal) {
      // Every allow-listed chat; a retry after a partial failure may repeat a message (at least once).
      for (const chat of input.config.chat_ids) {
        try {
          await api.sendMessage(chat, telegramText(note), {}, signal as GrammySignal);
        } catch (err) {
          throw telegramFailure(err, input.secret.bot_token, signal);
        }
      }
    },
    close() {},
  };
}
