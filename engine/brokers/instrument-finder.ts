/**
 * What the strategy form asks while the trader types: which instruments of a broker account
 * match the text (and on which exchange each was found), and the last price of one of them.
 * Neither places a request at the broker per keystroke: a search reads the list the broker holds
 * (or, for a broker without one, the instruments it resolved before), and a quote reads the
 * market listener's last tick or the price the broker has at hand, and asks the broker's REST
 * quote only without either (the form asks for a quote once typing pauses, not per keystroke).
 */
import type { EngineContext } from '../context';
import { notFound } from '../core/errors';
import type { BrokerAccountId, UserId } from '../core/ids';
import { instrumentKey, type Exchange } from '../core/types';
import type { Broker, Instrument, InstrumentMatch, QtyRules, Quote as BrokerQuote } from './broker';
import { rankMatches } from './rank-matches';

/** The most matches one search answers; the form shows a short list, not a catalogue. */
export const INSTRUMENT_SEARCH_MAX = 20;

/** The last price of an instrument as the form shows it. */
export interface Quote {
  readonly symbol: string;
  readonly exchange: Exchange;
  /** False when the broker does not list the symbol on that exchange. */
  readonly known: boolean;
  /** Null when no price has been seen yet ("no price yet"). */
  readonly price: number | null;
  /** Epoch ms of that price; null with it. */
  readonly at: number | null;
  /** What the instrument says of its quantities (step, least quantity and order value); null when not listed. */
  readonly rules: QtyRules | null;
}

/**
 * Up to `limit` instruments of the user's account matching `text`, on `exchange` or on any
 * exchange the account trades.
 *
 * @example await searchInstruments(ctx, userId, accountId, 'INF', { limit: 8 }) // [{ symbol: 'INFY', exchange: 'NSE', … }]
 */
export async function searchInstruments(
  ctx: EngineContext,
  userId: UserId,
  accountId: BrokerAccountId,
  text: string,
  { exchange, limit }: { readonly exchange?: Exchange | undefined; readonly limit: number },
): Promise<InstrumentMatch[]> {
  if (!ctx.repos.brokerAccounts.get(userId, accountId)) throw notFound('broker account');
  const broker = await ctx.brokers.get(accountId);
  const traded = broker.capabilities.exchanges;
  if (exchange !== undefined && !traded.includes(exchange)) return [];
  if (broker.instruments.search) {
    const found = await broker.instruments.search(text, { exchange, limit });
    return found.filter((m) => traded.includes(m.exchange)).slice(0, limit);
  }
  const stored = ctx.repos.instruments
    .listForAccountInternal(accountId)
    .filter((r) => traded.includes(r.exchange as Exchange) && (exchange === undefined || r.exchange === exchange))
    .map((r) => ({ symbol: r.symbol, exchange: r.exchange as Exchange, name: '', tickSize: r.tickSize }));
  return rankMatches(stored, text, limit).map((r) => ({ ...r, name: null }));
}

/**
 * The last price of `symbol` on `exchange` at the user's account: the last tick the engine saw
 * (a running strategy watches it), else what the broker has at hand (the paper market), else one
 * REST quote, only for an instrument with a least order value (a crypto pair's `minNotional`, the
 * form checks the quantity against it) and only as optional work (`data.optionalQuote`: never
 * from the budget's reserve for orders, kept a few seconds per pair), else none: a quote that is
 * skipped or fails is no price, never an error. Other instruments need no price to be checked,
 * and their brokers' quote requests are shared with what exits need (Kite's LTP: 1 a second, with
 * the GTTs and the stale-price check), so the form never asks for one.
 */
export async function quoteOf(ctx: EngineContext, userId: UserId, accountId: BrokerAccountId, symbol: string, exchange: Exchange): Promise<Quote> {
  if (!ctx.repos.brokerAccounts.get(userId, accountId)) throw notFound('broker account');
  const broker = await ctx.brokers.get(accountId);
  const instrument = broker.capabilities.exchanges.includes(exchange) ? await ctx.instruments.lookup(accountId, symbol, exchange) : null;
  if (!instrument) return { symbol, exchange, known: false, price: null, at: null, rules: null };
  const rules = { qtyStep: instrument.qtyStep ?? null, minQty: instrument.minQty ?? null, minNotional: instrument.minNotional ?? null };
  const last = ctx.market.lastPrice(accountId, instrumentKey(exchange, instrument.symbol));
  if (last) return { symbol: instrument.symbol, exchange, known: true, price: last.price, at: last.at, rules };
  const atHand = broker.data.lastPrice?.(instrument) ?? null;
  if (atHand !== null || rules.minNotional === null || !broker.data.optionalQuote) return { symbol: instrument.symbol, exchange, known: true, price: atHand, at: atHand === null ? null : ctx.clock.now(), rules };
  const asked = await askedQuote(ctx, broker, instrument);
  return { symbol: instrument.symbol, exchange, known: true, price: asked?.price ?? null, at: asked ? (asked.at ?? ctx.clock.now()) : null, rules };
}

async function askedQuote(ctx: EngineContext, broker: Broker, instrument: Instrument): Promise<BrokerQuote | null> {
  try {
    const quote = await broker.data.optionalQuote!(instrument);
    return quote && quote.symbol === instrument.symbol && quote.exchange === instrument.exchange ? quote : null;
  } catch (err) {
    ctx.logger.debug({ err, symbol: instrument.symbol }, 'no REST quote for the symbol');
    return null;
  }
}
