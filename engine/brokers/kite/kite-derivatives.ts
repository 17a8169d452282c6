/**
 * The NFO and BFO instrument masters of a Kite account: each exchange's dump (GET
 * /instruments/{NFO|BFO}, ~90 000 rows on NFO) streamed into a compact DerivativesMaster, kept in
 * memory one per exchange, and downloaded again once a day: Kite generates the dump once every
 * morning (the documentation says to fetch it "ideally at around 08:30 AM"), new contracts are
 * listed and expired ones drop out, so a master fetched before the day's 08:30 IST is due again
 * after it. A download that fails or a dump that is refused leaves the held master in place
 * (yesterday's still names today's live contracts: nothing expiring today or later was listed
 * after it, save far-dated new series), is remembered for the readiness check, and is not tried
 * again for `retryMs`. At most one download per exchange runs at a time.
 */
import { DateTime } from 'luxon';
import type { Clock } from '../../core/clock';
import { buildDerivativesMaster } from './build-derivatives-master';
import { csvRows } from '../../csv/csv-rows';
import type { DerivativesMaster, MasterReport } from './derivatives-master';
import type { KiteDerivativeExchange } from './derivatives-rows';
import type { KiteHttp } from './kite-http';
import { KITE_SESSION_EXPIRY } from './token-expiry';

/** When the day's dump is ready, IST (kite.trade/docs/connect/v3/market-quotes, "Instruments"). */
export const KITE_DUMP_READY_AT = { hour: 8, minute: 30 } as const;

export interface KiteDerivativesLimits {
  /** The whole download, body included; the NFO dump is several megabytes. */
  readonly downloadTimeoutMs: number;
  /** After a failed load, how long the held master (or the failure) stands before the next try. */
  readonly retryMs: number;
}

export const KITE_DERIVATIVES_LIMITS: KiteDerivativesLimits = { downloadTimeoutMs: 60_000, retryMs: 60_000 };

export interface DerivativesStatus {
  /** What the held master read; null before the first load succeeds. */
  readonly report: MasterReport | null;
  /** The last load's failure, until a load succeeds. */
  readonly failed: { readonly at: number; readonly message: string } | null;
}

export class KiteDerivatives {
  private readonly held = new Map<KiteDerivativeExchange, DerivativesMaster>();
  private readonly loading = new Map<KiteDerivativeExchange, Promise<DerivativesMaster>>();
  private readonly failure = new Map<KiteDerivativeExchange, { at: number; error: Error }>();

  constructor(
    private readonly http: KiteHttp,
    private readonly clock: Clock,
    private readonly limits: KiteDerivativesLimits = KITE_DERIVATIVES_LIMITS,
  ) {}

  /**
   * The exchange's master, downloading today's dump first when the one held predates it. Throws
   * only when no master has ever loaded, with what went wrong.
   *
   * @example const nifty = (await derivatives.master('NFO')).calendar('NIFTY');
   */
  master(exchange: KiteDerivativeExchange): Promise<DerivativesMaster> {
    const held = this.held.get(exchange);
    if (held && held.fetchedAt >= lastDumpReady(this.clock.now())) return Promise.resolve(held);
    const failed = this.failure.get(exchange);
    if (failed && this.clock.now() - failed.at < this.limits.retryMs) return held ? Promise.resolve(held) : Promise.reject(failed.error);
    let load = this.loading.get(exchange);
    if (!load) {
      load = this.load(exchange).finally(() => this.loading.delete(exchange));
      this.loading.set(exchange, load);
    }
    return load;
  }

  /** The master held now, without downloading; null before the first load. */
  current(exchange: KiteDerivativeExchange): DerivativesMaster | null {
    return this.held.get(exchange) ?? null;
  }

  status(exchange: KiteDerivativeExchange): DerivativesStatus {
    const failed = this.failure.get(exchange);
    return { report: this.held.get(exchange)?.report ?? null, failed: failed ? { at: failed.at, message: failed.error.message } : null };
  }

  private async load(exchange: KiteDerivativeExchange): Promise<DerivativesMaster> {
    const fetchedAt = this.clock.now();
    try {
      const master = await this.http.download(`/instruments/${exchange}`, this.limits.downloadTimeoutMs, (body) => buildDerivativesMaster(csvRows(body), exchange, fetchedAt));
      // The old master goes with this line: one per exchange is ever kept.
      this.held.set(exchange, master);
      this.failure.delete(exchange);
      return master;
    } catch (err) {
      const error = new Error(`Kite's ${exchange} instrument list could not be loaded: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      this.failure.set(exchange, { at: this.clock.now(), error });
      const held = this.held.get(exchange);
      if (held) return held;
      throw error;
    }
  }
}

/** The latest 08:30 IST at or before `now`: a master fetched before it is due again. */
export function lastDumpReady(now: number): number {
  const local = DateTime.fromMillis(now, { zone: KITE_SESSION_EXPIRY.timezone });
  const today = local.set({ ...KITE_DUMP_READY_AT, second: 0, millisecond: 0 });
  return (today.toMillis() <= now ? today : today.minus({ days: 1 })).toMillis();
}
