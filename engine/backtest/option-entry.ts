/**
 * An option strategy's contract for each backtest run, chosen as the engine chooses it just before
 * the entry (strategy/option-contract.ts): the day's chain (stored-chain.ts: the contracts with
 * bars that day), the index's price at the entry instant from its own bars (the spot listing of
 * core/index-underlyings.ts, e.g. NSE "NIFTY 50"), each premium a premium rule reads from that
 * contract's bars at the same instant, then the same `resolveLegContract` with the spec's expiry
 * and strike rules. The run then replays the chosen contract's bars; a run with no index price or
 * no contract qualifying is skipped, saying why (in the report: the backtest goes on).
 */
import { indexListing } from '../core/index-underlyings';
import type { StoredStrategySpec } from '../core/strategy-spec';
import { optionLegOf, resolveLegContract } from '../options/resolve-leg-contract';
import type { PlannedRun } from '../scheduler/trigger-times';
import { LEAD_MS, priceAt, type ContractDay } from './run-backtest';
import { storedChain, type BarStore } from './stored-chain';

export interface OptionEntryOptions {
  /** Units per lot of the index's options over the backtest's range (the request's `lot_size`). */
  readonly lotSize: number;
  readonly tickSize: number;
}

/**
 * For each planned run, its contract and that contract's bars, or why it is skipped.
 * @example optionContracts(repos.historicalBars, spec, { lotSize: 65, tickSize: 0.05 })(planned) // { kind: 'chosen', symbol: 'NIFTY26D0824000CE', bars }
 */
export function optionContracts(store: BarStore, spec: StoredStrategySpec, options: OptionEntryOptions): (planned: PlannedRun) => ContractDay {
  const right = spec.option_right!;
  const listing = indexListing(spec.symbol);
  const monthlyExpiries = new Map<string, string | null>();
  const long = spec.side !== 'sell';
  return (planned) => {
    if (!listing) return { kind: 'skipped', reason: `${spec.symbol} is not an index Tradeclock trades options on` };
    const at = planned.buyAt;
    const near = (exchange: string, symbol: string) => store.list(exchange, symbol, at - LEAD_MS, at + 60_000);
    const spot = priceAt(near(listing.spot.exchange, listing.spot.symbol), at, true);
    if (spot === null) return { kind: 'skipped', reason: `no bar of ${listing.spot.symbol} (${spec.symbol}'s index, ${listing.spot.exchange}) is stored in the 5 minutes before the entry, so no strike can be chosen` };
    const chain = storedChain(store, planned.tradingDate, { underlying: spec.symbol, listing, lotSize: options.lotSize, tickSize: options.tickSize, monthlyExpiries });
    const leg = resolveLegContract(
      chain,
      optionLegOf({ ...spec, option_right: right }),
      { today: planned.tradingDate, spot, quoteOf: (c) => priceAt(near(c.exchange, c.tradingsymbol), at, long) },
    );
    if (!leg.ok) return { kind: 'skipped', reason: `no ${spec.symbol} ${right} can be chosen from the contracts stored on ${listing.derivatives} that day: ${leg.error.message}` };
    const { tradingsymbol, exchange } = leg.value.contract;
    return { kind: 'chosen', symbol: tradingsymbol, bars: (from, to) => store.list(exchange, tradingsymbol, from, to) };
  };
}
