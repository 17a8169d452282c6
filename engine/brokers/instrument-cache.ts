import type { BrokerAccountId } from '../core/ids';
import { instrumentKey, type Exchange } from '../core/types';
import { DomainError } from '../core/errors';
import type { Instrument } from './broker';
import type { BrokerSessions } from './broker-sessions';

/**
 * Instruments resolved once per account and symbol, so the order path never waits on a lookup.
 * Entries live until the account is closed (brokers cache their own instrument lists per day).
 */
export class InstrumentCache {
  private readonly cache = new Map<string, Promise<Instrument | null>>();

  constructor(private readonly brokers: BrokerSessions) {}

  /** The instrument, or null when the broker does not know the symbol. */
  async lookup(accountId: BrokerAccountId, symbol: string, exchange: Exchange): Promise<Instrument | null> {
    const key = `${accountId}|${instrumentKey(exchange, symbol)}`;
    let p = this.cache.get(key);
    if (!p) {
      p = this.brokers.get(accountId).then((b) => b.instruments.resolve(symbol, exchange));
      this.cache.set(key, p);
      // A failed lookup (broker down) is not cached; an unknown symbol (null) is.
      p.catch(() => this.cache.delete(key));
    }
    return p;
  }

  /** Like lookup, but an unknown symbol is an error naming it. */
  async require(accountId: BrokerAccountId, symbol: string, exchange: Exchange): Promise<Instrument> {
    const found = await this.lookup(accountId, symbol, exchange);
    if (!found) throw new DomainError('validation_failed', `symbol ${symbol} is not known on ${exchange}`, [{ field: 'symbol', message: `${symbol} is not a tradable instrument on ${exchange} at this broker` }]);
    return found;
  }

  forgetAccount(accountId: BrokerAccountId): void {
    for (const key of this.cache.keys()) if (key.startsWith(`${accountId}|`)) this.cache.delete(key);
  }
}
