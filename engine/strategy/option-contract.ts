/**
 * Chooses an option run's contract a few seconds before its entry (issue 19): the index's price
 * from the feed, the premiums a premium rule reads, then `resolveLegContract` on the option chain
 * the broker holds (warmed by the readiness check minutes before; downloaded here only as a last
 * resort). The choice is journaled in the run's plan (runs.plan: symbol, exchange and qty become
 * the contract's, `option_contract` says how it was chosen) before any order exists, so the
 * entry's order, a restart and every exit read the same contract and nothing chooses again.
 */
import { DateTime } from 'luxon';
import { instrumentKey, type Exchange, type Run } from '../core/types';
import { asBrokerAccountId, type BrokerAccountId } from '../core/ids';
import { indexListing } from '../core/index-underlyings';
import type { OptionContractSpec, RunPlanSpec } from '../core/run-plan-spec';
import type { EngineContext } from '../context';
import type { Broker, Instrument } from '../brokers/broker';
import type { DerivativeContract, OptionChain } from '../options/option-chain';
import { selectExpiry } from '../options/expiry-select';
import { optionLegOf, resolveLegContract, type OptionLeg } from '../options/resolve-leg-contract';

/** Strikes either side of the money whose premiums a premium rule reads (one quote request). */
const PREMIUM_STRIKES_EACH_SIDE = 20;


export type ContractChoice = { readonly kind: 'chosen'; readonly run: Run } | { readonly kind: 'refused'; readonly reason: string };

/**
 * The run with its contract journaled (as it was, when it had one or trades no option), or why no
 * contract can be chosen (the entry is then skipped, saying so).
 * @example await chooseContract(ctx, run) // { kind: 'chosen', run: { …, plan: { symbol: 'NIFTY26D0826000CE', exchange: 'NFO', qty: 65, option_contract: { … } } } }
 */
export async function chooseContract(ctx: EngineContext, run: Run): Promise<ContractChoice> {
  const plan = run.plan;
  if (!plan || plan.option_right === undefined || plan.option_contract !== undefined) return { kind: 'chosen', run };
  const listing = indexListing(plan.symbol);
  if (!listing) return { kind: 'refused', reason: `${plan.symbol} is not an index Tradeclock trades options on` };
  const accountId = asBrokerAccountId(plan.broker_account_id);
  const broker = await ctx.brokers.get(accountId);
  if (!broker.optionChains) return { kind: 'refused', reason: `this ${broker.capabilities.kind} account lists no options` };
  const chain = await heldChain(ctx, broker, listing.derivatives, run);
  const spot = await spotPrice(ctx, broker, accountId, listing.spot);
  if (spot === null) return { kind: 'refused', reason: `no price of ${listing.spot.symbol} (${plan.symbol}'s index) has arrived, so no strike can be chosen` };
  const today = DateTime.fromMillis(ctx.clock.now(), { zone: 'Asia/Kolkata' }).toISODate()!;
  const spec = optionLegOf({ ...plan, option_right: plan.option_right });
  const premiums = spec.strike.kind === 'premium_nearest' ? await premiumsNear(ctx, broker, accountId, chain, spec, today, spot) : new Map<string, number>();
  const leg = resolveLegContract(chain, spec, { today, spot, quoteOf: (c) => premiums.get(c.tradingsymbol) ?? null });
  if (!leg.ok) return { kind: 'refused', reason: `no ${plan.symbol} ${plan.option_right} can be chosen: ${leg.error.message}` };
  const { contract } = leg.value;
  const chosen: OptionContractSpec = {
    underlying: plan.symbol,
    expiry: contract.expiry,
    strike: contract.strike,
    right: plan.option_right,
    lot_size: contract.lotSize,
    lots: plan.qty,
    spot,
    atm: leg.value.atm,
    premium: leg.value.premium,
    resolved_at: ctx.clock.now(),
  };
  const next: RunPlanSpec = { ...plan, symbol: contract.tradingsymbol, exchange: contract.exchange as RunPlanSpec['exchange'], qty: plan.qty * contract.lotSize, option_contract: chosen };
  // Journaled only while the run still waits for it: a STOP meanwhile, or a second caller that chose first, wins.
  const journaled = ctx.repos.transaction(() => {
    const now = ctx.repos.runs.getInternal(run.id);
    if (!now || now.state !== 'ARMED' || now.plan?.option_contract !== undefined) return now;
    return ctx.repos.runs.update(run.id, { plan: next }, ctx.clock.now());
  });
  if (!journaled) return { kind: 'refused', reason: 'the run is gone' };
  ctx.logger.info({ strategyId: run.strategyId, runId: run.id, contract: journaled.plan?.symbol, spot, atm: leg.value.atm }, 'option contract chosen for the entry');
  return { kind: 'chosen', run: journaled };
}

/** The chain held now; loaded here only when the readiness check could not (logged: the entry waits for a download). */
async function heldChain(ctx: EngineContext, broker: Broker, exchange: 'NFO' | 'BFO', run: Run): Promise<OptionChain> {
  const held = broker.optionChains!.current(exchange);
  if (held) return held;
  ctx.logger.warn({ strategyId: run.strategyId, runId: run.id, exchange }, `no ${exchange} option chain was loaded before the entry: loading it now`);
  await broker.optionChains!.warm(exchange);
  const loaded = broker.optionChains!.current(exchange);
  if (!loaded) throw new Error(`the ${exchange} option chain could not be loaded`);
  return loaded;
}

/** The index's last price from the feed, else asked of the broker. */
async function spotPrice(ctx: EngineContext, broker: Broker, accountId: BrokerAccountId, spot: { readonly exchange: Exchange; readonly symbol: string }): Promise<number | null> {
  const fed = ctx.market.lastPrice(accountId, instrumentKey(spot.exchange, spot.symbol));
  if (fed) return fed.price;
  const instrument = await ctx.instruments.lookup(accountId, spot.symbol, spot.exchange);
  if (!instrument) return null;
  const held = broker.data.lastPrice?.(instrument);
  if (held != null) return held;
  const quoted = await broker.data.quote?.([instrument]);
  return quoted?.[0]?.price ?? null;
}

/**
 * Premiums of the right's contracts near the money on the rule's expiry, by tradingsymbol, in one
 * quote request (the broker's REST quote, else the price it has at hand). A contract without one is
 * left out: the rule skips it.
 */
async function premiumsNear(ctx: EngineContext, broker: Broker, accountId: BrokerAccountId, chain: OptionChain, leg: OptionLeg, today: string, spot: number): Promise<Map<string, number>> {
  const calendar = chain.calendar(leg.underlying);
  const expiry = calendar && selectExpiry(calendar, leg.expiry, today);
  const ladder = expiry?.ok ? chain.ladder(leg.underlying, expiry.value) : null;
  if (!ladder) return new Map();
  let atm = 0;
  for (let i = 1; i < ladder.strikes.length; i++) if (Math.abs(ladder.strikes[i]! - spot) < Math.abs(ladder.strikes[atm]! - spot)) atm = i;
  const contracts: DerivativeContract[] = [];
  for (let i = Math.max(0, atm - PREMIUM_STRIKES_EACH_SIDE); i <= Math.min(ladder.strikes.length - 1, atm + PREMIUM_STRIKES_EACH_SIDE); i++) {
    const c = ladder.contract(i, leg.right);
    if (c) contracts.push(c);
  }
  const instruments = (await Promise.all(contracts.map((c) => ctx.instruments.lookup(accountId, c.tradingsymbol, c.exchange as Exchange)))).filter((i): i is Instrument => i !== null);
  const quotes = broker.data.quote ? await broker.data.quote(instruments) : instruments.map((i) => ({ symbol: i.symbol, price: broker.data.lastPrice?.(i) ?? null }));
  return new Map(quotes.flatMap((q) => (q.price === null ? [] : [[q.symbol, q.price] as const])));
}

