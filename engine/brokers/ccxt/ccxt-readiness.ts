/**
 * What the readiness check before an entry (issue 20) asks a CCXT venue, from Binance's documented
 * REST API: its time (`GET /api/v3/time`, CCXT `fetchTime`) against this machine's clock; the
 * account in one signed request (`GET /api/v3/account`: the free balance of each asset, `canTrade`
 * and `permissions`; that it answers at all says the key, its signature and its IP restriction
 * pass); what the key itself may do (`GET /sapi/v1/account/apiRestrictions`: a read-only key reads
 * the account too, and a key with no IP restriction loses its trading permission after 30 days);
 * and a pair's status (`GET /api/v3/exchangeInfo?symbol=`: TRADING, or END_OF_DAY / HALT / BREAK, which take no
 * orders, and the permission sets it trades under). The pair's assets come from the markets CCXT
 * has loaded, no request.
 *
 * The time, the account and the key are asked side by side: one failing leaves the others' answers
 * standing. Balances stay the decimal strings Binance wrote (CCXT's `fetchBalance` makes them
 * floats): the funds check compares them in decimal. Every request is optional work under the
 * account's budget (skipped, never waited for, while its last tokens are kept for orders), its
 * errors scrubbed.
 *
 * @example
 *   const info = ccxtAccountInfo({ venue: BINANCE, clock, execution, testnet: false });
 *   await info.snapshot() // { buyingPower: null, dayTrading: null, brokerTime: { date, sentAt, receivedAt, resolutionMs: 1 }, spot: { kind: 'answered', free: { USDT: '95.00000000' }, canTrade: true, permissions: ['SPOT'], key: { kind: 'answered', spotTrading: true, ipRestricted: true, tradingExpiresAt: null } } }
 *   await info.pair('BTC/USDT') // { status: 'TRADING', trading: true, permissionSets: [['SPOT']] }
 *   await info.assets('BTC/USDT') // { baseAsset: 'BTC', quoteAsset: 'USDT' }
 */
import type { Exchange as CcxtExchange } from 'ccxt';
import { z } from 'zod';
import type { Clock } from '../../core/clock';
import type { BrokerAccountInfo, BrokerAccountSnapshot, BrokerTime, SpotAccountAnswer, SpotKeyAnswer, TradingPairAssets, TradingPairFacts } from '../broker';
import { venueAnswer, venueCode } from './ccxt-errors';
import type { CcxtExecution } from './ccxt-execution';
import type { CcxtVenue } from './ccxt-venues';

/** Binance's decimals: digits, optionally a point and more digits ("95.00000000"). */
const decimalText = z.string().regex(/^\d+(\.\d+)?$/, { error: 'is not a decimal amount' });

const accountSchema = z.object({
  canTrade: z.boolean({ error: 'must be true or false' }),
  permissions: z.array(z.string()),
  balances: z.array(z.object({ asset: z.string().min(1), free: decimalText })),
});

const keySchema = z.object({
  enableSpotAndMarginTrading: z.boolean({ error: 'must be true or false' }),
  ipRestrict: z.boolean({ error: 'must be true or false' }),
  // The docs' older example carries it, the newer one not: absent, no end is stated.
  tradingAuthorityExpirationTime: z.number().int().optional(),
});

const pairSchema = z.object({
  symbols: z.array(z.object({ symbol: z.string(), status: z.string().min(1), permissionSets: z.array(z.array(z.string())) })),
});

/** The status that takes orders (Binance enums "Symbol status": TRADING, END_OF_DAY, HALT, BREAK). */
const TRADING = 'TRADING';

export interface CcxtAccountInfoDeps {
  readonly venue: CcxtVenue;
  readonly clock: Clock;
  /** Its `request` runs under the account's budget and scrubs errors. */
  readonly execution: Pick<CcxtExecution, 'request'>;
  /** The account is on the venue's test network (Binance's serves no /sapi). */
  readonly testnet: boolean;
}

/** The account's readiness facts; see the file's comment. */
export function ccxtAccountInfo(deps: CcxtAccountInfoDeps): Required<BrokerAccountInfo> {
  const { venue, clock, execution } = deps;
  const optional: Ask = (fn) => execution.request(fn, true);
  return {
    async snapshot(): Promise<BrokerAccountSnapshot> {
      const [time, spot, key] = await Promise.allSettled([venueTime(venue, clock, optional), spotAccount(venue, optional), keyRestrictions(deps, optional)]);
      const account: AccountRead = spot.status === 'fulfilled' ? spot.value : { kind: 'failed', reason: said(venue, spot.reason) };
      const keyAnswer: SpotKeyAnswer = key.status === 'fulfilled' ? key.value : { kind: 'unknown', reason: said(venue, key.reason) };
      return {
        buyingPower: null,
        dayTrading: null,
        brokerTime: time.status === 'fulfilled' ? time.value : null,
        ...(time.status === 'rejected' ? { brokerTimeFailure: `${venue.title}'s time (GET /api/v3/time) could not be read: ${said(venue, time.reason)}` } : {}),
        spot: account.kind === 'answered' ? { ...account, key: keyAnswer } : account,
      };
    },
    async pair(symbol: string): Promise<TradingPairFacts> {
      let id = symbol;
      const body = await optional(async (ex) => {
        id = ex.market(symbol).id ?? symbol;
        return ex.publicGetExchangeInfo({ symbol: id });
      });
      const parsed = pairSchema.safeParse(body);
      const listed = parsed.success ? parsed.data.symbols[0] : undefined;
      if (!listed) throw new Error(`${venue.title}'s GET /api/v3/exchangeInfo answer for ${symbol} lists no such symbol`);
      if (listed.symbol !== id) throw new Error(`${venue.title}'s GET /api/v3/exchangeInfo answer for ${symbol} (${id}) lists ${listed.symbol.slice(0, 40)} instead`);
      return { status: listed.status, trading: listed.status === TRADING, permissionSets: listed.permissionSets };
    },
    async assets(symbol: string): Promise<TradingPairAssets> {
      // No request: the markets were loaded with the instance (and the market lookup throws for an unlisted pair).
      const market = await optional(async (ex) => ex.market(symbol));
      if (!market.base || !market.quote) throw new Error(`${venue.title} lists no assets for ${symbol}`);
      return { baseAsset: market.base, quoteAsset: market.quote };
    },
  };
}

/** The account request's answer, before the key's own permissions join it. */
type AccountRead = Omit<Extract<SpotAccountAnswer, { kind: 'answered' }>, 'key'> | Exclude<SpotAccountAnswer, { kind: 'answered' }>;

/** One optional request on the account's instance. */
type Ask = <T>(fn: (ex: CcxtExchange) => Promise<T>) => Promise<T>;

/** GET /api/v3/time, stamped around the request itself: a wait for the budget only widens the window, which can hide a skew, never invent one. */
async function venueTime(venue: CcxtVenue, clock: Clock, optional: Ask): Promise<BrokerTime> {
  let sentAt = 0;
  const date = await optional(async (ex) => {
    sentAt = clock.now();
    return ex.fetchTime();
  });
  const receivedAt = clock.now();
  if (typeof date !== 'number' || !Number.isSafeInteger(date)) throw new Error(`${venue.title} answered GET /api/v3/time with a serverTime that is not a time: ${String(date).slice(0, 40)}`);
  return { date, sentAt, receivedAt, resolutionMs: 1 };
}

/**
 * A signed request. A -1021 (this machine's clock outside the venue's window) is asked once more
 * after CCXT learns the difference (`loadTimeDifference`, as a placement does): the clock check
 * names the skew, and the account can still be read. That learnt difference stays on the instance,
 * so every later signed request of the account (orders too) is stamped with it.
 */
async function signed<T>(venue: CcxtVenue, optional: Ask, fn: (ex: CcxtExchange) => Promise<T>): Promise<T> {
  try {
    return await optional(fn);
  } catch (err) {
    if (venueCode(venue, err) !== 'clock') throw err;
    await optional(async (ex) => ex.loadTimeDifference());
    return optional(fn);
  }
}

/** The signed account request (GET /api/v3/account). */
async function spotAccount(venue: CcxtVenue, optional: Ask): Promise<AccountRead> {
  let body: unknown;
  try {
    body = await signed(venue, optional, async (ex) => ex.privateGetAccount({ omitZeroBalances: 'true' }));
  } catch (err) {
    const why = said(venue, err);
    return venueCode(venue, err) === 'auth' ? { kind: 'refused', reason: why } : { kind: 'failed', reason: why };
  }
  const parsed = accountSchema.safeParse(body);
  if (!parsed.success) return { kind: 'failed', reason: unreadable(`${venue.title}'s GET /api/v3/account answer`, parsed.error) };
  const { balances, canTrade, permissions } = parsed.data;
  return { kind: 'answered', free: Object.fromEntries(balances.map((b) => [b.asset, b.free])), canTrade, permissions };
}

/** What the key may do (CcxtVenue.keyRestrictions); unknown, naming why, where it cannot be asked. */
async function keyRestrictions(deps: CcxtAccountInfoDeps, optional: Ask): Promise<SpotKeyAnswer> {
  const where = deps.venue.keyRestrictions;
  if (!where) return { kind: 'unknown', reason: `${deps.venue.title} states no permissions of an API key` };
  const endpoint = `GET /${where.api}/v1/${where.path}`;
  if (deps.testnet && !where.testnetHasIt) return { kind: 'unknown', reason: `${deps.venue.title}'s testnet does not serve ${endpoint}, where the key's own trading permission is stated` };
  const body = await signed(deps.venue, optional, async (ex) => (ex as unknown as { sapiGetAccountApiRestrictions(): Promise<unknown> }).sapiGetAccountApiRestrictions());
  const parsed = keySchema.safeParse(body);
  if (!parsed.success) return { kind: 'unknown', reason: unreadable(`${deps.venue.title}'s ${endpoint} answer`, parsed.error) };
  const expires = parsed.data.tradingAuthorityExpirationTime;
  // 0 or less is read as no end: the docs give only a real time as an example (ours).
  return { kind: 'answered', spotTrading: parsed.data.enableSpotAndMarginTrading, ipRestricted: parsed.data.ipRestrict, tradingExpiresAt: expires !== undefined && expires > 0 ? expires : null };
}

function unreadable(what: string, error: z.ZodError): string {
  const issue = error.issues[0];
  return `${what} cannot be read: ${issue ? `${issue.path.join('.') || 'the body'}: ${issue.message}` : 'not the expected shape'}`;
}

/** The venue's own words for a failed request ("Invalid API-key, IP, or permissions for action. (-2015)"), else the error's message. */
function said(venue: CcxtVenue, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const answer = venueAnswer(venue, message);
  return answer ? `${venue.title} answered ${answer.code !== null ? `${answer.code} ` : ''}"${answer.msg}"` : message.replace(/[.\s]+$/, '');
}
