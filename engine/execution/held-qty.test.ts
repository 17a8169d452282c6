/**
 * What an exit may sell (held-qty.ts), on a stub context: the broker's reading, what our backstop's
 * cancel unlocked (only at a spot account, only for the leg it was cancelled for), the failed reads
 * before the fee bound. The engine-level behaviour is tested against the Binance fake
 * (ccxt-exit-balance.test.ts, backstop-binance-stale.test.ts); these pin the guards those cannot reach.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { BrokerAccountId, RunId, StrategyId } from '../core/ids';
import type { PlaceIntent } from '../core/run-policy/types';
import type { EngineContext } from '../context';
import { HeldQty } from './held-qty';
import type { OrderIntent } from './execution-engine';

/** A broker holding `held` (its netQty), or failing to say; spot: its fee taken in the coin bought (0.1 %). */
function setup(spot: boolean, minQty: number | null = null) {
  const state = { held: 0 as number | Error, againLater: 0 };
  const broker = {
    capabilities: { fractionalQty: true, ...(spot ? { feeInBoughtAsset: true, maxFeeInBoughtAssetRate: 0.001 } : {}) },
    execution: { netQty: async () => { if (state.held instanceof Error) throw state.held; return state.held; } },
    data: {},
  };
  const ctx = {
    brokers: { peek: () => broker, get: async () => broker },
    instruments: { require: async () => ({ symbol: 'X', exchange: 'CRYPTO', qtyStep: 1, minQty }) },
    repos: { runs: { getInternal: () => ({ state: 'EXITING' }), listNonTerminalInternal: () => [] }, orders: { fillsInternal: () => [] } },
    market: { lastPrice: () => null },
    logger: pino({ level: 'silent' }),
  } as unknown as EngineContext;
  let attempt = 1;
  const plan = (intent: OrderIntent): PlaceIntent => ({ legNo: intent.legNo, slot: 'exit', attempt, leg: intent.leg, side: 'sell', qty: 10, where: { brokerAccountId: 1 as BrokerAccountId, symbol: 'X', exchange: 'CRYPTO' }, scheduledAt: 0 });
  const held = new HeldQty(ctx, { plan, againLater: () => void state.againLater++ });
  const exit = (legNo = 0): OrderIntent => ({ strategyId: 3 as StrategyId, runId: 7 as RunId, leg: 'SELL', legNo, scheduledAt: 0 });
  return { state, held, exit, setAttempt: (n: number) => void (attempt = n) };
}

describe('HeldQty', () => {
  it('at a broker that is not a spot account (Alpaca, Kite) a new attempt sells at most what it reads, whatever a stop\'s cancel unlocked', async () => {
    const { state, held, exit, setAttempt } = setup(false);
    setAttempt(2);
    state.held = 4;
    expect(await held.withHeldQty(exit(), 10)).toMatchObject({ heldAtBroker: 4 });
  });

  it('at a spot account what the cancel unlocked is held for that leg\'s exit only: a re-entry leg\'s exit never inherits it', async () => {
    const { state, held, exit } = setup(true);
    state.held = 0;
    expect(await held.withHeldQty(exit(0), 10)).toMatchObject({ heldAtBroker: 10 });
    // The next leg's exit reads 0 and nothing was unlocked for it: read again, not sold on leg 0's word.
    expect(await held.withHeldQty(exit(1))).toBeNull();
    expect(state.againLater).toBe(1);
  });

  it('an exit decided (forget) starts its failed reads afresh: the fee bound comes after three in a row of the next exit, not sooner', async () => {
    const { state, held, exit } = setup(true);
    state.held = new Error('503');
    expect(await held.withHeldQty(exit())).toBeNull();
    expect(await held.withHeldQty(exit())).toBeNull();
    held.forget(7 as RunId);
    expect(await held.withHeldQty(exit())).toBeNull();
    expect(await held.withHeldQty(exit())).toBeNull();
    // The third of this exit's failed reads: the position less the 0.1 % fee, floored to the step.
    expect(await held.withHeldQty(exit())).toMatchObject({ heldAtBroker: 9 });
  });
  it('at a spot account a short reading under the least order is nothing to sell: read again, then journaled with nothing held and the rest named, never an order Binance refuses for good', async () => {
    const { state, held, exit } = setup(true, 2);
    state.held = 1;
    for (let i = 0; i < 4; i++) expect(await held.withHeldQty(exit())).toBeNull();
    expect(state.againLater).toBe(4);
    expect(await held.withHeldQty(exit())).toMatchObject({ heldAtBroker: 0, notSeen: 9 });
    // A reading of what an order can sell goes at once.
    state.held = 4;
    expect(await held.withHeldQty(exit())).toMatchObject({ heldAtBroker: 4, notSeen: 6 });
  });

  describe('at a netting broker, another run short of the symbol this run is long of', () => {
    /**
     * Run 7 (asking, long 1 of X at attempt 2) and run 8, short 2 of X in the same account. During
     * the broker's answer `duringRead` changes the journal; the net read is −1 (both runs together).
     */
    function netting(duringRead: (other: { positionQty: number; entry: Record<string, unknown> | undefined }) => void, entry: Record<string, unknown> | undefined) {
      const other = { positionQty: 2, entry };
      const broker = {
        capabilities: { fractionalQty: false },
        execution: {
          netQty: async () => {
            duringRead(other);
            return -1;
          },
        },
        data: {},
      };
      const ctx = {
        brokers: { peek: () => broker, get: async () => broker },
        instruments: { require: async () => ({ symbol: 'X', exchange: 'CRYPTO' }) },
        repos: {
          runs: {
            getInternal: (id: number) => ({ id, tradingDate: '2026-03-09', state: 'EXITING' }),
            listNonTerminalInternal: () => [{ id: 8, tradingDate: '2026-03-09', legNo: 0, positionQty: other.positionQty, lastAction: null }],
          },
          orders: { fillsInternal: () => [], findBySlotInternal: (runId: number, slot: string) => (runId === 8 && slot === 'entry' ? other.entry : undefined) },
        },
        market: { lastPrice: () => null },
        logger: pino({ level: 'silent' }),
      } as unknown as EngineContext;
      const plan = (intent: OrderIntent): PlaceIntent => ({ legNo: intent.legNo, slot: 'exit', attempt: 2, leg: intent.leg, side: 'sell', qty: 1, where: { brokerAccountId: 1 as BrokerAccountId, symbol: 'X', exchange: 'CRYPTO' }, scheduledAt: 0 });
      const held = new HeldQty(ctx, { plan, againLater: () => undefined });
      return held.withHeldQty({ strategyId: 3 as StrategyId, runId: 7 as RunId, leg: 'SELL', legNo: 0, scheduledAt: 0 });
    }
    const shortEntry = { side: 'sell', status: 'filled', qty: 2, brokerAccountId: 1, symbol: 'X', exchange: 'CRYPTO' };

    it('is added back to the net: the net (−1) alone would close nothing of the long 1, with the short\'s 2 added back it closes 1', async () => {
      expect(await netting(() => undefined, shortEntry)).toMatchObject({ heldAtBroker: 1 });
    });

    it('is read before the broker\'s answer too: a buy-back journaled (count 0) while the net is read is still added back', async () => {
      expect(await netting((other) => void (other.positionQty = 0), shortEntry)).toMatchObject({ heldAtBroker: 1 });
    });

    it('is read after the broker\'s answer too: a short sale journaled while the net is read is added back', async () => {
      expect(await netting((other) => void (other.entry = shortEntry), undefined)).toMatchObject({ heldAtBroker: 1 });
    });
  });
});
