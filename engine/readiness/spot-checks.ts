/**
 * The account checks of a spot account (a crypto venue through CCXT), whose money is a balance per
 * asset and whose key is proven by a signed request rather than a daily login: the key answers, the
 * account and the key may trade (the pair too, from this machine), and the free balance of the
 * asset the entry spends covers it. Pure, as account-checks.ts; amounts in decimal (decimal.js), as
 * the venue writes them.
 */
import Decimal from 'decimal.js';
import type { SpotAccountAnswer } from '../brokers/broker';
import type { ReadinessCheck, ReadinessCheckName, ReadinessStatus } from '../core/readiness';
import { formatPrice, zonedDayTime } from '../terminal/words';
import type { ReadinessInputs } from './readiness-inputs';

/** A private Decimal: another module calling `Decimal.set` cannot change these roundings. */
const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });

/** Places an amount of an asset is shown to (Binance writes 8). */
const ASSET_PLACES = 8;

const answer = (check: ReadinessCheckName, status: ReadinessStatus, message: string): ReadinessCheck => ({ check, status, message });

type Answered = Extract<SpotAccountAnswer, { kind: 'answered' }>;

/**
 * An asset amount without float noise or trailing zeros, grouped, to 8 places rounded the safe way
 * for what it is: a free balance down (never shown more than is there), a cost up (never less).
 * @example assetAmount('90.0900000001', 'up') // "90.09000001"
 * @example assetAmount('10000.000000009', 'down') // "10,000"
 */
export function assetAmount(d: Decimal.Value, round: 'up' | 'down'): string {
  return groupDigits(new D(d).toDecimalPlaces(ASSET_PLACES, round === 'up' ? Decimal.ROUND_UP : Decimal.ROUND_DOWN).toFixed());
}

/** "60000.5" → "60,000.5": the whole part grouped by thousands, as every amount in these sentences. */
function groupDigits(plain: string): string {
  const [whole, fraction] = plain.split('.');
  return `${whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction ? `.${fraction}` : ''}`;
}

/** (a) The key works: the venue answered a signed request with it (its keys never expire daily). */
export function spotSessionCheck(i: ReadinessInputs, spot: SpotAccountAnswer): ReadinessCheck {
  const name = i.brokerName;
  if (spot.kind === 'answered') return answer('session', 'ok', `${name} answered a signed request with the account's API key just now; its keys do not expire daily: nothing to renew before the exit.`);
  if (spot.kind === 'refused') {
    return answer('session', 'fail', `${name} refused the account's API key: ${spot.reason}. Check the key and its secret in Tradeclock's broker settings, that the key may trade spot, and, if it is restricted to IP addresses, that this machine's public IP is one of them.`);
  }
  return answer('session', 'unknown', `Whether ${name} takes the account's API key could not be checked: ${spot.reason}.`);
}

/**
 * (b) Orders are taken from this machine: the signed request answered here (so an IP restriction on
 * the key, where it has one, lets this machine through), the account may trade (`canTrade`) and
 * holds a permission the pair trades under, and the key itself may trade until after the exit (a
 * key that only reads answers the account request too).
 */
export function spotOrdersAllowedCheck(i: ReadinessInputs, spot: SpotAccountAnswer): ReadinessCheck {
  const name = i.brokerName;
  if (spot.kind !== 'answered') return answer('orders_allowed', 'unknown', `Whether ${name} takes orders from this machine could not be checked: ${spot.reason}.`);
  if (!spot.canTrade) return answer('orders_allowed', 'fail', `${name} says this account may not trade (canTrade is false): every order would be refused. Check the account's status in ${name}'s own app before the entry.`);
  const barred = pairNotPermitted(i, spot);
  if (barred) return barred;
  const key = spot.key;
  if (key.kind === 'unknown') return answer('orders_allowed', 'unknown', `${name} says the account may trade, but whether its API key may trade could not be checked: ${key.reason}. Make sure the key has spot trading enabled in ${name}'s API management.`);
  if (!key.spotTrading) {
    const lapse = key.ipRestricted ? '' : ` ${name} turns it off on a key without an IP restriction after 30 days: restrict the key to this machine's public IP and turn it on again, or make a new key.`;
    return answer('orders_allowed', 'fail', `${name} says the account's API key may not trade spot (its "Enable Spot & Margin Trading" is off): every order would be refused.${lapse}`);
  }
  if (key.tradingExpiresAt !== null && key.tradingExpiresAt <= i.exitAt) {
    return answer(
      'orders_allowed',
      'fail',
      `The API key's spot trading permission runs out at ${zonedDayTime(key.tradingExpiresAt, i.timezone)}, before the exit at ${zonedDayTime(i.exitAt, i.timezone)} (${name} ends it on a key without an IP restriction): restrict the key to this machine's public IP in ${name}'s API management, or the exit would be refused.`,
    );
  }
  const ip = key.ipRestricted ? 'its IP restriction lets this machine through' : 'it has no IP restriction';
  const until = key.tradingExpiresAt === null ? '' : ` until ${zonedDayTime(key.tradingExpiresAt, i.timezone)}, past the exit`;
  return answer('orders_allowed', 'ok', `${name} answered a signed request from this machine (${ip}), says the account may trade, and its API key may trade spot${until}.`);
}

/**
 * The account holds at least one permission of every set the pair trades under (Binance's
 * permissionSets), else Binance refuses its orders -2010 "This symbol is not permitted for this
 * account."; null when it does, or the pair's sets could not be read (market_open says so).
 */
function pairNotPermitted(i: ReadinessInputs, spot: Answered): ReadinessCheck | null {
  if (i.pair.kind !== 'answered') return null;
  const held = new Set(spot.permissions);
  const missing = i.pair.facts.permissionSets.find((set) => !set.some((p) => held.has(p)));
  if (!missing) return null;
  const has = spot.permissions.length ? spot.permissions.join(', ') : 'none';
  return answer(
    'orders_allowed',
    'fail',
    `${i.brokerName} trades ${i.symbol} only for an account with one of ${missing.join(', ')}; this account has ${has}: every order for it would be refused ("This symbol is not permitted for this account."). Choose a pair this account may trade.`,
  );
}

/**
 * (c) The free balance of the quote asset (USDT of BTC/USDT) covers the entry, a buy: quantity ×
 * the last price, plus a margin for the price moving before the order fills (the venue's highest
 * taker fee rate, 0.1 % at Binance, used as that margin: a MARKET buy by quantity pays its fee in
 * the coin bought or in BNB, not in the quote). A CCXT account never sells first
 * (`sellFirst: 'none'`, refused when the strategy is saved).
 */
export function spotFundsCheck(i: ReadinessInputs, spot: SpotAccountAnswer): ReadinessCheck {
  if (spot.kind !== 'answered') return answer('funds', 'unknown', `The funds could not be checked: ${spot.reason}.`);
  if (i.assets.kind === 'none') return answer('funds', 'unknown', `${i.brokerName} cannot be asked which assets ${i.symbol} trades: check the balance in ${i.brokerName}'s own app before the entry.`);
  if (i.assets.kind === 'failed') return answer('funds', 'unknown', `The funds could not be checked: which assets ${i.symbol} trades could not be read (${i.assets.reason}).`);
  const { baseAsset, quoteAsset } = i.assets.assets;
  const qty = new D(i.qty);
  const available = new D(spot.free[quoteAsset] ?? 0);
  const free = `${assetAmount(available, 'down')} ${quoteAsset} free`;
  const last = i.feed.lastPrice;
  if (!last) return answer('funds', 'unknown', `${free}, but no price of ${i.symbol} has arrived yet to estimate the entry's cost: check it covers ${assetAmount(qty, 'up')} ${baseAsset}.`);
  const rate = new D(i.capabilities.maxFeeInBoughtAssetRate ?? 0);
  const cost = qty.mul(last.price).mul(rate.plus(1));
  const margin = rate.isZero() ? '' : `, plus ${rate.mul(100).toFixed()} % for the price moving before it fills`;
  const estimate = `${assetAmount(cost, 'up')} ${quoteAsset} (${assetAmount(qty, 'up')} × last price ${groupDigits(formatPrice(last.price))}${margin})`;
  if (available.gte(cost)) return answer('funds', 'ok', `${free} covers the entry, about ${estimate}.`);
  return answer('funds', 'fail', `${free} does not cover the entry, about ${estimate}: add ${quoteAsset} or lower the quantity before the entry.`);
}
