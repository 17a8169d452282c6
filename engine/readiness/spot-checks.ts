/**
 * The account checks of a spot account (a crypto venue through CCXT), whose money is a balance per
 * asset and whose key is proven by a signed request rather than a daily login: the key answers, the
 * account may trade from this machine, and the free balance of the asset the entry spends covers it.
 * Pure, as account-checks.ts; amounts in decimal (decimal.js), as the venue writes them.
 */
import Decimal from 'decimal.js';
import type { SpotAccountAnswer } from '../brokers/broker';
import type { ReadinessCheck, ReadinessCheckName, ReadinessStatus } from '../core/readiness';
import { formatPrice } from '../terminal/words';
import type { ReadinessInputs } from './readiness-inputs';

/** A private Decimal: another module calling `Decimal.set` cannot change these roundings. */
const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });

/** Places an amount of an asset is shown to (Binance writes 8). */
const ASSET_PLACES = 8;

const answer = (check: ReadinessCheckName, status: ReadinessStatus, message: string): ReadinessCheck => ({ check, status, message });

/**
 * An asset amount without float noise or trailing zeros, grouped: "10000.00000000" → "10,000".
 * @example assetAmount(new Decimal('90.0900000001')) // "90.09000001" (rounded up to 8 places)
 */
export function assetAmount(d: Decimal.Value): string {
  const [whole, fraction] = new D(d).toDecimalPlaces(ASSET_PLACES, Decimal.ROUND_UP).toFixed().split('.');
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
 * the key, where it has one, lets this machine through) and the venue says the account may trade.
 */
export function spotOrdersAllowedCheck(i: ReadinessInputs, spot: SpotAccountAnswer): ReadinessCheck {
  const name = i.brokerName;
  if (spot.kind === 'answered') {
    return spot.canTrade
      ? answer('orders_allowed', 'ok', `${name} answered a signed request from this machine (an IP restriction on the key, if it has one, lets it through) and says the account may trade.`)
      : answer('orders_allowed', 'fail', `${name} says this account may not trade (canTrade is false): every order would be refused. Check the account's status in ${name}'s own app before the entry.`);
  }
  return answer('orders_allowed', 'unknown', `Whether ${name} takes orders from this machine could not be checked: ${spot.reason}.`);
}

/**
 * (c) The free balance of the asset the entry spends covers it: for a buy, the quote asset (USDT of
 * BTC/USDT) against quantity × the last price plus the venue's highest taker fee, a margin (Binance
 * takes a buy's fee from the coin bought, or in BNB); for a sale, the base asset against the quantity.
 */
export function spotFundsCheck(i: ReadinessInputs, spot: SpotAccountAnswer): ReadinessCheck {
  if (spot.kind !== 'answered') return answer('funds', 'unknown', `The funds could not be checked: ${spot.reason}.`);
  if (i.pair.kind === 'none') return answer('funds', 'unknown', `${i.brokerName} cannot be asked which assets ${i.symbol} trades: check the balance in ${i.brokerName}'s own app before the entry.`);
  if (i.pair.kind === 'failed') return answer('funds', 'unknown', `The funds could not be checked: which assets ${i.symbol} trades could not be read (${i.pair.reason}).`);
  const { baseAsset, quoteAsset } = i.pair.facts;
  const qty = new D(i.qty);
  if (i.side === 'sell') {
    const held = new D(spot.free[baseAsset] ?? 0);
    const free = `${assetAmount(held)} ${baseAsset} free`;
    return held.gte(qty)
      ? answer('funds', 'ok', `${free} covers the entry's sale of ${assetAmount(qty)} ${baseAsset}.`)
      : answer('funds', 'fail', `${free} does not cover the entry's sale of ${assetAmount(qty)} ${baseAsset}: add ${baseAsset} or lower the quantity before the entry.`);
  }
  const available = new D(spot.free[quoteAsset] ?? 0);
  const free = `${assetAmount(available)} ${quoteAsset} free`;
  const last = i.feed.lastPrice;
  if (!last) return answer('funds', 'unknown', `${free}, but no price of ${i.symbol} has arrived yet to estimate the entry's cost: check it covers ${assetAmount(qty)} ${baseAsset}.`);
  const fee = new D(i.capabilities.maxFeeInBoughtAssetRate ?? 0);
  const cost = qty.mul(last.price).mul(fee.plus(1));
  const margin = fee.isZero() ? '' : `, plus ${fee.mul(100).toFixed()} % for the highest taker fee`;
  const estimate = `${assetAmount(cost)} ${quoteAsset} (${assetAmount(qty)} × last price ${formatPrice(last.price)}${margin})`;
  if (available.gte(cost)) return answer('funds', 'ok', `${free} covers the entry, about ${estimate}.`);
  return answer('funds', 'fail', `${free} does not cover the entry, about ${estimate}: add ${quoteAsset} or lower the quantity before the entry.`);
}
