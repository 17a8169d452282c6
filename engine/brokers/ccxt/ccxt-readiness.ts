/**
 * What the readiness check before an entry (issue 20) asks a CCXT venue, from Binance's documented
 * REST API: its time (`GET /api/v3/time`, CCXT `fetchTime`) against this machine's clock, the
 * account in one signed request (`GET /api/v3/account`: the free balance of each asset and
 * `canTrade`; that it answers at all says the key, its signature and its IP restriction pass), and
 * a pair's status (`GET /api/v3/exchangeInfo?symbol=`: TRADING, or HALT / BREAK, which take no orders).
 *
 * Balances stay the decimal strings Binance wrote (CCXT's `fetchBalance` makes them floats): the
 * funds check compares them in decimal. Every request is optional work under the account's budget
 * (skipped, never waited for, while its last tokens are kept for orders), its errors scrubbed.
 *
 * @example
 *   const info = ccxtAccountInfo({ venue: BINANCE, clock, execution });
 *   await info.snapshot() // { buyingPower: null, dayTrading: null, brokerTime: { date, sentAt, receivedAt, resolutionMs: 1 }, spot: { kind: 'answered', free: { USDT: '95.00000000' }, canTrade: true } }
 *   await info.pair('BTC/USDT') // { status: 'TRADING', trading: true, baseAsset: 'BTC', quoteAsset: 'USDT' }
 */
import type { Exchange as CcxtExchange } from 'ccxt';
import { z } from 'zod';
import type { Clock } from '../../core/clock';
import type { BrokerAccountInfo, BrokerAccountSnapshot, SpotAccountAnswer, TradingPairFacts } from '../broker';
import { venueAnswer, venueCode } from './ccxt-errors';
import type { CcxtExecution } from './ccxt-execution';
import type { CcxtVenue } from './ccxt-venues';

/** Binance's decimals: digits, optionally a point and more digits ("95.00000000"). */
const decimalText = z.string().regex(/^\d+(\.\d+)?$/, { error: 'is not a decimal amount' });

const accountSchema = z.object({
  canTrade: z.boolean({ error: 'must be true or false' }),
  balances: z.array(z.object({ asset: z.string().min(1), free: decimalText })),
});

const pairSchema = z.object({
  symbols: z.array(z.object({ symbol: z.string(), status: z.string().min(1), baseAsset: z.string().min(1), quoteAsset: z.string().min(1) })),
});

/** The status that takes orders (Binance enums "Symbol status": TRADING, END_OF_DAY, HALT, BREAK). */
const TRADING = 'TRADING';

export interface CcxtAccountInfoDeps {
  readonly venue: CcxtVenue;
  readonly clock: Clock;
  /** Its `request` runs under the account's budget and scrubs errors. */
  readonly execution: Pick<CcxtExecution, 'request'>;
}

/** The account's readiness facts; see the file's comment. */
export function ccxtAccountInfo(deps: CcxtAccountInfoDeps): Required<BrokerAccountInfo> {
  const { venue, clock, execution } = deps;
  const optional: Ask = (fn) => execution.request(fn, true);
  return {
    async snapshot(): Promise<BrokerAccountSnapshot> {
      // Stamped around the request itself; a wait for the budget only widens the window, which can
      // hide a skew, never invent one.
      let sentAt = 0;
      const date = await optional(async (ex) => {
        sentAt = clock.now();
        return ex.fetchTime();
      });
      const receivedAt = clock.now();
      if (typeof date !== 'number' || !Number.isSafeInteger(date)) throw new Error(`${venue.title} answered GET /api/v3/time with a serverTime that is not a time: ${String(date).slice(0, 40)}`);
      return { buyingPower: null, dayTrading: null, brokerTime: { date, sentAt, receivedAt, resolutionMs: 1 }, spot: await spotAccount(venue, optional) };
    },
    async pair(symbol: string): Promise<TradingPairFacts> {
      const body = await optional(async (ex) => ex.publicGetExchangeInfo({ symbol: ex.market(symbol).id }));
      const parsed = pairSchema.safeParse(body);
      const listed = parsed.success ? parsed.data.symbols[0] : undefined;
      if (!listed) throw new Error(`${venue.title}'s GET /api/v3/exchangeInfo answer for ${symbol} lists no such symbol`);
      return { status: listed.status, trading: listed.status === TRADING, baseAsset: listed.baseAsset, quoteAsset: listed.quoteAsset };
    },
  };
}

/** One optional request on the account's instance. */
type Ask = <T>(fn: (ex: CcxtExchange) => Promise<T>) => Promise<T>;

/**
 * The signed account request. A -1021 (this machine's clock outside the venue's window) is asked
 * once more after CCXT learns the difference (`loadTimeDifference`, as a placement does): the clock
 * check names the skew, and the funds can still be read.
 */
async function spotAccount(venue: CcxtVenue, optional: Ask): Promise<SpotAccountAnswer> {
  const ask = () => optional(async (ex) => ex.privateGetAccount({ omitZeroBalances: 'true' }));
  let body: unknown;
  try {
    try {
      body = await ask();
    } catch (err) {
      if (venueCode(venue, err) !== 'clock') throw err;
      await optional(async (ex) => ex.loadTimeDifference());
      body = await ask();
    }
  } catch (err) {
    const why = said(venue, err);
    return venueCode(venue, err) === 'auth' ? { kind: 'refused', reason: why } : { kind: 'failed', reason: why };
  }
  const parsed = accountSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { kind: 'failed', reason: `${venue.title}'s GET /api/v3/account answer cannot be read: ${issue ? `${issue.path.join('.') || 'the body'}: ${issue.message}` : 'not an account'}` };
  }
  return { kind: 'answered', free: Object.fromEntries(parsed.data.balances.map((b) => [b.asset, b.free])), canTrade: parsed.data.canTrade };
}

/** The venue's own words for a failed request ("Invalid API-key, IP, or permissions for action. (-2015)"), else the error's message. */
function said(venue: CcxtVenue, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const answer = venueAnswer(venue, message);
  return answer ? `${venue.title} answered ${answer.code !== null ? `${answer.code} ` : ''}"${answer.msg}"` : message.replace(/[.\s]+$/, '');
}
