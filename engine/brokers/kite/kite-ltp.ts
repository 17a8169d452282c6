/**
 * The REST cross-check of a silent ticker at Kite: `GET /quote/ltp?i=NSE:INFY&i=BSE:SENSEX`, the
 * last traded price of up to 1 000 instruments in one request, keyed by the `EXCHANGE:SYMBOL`
 * asked (PROTOCOLS.md §2.11; kiteconnect-mocks `ltp.json` at c7a8123:
 * `{"status":"success","data":{"NSE:INFY":{"instrument_token":408065,"last_price":1074.35}}}`;
 * pykiteconnect `ltp()` at f5531bd repeats `i`). Kite allows quote endpoints 1 request a second
 * (§2.9): kept on our side, the request waits for its slot. The LTP carries no trade time, and a
 * last price of 0 (no trade yet) is no price, as on the ticker.
 */
import { z } from 'zod';
import type { Clock } from '../../core/clock';
import type { Instrument, Quote } from '../broker';
import { KiteError } from './kite-errors';
import type { KiteHttp } from './kite-http';
import { RateLimiter, sleepOn, type RateWindow } from './rate-limiter';

/** §2.9: "Quote endpoints (/quote*) 1 request/s". */
export const KITE_QUOTE_WINDOWS: readonly RateWindow[] = [{ limit: 1, windowMs: 1_000, label: '1 quote request per second' }];
/** §2.11: up to 1 000 instruments per LTP request. */
export const KITE_LTP_MAX_INSTRUMENTS = 1_000;

const ltpSchema = z.record(
  z.string(),
  z.looseObject({
    instrument_token: z.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }),
    last_price: z.number({ error: 'must be a number' }).refine((p) => Number.isFinite(p) && p >= 0, { error: 'must be a price, 0 or above' }),
  }),
  { error: 'must be an object of prices by EXCHANGE:SYMBOL' },
);

/** One LTP request waiting for its slot: callers that ask meanwhile add their instruments to it. */
interface Batch {
  readonly keys: Set<string>;
  answer: Promise<z.output<typeof ltpSchema>>;
}

export class KiteLtp {
  private readonly limiter: RateLimiter;
  /** The request not sent yet, open to more instruments (null once it goes out). */
  private waiting: Batch | null = null;

  /** `limiter`: Kite's 1 request a second on every /quote* endpoint, when other readers share it. */
  constructor(
    private readonly http: KiteHttp,
    private readonly clock: Clock,
    limiter?: RateLimiter,
  ) {
    this.limiter = limiter ?? new RateLimiter(clock, KITE_QUOTE_WINDOWS);
  }

  /**
   * The last traded price of each instrument; throws, naming what was wrong, when Kite cannot be
   * asked or its answer cannot be read. Callers who ask while a request waits for its slot share
   * that request (up to KITE_LTP_MAX_INSTRUMENTS): the GTTs of several entries filled together
   * each need a last price, and one request a second would otherwise leave the last of them
   * unprotected for as many seconds as there are entries.
   * @example await ltp.quote([infy]) // [{ symbol: 'INFY', exchange: 'NSE', price: 1074.35, at: null }]
   */
  async quote(instruments: readonly Instrument[]): Promise<Quote[]> {
    if (instruments.length === 0) return [];
    if (instruments.length > KITE_LTP_MAX_INSTRUMENTS) throw new Error(`Kite quotes at most ${KITE_LTP_MAX_INSTRUMENTS} instruments a request, not ${instruments.length}`);
    const data = await this.ask(instruments.map(keyOf));
    const quotes: Quote[] = [];
    for (const i of instruments) {
      const row = data[keyOf(i)];
      if (row && row.last_price > 0) quotes.push({ symbol: i.symbol, exchange: i.exchange, price: row.last_price, at: null });
    }
    return quotes;
  }

  /** Joins the request waiting for its slot when the keys fit in it, else starts the next one. */
  private ask(keys: readonly string[]): Promise<z.output<typeof ltpSchema>> {
    const open = this.waiting;
    if (open && new Set([...open.keys, ...keys]).size <= KITE_LTP_MAX_INSTRUMENTS) {
      for (const k of keys) open.keys.add(k);
      return open.answer;
    }
    const batch: Batch = { keys: new Set(keys), answer: Promise.resolve({}) };
    this.waiting = batch;
    batch.answer = this.send(batch);
    return batch.answer;
  }

  private async send(batch: Batch): Promise<z.output<typeof ltpSchema>> {
    const slot = this.limiter.reserve(KITE_QUOTE_WINDOWS[0]!.windowMs);
    if (!slot.ok) {
      if (this.waiting === batch) this.waiting = null;
      throw new Error(slot.message);
    }
    await sleepOn(this.clock, slot.waitMs);
    if (this.waiting === batch) this.waiting = null;
    let data: unknown;
    try {
      data = await this.http.call({ method: 'GET', path: '/quote/ltp', query: { i: [...batch.keys] } });
    } catch (err) {
      // Not asked at all (a dead session: "log in to Kite again", a rate limit) keeps its words and wait.
      if (err instanceof KiteError && err.notPlaced) throw err;
      // Otherwise the transport's words are about orders ("may or may not exist"); a quote only failed.
      if (err instanceof KiteError && err.kiteMessage !== null) throw new Error(`Kite refused the LTP request (${err.errorType}, HTTP ${err.httpStatus}): "${err.kiteMessage}"`);
      if (err instanceof KiteError && err.errorType === 'BadResponse') throw new Error(`Kite answered the LTP request with HTTP ${err.httpStatus} but a body that is not JSON`);
      throw err;
    }
    const parsed = ltpSchema.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(`Kite's LTP answer cannot be read: ${issue.path.map(String).join('.') || 'data'} ${issue.message}`);
    }
    return parsed.data;
  }
}

const keyOf = (i: Instrument) => `${i.exchange}:${i.symbol}`;
