import type { BrokerAccountId } from '../core/ids';
import type { Exchange } from '../core/types';
import type { Broker, Instrument } from '../brokers/broker';
import type { EngineContext } from '../context';

/**
 * The broker session and the instrument an order is placed with. Throws, before anything is
 * sent, when either cannot be had (a session that will not open, an instrument lookup that
 * failed, a symbol the broker no longer knows): the callers tell "not sent" from "no answer".
 */
export async function orderTarget(ctx: Pick<EngineContext, 'brokers' | 'instruments'>, accountId: BrokerAccountId, symbol: string, exchange: Exchange): Promise<{ broker: Broker; instrument: Instrument }> {
  const broker = await ctx.brokers.get(accountId);
  return { broker, instrument: await ctx.instruments.require(accountId, symbol, exchange) };
}
