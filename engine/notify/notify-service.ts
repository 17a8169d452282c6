/**
 * Notification channels for the API and the daemon (issue 21): each user's channels, their
 * secrets sealed in the vault (as broker keys are, with `notify-channel:<id>` as associated data),
 * the delivery worker fed by the engine's notifier, and the Telegram command pollers.
 */
import type { Logger } from 'pino';
import type { NotifyChannel, NotifyDelivery, Repos } from '../../db/repos';
import { pick } from '../../db/repos/json';
import type { Clock } from '../core/clock';
import { DomainError, notFound } from '../core/errors';
import type { UserId } from '../core/ids';
import { confirmationCode } from '../core/random-ids';
import type { Vault } from '../secrets/vault';
import { DeliveryError } from './channel';
import type { ChannelKindName, ChannelKinds } from './channel-kinds';
import { masks, openSecret, seal, splitLegacy } from './channel-secret';
import { parseChannelParts, type CreateChannelBody, type PushSubscriptionInput, type UpdateChannelBody } from './channel-input';
import { TelegramCommands } from './channels/telegram-commands';
import { TELEGRAM_API_ROOT, telegramConfig, telegramSecret } from './channels/telegram';
import { DeliveryWorker, FAILING_AFTER, type AttemptResult, type DeliveryOptions, type MadeSender } from './delivery-worker';
import type { NotificationListener } from './notifier';
import type { TraderCommands } from './trader-commands';
import type { VapidKeys } from './vapid-keys';

export type ChannelStatus = 'ok' | 'failing' | 'off' | 'untested';

export interface ChannelView extends NotifyChannel {
  readonly status: ChannelStatus;
}

export interface NotifyServiceDeps {
  readonly repos: Repos;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly vault: () => Promise<Vault>;
  readonly kinds: ChannelKinds;
  readonly notifications: { onNotification(listener: NotificationListener): () => void };
  readonly commands: TraderCommands;
  /** The install's VAPID pair for Web Push (the same one the kinds sign with). */
  readonly vapid: VapidKeys;
  /** Default https://api.telegram.org; tests point it at a loopback fake. */
  readonly telegramApiRoot?: string;
  readonly delivery?: Partial<DeliveryOptions>;
  /** Long polling's hold, seconds (tests shorten it). */
  readonly pollTimeoutS?: number;
}

export function channelStatus(c: NotifyChannel): ChannelStatus {
  if (!c.enabled) return 'off';
  if (c.failureStreak >= FAILING_AFTER) return 'failing';
  return c.lastSuccessAt === null && c.failureStreak === 0 ? 'untested' : 'ok';
}

export class NotifyService {
  private readonly worker: DeliveryWorker;
  private readonly senders = new Map<number, { readonly updatedAt: number; readonly made: MadeSender }>();
  private readonly pollers = new Map<number, { readonly updatedAt: number; readonly poller: TelegramCommands }>();
  /** Channels changed since their sender or poller was made (an edit may land in the same millisecond). */
  private readonly staleSenders = new Set<number>();
  private readonly stalePollers = new Set<number>();
  private off: (() => void) | null = null;
  private syncing: Promise<void> = Promise.resolve();
  private resealing: Promise<void> = Promise.resolve();

  /** The kinds of channel this install offers. */
  readonly kinds: ChannelKinds;

  constructor(private readonly deps: NotifyServiceDeps) {
    this.kinds = deps.kinds;
    this.worker = new DeliveryWorker({
      repos: deps.repos,
      clock: deps.clock,
      logger: deps.logger,
      senderOf: (c) => this.senderOf(c),
      onGone: (c) => void this.drop(c.userId, c.id),
      ...(deps.delivery ? { options: deps.delivery } : {}),
    });
  }

  /**
   * Starts sending what is queued, queues every notification from now on, starts the command
   * pollers, and seals what an earlier build kept in plaintext (resealLegacy), apart from all that.
   */
  start(): void {
    this.resealing = this.resealLegacy();
    this.worker.start();
    this.off = this.deps.notifications.onNotification((note) => void this.worker.enqueue(note));
    this.syncPollers();
  }

  async stop(): Promise<void> {
    this.off?.();
    await this.resealing;
    await this.syncing;
    await Promise.all([...this.pollers.values()].map((p) => p.poller.stop()));
    this.pollers.clear();
    await this.worker.stop();
    for (const s of this.senders.values()) s.made.sender.close();
    this.senders.clear();
  }

  list(userId: UserId): ChannelView[] {
    return this.deps.repos.notifyChannels.list(userId).map((c) => this.view(c));
  }

  get(userId: UserId, id: number): ChannelView {
    const c = this.deps.repos.notifyChannels.get(userId, id);
    if (!c) throw notFound('notification channel');
    return this.view(c);
  }

  async create(userId: UserId, body: CreateChannelBody): Promise<ChannelView> {
    const parts = parseChannelParts(this.deps.kinds[body.kind], { config: body.config, secret: body.secret });
    const vault = await this.deps.vault();
    const { repos, clock } = this.deps;
    const channel = repos.transaction(() => {
      const c = repos.notifyChannels.create({ userId, kind: body.kind, label: body.label, enabled: body.enabled, topics: body.topics, config: parts.config! }, clock.now());
      repos.notifyChannels.setSecret(userId, c.id, seal(this.deps.kinds[body.kind], vault, c.id, parts.secret!), clock.now());
      return repos.notifyChannels.get(userId, c.id)!;
    });
    this.syncPollers();
    return this.view(channel);
  }

  async update(userId: UserId, id: number, body: UpdateChannelBody): Promise<ChannelView> {
    const { repos, clock } = this.deps;
    const current = repos.notifyChannels.get(userId, id);
    if (!current) throw notFound('notification channel');
    const kind = this.deps.kinds[current.kind as ChannelKindName];
    const parts = parseChannelParts(kind, { config: body.config, secret: body.secret });
    const vault = parts.secret === undefined ? null : await this.deps.vault();
    // A row of the earlier build keeps its plaintext URL through an edit of its settings until a
    // new secret (which holds the URL) replaces it.
    const legacy = splitLegacy(kind, current.config);
    const config = parts.secret ? { ...splitLegacy(kind, parts.config ?? current.config).plain } : parts.config && { ...parts.config, ...legacy.moved };
    const channel = repos.transaction(() => {
      const c = repos.notifyChannels.update(userId, id, { ...pick(body, ['label', 'enabled', 'topics']), ...(config ? { config } : {}) }, clock.now());
      if (!c) throw notFound('notification channel');
      if (vault && parts.secret) repos.notifyChannels.setSecret(userId, id, seal(kind, vault, id, parts.secret), clock.now());
      return repos.notifyChannels.get(userId, id)!;
    });
    this.staleSenders.add(id);
    this.stalePollers.add(id);
    this.syncPollers();
    return this.view(channel);
  }

  remove(userId: UserId, id: number): void {
    if (!this.drop(userId, id)) throw notFound('notification channel');
  }

  /**
   * The key a browser subscribes with (its `applicationServerKey`). The pair is made on this first
   * call, not at start: a paper-only install never opens the vault (no keychain prompt) until
   * something needs it.
   */
  pushKey(): Promise<string> {
    return this.deps.vapid.publicKey();
  }

  /**
   * A browser's push subscription becomes (or renews, turned on, its label and topics kept) its
   * web_push channel. An endpoint is one
   * browser's: this user's channel for it takes the new keys, and another user's for it goes (the
   * device now notifies whoever subscribed it last). `deviceId` is the paired device whose token
   * subscribed (null from a password session): unpairing that device removes the channel.
   */
  async subscribePush(userId: UserId, input: PushSubscriptionInput, deviceId: number | null): Promise<ChannelView> {
    const { repos, clock } = this.deps;
    const vault = await this.deps.vault();
    let same: NotifyChannel[] = [];
    // Looked up inside the transaction: two requests for one endpoint make one channel.
    const channel = repos.transaction(() => {
      same = repos.notifyChannels.listKindInternal('web_push').filter((c) => c.config.endpoint === input.config.endpoint);
      const mine = same.find((c) => c.userId === userId);
      for (const c of same) if (c !== mine) repos.notifyChannels.delete(c.userId, c.id);
      // Subscribing is asking to be notified: a channel turned off is on again.
      const c = mine
        ? repos.notifyChannels.update(userId, mine.id, { config: input.config, enabled: true, deviceId }, clock.now())!
        : repos.notifyChannels.create({ userId, kind: 'web_push', label: input.label, enabled: true, topics: input.topics, config: input.config, deviceId }, clock.now());
      repos.notifyChannels.setSecret(userId, c.id, seal(this.deps.kinds.web_push, vault, c.id, input.secret), clock.now());
      return repos.notifyChannels.get(userId, c.id)!;
    });
    for (const c of same) this.forget(c.id);
    return this.view(channel);
  }

  /** The browser unsubscribed: its channel goes. @throws DomainError not_found when this user has none for `endpoint`. */
  unsubscribePush(userId: UserId, endpoint: string): void {
    const c = this.deps.repos.notifyChannels.list(userId).find((x) => x.kind === 'web_push' && x.config.endpoint === endpoint);
    if (!c) throw notFound('push subscription');
    this.remove(userId, c.id);
  }

  /**
   * A paired device is being unpaired: the channels it subscribed go, their senders closed and
   * queued deliveries dropped. Call it before the device's row is deleted (the row's cascade would
   * skip the senders). Nothing happens for a device that is not the user's.
   */
  removeDeviceChannels(userId: UserId, deviceId: number): void {
    for (const c of this.deps.repos.notifyChannels.list(userId)) if (c.deviceId === deviceId) this.drop(userId, c.id);
  }

  /** Deletes the channel (its deliveries go with it) and what was made for it; false when it is not the user's. */
  private drop(userId: UserId, id: number): boolean {
    if (!this.deps.repos.notifyChannels.delete(userId, id)) return false;
    this.forget(id);
    return true;
  }

  private forget(id: number): void {
    this.senders.get(id)?.made.sender.close();
    this.senders.delete(id);
    this.staleSenders.add(id);
    this.stalePollers.add(id);
    this.syncPollers();
  }

  /** One attempt now, its outcome in the answer, the log and the channel's health. */
  sendTest(userId: UserId, id: number): Promise<AttemptResult> {
    const c = this.deps.repos.notifyChannels.get(userId, id);
    if (!c) throw notFound('notification channel');
    return this.worker.sendTest(c);
  }

  deliveries(userId: UserId, id: number, limit: number): NotifyDelivery[] {
    if (!this.deps.repos.notifyChannels.get(userId, id)) throw notFound('notification channel');
    return this.deps.repos.notifyDeliveries.listForChannel(userId, id, limit);
  }

  /** What the API shows: an earlier build's row not yet resealed shows its plaintext parts as their hints, never whole. */
  private view(c: NotifyChannel): ChannelView {
    const kind = this.deps.kinds[c.kind as ChannelKindName];
    const { plain, moved } = splitLegacy(kind, c.config);
    const legacy = Object.keys(moved).length > 0;
    return { ...c, ...(legacy ? { config: plain, secretMasked: { ...masks(kind, moved), ...c.secretMasked } } : {}), status: channelStatus(c) };
  }

  /** Tests: resolves when no delivery attempt is on its way and the start's resealing is done. */
  async idle(): Promise<void> {
    await this.resealing;
    return this.worker.idle();
  }

  /**
   * Seals into their secrets the parts an earlier build kept in plaintext (a webhook's URL), each
   * row in one transaction. Opens the vault only when such a row exists (it has a sealed secret
   * too, so the install uses the vault anyway). A vault that does not open leaves the rows as
   * they are: they are sent from the plaintext, and sealed the first time a delivery opens the
   * vault (unseal). Never rejects.
   */
  async resealLegacy(): Promise<void> {
    const { repos, logger } = this.deps;
    const rows = Object.entries(this.deps.kinds).flatMap(([name, kind]) => repos.notifyChannels.listKindInternal(name).filter((c) => Object.keys(splitLegacy(kind, c.config).moved).length > 0));
    if (rows.length === 0) return;
    let vault: Vault;
    try {
      vault = await this.deps.vault();
    } catch (err) {
      const reason = err instanceof DomainError ? err.message : 'the vault could not be opened';
      logger.warn({ channels: rows.map((c) => c.id), reason }, 'notification channels of an earlier build keep their URL unsealed until the vault opens');
      return;
    }
    for (const c of rows) this.resealOne(vault, c.id);
  }

  /** One row's plaintext parts into its secret, in one transaction; logs (without the parts) and leaves the row when that fails. */
  private resealOne(vault: Vault, id: number): void {
    const { repos, clock, logger } = this.deps;
    try {
      const sealedNow = repos.transaction(() => {
        const c = repos.notifyChannels.getInternal(id);
        if (!c) return false;
        const kind = this.deps.kinds[c.kind as ChannelKindName];
        const { plain, moved } = splitLegacy(kind, c.config);
        const sealed = repos.notifyChannels.getSecretInternal(id);
        if (Object.keys(moved).length === 0 || !sealed) return false;
        const secret = openSecret(kind, vault, id, sealed, moved);
        repos.notifyChannels.setSecret(c.userId, id, seal(kind, vault, id, secret), clock.now());
        repos.notifyChannels.update(c.userId, id, { config: plain }, clock.now());
        return true;
      });
      if (sealedNow) logger.info({ channelId: id }, "notification channel's URL sealed in the vault and removed from the plaintext");
    } catch {
      logger.warn({ channelId: id }, "notification channel's URL could not be sealed (its secret does not unseal, or the URL is not valid): it stays unsealed; enter the channel's secret again");
    }
  }

  private async unseal(channel: NotifyChannel): Promise<Record<string, string>> {
    const sealed = this.deps.repos.notifyChannels.getSecretInternal(channel.id);
    if (!sealed) throw new DeliveryError('no secret is saved for this channel: enter it again', true);
    // The vault's own refusal says what to do (set TRADECLOCK_PASSPHRASE, unlock the keychain) and may pass.
    const vault = await this.deps.vault().catch((err: unknown) => {
      throw new DeliveryError(err instanceof DomainError ? err.message : 'the vault could not be opened');
    });
    const kind = this.deps.kinds[channel.kind as ChannelKindName];
    const { moved } = splitLegacy(kind, channel.config);
    let secret: Record<string, string>;
    try {
      secret = openSecret(kind, vault, channel.id, sealed, moved);
    } catch {
      throw new DeliveryError('the saved secret could not be unsealed (the vault key changed, or it was altered): enter it again', true);
    }
    // An earlier build's row, sent from its plaintext this once: the vault is open now, so it is sealed.
    if (Object.keys(moved).length > 0) this.resealOne(vault, channel.id);
    return secret;
  }

  private async senderOf(channel: NotifyChannel): Promise<MadeSender> {
    const cached = this.senders.get(channel.id);
    if (cached && cached.updatedAt === channel.updatedAt && !this.staleSenders.has(channel.id)) return cached.made;
    cached?.made.sender.close();
    this.senders.delete(channel.id);
    const secret = await this.unseal(channel);
    const kind = this.deps.kinds[channel.kind as ChannelKindName];
    const made = { sender: kind.create({ config: { ...channel.config }, secret, clock: this.deps.clock }), secrets: Object.values(secret) };
    this.senders.set(channel.id, { updatedAt: channel.updatedAt, made });
    this.staleSenders.delete(channel.id);
    return made;
  }

  /** One poller per enabled Telegram channel that takes commands, rebuilt when the channel changes. */
  private syncPollers(): void {
    this.syncing = this.syncing.then(() => this.syncPollersNow()).catch((err: unknown) => this.deps.logger.error({ err }, 'telegram commands could not start'));
  }

  private async syncPollersNow(): Promise<void> {
    const { repos, clock, logger } = this.deps;
    const changed = new Set(this.stalePollers);
    this.stalePollers.clear();
    const wanted = new Map(repos.notifyChannels.listEnabledInternal().filter((c) => c.kind === 'telegram' && telegramConfig.safeParse(c.config).data?.commands === true).map((c) => [c.id, c]));
    for (const [id, p] of this.pollers) {
      if (wanted.get(id)?.updatedAt === p.updatedAt && !changed.has(id)) continue;
      this.pollers.delete(id);
      await p.poller.stop();
    }
    for (const c of wanted.values()) {
      if (this.pollers.has(c.id)) continue;
      let token: string;
      try {
        token = telegramSecret.parse(await this.unseal(c)).bot_token;
      } catch (err) {
        const error = err instanceof DeliveryError ? err.message : 'the saved secret could not be read';
        repos.notifyChannels.recordOutcomeInternal(c.id, { ok: false, at: clock.now(), error });
        continue;
      }
      const poller = new TelegramCommands({
        channelId: c.id,
        userId: c.userId,
        chatIds: telegramConfig.parse(c.config).chat_ids,
        token,
        apiRoot: this.deps.telegramApiRoot ?? TELEGRAM_API_ROOT,
        clock,
        logger,
        commands: this.deps.commands,
        onOutcome: (o) => repos.notifyChannels.recordOutcomeInternal(c.id, o),
        code: confirmationCode,
        ...(this.deps.pollTimeoutS === undefined ? {} : { pollTimeoutS: this.deps.pollTimeoutS }),
      });
      this.pollers.set(c.id, { updatedAt: c.updatedAt, poller });
      poller.start();
    }
  }
}
