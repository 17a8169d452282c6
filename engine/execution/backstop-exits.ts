/**
 * The backstop in the engine's order flow (issue 20, docs/plans/issue-20-protection.md §1): placed
 * when a leg's entry is done, cleared before every exit of the leg (the exit waits for the
 * broker's answer), and a backstop that fired is journaled as the leg's exit (leg BACKSTOP)
 * through the run policy, so no second exit goes out. The keeper (backstop-keeper.ts) does the
 * calls; this decides when, and what the journal makes of the answer.
 */
import { backstopPlanOf } from '../core/run-policy/backstop';
import { exitSide } from '../core/run-policy/exit';
import type { BrokerAccountId } from '../core/ids';
import { OPEN_BACKSTOP_STATES, type Backstop, type Run } from '../core/types';
import type { EngineEvent } from '../core/events';
import type { RunEvent } from '../core/run-policy/types';
import type { Broker, Instrument, OrderReport, RestingStopReport } from '../brokers/broker';
import type { EngineContext } from '../context';
import { BackstopKeeper, type ExitClearance } from './backstop-keeper';
import { orderTarget } from './order-target';
import { announceRun } from './run-ledger';
import { placedOrderRow, stepRun, writeStep } from './apply-step';
import { afterHighestFee } from './held-qty';

/** An exit of a leg, as the execution engine holds it (its OrderIntent). */
export interface LegExit {
  readonly runId: Run['id'];
  readonly strategyId: Run['strategyId'];
  readonly legNo: number;
  readonly leg: Exclude<Run['exitLeg'], null | 'BUY'>;
  readonly scheduledAt: number;
}

export interface BackstopExitsDeps {
  /** Puts the leg's BACKSTOP exit on the execution queue (a backstop fired while the daemon is up). */
  submit(exit: LegExit): void;
  /** Applies an order report as the broker's word on a journal row (ExecutionEngine.applyReport). */
  applyReport(accountId: BrokerAccountId, report: OrderReport): void;
}

/**
 * What an exit may do once its leg's backstop is dealt with: 'go' (journal it as usual: nothing
 * rests that can fill, or the backstop's fills left a remainder; `unlocked`: the quantity the
 * broker confirmed cancelled with the stop, held whatever the balance says right after), or 'done'
 * (the backstop's fills ended the leg, or a BACKSTOP exit found nothing fired: nothing more to send).
 */
export type ExitGo = { readonly kind: 'go'; readonly unlocked?: number } | { readonly kind: 'done' };
const GO: ExitGo = { kind: 'go' };
const DONE: ExitGo = { kind: 'done' };

/** A backstop event without its scope (who, which run and leg, when). */
type BackstopEventBody = DistributiveOmit<Extract<EngineEvent, { type: `backstop_${string}` }>, 'userId' | 'strategyId' | 'runId' | 'legNo' | 'at'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export class BackstopExits {
  readonly keeper: BackstopKeeper;

  constructor(
    private readonly ctx: EngineContext,
    private readonly deps: BackstopExitsDeps,
  ) {
    this.keeper = new BackstopKeeper({
      repos: ctx.repos,
      clock: ctx.clock,
      logger: ctx.logger,
      installId: ctx.installId,
      target: (accountId, symbol, exchange) => orderTarget(ctx, accountId, symbol, exchange),
      onMoved: (m) => this.moved(m),
      onSettled: (row) => this.settled(row),
      crashPoints: ctx.crashPoints,
    });
    // The trail (or the move to cost) moved the engine's own stop at once; the backstop follows within its modify budget.
    ctx.bus.on('stop_moved', (e) => this.follow(e.runId, e.to));
  }

  private follow(runId: Run['id'], stop: number): void {
    const run = this.ctx.repos.runs.getInternal(runId);
    if (!run || run.state !== 'IN_POSITION' || !run.levels || !run.plan) return;
    this.keeper.follow(run.id, run.legNo, { stop, tick: run.levels.tick }, backstopPlanOf(run.plan)).then(
      (m) => m && this.moved(m),
      (err: unknown) => this.ctx.logger.warn({ err, runId }, 'the backstop could not be moved with the stop; it rests where it was'),
    );
  }

  /** A move's read-back found the stop fired (its fill is the leg's exit) or gone (placed again), as onUpdate does with a streamed report. */
  private settled(row: Backstop): void {
    if (row.state === 'fired') {
      this.submitFired(row, this.ctx.clock.now());
      return;
    }
    this.placeAgain(row, row.reason);
  }

  /** The leg's BACKSTOP exit, which books a fired backstop's fills as the leg's exit (or waits for them). */
  private submitFired(row: Backstop, at: number): void {
    this.deps.submit({ runId: row.runId, strategyId: row.strategyId, legNo: row.legNo, leg: 'BACKSTOP', scheduledAt: at });
  }

  /** A backstop gone at the broker without a fill: told, and its next version placed while its leg is held. */
  private placeAgain(row: Backstop, reason: string | null): void {
    this.ctx.logger.warn({ runId: row.runId, legNo: row.legNo, brokerRef: row.brokerRef, reason }, 'the backstop is gone at the broker: it is placed again while its leg is held');
    this.publish(row, { type: 'backstop_cancelled', brokerRef: row.brokerRef });
    // Its next version, unless an exit of the leg has been cleared meanwhile (the keeper refuses then).
    const run = this.ctx.repos.runs.getInternal(row.runId);
    if (run && run.legNo === row.legNo) this.afterEntry(run, true);
  }

  private moved(m: { from: number; to: number; row: Backstop }): void {
    if (m.row.brokerRef) this.publish(m.row, { type: 'backstop_moved', brokerRef: m.row.brokerRef, from: m.from, to: m.to });
  }

  /**
   * A leg's entry is done (filled, or finished after a partial fill): its backstop is placed for
   * the quantity held, at the leg's levels, where the entry traded (invariant 8). Called in the
   * turn the fill is applied, before any exit of the leg is submitted, so that exit's clearance
   * (serialised per leg by the keeper) comes after the placement.
   */
  afterEntry(run: Run, replace = false): void {
    if (run.state !== 'IN_POSITION' || run.positionQty <= 0 || !run.levels || !run.plan) return;
    const entry = this.ctx.repos.orders.findBySlotInternal(run.id, 'entry', run.legNo);
    if (!entry) return;
    const position = { brokerAccountId: entry.brokerAccountId, symbol: entry.symbol, exchange: entry.exchange, side: exitSide(entry), qty: run.positionQty, levels: run.levels };
    this.keeper.place(run, run.legNo, position, backstopPlanOf(run.plan), replace).then(
      (row) => {
        if (row?.state === 'resting' && row.brokerRef) this.publish(row, { type: 'backstop_placed', brokerRef: row.brokerRef, triggerPrice: row.triggerPrice, targetPrice: row.targetPrice, qty: row.qty });
      },
      (err: unknown) => this.ctx.logger.error({ err, runId: run.id, legNo: run.legNo }, 'the backstop could not be placed: the engine\'s own stop is all there is'),
    );
  }

  /**
   * Before an exit is journaled: an exit the journal would send waits until its leg's backstop is
   * cancelled, or finds it fired, and then its fills are journaled as the leg's exit. Rejects when
   * the broker cannot be had (the exit is tried again later: it must not go while a stop rests).
   */
  async beforeExit(exit: LegExit, event: RunEvent): Promise<ExitGo> {
    const run = this.ctx.repos.runs.getInternal(exit.runId);
    // Only an exit the journal would send clears the backstop: one it suppresses (another exit
    // under way, the run in ERROR waiting for the trader) must leave the position protected.
    if (!run || !stepRun(this.ctx, run, event)?.place) return exit.leg === 'BACKSTOP' ? DONE : GO;
    const row = this.ctx.repos.backstops.findByLegInternal(exit.runId, exit.legNo);
    // A BACKSTOP exit is for a backstop that fired: one that did not is not cancelled by it.
    if (exit.leg === 'BACKSTOP' && row?.state !== 'fired') return DONE;
    const clearance = await this.keeper.clearForExit(exit.runId, exit.legNo);
    if (clearance.kind === 'clear' || clearance.filledQty <= 0) {
      if (row && (OPEN_BACKSTOP_STATES as readonly string[]).includes(row.state)) {
        this.publish(row, { type: 'backstop_cancelled', brokerRef: row.brokerRef });
        this.ctx.crashPoints.hit('after-backstop-cancel');
      }
      // A fired stop that filled nothing (its order cancelled: by our patience, the trader, the day's
      // end) leaves the position held: its BACKSTOP exit sells it.
      if (exit.leg === 'BACKSTOP' && clearance.kind === 'clear') return DONE;
      return clearance.kind === 'clear' && clearance.unlocked !== undefined ? { kind: 'go', unlocked: clearance.unlocked } : GO;
    }
    // Its fills are journaled once; an exit after that (a remainder's) is the journal's to decide.
    // What our cancel ended unfilled of it is held again, whatever the balance says right after.
    const rest: ExitGo = clearance.unlocked === undefined ? GO : { kind: 'go', unlocked: clearance.unlocked };
    if (this.ctx.repos.orders.findByClientOrderIdInternal(clearance.backstop.brokerAccountId, clearance.backstop.clientOrderId)) return rest;
    const b = clearance.backstop;
    const { broker, instrument } = await orderTarget(this.ctx, b.brokerAccountId, b.symbol, b.exchange);
    this.journalFired(exit, clearance, broker, instrument);
    return clearance.remainder > 0 ? rest : DONE;
  }

  /**
   * A status change the broker streamed: a backstop that fired is journaled, and the leg's
   * BACKSTOP exit is submitted, which ends the leg with its fills (or waits for them). One gone
   * without a fill (deleted in the broker's own app, expired) is journaled so: the row no longer
   * shows a stop that is not there, and the engine's own stop is what protects the leg.
   */
  onUpdate(accountId: BrokerAccountId, report: RestingStopReport): void {
    // A cancel waiting on this stop (an exit's clearance) proceeds now if the report settles it.
    this.keeper.noteStreamed(accountId, report);
    if (report.status === 'cancelled' || report.status === 'rejected') return this.gone(accountId, report);
    if (report.status !== 'fired') return;
    void this.keeper.noteFired(accountId, report).then(
      (row) => row && this.submitFired(row, report.at),
      (err: unknown) => this.ctx.logger.error({ err, clientOrderId: report.clientOrderId }, 'a backstop\'s update could not be journaled; the next exit of its leg looks it up'),
    );
  }

  private gone(accountId: BrokerAccountId, report: RestingStopReport): void {
    this.keeper.noteGone(accountId, report).then(
      (row) => row && this.placeAgain(row, report.reason),
      (err: unknown) => this.ctx.logger.error({ err, clientOrderId: report.clientOrderId }, 'a backstop gone at the broker could not be journaled; the next exit of its leg looks it up'),
    );
  }

  /**
   * At start (recovery): every backstop not finished is looked up. One that fired ends its leg
   * with its fills (the leg's BACKSTOP exit); one resting stays, unless its leg holds nothing any
   * more (it is cancelled); one the broker does not hold is placed again while the leg holds a
   * position. A position held with no backstop (the process died between the fill and the
   * placement, or between its cancel and the exit's journal) gets one. Nothing here is waited for by recovery: a broker out of reach leaves
   * the rows as they are, and the next exit of the leg asks before it goes.
   */
  async recover(): Promise<void> {
    const { repos, logger } = this.ctx;
    const open = repos.backstops.listOpenInternal();
    const rechecked = new Set(open.map((b) => `${b.runId}:${b.legNo}`));
    await Promise.all(
      open.map(async (row) => {
        try {
          const found = await this.keeper.recover(row);
          const run = repos.runs.getInternal(row.runId);
          const holds = run !== undefined && run.legNo === row.legNo && run.positionQty > 0 && run.state !== 'STOPPED';
          if (found === 'fired') this.submitFired(row, this.ctx.clock.now());
          else if (found === 'resting' && !holds) await this.keeper.clearForExit(row.runId, row.legNo);
          else if (found === 'gone' && run) this.afterEntry(run, true);
        } catch (err) {
          logger.error({ err, runId: row.runId, legNo: row.legNo }, 'a backstop could not be looked up at start; the next exit of its leg asks again');
        }
      }),
    );
    for (const run of repos.runs.listNonTerminalInternal()) {
      // A cancelled one of a leg still held: the process died between its cancel and the exit's journal.
      if (run.state === 'IN_POSITION' && !rechecked.has(`${run.id}:${run.legNo}`)) this.afterEntry(run, true);
    }
  }

  /** Publishes a backstop event of `row`'s leg. */
  publish(row: Pick<Backstop, 'userId' | 'strategyId' | 'runId' | 'legNo'>, e: BackstopEventBody): void {
    this.ctx.bus.publish({ ...e, userId: row.userId, strategyId: row.strategyId, runId: row.runId, legNo: row.legNo, at: this.ctx.clock.now() } as EngineEvent);
  }

  /**
   * The backstop's fills as the leg's exit: an exit row (leg BACKSTOP, or BACKSTOP_TARGET when the
   * take-profit resting with it fired; the backstop's ids) moves
   * the run to EXITING as any exit does, and its report, applied as the broker's word, ends it
   * through the run policy (filled: the leg is over; finished partly filled: what is left is held).
   */
  private journalFired(exit: LegExit, clearance: Extract<ExitClearance, { kind: 'fired' }>, broker: Broker, instrument: Instrument): void {
    const { repos, clock } = this.ctx;
    const b: Backstop = clearance.backstop;
    const journaled = repos.transaction(() => {
      const run = repos.runs.getInternal(exit.runId);
      // A backstop that covered less than the run counts, by no more than the broker's highest fee
      // in the coin bought (what the broker held after it), is the exit of what was held: the rest
      // is reported unsold, not chased. One that covered less than that leaves the rest held, for
      // the engine's own exit.
      const least = run ? (afterHighestFee(run.positionQty, broker, instrument) ?? run.positionQty) : 0;
      const held = run && b.qty < run.positionQty && b.qty >= least ? { heldAtBroker: b.qty } : {};
      const step = run && stepRun(this.ctx, run, { type: 'journal_exit', leg: firedLegOf(b), legNo: exit.legNo, scheduledAt: clock.now(), ...held });
      if (!run || !step?.place) return null;
      const { place } = step;
      // The policy's exit slot, under the backstop's ids: the broker has it already.
      repos.orders.insert(placedOrderRow(run, place, { clientOrderId: b.clientOrderId, brokerOrderId: b.brokerRef, status: 'accepted', dispatchedAt: b.createdAt, ackedAt: b.updatedAt }), clock.now());
      return { before: run, after: writeStep(this.ctx, run, step), qty: place.qty };
    });
    if (!journaled) return;
    this.publish(b, { type: 'backstop_fired', brokerRef: b.brokerRef, firedLeg: b.firedLeg ?? 'stop', filledQty: clearance.filledQty, fillPrice: clearance.avgFillPrice });
    announceRun(this.ctx, journaled.before, journaled.after);
    const filled = Math.min(clearance.filledQty, journaled.qty);
    this.deps.applyReport(b.brokerAccountId, {
      clientOrderId: b.clientOrderId,
      brokerOrderId: b.brokerRef ?? '',
      status: filled >= journaled.qty ? 'filled' : 'cancelled',
      filledQty: filled,
      avgFillPrice: clearance.avgFillPrice,
      at: clock.now(),
      reason: filled >= journaled.qty ? null : `the backstop's order finished with ${filled} of ${journaled.qty} filled`,
    });
  }
}

/**
 * The exit a fired backstop's fills are: BACKSTOP (its stop fired, ending the leg as a stop-loss),
 * or BACKSTOP_TARGET (the take-profit resting with it fired: the target reached at the broker).
 */
function firedLegOf(b: Backstop): 'BACKSTOP' | 'BACKSTOP_TARGET' {
  return b.firedLeg === 'target' ? 'BACKSTOP_TARGET' : 'BACKSTOP';
}
