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
 * broker's window for signed requests where it has one (Binance refuses one stamped 1 000 ms or
 * more ahead of its time: -1021). The broker read its clock at some instant between sending and
 * receiving here, and states it to `resolutionMs` (an HTTP Date header: the whole second), so the
 * difference is known only between two bounds: a failure needs the nearer bound past the limit; a
 * window the farther bound reaches is a warning.
 */
export function clockCheck(i: ReadinessInputs): ReadinessCheck {
  if (i.capabilities.simulated) return answer('clock', 'ok', `The ${i.brokerName} broker keeps this machine's clock.`);
  if (i.account.kind === 'none') return answer('clock', 'unknown', `${i.brokerName} cannot be asked for its time: make sure this machine sets its clock automatically.`);
  if (i.account.kind === 'failed') return answer('clock', 'unknown', `The clock could not be compared with ${i.brokerName}'s: ${i.account.reason}.`);
  const t = i.account.snapshot.brokerTime;
  const failure = i.account.snapshot.brokerTimeFailure;
  if (!t && failure) return answer('clock', 'unknown', `The clock could not be compared with ${i.brokerName}'s: ${failure}. Make sure this machine sets its clock automatically.`);
  if (!t) return answer('clock', 'unknown', `${i.brokerName}'s answer carried no Date header to compare clocks with: make sure this machine sets its clock automatically.`);
  // How far this machine's clock is ahead of the broker's (negative: behind), in whole ms: at least
  // `low` (our stamp was sentAt or later, the broker's at most date + resolutionMs - 1), at most `high`.
  const low = t.sentAt - (t.date + t.resolutionMs - 1);
  const high = t.receivedAt - t.date;
  const skew = low > 0 ? low : high < 0 ? high : 0;
  const bound = `${CLOCK_SKEW_BOUND_MS / 1_000} s`;
  const window = i.capabilities.signedRequestWindow;
  const refused = window !== undefined && (low >= window.aheadMs || -high > window.behindMs);
  const mayBeRefused = window !== undefined && (high >= window.aheadMs || -low > window.behindMs);
  // A time to the millisecond is named in ms, at the middle of the window it was read in.
  const precise = t.resolutionMs < 1_000;
  const estimate = Math.round((t.sentAt + t.receivedAt) / 2 - (t.date + t.resolutionMs / 2));
  const by = precise ? formatMs(estimate) : `${(Math.abs(skew) / 1_000).toFixed(1)} s`;
  const fix = 'Turn on automatic time sync (Windows: Settings → Time & language → Set time automatically; macOS: Date & Time; Linux: timedatectl set-ntp true).';
  if (refused) {
    const way = low >= window.aheadMs ? 'ahead of' : 'behind';
    const rule = way === 'ahead of' ? `stamped ${formatMs(window.aheadMs)} or more ahead of its clock` : `stamped more than ${formatMs(window.behindMs)} behind its clock`;
    return answer(
      'clock',
      'fail',
      `This machine's clock is ${by} ${way} ${i.brokerName}'s: ${i.brokerName} refuses every signed request ${rule} (-1021). Tradeclock learns the difference from ${i.brokerName}'s time after such a refusal and stamps later requests with it, but an order sent before then is refused, and the BUY and SELL times run on this machine's clock, ${by} ${way === 'ahead of' ? 'early' : 'late'}. ${fix}`,
    );
  }
  if (Math.abs(skew) > CLOCK_SKEW_BOUND_MS) {
    return answer('clock', 'fail', `This machine's clock is ${by} ${skew > 0 ? 'ahead of' : 'behind'} ${i.brokerName}'s: orders would go out ${by} ${skew > 0 ? 'early' : 'late'}. ${fix}`);
  }
  if (mayBeRefused) {
    const ahead = high >= window.aheadMs;
    const span = ahead ? `between ${formatMs(Math.max(0, low))} and ${formatMs(high)} ahead of` : `between ${formatMs(Math.max(0, -high))} and ${formatMs(-low)} behind`;
    const rule = ahead ? `stamped ${formatMs(window.aheadMs)} or more ahead of its clock` : `stamped more than ${formatMs(window.behindMs)} behind its clock`;
    return answer('clock', 'warn', `This machine's clock is ${span} ${i.brokerName}'s (its answer took ${formatMs(t.receivedAt - t.sentAt)}): ${i.brokerName} refuses a signed request ${rule} (-1021), so orders may be refused. ${fix}`);
  }
  const within = window ? ` and its window for signed requests` : '';
  return answer('clock', 'ok', precise ? `This machine's clock agrees with ${i.brokerName}'s to about ${formatMs(estimate)} (its server time), within ${bound}${within}.` : `This machine's clock agrees with ${i.brokerName}'s within ${bound} (its HTTP Date header, to the second).`);
}

/** A span in whole ms, grouped: -5000.4 → "5,000 ms". */
function formatMs(ms: number): string {
  return `${Math.round(Math.abs(ms)).toLocaleString('en-US')} ms`;
}
