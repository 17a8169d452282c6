/**
 * What an exit may sell, asked of the broker before the exit is journaled (issue 15's new
 * attempts, issue 22's fee taken in the coin bought): the broker's word on what is held, in whole
 * steps, the remainder under the venue's least order named as dust, and, when the broker cannot be
 * asked again and again, the position less the broker's highest fee in the asset bought.
 */
import type { BrokerAccountId, RunId } from '../core/ids';
import { instrumentKey, slotOf, type Exchange } from '../core/types';
import type { PlaceIntent } from '../core/run-policy/types';
import type { Broker, Instrument } from '../brokers/broker';
import { belowMinimum } from '../core/run-policy/order-minimum';
import { closableQty } from '../brokers/net-position';
import { floorToStep, qtyLeft, qtySum, qtyValue } from '../core/qty';
import type { EngineContext } from '../context';
import { orderTarget } from './order-target';
import { opposingPosition } from './opposing-position';
import type { OrderIntent } from './execution-engine';

export interface HeldQtyDeps {
  /** The order the journal would place for the intent now (its run policy step), or null. */
  plan(intent: OrderIntent): PlaceIntent | null;
  /** Submits the exit again after a while (the engine's exit backoff): the broker could not be asked. */
  againLater(intent: OrderIntent): void;
}

export class HeldQty {
  /** Balance reads that failed in a row before a run's exit, for HELD_READS_BEFORE_FEE_BOUND. */
  private readonly readFailures = new Map<RunId, number>();
  /** Readings of a run's exit with nothing free to sell (shortOf), for SHORT_READS_AGAIN. */
  private readonly shortReads = new Map<RunId, number>();
  /**
   * What the cancel of a run's own backstop unlocked, with the leg it was the backstop of: kept for
   * the reads of that leg's exit until an order of it is sent (forget), never for another leg's.
   */
  private readonly unlocked = new Map<RunId, { readonly legNo: number; readonly qty: number }>();

  constructor(
    private readonly ctx: EngineContext,
    private readonly deps: HeldQtyDeps,
  ) {}

  /** Forgets every run's reads (the engine stops). */
  clear(): void {
    this.readFailures.clear();
    this.shortReads.clear();
    this.unlocked.clear();
  }

  /** The run's exit is decided (placed, suppressed, halted) or ended by its backstop: its next exit reads afresh. */
  forget(runId: RunId): void {
    this.readFailures.delete(runId);
    this.shortReads.delete(runId);
    this.unlocked.delete(runId);
  }

  /**
   * A new attempt of an exit (the one before ended with shares held) sells at most what the
   * broker says the account still holds: the trader may have sold by hand meanwhile, and selling
   * the journal's count again would sell what is no longer there (a short, at Kite's MIS or on an
   * Alpaca margin account). There the broker's answer is the account's net position: what the
   * journal's other open runs hold on the other side of the instrument is added back first
   * (opposingPosition), so two strategies long and short of one symbol each close their own.
   * Null when the broker could not be asked: the exit is submitted again
   * later. A first attempt sells what the journal's BUY bought, without asking, unless the broker
   * may have taken its fee out of what was bought (`feeInBoughtAsset`: Binance spot): then it too
   * sells at most what is held, in whole steps, and the run is told what is left unsold. A broker
   * that cannot say what is held HELD_READS_BEFORE_FEE_BOUND times in a row (its balance endpoint
   * throttled or down, an answer that cannot be read) does not hold the exit back for ever: where it
   * names its highest fee in the asset bought, the exit sells the position less that fee (heldByFee).
   *
   * `unlocked`: what the cancel of the leg's own backstop was confirmed for, just before. That is
   * held, whatever the balance says: Binance's account endpoint may count it locked for seconds
   * after the cancel (CCXT #8507; Freqtrade reports 10-20 s), so the exit sells
   * min(position, max(what the balance says, unlocked)). At a spot account, any attempt whose
   * reading is still short of the position by more than the broker's highest fee and one step
   * (shortOf) sells what it read at once and names the rest `notSeen`: not booked unsold nor called
   * dust, it stays the run's, so the sale leaves shares held and the exit's next attempt
   * (EXIT_RETRY_MS) reads again, once the balance may have caught up; when the attempts run out the
   * run halts in ERROR naming what was not seen free. Only a reading with nothing to sell is read
   * again first, SHORT_READS_AGAIN times. The trader's STOP from an ERROR sells what is held, as
   * any exit does at a broker that is not a spot account.
   */
  async withHeldQty(intent: OrderIntent, unlocked?: number): Promise<OrderIntent | null> {
    if (slotOf(intent.leg) !== 'exit') return intent;
    if (unlocked !== undefined) this.unlocked.set(intent.runId, { legNo: intent.legNo, qty: unlocked });
    const place = this.deps.plan(intent);
    if (!place || (place.attempt < 2 && !(await this.feeInBoughtAsset(place.where.brokerAccountId)))) return intent;
    try {
      const { broker, instrument } = await orderTarget(this.ctx, place.where.brokerAccountId, place.where.symbol, place.where.exchange);
      if (!broker.execution.netQty) return intent;
      // A netting account's position is every run's there: what other runs hold against this one
      // (a short of the symbol this run is long of) is added back to what the net lets it close.
      // Read before and after the broker's answer, the larger taken: a run whose order ends while
      // the request is out is never dropped between the two moments (it may be counted when the net
      // no longer holds it: the reading errs high, and the sale stays within this run's position).
      const opposing = () => opposingPosition(this.ctx.repos, { id: intent.runId }, place.where, place.side);
      const before = opposing();
      const net = await broker.execution.netQty(instrument);
      this.readFailures.delete(intent.runId);
      if (net === null) return intent;
      const against = Math.max(before, opposing());
      const held = closableQty(qtySum([net, place.side === 'sell' ? against : -against]), place.side);
      if (against > 0) this.ctx.logger.info({ strategyId: intent.strategyId, runId: intent.runId, leg: intent.leg, attempt: place.attempt, net, opposing: against, held }, 'other runs hold the other side of the instrument in the account: the exit reads the net with theirs added back');
      // Only whole steps can be ordered: the instrument's own (a crypto pair's), else 1 where the broker takes no fractions.
      const step = instrument.qtyStep ?? (broker.capabilities.fractionalQty ? null : 1);
      const read = step === null ? held : floorToStep(held, step);
      // Only at a spot account (the fee taken in the coin bought): a sale of more than is held is
      // refused there, never a short, should the stop's coins have gone some other way.
      const spot = broker.capabilities.feeInBoughtAsset === true;
      const kept = this.unlocked.get(intent.runId);
      const cancelled = spot && kept?.legNo === intent.legNo ? kept.qty : undefined;
      const heldAtBroker = cancelled === undefined ? read : Math.min(place.qty, Math.max(read, cancelled));
      // The trader's STOP from an ERROR (having read the figures) sells what is held.
      const traderDecides = intent.leg === 'MANUAL_EXIT' && this.ctx.repos.runs.getInternal(intent.runId)?.state === 'ERROR';
      if (spot && !traderDecides) {
        // Under the pair's least order, the reading gives nothing an order could sell (refused -1013, lasting).
        const sellable = heldAtBroker > 0 && belowMinimum(instrument, heldAtBroker, this.priceOf(place.where.brokerAccountId, broker, instrument)) === null;
        const short = this.shortOf(intent, place, broker, step, read, cancelled, heldAtBroker, sellable);
        if (short === 'again') return null;
        // Sold at once; the rest stays the run's, for the next attempt to read again (never dust on it).
        if (short !== null) return { ...intent, heldAtBroker: sellable ? heldAtBroker : 0, notSeen: short };
      }
      if (heldAtBroker < place.qty) {
        this.ctx.logger.info({ strategyId: intent.strategyId, runId: intent.runId, leg: intent.leg, attempt: place.attempt, positionQty: place.qty, heldAtBroker, unsold: qtyLeft(place.qty, heldAtBroker) }, 'the broker holds less than the run in whole steps: the exit sells what is held, the rest is left unsold');
      }
      const dust = this.dustOf(intent, place.where.brokerAccountId, broker, instrument, Math.min(place.qty, heldAtBroker));
      return { ...intent, heldAtBroker, ...(dust === null ? {} : { dust }) };
    } catch (err) {
      const failures = (this.readFailures.get(intent.runId) ?? 0) + 1;
      this.readFailures.set(intent.runId, failures);
      const bound = failures >= HELD_READS_BEFORE_FEE_BOUND ? await this.heldByFee(place.where, place.qty) : null;
      if (bound !== null) {
        this.readFailures.delete(intent.runId);
        this.ctx.logger.warn({ err, strategyId: intent.strategyId, runId: intent.runId, leg: intent.leg, failures, positionQty: place.qty, heldAtBroker: bound }, 'could not ask the broker what is held, again and again: the exit sells the position less the highest fee the broker takes in the asset bought');
        return { ...intent, heldAtBroker: bound };
      }
      this.ctx.logger.warn({ err, strategyId: intent.strategyId, leg: intent.leg, failures }, 'could not ask the broker what is held before an exit attempt; asking again');
      this.deps.againLater(intent);
      return null;
    }
  }

  /**
   * A spot account's reading (`heldAtBroker`, with what the backstop's cancel unlocked) short of
   * the position by more than the broker's highest fee in the asset bought and one step: what the
   * fee leaves cannot explain it, and the balance may not show a cancel yet. Null when the reading
   * is within the fee; else how much was not seen free (the exit sells what was, the rest stays
   * the run's for its next attempt). A reading that gives nothing to sell (0, or under the pair's
   * least order: not `sellable`) is 'again' (submitted again later, EXIT_AGAIN_MS)
   * SHORT_READS_AGAIN times first.
   */
  private shortOf(intent: OrderIntent, place: PlaceIntent, broker: Broker, step: number | null, read: number, cancelled: number | undefined, heldAtBroker: number, sellable: boolean): 'again' | number | null {
    const rate = broker.capabilities.maxFeeInBoughtAssetRate ?? 0;
    const allowed = qtySum([qtyValue(place.qty, rate), step ?? 0]);
    const shortBy = qtyLeft(place.qty, heldAtBroker);
    if (!(shortBy > allowed)) return null;
    const reads = (this.shortReads.get(intent.runId) ?? 0) + 1;
    const figures = { strategyId: intent.strategyId, runId: intent.runId, leg: intent.leg, attempt: place.attempt, positionQty: place.qty, read, unlocked: cancelled ?? null, shortBy, allowed, reads };
    if (!sellable && reads <= SHORT_READS_AGAIN) {
      this.shortReads.set(intent.runId, reads);
      this.ctx.logger.warn(figures, 'the broker shows nothing free to sell for the position: read again before the exit');
      this.deps.againLater(intent);
      return 'again';
    }
    this.shortReads.delete(intent.runId);
    this.ctx.logger.warn(figures, 'the broker shows less free than the position, by more than its fee: the exit sells what is free, the rest stays the run\'s for its next attempt');
    return shortBy;
  }

  /**
   * What is surely held when the broker cannot be asked: the position less the broker's highest fee
   * in the asset bought, floored to the step. A sell of less than is held leaves dust and is never
   * refused for the balance; only a broker that takes its fee in the asset bought is a spot account
   * that cannot go short, and only one that names its highest rate is sold this way. Null: wait on.
   * @example heldByFee(binanceBtcUsdt, 0.0015) // 0.00149 (0.0015 × 0.999 = 0.0014985, step 0.00001)
   */
  private async heldByFee(where: { brokerAccountId: BrokerAccountId; symbol: string; exchange: Exchange }, positionQty: number): Promise<number | null> {
    try {
      const { broker, instrument } = await orderTarget(this.ctx, where.brokerAccountId, where.symbol, where.exchange);
      return afterHighestFee(positionQty, broker, instrument);
    } catch {
      return null;
    }
  }

  /**
   * Why `qty`, what an exit would now sell, is dust: under the instrument's least order (quantity,
   * or value at the last price the engine saw or the broker has at hand) while an exit of the leg
   * has already sold part of the position, so it is a remainder no order can ever sell. Null
   * otherwise: a whole position under the least value (the price fell) is sent, and the venue's
   * refusal tells the trader, since the position is still there to sell if the price comes back.
   */
  private dustOf(intent: OrderIntent, accountId: BrokerAccountId, broker: Broker, instrument: Instrument, qty: number): string | null {
    if (qty <= 0 || (instrument.minQty == null && instrument.minNotional == null)) return null;
    const soldBefore = this.ctx.repos.orders.fillsInternal([intent.runId]).some((f) => f.legNo === intent.legNo && f.slot !== 'entry');
    if (!soldBefore) return null;
    const why = belowMinimum(instrument, qty, this.priceOf(accountId, broker, instrument));
    if (why !== null) this.ctx.logger.info({ strategyId: intent.strategyId, runId: intent.runId, leg: intent.leg, qty, why }, 'the remainder of the position is under the least order: the run is closed with it as dust');
    return why;
  }

  /** The last price the engine saw of the instrument, or the one the broker has at hand; null: none. */
  private priceOf(accountId: BrokerAccountId, broker: Broker, instrument: Instrument): number | null {
    return this.ctx.market.lastPrice(accountId, instrumentKey(instrument.exchange, instrument.symbol))?.price ?? broker.data.lastPrice?.(instrument) ?? null;
  }

  /**
   * Whether the account's broker may take its fee out of what a buy receives. A broker that cannot
   * be opened answers false here: the exit's placement meets that failure, as any order does.
   */
  private async feeInBoughtAsset(accountId: BrokerAccountId): Promise<boolean> {
    const open = this.ctx.brokers.peek(accountId);
    if (open) return open.capabilities.feeInBoughtAsset === true;
    try {
      return (await this.ctx.brokers.get(accountId)).capabilities.feeInBoughtAsset === true;
    } catch {
      return false;
    }
  }
}

/**
 * Failed balance reads in a row before an exit at a broker that takes its fee in the asset bought
 * sells the position less its highest fee instead (heldByFee): 3, the third 3 s of engine time
 * after the first (the engine's EXIT_AGAIN_MS: 1 s, then 2 s), so a stop-loss is held back a few
 * seconds, not for as long as the balance endpoint stays throttled.
 */
const HELD_READS_BEFORE_FEE_BOUND = 3;

/**
 * Readings of an exit attempt with nothing free to sell (shortOf) read again before it is journaled
 * with nothing held (the run halts in ERROR): 4, the last 18 s of engine time after the first
 * (EXIT_AGAIN_MS: 1, 2, 5, 10 s), about the 10-20 s Freqtrade reports Binance's account updates late
 * by; 7 s for a stop-loss, STOP or backstop exit (1, 2, 2, 2 s: PROTECTIVE_EXIT_AGAIN_MAX_MS).
 */
const SHORT_READS_AGAIN = 4;

/**
 * `qty` less the broker's highest fee in the asset bought, floored to the instrument's step: the
 * least a buy of `qty` leaves held. Null where the broker takes no fee out of what is bought, or
 * names no highest rate.
 * @example afterHighestFee(0.0015, binance, btcUsdt) // 0.00149 (0.0015 × 0.999 = 0.0014985, step 0.00001)
 */
export function afterHighestFee(qty: number, broker: Pick<Broker, 'capabilities'>, instrument: Pick<Instrument, 'qtyStep'>): number | null {
  const rate = broker.capabilities.maxFeeInBoughtAssetRate;
  if (broker.capabilities.feeInBoughtAsset !== true || rate === undefined || !(rate >= 0 && rate < 1)) return null;
  const bound = qtyLeft(qty, qtyValue(qty, rate));
  const step = instrument.qtyStep ?? null;
  return step === null ? bound : floorToStep(bound, step);
}
