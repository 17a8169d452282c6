import type { Logger } from 'pino';
import type { Clock } from '../core/clock';
import type { BrokerAccountId } from '../core/ids';
import { instrumentKey, type Exchange } from '../core/types';
import { DomainError } from '../core/errors';
import type { Repos, StoredInstrument } from '../../db/repos';
import type { Instrument, QtyRules } from './broker';
import type { BrokerSessions } from './broker-sessions';

/**
 * How long an instrument the broker resolved is used without asking it again, across restarts.
 * A restart within that time re-arms thousands of strategies without one lookup (so without the
 * rate limit a process before may have used up); a later start asks afresh, once per symbol.
 */
export const STORED_INSTRUMENT_FRESH_MS = 12 * 3_600_000;

export interface InstrumentCacheDeps {
  readonly brokers: BrokerSessions;
  readonly repos: Repos;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * Instruments resolved once per account and symbol, so the order path never waits on a lookup.
 * Entries live in memory until the account is closed (brokers cache their own instrument lists
 * per day), and in SQLite (`instruments`) across restarts: one resolved within
 * STORED_INSTRUMENT_FRESH_MS is used as it is, and an older one when the broker cannot be asked
 * (no network at boot, a 5xx, its rate limit): an open position's exit then waits for that one
 * failed lookup, never for the broker to come back. What the broker says when it answers replaces
 * what is stored; an instrument this process got from storage or from the broker is kept in
 * memory for the process's life, as every resolved instrument always was.
 */
export class InstrumentCache {
  private readonly cache = new Map<string, Promise<Instrument | null>>();
  /** What SQLite holds, per account, read in one query at the account's first lookup. */
  private readonly stored = new Map<BrokerAccountId, Map<string, StoredInstrument>>();
  /** Instruments resolved in this turn, written in one transaction (a restart resolves thousands at once). */
  private unsaved: StoredInstrument[] = [];

  constructor(private readonly deps: InstrumentCacheDeps) {}

  /** The instrument, or null when the broker does not know the symbol. */
  async lookup(accountId: BrokerAccountId, symbol: string, exchange: Exchange): Promise<Instrument | null> {
    const key = `${accountId}|${instrumentKey(exchange, symbol)}`;
    let p = this.cache.get(key);
    if (!p) {
      p = this.resolve(accountId, symbol, exchange);
      this.cache.set(key, p);
      // A failed lookup (broker down, nothing stored) is not cached; an unknown symbol (null) is.
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

  /**
   * The instrument's price step if it was resolved here or is stored, else null; synchronous, for
   * the journal transaction of an entry's fill (its levels are rounded to it). SQLite is read once
   * per account; a lookup keeps what it read up to date.
   */
  knownTickSize(accountId: BrokerAccountId, symbol: string, exchange: Exchange): number | null {
    return this.storedOf(accountId).get(instrumentKey(exchange, symbol))?.tickSize ?? null;
  }

  /** The instrument's quantity step, least quantity and least order value (a crypto pair's; null where it states none) if it was resolved here or is stored, else null; synchronous, for a strategy's DTO. */
  knownQtyRules(accountId: BrokerAccountId, symbol: string, exchange: Exchange): QtyRules | null {
    const row = this.storedOf(accountId).get(instrumentKey(exchange, symbol));
    return row ? { qtyStep: row.qtyStep, minQty: row.minQty, minNotional: row.minNotional } : null;
  }

  forgetAccount(accountId: BrokerAccountId): void {
    for (const key of this.cache.keys()) if (key.startsWith(`${accountId}|`)) this.cache.delete(key);
    this.stored.delete(accountId);
  }

  private storedOf(accountId: BrokerAccountId): Map<string, StoredInstrument> {
    let rows = this.stored.get(accountId);
    if (!rows) {
      rows = new Map(this.deps.repos.instruments.listForAccountInternal(accountId).map((r) => [instrumentKey(r.exchange as Exchange, r.symbol), r]));
      this.stored.set(accountId, rows);
    }
    return rows;
  }

  private async resolve(accountId: BrokerAccountId, symbol: string, exchange: Exchange): Promise<Instrument | null> {
    const { brokers, repos, clock, logger } = this.deps;
    const storedRows = this.storedOf(accountId);
    const stored = storedRows.get(instrumentKey(exchange, symbol));
    if (stored && clock.now() - stored.resolvedAt < STORED_INSTRUMENT_FRESH_MS) return instrumentOf(stored);
    let found: Instrument | null;
    try {
      found = await (await brokers.get(accountId)).instruments.resolve(symbol, exchange);
    } catch (err) {
      if (!stored) throw err;
      logger.warn({ err, accountId, symbol, exchange, resolvedAt: stored.resolvedAt }, 'the broker cannot be asked for an instrument: using the one it last resolved');
      return instrumentOf(stored);
    }
    if (found) {
      const row = { brokerAccountId: accountId, exchange, symbol, brokerRef: found.brokerRef, tickSize: found.tickSize, qtyStep: found.qtyStep ?? null, minQty: found.minQty ?? null, minNotional: found.minNotional ?? null, resolvedAt: clock.now() };
      storedRows.set(instrumentKey(exchange, symbol), row);
      this.save(row);
    } else if (stored) {
      storedRows.delete(instrumentKey(exchange, symbol));
      repos.instruments.deleteInternal(accountId, exchange, symbol);
    }
    return found;
  }

  private save(row: StoredInstrument): void {
    this.unsaved.push(row);
    if (this.unsaved.length > 1) return;
    setImmediate(() => {
      const rows = this.unsaved;
      this.unsaved = [];
      try {
        // Not waiting for the disk: a row lost to a power cut is asked of the broker again.
        this.deps.repos.transaction(() => this.deps.repos.instruments.saveInternal(rows), { durable: false });
      } catch (err) {
        this.deps.logger.warn({ err, instruments: rows.length }, 'resolved instruments could not be stored; a restart asks the broker again');
      }
    });
  }
}

/** Storage keeps no `shortable` (it changes daily, Alpaca's borrow list): not known until the broker answers again. */
function instrumentOf(row: StoredInstrument): Instrument {
  return { symbol: row.symbol, exchange: row.exchange as Exchange, brokerRef: row.brokerRef, tickSize: row.tickSize, shortable: null, qtyStep: row.qtyStep, minQty: row.minQty, minNotional: row.minNotional };
}
