/**
 * The inputs of each kind of notification channel, and how the form's text becomes the API's
 * `config` and `secret` (engine/notify/channels/*.ts check them and name any problem as
 * `config.<name>` / `secret.<name>`).
 */
import type { ChannelKindDto, FormChannelKindDto, NotifyChannelBodyDto, NotifyTopicDto } from '../../lib/api-types';

export interface ChannelInput {
  readonly name: string;
  readonly label: string;
  /** config: shown back in the list; secret: sealed, shown masked only. */
  readonly part: 'config' | 'secret';
  /** list: comma-separated text; ids: comma-separated whole numbers. */
  readonly type: 'text' | 'password' | 'number' | 'list' | 'ids' | 'select' | 'checkbox';
  readonly choices?: readonly string[];
  readonly hint?: string;
  /** A password input whose text is trimmed all the same (a secret URL); other passwords are sent as typed. */
  readonly trim?: true;
}

export const KIND_TITLES: Readonly<Record<ChannelKindDto, string>> = { webhook: 'Webhook', telegram: 'Telegram', email: 'E-mail (SMTP)', web_push: 'Web Push (a device)' };

export const TOPIC_TITLES: Readonly<Record<NotifyTopicDto, string>> = {
  fills: 'Fills',
  exits: 'Stop-loss, trailing stop and target hits',
  errors: 'Errors',
  entries: 'Entries skipped or missed',
  readiness: 'Readiness checks before an entry',
};

/** The form's kinds; a device's Web Push is added by "Notify this device" (push-device.tsx). */
export const CHANNEL_INPUTS: Readonly<Record<FormChannelKindDto, readonly ChannelInput[]>> = {
  webhook: [
    { name: 'url', label: 'URL', part: 'secret', type: 'password', trim: true, hint: 'Kept sealed like a password: a Slack, Discord or Teams URL holds its key. Shown afterwards as its address only.' },
    { name: 'signing_secret', label: 'Signing secret', part: 'secret', type: 'password', hint: '16 characters or more. Your server checks X-Tradeclock-Signature with it.' },
  ],
  telegram: [
    { name: 'bot_token', label: 'Bot token', part: 'secret', type: 'password', hint: 'The token @BotFather gave when you made the bot.' },
    { name: 'chat_ids', label: 'Chat ids', part: 'config', type: 'ids', hint: 'Comma-separated. Only these chats get messages, and only their commands are obeyed.' },
    { name: 'commands', label: 'Obey /status, /positions, /stop and /stopall from these chats', part: 'config', type: 'checkbox' },
  ],
  email: [
    { name: 'host', label: 'SMTP server', part: 'config', type: 'text' },
    { name: 'port', label: 'Port', part: 'config', type: 'number', hint: '465 with TLS, 587 with STARTTLS.' },
    { name: 'security', label: 'Security', part: 'config', type: 'select', choices: ['tls', 'starttls', 'none'] },
    { name: 'username', label: 'User name', part: 'config', type: 'text' },
    { name: 'password', label: 'Password', part: 'secret', type: 'password' },
    { name: 'from', label: 'From', part: 'config', type: 'text' },
    { name: 'to', label: 'To', part: 'config', type: 'list', hint: 'Comma-separated addresses.' },
  ],
};

export type InputValues = Readonly<Record<string, string | boolean>>;

/** The body the form sends: empty text is left out, so the API names what is missing. */
export function channelBody(kind: FormChannelKindDto, label: string, topics: readonly NotifyTopicDto[], values: InputValues): NotifyChannelBodyDto {
  const config: Record<string, unknown> = {};
  const secret: Record<string, unknown> = {};
  for (const input of CHANNEL_INPUTS[kind]) {
    const raw = values[input.name];
    const target = input.part === 'config' ? config : secret;
    if (input.type === 'checkbox') target[input.name] = raw === true;
    else if (typeof raw !== 'string' || raw.trim() === '') continue;
    else if (input.type === 'number') target[input.name] = Number(raw);
    else if (input.type === 'ids') target[input.name] = splitList(raw).map(Number);
    else if (input.type === 'list') target[input.name] = splitList(raw);
    else target[input.name] = input.type === 'password' && !input.trim ? raw : raw.trim();
  }
  return { kind, label, topics, config, secret };
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
