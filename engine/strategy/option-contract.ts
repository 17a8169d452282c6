/**
 * Chooses an option run's contract (every position's of a group, from one price of the index) a
 * few seconds before its entry (issue 19): the days-to-expiry filter first (a day outside it is
 * skipped before anything is asked of the market), the index's price
 * from the feed, the premiums a premium or straddle-width rule reads, then `resolveLegContract` on the option chain
 * the broker holds (warmed by the readiness check minutes before; downloaded here only as a last
 * resort). The choice is journaled in the run's plan (runs.plan: symbol, exchange and qty become
 * the contract's, `option_contract` says how it was chosen) before any order exists, so the
 * entry's order, a restart and every exit read the same contract and nothing chooses again.
 */
import { instrumentKey, type Exchange, type Run } from '../core/types';
import { asBrokerAccountId, type BrokerAccountId } from '../core/ids';
import { indexListing } from '../core/index-underlyings';
import type { OptionContractSpec, RunPlanSpec } from '../core/run-plan-spec';
import type { EngineContext } from '../context';
import type { Broker, Instrument } from '../brokers/broker';
import type { DerivativeContract, OptionChain } from '../options/option-chain';
import { daysToExpiry } from '../options/expiry-select';
import { atmIndex } from '../options/strike-resolve';
import { legExpiry, legOf, resolveLegContract, type OptionLeg } from '../options/resolve-leg-contract';
import { exchangeToday } from '../scheduler/trigger-times';

/** Strikes either side of the money whose premiums a premium rule reads (one quote request). */
const PREMIUM_STRIKES_EACH_SIDE = 20;


export type ContractChoice = { readonly kind: 'chosen'; readonly run: Run } | { readonly kind: 'refused'; readonly reason: string };

/**
 * The runs of one strategy's day (a group of positions, or its one run), each with its contract
 * journaled (as it was, when it had one or trades no option), or why none can be chosen for it
 * (its entry is then skipped, saying so); one choice per run, in the order given. Every contract
 * of the group is chosen from one read of the index's price, so a straddle's CE and PE get the
 * same ATM, and all are journaled in one transaction, or none when one cannot be chosen (each
 * refusal naming the position that could not): a restart finds all or none.
 * @example await chooseContracts(ctx, [ce, pe]) // [{ kind: 'chosen', run: { …, plan: { symbol: 'NIFTY26D0826000CE', … } } }, { kind: 'chosen', run: { …, plan: { symbol: 'NIFTY26D0826000PE', … } } }]
 */
export async function chooseContracts(ctx: EngineContext, runs: readonly Run[]): Promise<ContractChoice[]> {
  const todo = runs.filter((r) => r.plan?.option_right !== undefined && r.plan.option_contract === undefined);
  const first = todo[0]?.plan;
  if (!first) return runs.map((run) => ({ kind: 'chosen', run }));
  const refuseAll = (reason: string) => runs.map((run): ContractChoice => (todo.includes(run) ? { kind: 'refused', reason } : { kind: 'chosen', run }));
  const listing = indexListing(first.symbol);
  if (!listing) return refuseAll(`${first.symbol} is not an index Tradeclock trades options on`);
  const accountId = asBrokerAccountId(first.broker_account_id);
  const broker = await ctx.brokers.get(accountId);
  if (!broker.optionChains) return refuseAll(`this ${broker.capabilities.kind} account lists no options`);
  const chain = await heldChain(ctx, broker, listing.derivatives, todo[0]!);
  const today = exchangeToday(listing.derivatives, ctx.clock.now());
  const filtered = dteRefusal(chain, dteRun(todo).plan!, today);
  if (filtered !== null) return refuseAll(filtered);
  const spot = await lastOrQuoted(ctx, broker, accountId, listing.spot);
  if (spot === null) return refuseAll(`no price of ${listing.spot.symbol} (${first.symbol}'s index) has arrived, so no strike can be chosen`);
  const plans = new Map<Run['id'], RunPlanSpec | string>();
  /** Which position took each contract: two positions on one contract would confuse what each holds. */
  const taken = new Map<string, number>();
  /** The premiums asked once per group: a straddle's width rules (the same ATM CE and PE) or two premium rules of one right make one quote request, not one per position (Kite quotes once a second). */
  const asked = new Map<string, Promise<Map<string, number>>>();
  for (const run of todo) {
    const plan = run.plan!;
    const spec = legOf({ ...plan, option_right: plan.option_right! });
    let premiums = new Map<string, number>();
    if (spec.kind === 'option' && (spec.strike.kind === 'premium_nearest' || spec.strike.kind === 'straddle_width')) {
      const key = JSON.stringify([spec.underlying, spec.expiry, spec.strike.kind === 'straddle_width' ? 'width' : spec.right]);
      if (!asked.has(key)) asked.set(key, premiumsNear(ctx, broker, accountId, chain, spec, today, spot));
      premiums = await asked.get(key)!;
    }
    const leg = resolveLegContract(chain, spec, { today, spot, quoteOf: (c) => premiums.get(c.tradingsymbol) ?? null });
    if (!leg.ok) {
      plans.set(run.id, `no ${plan.symbol} ${plan.option_right} can be chosen: ${leg.error.message}`);
      continue;
    }
    const { contract } = leg.value;
    const other = taken.get(contract.tradingsymbol);
    if (other !== undefined) {
      plans.set(run.id, `${contract.tradingsymbol} is position ${other + 1}'s contract too: one contract is one position`);
      continue;
    }
    taken.set(contract.tradingsymbol, run.positionNo);
    const chosen: OptionContractSpec = {
      underlying: plan.symbol,
      expiry: contract.expiry,
      strike: spec.kind === 'future' ? null : contract.strike,
      right: plan.option_right!,
      lot_size: contract.lotSize,
      lots: plan.qty,
      spot,
      atm: leg.value.atm,
      premium: leg.value.premium,
      resolved_at: ctx.clock.now(),
    };
    plans.set(run.id, { ...plan, symbol: contract.tradingsymbol, exchange: contract.exchange as RunPlanSpec['exchange'], qty: plan.qty * contract.lotSize, option_contract: chosen });
  }
  // A group is chosen whole or not at all: one position chosen now and another later would read two index prices.
  const refused = todo.find((r) => typeof plans.get(r.id) === 'string');
  if (refused && todo.length > 1) {
    const why = `position ${refused.positionNo + 1}: ${plans.get(refused.id) as string}`;
    for (const r of todo) if (typeof plans.get(r.id) !== 'string') plans.set(r.id, `no contract is chosen until every position's can be (${why})`);
  }
  // Journaled only while a run still waits for it: a STOP meanwhile, or a second caller that chose first, wins.
  const journaled = ctx.repos.transaction(() =>
    runs.map((run): ContractChoice => {
      const next = plans.get(run.id);
      const now = ctx.repos.runs.getInternal(run.id);
      if (!now) return { kind: 'refused', reason: 'the run is gone' };
      if (typeof next === 'string') return { kind: 'refused', reason: next };
      if (next === undefined || now.state !== 'ARMED' || now.plan?.option_contract !== undefined) return { kind: 'chosen', run: now };
      return { kind: 'chosen', run: ctx.repos.runs.update(run.id, { plan: next }, ctx.clock.now()) };
    }),
  );
  for (const c of journaled) {
    if (c.kind === 'chosen' && todo.some((r) => r.id === c.run.id)) {
      ctx.logger.info({ strategyId: c.run.strategyId, runId: c.run.id, positionNo: c.run.positionNo, contract: c.run.plan?.symbol, spot, atm: c.run.plan?.option_contract?.atm }, 'option contract chosen for the entry');
    }
  }
  return journaled;
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

/**
 * An instrument's last price from the feed, else asked of the broker (the price it holds, then its
 * REST quote): the index's for the strikes, a contract's before an entry checked against a premium
 * level (strategy-manager.ts quoteThenEnter). Null when none can be had.
 */
export async function lastOrQuoted(ctx: EngineContext, broker: Broker, accountId: BrokerAccountId, spot: { readonly exchange: Exchange; readonly symbol: string }): Promise<number | null> {
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
 * The run whose expiry the days-to-expiry filter counts to: a group's first option position (a
 * future's monthly expiry is weeks away while the options it hedges expire this week; a group of
 * futures only is refused `dte` at save, position-spec.ts positionRules), else the one run.
 */
function dteRun(runs: readonly Run[]): Run {
  const byPosition = [...runs].sort((a, b) => a.positionNo - b.positionNo);
  return byPosition.find((r) => r.plan?.option_right !== 'FUT') ?? byPosition[0]!;
}

/**
 * Why today is outside the run's days-to-expiry filter (`dte`), or null when it has none or today
 * is in it: the days counted to the expiry the run's rule names today (a group's: dteRun's).
 * A rule that names no expiry passes: the resolution then says why no contract can be chosen.
 */
function dteRefusal(chain: OptionChain, plan: RunPlanSpec, today: string): string | null {
  if (plan.dte === undefined) return null;
  const expiry = legExpiry(chain, legOf({ ...plan, option_right: plan.option_right! }), today);
  if (!expiry.ok) return null;
  const dte = daysToExpiry(today, expiry.value);
  return plan.dte.includes(dte) ? null : `the day is outside the dte filter: ${today} is ${dte} ${dte === 1 ? 'day' : 'days'} to the ${expiry.value} expiry, and the strategy enters at dte ${plan.dte.join(', ')} only`;
}

/**
 * Premiums a rule reads on its expiry, by tradingsymbol, in one quote request (the broker's REST
 * quote, else the price it has at hand): premium nearest, the right's contracts near the money;
 * straddle width, the ATM CE and PE (ATM as the resolution takes it). A contract without one is
 * left out: the rule skips it, or names it.
 */
async function premiumsNear(ctx: EngineContext, broker: Broker, accountId: BrokerAccountId, chain: OptionChain, leg: OptionLeg, today: string, spot: number): Promise<Map<string, number>> {
  const expiry = legExpiry(chain, leg, today);
  const ladder = expiry.ok ? chain.ladder(leg.underlying, expiry.value) : null;
  if (!ladder) return new Map();
  const contracts: DerivativeContract[] = [];
  if (leg.strike.kind === 'straddle_width') {
    const atm = atmIndex(ladder, spot);
    if (!atm.ok) return new Map();
    for (const right of ['CE', 'PE'] as const) {
      const c = ladder.contract(atm.value, right);
      if (c) contracts.push(c);
    }
  } else {
    let atm = 0;
    for (let i = 1; i < ladder.strikes.length; i++) if (Math.abs(ladder.strikes[i]! - spot) < Math.abs(ladder.strikes[atm]! - spot)) atm = i;
    for (let i = Math.max(0, atm - PREMIUM_STRIKES_EACH_SIDE); i <= Math.min(ladder.strikes.length - 1, atm + PREMIUM_STRIKES_EACH_SIDE); i++) {
      const c = ladder.contract(i, leg.right);
      if (c) contracts.push(c);
    }
  }
  const instruments = (await Promise.all(contracts.map((c) => ctx.instruments.lookup(accountId, c.tradingsymbol, c.exchange as Exchange)))).filter((i): i is Instrument => i !== null);
  const quotes = broker.data.quote ? await broker.data.quote(instruments) : instruments.map((i) => ({ symbol: i.symbol, price: broker.data.lastPrice?.(i) ?? null }));
  return new Map(quotes.flatMap((q) => (q.price === null ? [] : [[q.symbol, q.price] as const])));
}


/**
 * What a position's entry must be checked against before it goes, when a level of its plan is a
 * premium (price mode): its stop-loss or target as the trader reads it (strategy-manager.ts
 * quoteThenEnter); null for any other run (a strategy of one position enters without a price, as
 * it always has).
 * @example premiumLevelOf(shortCe) // 'stop-loss is the premium 180'
 */
export function premiumLevelOf(run: Run): string | null {
  const plan = run.plan;
  if (plan?.position_no === undefined) return null;
  if (plan.stop_loss_mode === 'price') return `stop-loss is the premium ${plan.stop_loss}`;
  if (plan.target !== undefined && plan.target_mode === 'price') return `target is the premium ${plan.target}`;
  return null;
}
