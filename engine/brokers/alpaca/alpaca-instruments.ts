/**
 * Symbol lookup through Alpaca's assets endpoint, cached per New York trading date (a symbol can
 * be halted, delisted or renamed overnight, rarely within a day). PROTOCOLS.md is silent on
 * assets; the endpoint and the Asset fields are from alpaca-docs data/webapi/endpoints/assets.yaml
 * (`GET /v2/assets/{symbol_or_asset_id}`, 404 when unknown) and entities/asset-v2.yaml.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock';
import { DomainError } from '../../core/errors';
import type { Exchange } from '../../core/types';
import type { BrokerInstruments, Instrument } from '../broker';
import type { AlpacaRest } from './alpaca-rest';
import { assetSchema } from './alpaca-wire';

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

export class AlpacaInstruments implements BrokerInstruments {
  private readonly cache = new Map<string, Promise<Instrument | null>>();
  private cacheDate = '';

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
      asset = this.fetch(symbol);
      this.cache.set(symbol, asset);
      asset.catch(() => this.cache.delete(symbol));
    }
    const found = await asset;
    return found ? { ...found, exchange } : null;
  }

  private async fetch(symbol: string): Promise<Instrument | null> {
    const res = await this.deps.rest.request({ method: 'GET', path: `/v2/assets/${encodeURIComponent(symbol)}` });
    if (res.kind === 'error' && (res.status === 404 || res.status === 422)) return null;
    if (res.kind !== 'ok') {
      const why = res.kind === 'error' ? res.description : res.kind === 'transport' ? res.reason : 'not sent';
      throw new DomainError('unavailable', `could not look ${symbol} up at Alpaca: ${why}`);
    }
    const parsed = assetSchema.safeParse(res.body);
    if (!parsed.success) throw new DomainError('broker_error', `Alpaca's reply for asset ${symbol} could not be read`);
    const a = parsed.data;
    const usable = a.symbol === symbol && a.class === 'us_equity' && a.status === 'active' && a.tradable && US_LISTINGS.has(a.exchange);
    if (!usable) {
      this.deps.logger.info({ symbol, class: a.class, status: a.status, tradable: a.tradable, exchange: a.exchange }, 'alpaca asset is not tradable by Tradeclock');
      return null;
    }
    // The exchange is filled in per call: the same asset serves a NYSE and a NASDAQ strategy.
    return { symbol, exchange: 'NYSE', brokerRef: a.id, tickSize: TICK_SIZE };
  }
}
