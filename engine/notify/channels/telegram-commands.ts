/**
 * The Telegram bot's commands, read by long polling (getUpdates with an offset, so each update is
 * handled once). Only the channel's allow-listed chats are obeyed; a message from any other chat
 * is ignored and logged by chat id, never by its text. The kill switch `/stopall` needs a second
 * step: it answers with a one-time code, and only `/confirm <code>` from the same chat within
 * CONFIRM_MS stops everything. A refused poll (a revoked token: 401) makes the channel failing,
 * and the poller waits on the clock before it asks again: never a crash, never a tight loop.
 */
import type { Logger } from 'pino';
import type { Update } from 'grammy/types';
import type { Clock, TimerHandle } from '../../core/clock';
import { asStrategyId, type UserId } from '../../core/ids';
import type { TraderCommands } from '../trader-commands';
import type { ChannelOutcome } from '../../../db/repos';
import { telegramApi, telegramFailure, type GrammySignal } from './telegram';

export const CONFIRM_MS = 60_000;
/** Long polling: Telegram holds the request up to this many seconds when nothing is new. */
export const POLL_TIMEOUT_S = 30;
const MAX_WAIT_MS = 60_000;
const REFUSED_WAIT_MS = 5 * 60_000;

export const HELP = 'Commands: /status, /positions, /stop <strategy id>, /stopall (asks for a code to confirm).';

export interface TelegramCommandsDeps {
  readonly channelId: number;
  readonly userId: UserId;
  readonly chatIds: readonly number[];
  readonly token: string;
  readonly apiRoot: string;
  readonly clock: Clock;
  readonly logger: Pick<Logger, 'warn' | 'info'>;
  readonly commands: TraderCommands;
  /** A poll's outcome, for the channel's health. */
  onOutcome(outcome: ChannelOutcome): void;
  /** A one-time code (core/random-ids.ts confirmationCode). */
  code(): string;
  readonly pollTimeoutS?: number;
}

export class TelegramCommands {
  private readonly api;
  private offset: number | undefined;
  private readonly abort = new AbortController();
  private wait: { timer: TimerHandle; wake: () => void } | null = null;
  private stopped = false;
  private failures = 0;
  private pending: { readonly chatId: number; readonly code: string; readonly until: number } | null = null;
  private loop: Promise<void> | null = null;

  constructor(private readonly deps: TelegramCommandsDeps) {
    this.api = telegramApi(deps.token, deps.apiRoot);
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    if (this.wait) {
      this.wait.timer.cancel();
      this.wait.wake();
    }
    await this.loop;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal as GrammySignal;
    while (!this.stopped) {
      let updates: Update[];
      try {
        updates = await this.api.getUpdates({ ...(this.offset === undefined ? {} : { offset: this.offset }), timeout: this.deps.pollTimeoutS ?? POLL_TIMEOUT_S, allowed_updates: ['message'] }, signal);
      } catch (err) {
        if (this.stopped) return;
        const failure = telegramFailure(err, this.deps.token);
        this.failures++;
        this.deps.onOutcome({ ok: false, at: this.deps.clock.now(), error: failure.message });
        this.deps.logger.warn({ channelId: this.deps.channelId, error: failure.message }, 'telegram commands: polling failed');
        await this.pause(failure.permanent ? REFUSED_WAIT_MS : Math.min(MAX_WAIT_MS, 1_000 * 2 ** (this.failures - 1)));
        continue;
      }
      if (this.failures > 0) this.deps.onOutcome({ ok: true, at: this.deps.clock.now() });
      this.failures = 0;
      for (const u of updates) {
        // Confirmed at the next poll: an update is handled once even if handling it fails.
        this.offset = u.update_id + 1;
        try {
          await this.handle(u);
        } catch (err) {
          this.deps.logger.warn({ channelId: this.deps.channelId, error: telegramFailure(err, this.deps.token).message }, 'telegram commands: could not answer');
        }
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wait = { timer: this.deps.clock.setTimer(ms, resolve), wake: resolve };
    }).then(() => {
      this.wait = null;
    });
  }

  private async handle(u: Update): Promise<void> {
    const msg = u.message;
    if (!msg || typeof msg.text !== 'string') return;
    const chatId = msg.chat.id;
    if (!this.deps.chatIds.includes(chatId)) {
      this.deps.logger.warn({ channelId: this.deps.channelId, chatId }, 'telegram command from a chat not on the allow-list: ignored');
      return;
    }
    const m = /^\/([a-z]+)(?:@\w+)?(?:\s+(.*))?$/i.exec(msg.text.trim());
    const reply = (text: string) => this.api.sendMessage(chatId, text, {}, this.abort.signal as GrammySignal);
    if (!m) return void (await reply(HELP));
    const [, command, arg = ''] = m as unknown as [string, string, string | undefined];
    const { commands, userId, clock } = this.deps;
    this.deps.logger.info({ channelId: this.deps.channelId, chatId, command: command.toLowerCase() }, 'telegram command');
    switch (command.toLowerCase()) {
      case 'status':
        return void (await reply(commands.status(userId)));
      case 'positions':
        return void (await reply(commands.positions(userId)));
      case 'stop': {
        if (!/^[1-9]\d{0,14}$/.test(arg.trim())) return void (await reply('Which strategy? Send /stop <id>, e.g. /stop 7 (/positions lists the ids).'));
        return void (await reply(await commands.stop(userId, asStrategyId(Number(arg.trim())))));
      }
      case 'stopall': {
        const { running, inPosition } = commands.stopAllPreview(userId);
        const code = this.deps.code();
        this.pending = { chatId, code, until: clock.now() + CONFIRM_MS };
        return void (await reply(
          `Kill switch: this stops ${running} running strateg${running === 1 ? 'y' : 'ies'} and closes ${inPosition} open position${inPosition === 1 ? '' : 's'} at market. To go ahead, send /confirm ${code} within ${CONFIRM_MS / 1000} s.`,
        ));
      }
      case 'confirm': {
        const pending = this.pending;
        // One try per code: a wrong guess uses it up.
        this.pending = null;
        if (!pending || pending.chatId !== chatId || pending.code !== arg.trim() || clock.now() > pending.until) {
          return void (await reply('No kill switch is waiting for that code (a code works once, for 60 s): send /stopall again.'));
        }
        return void (await reply(await commands.stopAll(userId)));
      }
      default:
        return void (await reply(HELP));
    }
  }
}
