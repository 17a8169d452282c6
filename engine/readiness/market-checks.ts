/**
 * The readiness checks about the market: the exchange is open on the entry's day and at its time
 * (holidays, weekends, early closes) and at the exit's, and the price feed is live. Pure functions
 * of ReadinessInputs, as account-checks.ts.
 */
import type { ReadinessCheck } from '../core/readiness';
import { exchangeTimeOf, sessionOn } from '../scheduler/market-hours';
import { formatDelay, zonedTime } from '../terminal/words';
import type { FeedFacts, ReadinessInputs } from './readiness-inputs';

/** The last price may be this old, with the feed's state unknown, and still count as arriving. */
export const LIVE_PRICE_MAX_AGE_MS = 60_000;

const short = (time: string) => time.slice(0, 5);

/**
 * (e) The exchange is open at the entry and at the exit, and, where the venue states its own
 * status of the pair (a crypto venue halts a pair apart from any calendar), it takes orders for it.
 */
export function marketOpenCheck(i: ReadinessInputs): ReadinessCheck {
  if (i.capabilities.simulated) return marketAnswer('ok', `The ${i.brokerName} market trades at any hour.`);
  const hours = calendarCheck(i);
  if (hours.status === 'fail' || i.pair.kind === 'none') return hours;
  const open = hours.message.replace(/\.$/, '');
  if (i.pair.kind === 'failed') return marketAnswer('unknown', `${open}, but whether ${i.brokerName} takes orders for ${i.symbol} now could not be checked: ${i.pair.reason}.`);
  const { status, trading } = i.pair.facts;
  if (trading) return marketAnswer(hours.status, `${open}, and ${i.brokerName} lists ${i.symbol} as ${status}.`);
  return marketAnswer(
    'fail',
    `${i.brokerName} lists ${i.symbol} as ${status}, not TRADING: it takes no orders for it, so the entry cannot be placed (nor a position sold) until it trades again. Watch ${i.brokerName}'s announcements, and stop the strategy if the pair stays ${status}.`,
  );
}

const marketAnswer = (status: ReadinessCheck['status'], message: string): ReadinessCheck => ({ check: 'market_open', status, message });

/** The exchange's calendar: open on the entry's day and at its time (holidays, weekends, early closes), and at the exit's. */
function calendarCheck(i: ReadinessInputs): ReadinessCheck {
  const answer = marketAnswer;
  const entry = exchangeTimeOf(i.entryAt, i.exchange);
  const exit = exchangeTimeOf(i.exitAt, i.exchange);
  const atEntry = sessionOn(i.exchange, entry.date, i.calendar);
  if (atEntry.kind === 'always') return answer('ok', `${i.exchange} trades at every hour.`);
  if (atEntry.kind === 'closed') return answer('fail', `${i.exchange} is closed on ${entry.date} (${atEntry.why}): the entry at ${zonedTime(i.entryAt, i.timezone)} cannot fill. Stop the strategy for that day or check the holiday list.`);
  if (entry.time < atEntry.open || entry.time >= atEntry.close) {
    return answer('fail', `The entry at ${zonedTime(i.entryAt, i.timezone)} is outside ${i.exchange}'s hours on ${entry.date} (${short(atEntry.open)}–${short(atEntry.close)} ${atEntry.timezone}${atEntry.early ? ', an early close' : ''}): move the BUY time inside them.`);
  }
  const atExit = exit.date === entry.date ? atEntry : sessionOn(i.exchange, exit.date, i.calendar);
  if (atExit.kind === 'closed') return answer('fail', `${i.exchange} is closed on ${exit.date} (${atExit.why}), the day of the exit at ${zonedTime(i.exitAt, i.timezone)}: the position cannot be closed then.`);
  if (atExit.kind === 'hours' && (exit.time <= atExit.open || exit.time > atExit.close)) {
    return answer(
      'fail',
      `The exit at ${zonedTime(i.exitAt, i.timezone)} is outside ${i.exchange}'s hours on ${exit.date} (${short(atExit.open)}–${short(atExit.close)} ${atExit.timezone}${atExit.early ? ': it closes early that day' : ''}): move the SELL time before ${short(atExit.close)}, or the position stays open past the close.`,
    );
  }
  return answer('ok', `${i.exchange} is open ${short(atEntry.open)}–${short(atEntry.close)} ${atEntry.timezone} on ${entry.date}${atEntry.early ? ' (an early close)' : ''}: the entry and the exit fall inside.`);
}

/**
 * (f) The price feed is live: the broker's feed state, and the age of the instrument's last price.
 * The one place that decides it, so a finer source (each instrument's price age) is added here.
 */
export function priceFeedCheck(feed: FeedFacts, now: number, symbol: string): ReadinessCheck {
  const answer = (status: ReadinessCheck['status'], message: string): ReadinessCheck => ({ check: 'price_feed', status, message });
  const age = feed.lastPrice ? ` (the last ${symbol} price came ${formatDelay(Math.max(0, now - feed.lastPrice.at))} ago)` : '';
  const detail = feed.detail ? `: ${feed.detail}` : '';
  if (feed.state === 'down') return answer('fail', `The price feed is down${detail}${age}: stop-losses cannot trigger until prices come back. Check the network and the broker account.`);
  if (feed.state === 'stale') return answer('warn', `The price feed has gone quiet${detail}${age}: the stop-loss may act on an old price. Check the network.`);
  if (feed.streamStale) return answer('warn', `The stream has given no ${symbol} price${age || ' yet'} while a REST quote shows a newer one: the stop-loss acts on REST quotes until the stream is back. Check the network and the broker account.`);
  if (feed.state === 'up') return answer('ok', `The price feed is up${age}.`);
  if (feed.lastPrice && now - feed.lastPrice.at <= LIVE_PRICE_MAX_AGE_MS) return answer('ok', `Prices are arriving${age}.`);
  return answer('unknown', `The broker has not reported its price feed yet${age}: wait for the connection, and check the broker account if it does not come up.`);
}
