/**
 * The crash soak's multi-position strategy (issue 19): a group of option positions at Kite, on the
 * Kite fake's NFO master (tests/fakes/kite/fake-option-chain.ts), one per cycle beside the mix of
 * soak-mix.ts, judged per position by group-judge.ts.
 *
 * The kind is a short straddle with a hedge, NIFTY's current week, one lot each (65, the master's
 * lot size), each position's stop 50 % of its premium, and a combined (MTM) target of ₹1 000:
 *
 *   position 0  BUY  PE atm+2 (two strikes out of the money: 25 900)   the hedge, at 40
 *   position 1  SELL CE atm   (26 000)                                  at 100
 *   position 2  SELL PE atm   (26 000)                                  at 100
 *
 * The hedge is listed first so that an order by position number (recovery's, by run id) is the
 * wrong one: the group enters longs before shorts (the hedge's margin first) and exits shorts
 * before longs (a short alone has no bound to its loss), whatever the trader's order.
 *
 * Two ways out, by cycle (`mtmCycle`): in an MTM cycle, once every position's entry has filled,
 * the soak trades each short's premium 10 below its fill, round and round (the hedge's at its
 * start, so every position has a price): 2 × 10 × 65 = ₹1 300 past the target, and the group's
 * "exit all" (the flag journaled on every run, then each exit, shorts first; the crash point
 * `after-exit-all` between the two). A cycle that kills at `after-exit-all` holds the crossing
 * back until the daemon armed with it is up, so the kill meets the group. In the other cycles the
 * SELL time closes every position, shorts first. No stop is crossed: the hedge exits only with
 * the group, which is what lets the judge hold its exit to the group's order.
 */
import type { SoakBroker } from './soak-broker';
import { orderKey, type BrokerOrder, type OrderKey } from './soak-judge';

/** An order's key, or null for one whose id no parser takes (the judge names it). */
export function keyOf(o: BrokerOrder): OrderKey | null {
  try {
    return orderKey(o.client_order_id);
  } catch {
    return null;
  }
}

export interface GroupPositionSpec {
  readonly side: 'buy' | 'sell';
  readonly option_right: 'CE' | 'PE';
  readonly option_strike: string;
  /** Strikes from the money the rule lands on, signed as strikes go (atm+2 for a PE is 2 below): where the soak finds the contract. */
  readonly strikesFromAtm: number;
  /** The contract's premium at the start of each cycle. */
  readonly premium: number;
}

export interface GroupKind {
  readonly name: 'hedged-short-straddle';
  readonly underlying: 'NIFTY';
  /** The index's tradingsymbol at NSE (its spot) and where the strikes are centred. */
  readonly spotSymbol: 'NIFTY 50';
  readonly spot: number;
  readonly step: number;
  readonly lots: number;
  readonly positions: readonly GroupPositionSpec[];
  /** The strategy-wide keys of its create body: the stop every position takes, the MTM target. */
  readonly exits: Readonly<Record<string, number | string>>;
  /** How far an MTM cycle trades each short's premium below its fill. */
  readonly mtmDrop: number;
}

export const HEDGED_SHORT_STRADDLE: GroupKind = {
  name: 'hedged-short-straddle',
  underlying: 'NIFTY',
  spotSymbol: 'NIFTY 50',
  spot: 26_000,
  step: 50,
  lots: 1,
  positions: [
    { side: 'buy', option_right: 'PE', option_strike: 'atm+2', strikesFromAtm: -2, premium: 40 },
    { side: 'sell', option_right: 'CE', option_strike: 'atm', strikesFromAtm: 0, premium: 100 },
    { side: 'sell', option_right: 'PE', option_strike: 'atm', strikesFromAtm: 0, premium: 100 },
  ],
  exits: { stop_loss: 50, stop_loss_mode: 'percent', mtm_target: 1_000 },
  mtmDrop: 10,
};

/** The contracts a group kind trades at the fake, by position, and the lot size. */
export interface GroupContracts {
  readonly symbols: readonly string[];
  readonly lotSize: number;
}

/**
 * Each position's contract on the fake's NFO master (GET /instruments/NFO, Kite's CSV): the
 * underlying's nearest expiry (the fake lists none before its today), at the strike the rule lands
 * on from the kind's spot. The soak needs them to price the contracts before the choice.
 */
export async function groupContractsAt(restUrl: string, kind: GroupKind): Promise<GroupContracts> {
  const csv = await (await fetch(`${restUrl}/instruments/NFO`, { headers: { 'X-Kite-Version': '3' } })).text();
  const [header, ...lines] = csv.trim().split('\n');
  const col = (name: string) => header!.split(',').indexOf(name);
  const [sym, name, expiry, strike, lot, type] = ['tradingsymbol', 'name', 'expiry', 'strike', 'lot_size', 'instrument_type'].map(col) as [number, number, number, number, number, number];
  const rows = lines.map((l) => l.split(',')).filter((r) => r[name] === `"${kind.underlying}"` && (r[type] === 'CE' || r[type] === 'PE'));
  const nearest = rows.map((r) => r[expiry]!).sort()[0];
  if (nearest === undefined) throw new Error(`the Kite fake's NFO master lists no ${kind.underlying} options`);
  const atm = Math.round(kind.spot / kind.step) * kind.step;
  const symbols = kind.positions.map((p) => {
    const want = atm + p.strikesFromAtm * kind.step;
    const row = rows.find((r) => r[expiry] === nearest && r[type] === p.option_right && Number(r[strike]) === want);
    if (!row) throw new Error(`the Kite fake's NFO master has no ${kind.underlying} ${nearest} ${want} ${p.option_right}`);
    return row[sym]!;
  });
  const lotSize = Number(rows[0]![lot]);
  return { symbols, lotSize };
}

/** POST /strategy/create's body of a group kind, entered at `buyTime` and sold at `sellTime` (UTC times of day). */
export function groupCreateBody(kind: GroupKind, accountId: number, buyTime: string, sellTime: string): Record<string, unknown> {
  return {
    broker_account_id: accountId,
    symbol: kind.underlying,
    exchange: 'NFO',
    qty: kind.lots,
    buy_time: buyTime,
    sell_time: sellTime,
    timezone: 'UTC',
    ...kind.exits,
    positions: kind.positions.map((p) => ({ side: p.side, option_right: p.option_right, option_expiry: 'current_week', option_strike: p.option_strike })),
  };
}

/** Whether a cycle's group leaves by its MTM target (else by the SELL time): every cycle that kills at `after-exit-all`, and the even ones of the rest. */
export const mtmCycle = (cycle: number, specs: readonly string[]): boolean => specs.some((s) => s.startsWith('after-exit-all')) || cycle % 2 === 0;

/** The runs of a strategy's latest day, by position (GET /strategy/{id}'s `position_runs`), or its one run (`runtime`). */
export function groupRuns(dto: any): any[] {
  return Array.isArray(dto?.position_runs) && dto.position_runs.length > 0 ? dto.position_runs : dto?.runtime ? [dto.runtime] : [];
}

/** The states of those runs. */
export const groupStates = (dto: any): string[] => groupRuns(dto).map((r) => String(r.state));

/** Whether a group's day closed by its MTM target: a position's reason says so (exit.ts exitAllClosed). */
export const closedByMtm = (dto: any): boolean => groupRuns(dto).some((r) => typeof r.reason === 'string' && r.reason.includes('(mtm_target)'));

/** The index and every contract at its cycle's start: no crossing yet. */
export async function openGroupMarket(broker: SoakBroker, kind: GroupKind, contracts: GroupContracts): Promise<void> {
  await broker.trade([{ symbol: kind.spotSymbol, price: kind.spot }, ...kind.positions.map((p, i) => ({ symbol: contracts.symbols[i]!, price: p.premium }))]);
}

const cents = (n: number) => Math.round(n * 100) / 100;

/**
 * An MTM cycle's crossing: once every position of `id`'s group has its entry filled at the fake and
 * `gate()` allows, each short's premium traded `mtmDrop` below its fill and the hedge's at its
 * start, every `stepMs`, until every position has an exit filled or the SELL time has come.
 * Resolves with what it saw, for the log.
 */
export async function playGroupMtm(o: {
  readonly broker: SoakBroker;
  readonly kind: GroupKind;
  readonly contracts: GroupContracts;
  readonly id: number;
  readonly sellAt: number;
  readonly stepMs: number;
  readonly gate: () => boolean;
}): Promise<'closed' | 'not entered' | 'gate shut' | 'not closed'> {
  const { broker, kind, contracts, id } = o;
  let crossed = false;
  let entered = false;
  while (Date.now() < o.sellAt) {
    const mine = (await broker.orders()).flatMap((x) => {
      const k = keyOf(x);
      return k?.strategyId === id && Number(x.filled_qty) > 0 ? [{ x, k }] : [];
    });
    const of = (role: 'entry' | 'close', p: number): BrokerOrder[] => mine.filter(({ k }) => k.positionNo === p && (role === 'entry') === (k.role === 'entry')).map(({ x }) => x);
    const fills = kind.positions.map((_, p) => of('entry', p)[0]);
    entered = fills.every((f) => f !== undefined);
    if (entered && kind.positions.every((_, p) => of('close', p).length > 0)) return 'closed';
    if (entered && o.gate()) {
      crossed = true;
      await broker.trade(kind.positions.map((p, i) => ({ symbol: contracts.symbols[i]!, price: p.side === 'sell' ? cents(Number(fills[i]!.filled_avg_price) - kind.mtmDrop) : p.premium })));
    }
    await new Promise((r) => setTimeout(r, o.stepMs));
  }
  return !entered ? 'not entered' : crossed ? 'not closed' : 'gate shut';
}
