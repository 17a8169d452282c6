/**
 * The readiness checks that ask the broker about the account: the login lasts past the exit, orders
 * are taken from this machine, funds cover the entry, the pattern-day-trader rule allows the exit,
 * and the machine's clock agrees with the broker's. Pure: each reads ReadinessInputs and answers
 * one ReadinessCheck whose sentence says what to fix. No sentence carries a secret: only states,
 * times, amounts and the broker's own error words.
 */
import type { ReadinessCheck, ReadinessCheckName, ReadinessStatus } from '../core/readiness';
import { formatPrice, zonedDayTime, zonedTime } from '../terminal/words';
import type { ReadinessInputs } from './readiness-inputs';

/** The machine's clock may differ from the broker's by this much (beyond the Date header's whole second) before the check fails. */
export const CLOCK_SKEW_BOUND_MS = 2_000;

/** Alpaca's pattern-day-trader threshold (FINRA 4210): below this equity, at most 3 day trades in 5 business days. */
export const PDT_EQUITY_THRESHOLD = 25_000;
const PDT_MAX_DAY_TRADES = 3;

const answer = (check: ReadinessCheckName, status: ReadinessStatus, message: string): ReadinessCheck => ({ check, status, message });

/** A sum of money, to the cent, without float noise: 24999.5 → "24,999.50". */
export function formatMoney(n: number): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/** (a) The broker login is valid now and until after the run's last exit. */
export function sessionCheck(i: ReadinessInputs): ReadinessCheck {
  const s = i.session;
  if (!s) {
    return i.capabilities.sessionExpiresDaily
      ? answer('session', 'unknown', `The ${i.brokerName} login's state cannot be read here: check in Tradeclock's broker settings that you logged in today.`)
      : answer('session', 'ok', `${i.brokerName} keys do not expire daily: nothing to renew before the exit.`);
  }
  const exit = zonedTime(i.exitAt, i.timezone);
  if (s.state === 'no_token') return answer('session', 'fail', `There is no ${i.brokerName} login: log in to ${i.brokerName} from Tradeclock before the entry at ${zonedTime(i.entryAt, i.timezone)}.`);
  if (s.state === 'expired') return answer('session', 'fail', `The ${i.brokerName} login has expired: log in again before the entry at ${zonedTime(i.entryAt, i.timezone)}.`);
  if (s.expiresAt !== null && s.expiresAt <= i.exitAt) {
    return answer('session', 'fail', `The ${i.brokerName} login runs out at ${zonedDayTime(s.expiresAt, i.timezone)}, before the exit at ${exit}: log in again after it runs out and before the entry, or the exit cannot be placed.`);
  }
  if (s.state === 'unverified') return answer('session', 'warn', `${i.brokerName} has not confirmed the login yet (${s.message}): if it is refused, log in again before the entry.`);
  const until = s.expiresAt === null ? '' : ` until ${zonedDayTime(s.expiresAt, i.timezone)}`;
  return answer('session', 'ok', `The ${i.brokerName} login is valid${until}, past the exit at ${exit}.`);
}

/** (b) Orders are taken from this machine (Kite's static-IP rule): known only from the last refusal. */
export function ordersAllowedCheck(i: ReadinessInputs): ReadinessCheck {
  if (!i.capabilities.ordersFromRegisteredIp) return answer('orders_allowed', 'ok', `${i.brokerName} takes orders from any address.`);
  const { lastIpRefusalAt, lastTakenAt } = i.orders;
  if (lastIpRefusalAt !== null && (lastTakenAt === null || lastTakenAt < lastIpRefusalAt)) {
    return answer(
      'orders_allowed',
      'fail',
      `${i.brokerName} refused an order at ${zonedDayTime(lastIpRefusalAt, i.timezone)} because it did not come from the static IP registered for the account: run Tradeclock on that IP's network, send the account's orders through a proxy on a server with that IP (the account's options.proxy_url), or register this machine's public IP under Profile → IP Whitelist on developers.kite.trade.`,
    );
  }
  const taken = lastTakenAt === null ? '' : ` (the last order from Tradeclock was taken at ${zonedDayTime(lastTakenAt, i.timezone)})`;
  return answer(
    'orders_allowed',
    'unknown',
    `${i.brokerName} cannot be asked whether it takes orders from this machine without placing one${taken}: make sure this machine's public IP is the one registered under Profile → IP Whitelist on developers.kite.trade.`,
  );
}

/** (c) The funds cover the entry: buying power against the last price × quantity. */
export function fundsCheck(i: ReadinessInputs): ReadinessCheck {
  if (i.capabilities.simulated) return answer('funds', 'ok', `The ${i.brokerName} broker has no funds limit.`);
  if (i.account.kind === 'none') return answer('funds', 'unknown', `${i.brokerName} cannot be asked for the account's funds: check them in ${i.brokerName}'s own app before the entry.`);
  if (i.account.kind === 'failed') return answer('funds', 'unknown', `The funds could not be checked: ${i.account.reason}.`);
  const available = i.account.snapshot.buyingPower;
  if (available === null) return answer('funds', 'unknown', `${i.brokerName} states no buying power for the account: check its funds in ${i.brokerName}'s own app before the entry.`);
  const last = i.feed.lastPrice;
  if (!last) return answer('funds', 'unknown', `${formatMoney(available)} is available, but no price of ${i.symbol} has arrived yet to estimate the entry's cost: check it covers ${i.qty} ${i.symbol}.`);
  const cost = last.price * i.qty;
  const estimate = `${formatMoney(cost)} (${i.qty} × last price ${formatPrice(last.price)})`;
  if (available >= cost) return answer('funds', 'ok', `${formatMoney(available)} available covers the entry, about ${estimate}.`);
  // An intraday product (Kite MIS) needs only its margin, a fraction of the full value the estimate counts.
  if (i.capabilities.intradaySquareOff) {
    return answer('funds', 'warn', `${formatMoney(available)} available is less than the entry's full value, about ${estimate}; an intraday order needs only its margin, but add funds if ${i.brokerName} refuses it.`);
  }
  return answer('funds', 'fail', `${formatMoney(available)} available does not cover the entry, about ${estimate}: add funds or lower the quantity before the entry.`);
}

/** (d) Alpaca's pattern-day-trader rule lets the run exit on its entry's day. */
export function dayTradesCheck(i: ReadinessInputs, sameDay: boolean): ReadinessCheck {
  if (!i.capabilities.patternDayTradeRule) return answer('day_trades', 'ok', `${i.brokerName} has no pattern-day-trader limit.`);
  if (i.account.kind === 'failed') return answer('day_trades', 'unknown', `The day-trade count could not be checked: ${i.account.reason}.`);
  const pdt = i.account.kind === 'answered' ? i.account.snapshot.dayTrading : null;
  if (!pdt) return answer('day_trades', 'unknown', `${i.brokerName} did not state the account's day-trade count: check it in ${i.brokerName}'s own app before a same-day exit.`);
  if (!sameDay) return answer('day_trades', 'ok', 'The exit is on a later day than the entry: it is not a day trade.');
  const equity = formatMoney(pdt.equity);
  if (pdt.equity >= PDT_EQUITY_THRESHOLD) return answer('day_trades', 'ok', `Equity ${equity} is at or above ${formatMoney(PDT_EQUITY_THRESHOLD)}: day trades are not limited.`);
  if (pdt.patternDayTrader) {
    return answer('day_trades', 'fail', `The account is flagged a pattern day trader with equity ${equity}, below ${formatMoney(PDT_EQUITY_THRESHOLD)}: ${i.brokerName} refuses day trades, so this run's same-day exit would be refused. Bring equity to ${formatMoney(PDT_EQUITY_THRESHOLD)}, or move the exit to a later day.`);
  }
  const used = pdt.dayTradeCount;
  if (used >= PDT_MAX_DAY_TRADES) {
    return answer('day_trades', 'fail', `${used} day trades in the last 5 business days with equity ${equity}, below ${formatMoney(PDT_EQUITY_THRESHOLD)}: ${i.brokerName} refuses a 4th, so this run's same-day exit would be refused. Skip this entry, or bring equity to ${formatMoney(PDT_EQUITY_THRESHOLD)}.`);
  }
  if (used === PDT_MAX_DAY_TRADES - 1) {
    return answer('day_trades', 'warn', `${used} of ${PDT_MAX_DAY_TRADES} day trades used in the last 5 business days (equity ${equity}): this run's same-day exit would use the last one.`);
  }
  return answer('day_trades', 'ok', `${used} of ${PDT_MAX_DAY_TRADES} day trades used in the last 5 business days: the exit can be made.`);
}

/**
 * (g) The machine's clock agrees with the broker's within CLOCK_SKEW_BOUND_MS, and within the
 * broker's window for signed requests where it has one (Binance refuses one stamped 1 s ahead of
 * its time: -1021). The broker's time holds its instant to `resolutionMs` (an HTTP Date header:
 * the whole second) at some moment between sending and receiving, so only the part of the
 * difference outside that window counts.
 */
export function clockCheck(i: ReadinessInputs): ReadinessCheck {
  if (i.capabilities.simulated) return answer('clock', 'ok', `The ${i.brokerName} broker keeps this machine's clock.`);
  if (i.account.kind === 'none') return answer('clock', 'unknown', `${i.brokerName} cannot be asked for its time: make sure this machine sets its clock automatically.`);
  if (i.account.kind === 'failed') return answer('clock', 'unknown', `The clock could not be compared with ${i.brokerName}'s: ${i.account.reason}.`);
  const t = i.account.snapshot.brokerTime;
  if (!t) return answer('clock', 'unknown', `${i.brokerName}'s answer carried no Date header to compare clocks with: make sure this machine sets its clock automatically.`);
  const ahead = t.sentAt - (t.date + t.resolutionMs);
  const behind = t.date - t.receivedAt;
  const skew = ahead > 0 ? ahead : behind > 0 ? -behind : 0;
  const bound = `${CLOCK_SKEW_BOUND_MS / 1_000} s`;
  const window = i.capabilities.signedRequestWindow;
  const refused = window !== undefined && (skew >= window.aheadMs || -skew > window.behindMs);
  // A time to the millisecond is named in ms, at the middle of the window it was read in.
  const precise = t.resolutionMs < 1_000;
  const estimate = Math.round((t.sentAt + t.receivedAt) / 2 - (t.date + t.resolutionMs / 2));
  if (Math.abs(skew) <= CLOCK_SKEW_BOUND_MS && !refused) {
    const within = window ? ` and its window for signed requests` : '';
    return answer('clock', 'ok', precise ? `This machine's clock agrees with ${i.brokerName}'s to about ${formatMs(estimate)} (its server time), within ${bound}${within}.` : `This machine's clock agrees with ${i.brokerName}'s within ${bound} (its HTTP Date header, to the second).`);
  }
  const way = skew > 0 ? 'ahead of' : 'behind';
  const by = precise ? formatMs(estimate) : `${(Math.abs(skew) / 1_000).toFixed(1)} s`;
  const fix = 'Turn on automatic time sync (Windows: Settings → Time & language → Set time automatically; macOS: Date & Time; Linux: timedatectl set-ntp true).';
  if (refused) {
    const rule = skew > 0 ? `stamped ${formatMs(window.aheadMs)} or more ahead of its clock` : `stamped more than ${formatMs(window.behindMs)} behind its clock`;
    return answer(
      'clock',
      'fail',
      `This machine's clock is ${by} ${way} ${i.brokerName}'s: ${i.brokerName} refuses every signed request ${rule}, orders too, until Tradeclock has learnt the difference from a refusal and sent again; and the BUY and SELL times run on this machine's clock, ${by} ${skew > 0 ? 'early' : 'late'}. ${fix}`,
    );
  }
  return answer('clock', 'fail', `This machine's clock is ${by} ${way} ${i.brokerName}'s: orders would go out ${by} ${skew > 0 ? 'early' : 'late'}. ${fix}`);
}

/** A span in whole ms, grouped: -5000.4 → "5,000 ms". */
function formatMs(ms: number): string {
  return `${Math.round(Math.abs(ms)).toLocaleString('en-US')} ms`;
}
