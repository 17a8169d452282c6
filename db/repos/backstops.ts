/**
 * The backstop journal (issue 20): one row per (run, leg), written before every call to the
 * broker about that leg's resting stop, so recovery knows what to ask (engine/core/types.ts Backstop).
 */
import { and, asc, eq, inArray, isNotNull } from 'drizzle-orm';
import { OPEN_BACKSTOP_STATES, type Backstop, type BackstopFiredLeg, type BackstopState, type Exchange, type OrderSide } from '../../engine/core/types';
import { asBrokerAccountId, asRunId, asStrategyId, asUserId, type BrokerAccountId, type RunId } from '../../engine/core/ids';
import type { Orm } from '../client';
import { backstops } from '../schema';
import { translated } from './errors';

/** The fields a placement journals; the broker's answers start empty. */
export type NewBackstop = Pick<
  Backstop,
  'runId' | 'strategyId' | 'userId' | 'brokerAccountId' | 'legNo' | 'version' | 'clientOrderId' | 'symbol' | 'exchange' | 'side' | 'qty' | 'triggerPrice' | 'limitPrice' | 'state'
> &
  Partial<Pick<Backstop, 'targetPrice' | 'targetLimitPrice'>>;

/** The fields the engine's calls and the broker's answers change. */
export type BackstopPatch = Partial<
  Pick<Backstop, 'version' | 'clientOrderId' | 'brokerRef' | 'qty' | 'triggerPrice' | 'limitPrice' | 'state' | 'nextTriggerPrice' | 'nextLimitPrice' | 'targetPrice' | 'targetLimitPrice' | 'firedLeg' | 'filledQty' | 'fillPrice' | 'done' | 'reason' | 'modifiesSentAt'>
>;

export interface BackstopsRepo {
  /**
   * Journals a leg's backstop before it is placed.
   * @throws UniqueViolation for a second backstop on the run's leg (columns ['run_id', 'leg_no'])
   *   or a reused id on the account (['broker_account_id', 'client_order_id']).
   */
  insert(input: NewBackstop, now: number): Backstop;
  /** Engine-internal: the leg's backstop, if it has one. */
  findByLegInternal(runId: RunId, legNo: number): Backstop | undefined;
  /** Engine-internal: by the id the broker's update stream echoes back (any version's is the current one's row only). */
  findByClientOrderIdInternal(brokerAccountId: BrokerAccountId, clientOrderId: string): Backstop | undefined;
  /**
   * Engine-internal: applies a change and returns the new row.
   * @throws Error when there is no such backstop (an engine bug, not user input).
   */
  update(id: number, patch: BackstopPatch, now: number): Backstop;
  /** Engine-internal: every backstop that may rest at the broker (placing, resting, modifying, cancelling), oldest first. */
  listOpenInternal(): Backstop[];
  /** Engine-internal: the backstops of a run, by leg. */
  listByRunInternal(runId: RunId): Backstop[];
  /** Engine-internal: every broker ref any backstop of the account learned, in any state (a stop found without its id is never one of these). */
  listBrokerRefsInternal(brokerAccountId: BrokerAccountId): string[];
}

type Row = typeof backstops.$inferSelect;

function toBackstop(row: Row): Backstop {
  return {
    ...row,
    runId: asRunId(row.runId),
    strategyId: asStrategyId(row.strategyId),
    userId: asUserId(row.userId),
    brokerAccountId: asBrokerAccountId(row.brokerAccountId),
    // Text columns written only from the typed inputs above.
    exchange: row.exchange as Exchange,
    side: row.side as OrderSide,
    state: row.state as BackstopState,
    firedLeg: row.firedLeg as BackstopFiredLeg | null,
    modifiesSentAt: sentTimes(row.modifiesSentAt),
  };
}

/**
 * The modify times as written (a JSON array of epoch ms). Unreadable text reads as none: it only
 * paces trail moves, and a read that threw would stop the leg's exit, which reads the same row.
 */
function sentTimes(text: string): number[] {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.filter((t): t is number => typeof t === 'number' && Number.isFinite(t)) : [];
  } catch {
    return [];
  }
}

export function createBackstopsRepo(orm: Orm): BackstopsRepo {
  const one = (where: ReturnType<typeof eq>) => {
    const row = orm.select().from(backstops).where(where).get();
    return row && toBackstop(row);
  };
  return {
    insert(input, now) {
      const row = translated(() =>
        orm
          .insert(backstops)
          .values({ targetPrice: null, targetLimitPrice: null, ...input, brokerRef: null, nextTriggerPrice: null, nextLimitPrice: null, firedLeg: null, filledQty: 0, fillPrice: null, done: false, reason: null, createdAt: now, updatedAt: now })
          .returning()
          .get(),
      );
      return toBackstop(row);
    },
    findByLegInternal(runId, legNo) {
      return one(and(eq(backstops.runId, runId), eq(backstops.legNo, legNo))!);
    },
    findByClientOrderIdInternal(brokerAccountId, clientOrderId) {
      return one(and(eq(backstops.brokerAccountId, brokerAccountId), eq(backstops.clientOrderId, clientOrderId))!);
    },
    update(id, patch, now) {
      const { modifiesSentAt, ...rest } = patch;
      const set = modifiesSentAt === undefined ? rest : { ...rest, modifiesSentAt: JSON.stringify(modifiesSentAt) };
      const row = orm.update(backstops).set({ ...set, updatedAt: now }).where(eq(backstops.id, id)).returning().get();
      if (!row) throw new Error(`backstops.update: no backstop ${id}`);
      return toBackstop(row);
    },
    listOpenInternal() {
      return orm.select().from(backstops).where(inArray(backstops.state, [...OPEN_BACKSTOP_STATES])).orderBy(asc(backstops.id)).all().map(toBackstop);
    },
    listByRunInternal(runId) {
      return orm.select().from(backstops).where(eq(backstops.runId, runId)).orderBy(asc(backstops.legNo)).all().map(toBackstop);
    },
    listBrokerRefsInternal(brokerAccountId) {
      return orm
        .select({ ref: backstops.brokerRef })
        .from(backstops)
        .where(and(eq(backstops.brokerAccountId, brokerAccountId), isNotNull(backstops.brokerRef))!)
        .all()
        .map((r) => r.ref!);
    },
  };
}
