/**
 * Symbol lookup through Alpaca's assets endpoint, cached per New York trading date (a symbol can
 * be halted, delisted or renamed overnight, rarely within a day). PROTOCOLS.md is silent on
 * assets; the endpoint and the Asset fields are from alpaca-docs data/webapi/endpoints/assets.yaml
 * (`GET /v2/assets/{symbol_or_asset_id}`, 404 when unknown) and entities/asset-v2.yaml.
 *
 * Whether an asset can be sold first: `shortable && easy_to_borrow`. Alpaca "only supports opening
 * short positions in easy to borrow (ETB) securities", updates the assets table each morning and
 * asks that each stock's borrow status be checked daily (alpaca-docs 2080c5e
 * content/trading/margin-and-shorting.md; trading-api/_index.md: a short sale of a hard-to-borrow
 * or not shortable asset is refused with 403). The per-day cache follows that.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock';
import { DomainError } from '../../core/errors';
import type { Exchange } from '../../core/types';
import type { BrokerInstruments, Instrument } from '../broker';
import type { AlpacaRest } from './alpaca-rest';
import { z } from 'zod';
import { assetSchema, type AlpacaAsset } from './alpaca-wire';

/** The exchanges a Tradeclock strategy may name for an Alpaca account. */
export const ALPACA_EXCHANGES: readonly Exchange[] = ['NYSE', 'NASDAQ'];

/**
 * Listing venues (asset-v2.yaml `exchange`) Tradeclock trades through Alpaca. Alpaca routes an
 * order by symbol whatever the listing venue, so a strategy's NYSE/NASDAQ choice is not checked
 * against the listing (an ARCA ETF traded "on NYSE" is fine); OTC is left out on purpose.
 */
const US_LISTINGS = new Set(['NYSE', 'NASDAQ', 'ARCA', 'NYSEARCA', 'AMEX', 'BATS']);

/** Shapes of US equity symbols (BRK.B, BF/B); anything else is not sent to Alpaca at all. */
const SYMBOL = /^[A-Z][A-Z0-9]{0,9}([./][A-Z0-9]{1,4})?$/;

/** US equities trade in cents above $1; Alpaca's asset object states no tick size. */
const TICK_SIZE = 0.01;

const NEW_YORK_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit' });

/**
 * This many symbols unknown to the cache in one turn of the event loop (a restart re-arming its
 * strategies) are looked up with one GET /v2/assets?status=active instead of one request each:
 * 5 000 symbols would otherwise take 5 000 requests, 25 minutes of the 200/min budget.
 */
export const BULK_LOOKUP_THRESHOLD = 25;

interface Waiting {
  readonly resolve: (found: Instrument | null) => void;
  readonly reject: (err: unknown) => void;
}

export class AlpacaInstruments implements BrokerInstruments {
  private readonly cache = new Map<string, Promise<Instrument | null>>();
  private cacheDate = '';
  /** Symbols asked for in this turn, not yet looked up. */
  private readonly queued = new Map<string, Waiting>();
  private batchScheduled = false;

  constructor(private readonly deps: { readonly rest: AlpacaRest; readonly clock: Clock; readonly logger: Logger }) {}

  /**
   * The instrument, or null when Alpaca does not know the symbol or it is not an active,
   * tradable US equity. Throws a DomainError ('unavailable') when Alpaca cannot be asked; such
   * a failure is not cached.
   */
  async resolve(symbol: string, exchange: Exchange): Promise<Instrument | null> {
    if (!ALPACA_EXCHANGES.includes(exchange) || !SYMBOL.test(symbol)) return null;
    const today = NEW_YORK_DATE.format(this.deps.clock.now());
    if (today !== this.cacheDate) {
      this.cache.clear();
      this.cacheDate = today;
    }
    let asset = this.cache.get(symbol);
    if (!asset) {
      asset = this.enqueue(symbol);
      this.cache.set(symbol, asset);
      asset.catch(() => this.cache.delete(symbol));
    }
    const found = await asset;
    return found ? { ...found, exchange } : null;
  }

  private enqueue(symbol: string): Promise<Instrument | null> {
    return new Promise((resolve, reject) => {
      this.queued.set(symbol, { resolve, reject });
      if (this.batchScheduled) return;
      this.batchScheduled = true;
      setImmediate(() => void this.lookUpQueued());
    });
  }

  /** One request per symbol, or one for the whole list when many are asked for at once. */
  private async lookUpQueued(): Promise<void> {
    this.batchScheduled = false;
    const batch = [...this.queued];
    this.queued.clear();
    if (batch.length < BULK_LOOKUP_THRESHOLD) {
      for (const [symbol, w] of batch) this.fetch(symbol).then(w.resolve, w.reject);
      return;
    }
    try {
      const listed = await this.fetchAll();
      // Every usable listed symbol is now known for the day: later lookups need no request.
      for (const [symbol, instrument] of listed) if (!this.cache.has(symbol)) this.cache.set(symbol, Promise.resolve(instrument));
      for (const [symbol, w] of batch) {
        const found = listed.get(symbol);
        // Not in the active list: unknown or inactive, or listed since; the single lookup says which.
        if (found) w.resolve(found);
        else this.fetch(symbol).then(w.resolve, w.reject);
      }
    } catch (err) {
      for (const [, w] of batch) w.reject(err);
    }
  }

  /** GET /v2/assets?status=active (assets.yaml): every active asset, the usable ones kept. */
  private async fetchAll(): Promise<Map<string, Instrument>> {
    const res = await this.deps.rest.request({ method: 'GET', path: '/v2/assets', query: { status: 'active', asset_class: 'us_equity' } });
    if (res.kind !== 'ok') {
      const why = res.kind === 'error' ? res.description : res.kind === 'transport' ? res.reason : 'not sent';
      throw new DomainError('unavailable', `could not list Alpaca's assets: ${why}`);
    }
    const parsed = z.array(assetSchema).safeParse(res.body);
    if (!parsed.success) throw new DomainError('broker_error', `Alpaca's asset list could not be read (${issueOf(parsed.error)})`);
    const out = new Map<string, Instrument>();
    for (const a of parsed.data) {
      if (a.class === 'us_equity' && a.status === 'active' && a.tradable && US_LISTINGS.has(a.exchange) && SYMBOL.test(a.symbol)) {
        out.set(a.symbol, { symbol: a.symbol, exchange: 'NYSE', brokerRef: a.id, tickSize: TICK_SIZE, shortable: shortableOf(a) });
      }
    }
    return out;
  }

  private async fetch(symbol: string): Promise<Instrument | null> {
    const res = await this.deps.rest.request({ method: 'GET', path: `/v2/assets/${encodeURIComponent(symbol)}` });
    if (res.kind === 'error' && (res.status === 404 || res.status === 422)) return null;
    if (res.kind !== 'ok') {
      const why = res.kind === 'error' ? res.description : res.kind === 'transport' ? res.reason : 'not sent';
      throw new DomainError('unavailable', `could not look ${symbol} up at Alpaca: ${why}`);
    }
    const parsed = assetSchema.safeParse(res.body);
    if (!parsed.success) throw new DomainError('broker_error', `Alpaca's reply for asset ${symbol} could not be read (${issueOf(parsed.error)})`);
    const a = parsed.data;
    const usable = a.symbol === symbol && a.class === 'us_equity' && a.status === 'active' && a.tradable && US_LISTINGS.has(a.exchange);
    if (!usable) {
      this.deps.logger.info({ symbol, class: a.class, status: a.status, tradable: a.tradable, exchange: a.exchange }, 'alpaca asset is not tradable by Tradeclock');
      return null;
    }
    // The exchange is filled in per call: the same asset serves a NYSE and a NASDAQ strategy.
    return { symbol, exchange: 'NYSE', brokerRef: a.id, tickSize: TICK_SIZE, shortable: shortableOf(a) };
  }
}

/**
 * Shortable and easy to borrow today; null when the reply leaves a flag out and the other does not
 * already say no.
 * @example shortableOf({ shortable: true, easy_to_borrow: false, … }) === false
 */
export function shortableOf(a: Pick<AlpacaAsset, 'shortable' | 'easy_to_borrow'>): boolean | null {
  if (a.shortable === false || a.easy_to_borrow === false) return false;
  return a.shortable === true && a.easy_to_borrow === true ? true : null;
}

/** The first thing wrong with a reply, naming the field: "3.shortable: expected boolean, received string". */
function issueOf(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'unreadable'}`;
}
