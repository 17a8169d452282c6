/**
 * Open broker connections, one per broker account, created on first use by an injected factory.
 * The composition root decides how an account becomes a Broker (paper, Alpaca, Kite, a test fake).
 */
import type { BrokerAccountId, UserId } from '../core/ids';
import type { Broker } from './broker';
import { DomainError } from '../core/errors';

export interface BrokerAccountRef {
  readonly id: BrokerAccountId;
  readonly userId: UserId;
}

/** Makes a started-or-not Broker for an account; `BrokerSessions` calls `start()` itself. */
export type BrokerFactory = (accountId: BrokerAccountId) => Promise<{ broker: Broker; account: BrokerAccountRef }>;

export class BrokerSessions {
  private readonly open = new Map<BrokerAccountId, Promise<Broker>>();
  /** Brokers that have finished starting, for synchronous reads (session state in API answers). */
  private readonly ready = new Map<BrokerAccountId, Broker>();
  private closed = false;
  private readonly listeners: Array<(account: BrokerAccountRef, broker: Broker) => void> = [];

  constructor(private readonly factory: BrokerFactory) {}

  /** Called once for every broker as it opens (the market listener and execution engine attach here). */
  onOpen(listener: (account: BrokerAccountRef, broker: Broker) => void): void {
    this.listeners.push(listener);
  }

  /** The account's broker, opened and started on first call; concurrent callers share one start. */
  get(accountId: BrokerAccountId): Promise<Broker> {
    if (this.closed) return Promise.reject(new DomainError('unavailable', 'the engine is shutting down'));
    let p = this.open.get(accountId);
    if (!p) {
      p = this.start(accountId);
      this.open.set(accountId, p);
      p.catch(() => this.open.delete(accountId));
    }
    return p;
  }

  /** The account's broker if it is open and started; never opens one. */
  peek(accountId: BrokerAccountId): Broker | undefined {
    return this.ready.get(accountId);
  }

  /** Stops and forgets one account's broker (account removed or credentials changed). */
  async close(accountId: BrokerAccountId): Promise<void> {
    const p = this.open.get(accountId);
    this.open.delete(accountId);
    this.ready.delete(accountId);
    if (p) await (await p.catch(() => null))?.stop();
  }

  /** Closes every broker; no broker opens after this. */
  async closeAll(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.open.keys()].map((id) => this.close(id)));
  }

  private async start(accountId: BrokerAccountId): Promise<Broker> {
    const { broker, account } = await this.factory(accountId);
    for (const l of this.listeners) l(account, broker);
    await broker.start();
    if (this.open.has(accountId)) this.ready.set(accountId, broker);
    return broker;
  }
}
