/**
 * The fake Alpaca (tests/fakes/alpaca) in its own process, for the bench: every account limit
 * off (rate limit, symbol limit, buying power), the bench's symbols listed, and timestamps from a
 * sub-millisecond wall clock. It also drives the tick stream at a fixed rate and answers which
 * order requests arrived when.
 */
import { startFakeAlpaca, type FakeAlpaca } from '../../tests/fakes/alpaca/fake-alpaca';
import { DEFAULT_ACCOUNT } from '../../tests/fakes/alpaca/fake-config';
import { serve } from '../lib/rpc';
import { anchor, wallNow } from '../lib/wall-clock';
import { stopLevel, symbols as symbolList, trailOffset } from '../lib/symbols';

let fake: FakeAlpaca | undefined;
let stopTicks: (() => void) | undefined;
/** With `rising`: trades sent so far per symbol, across runs (its price climbs one cent per trade). */
const risen = new Map<string, number>();

export interface FakeInfo {
  readonly restUrl: string;
  readonly dataStreamUrl: string;
  readonly credentials: { key_id: string; secret_key: string };
  readonly options: Record<string, unknown>;
}

/** One order request as the bench needs it: [client order id, symbol, side, arrival epoch ms]. */
export type Arrival = [string, string, string, number];

export interface TickSpec {
  /** Trades per second, all frames together. */
  readonly rate: number;
  readonly durationMs: number;
  /** Symbols that get normal trades (the subscribed ones). */
  readonly symbols: readonly string[];
  /** Crossing trades per second; each takes the top stop of the next symbol in `crossSymbols`. */
  readonly crossingsPerSecond: number;
  readonly crossSymbols: readonly string[];
  /** How many stops of each symbol earlier runs already took (so the next crossing takes the next). */
  readonly takenBefore?: Readonly<Record<string, number>>;
  /** Where in `crossSymbols` the first crossing goes (runs continue where the last one stopped). */
  readonly crossFrom?: number;
  /**
   * Trailing-stop positions (bench/lib/symbols.ts trailOffset): each symbol's trades climb one
   * cent per trade from 100.01 (every trade a new high, so every trade moves its trails), and a
   * crossing goes half a point under the stop of the symbol's next trail.
   */
  readonly rising?: boolean;
}

export interface TickResult {
  readonly sent: number;
  readonly frames: number;
  readonly elapsedMs: number;
  /** [symbol, wall ms just before the crossing frame was handed to the socket]. */
  readonly crossings: Array<[string, number]>;
  readonly taken: Record<string, number>;
}

serve({
  async start(args: { symbols: number }): Promise<FakeInfo> {
    const assets = symbolList(args.symbols).map((symbol) => ({ symbol, exchange: 'NYSE' }));
    fake = await startFakeAlpaca({
      now: wallNow,
      rateLimit: 0,
      symbolLimit: Number.MAX_SAFE_INTEGER,
      accounts: [{ ...DEFAULT_ACCOUNT, cash: 1e15 }],
      assets,
    });
    const options = fake.connectOptions('sip');
    return { restUrl: fake.restUrl, dataStreamUrl: options.data_stream_url, credentials: fake.credentials(), options };
  },
  anchor() {
    anchor();
  },
  /** Order requests that arrived, from index `from` on. */
  arrivals(args: { from: number }): Arrival[] {
    return fake!.received(args.from).map((r): Arrival => [r.clientOrderId ?? '', r.symbol ?? '', r.side ?? '', r.at]);
  },
  count(): number {
    return fake!.receivedCount();
  },
  /** Resolves when some data session subscribes trades of at least `n` symbols (or the timeout passes). */
  async waitSubscribed(args: { n: number; timeoutMs: number }): Promise<{ at: number; subscribed: number }> {
    const until = performance.now() + args.timeoutMs;
    for (;;) {
      const best = Math.max(0, ...fake!.dataSessions().map((s) => s.trades.length));
      if (best >= args.n || performance.now() > until) return { at: wallNow(), subscribed: best };
      await new Promise((r) => setTimeout(r, 2));
    }
  },
  ticks(spec: TickSpec): Promise<TickResult> {
    return runTicks(spec);
  },
  async close() {
    stopTicks?.();
    await fake?.close();
    fake = undefined;
  },
});

/**
 * Trades at `rate` per second: on every timer turn, the trades due since the start go out in one
 * frame (as Alpaca batches them), then any crossing due goes out in a frame of its own.
 */
function runTicks(spec: TickSpec): Promise<TickResult> {
  const f = fake!;
  const taken: Record<string, number> = { ...spec.takenBefore };
  const crossings: Array<[string, number]> = [];
  const start = performance.now();
  let sent = 0;
  let frames = 0;
  let crossed = 0;
  let cursor = 0;
  let crossCursor = spec.crossFrom ?? 0;
  let stopped = false;
  const maxPerFrame = Math.max(1, Math.ceil(spec.rate / 500));
  return new Promise((resolve) => {
    const finish = () => {
      stopped = true;
      stopTicks = undefined;
      resolve({ sent, frames, elapsedMs: performance.now() - start, crossings, taken });
    };
    stopTicks = finish;
    const turn = () => {
      if (stopped) return;
      const elapsed = performance.now() - start;
      if (elapsed >= spec.durationMs) return finish();
      let due = Math.floor((spec.rate * elapsed) / 1000) - sent;
      while (due > 0) {
        const n = Math.min(due, maxPerFrame);
        const batch = new Array(n);
        for (let i = 0; i < n; i++) {
          const symbol = spec.symbols[cursor++ % spec.symbols.length]!;
          // Well above every stop (≤ 90): 100.00 … 100.99; or rising.
          batch[i] = { symbol, price: spec.rising ? rise(symbol) : 100 + ((cursor * 7) % 100) / 100 };
        }
        f.pushTrades(batch, true);
        sent += n;
        due -= n;
        frames++;
      }
      const crossDue = Math.floor((spec.crossingsPerSecond * elapsed) / 1000) - crossed;
      for (let i = 0; i < crossDue && spec.crossSymbols.length > 0; i++) {
        const symbol = spec.crossSymbols[crossCursor++ % spec.crossSymbols.length]!;
        const rank = taken[symbol] ?? 0;
        taken[symbol] = rank + 1;
        // Just under the symbol's highest armed stop, above the next: exactly one stop-loss fires.
        // A trail's stop trails the last trade by its distance (or one more cent, while the last
        // move is still being stepped): half a point under that takes it, and none a point lower.
        const price = spec.rising ? Math.round((lastRisen(symbol) - trailOffset(rank) - 0.5) * 100) / 100 : Math.round((stopLevel(rank) - 0.005) * 1000) / 1000;
        crossings.push([symbol, wallNow()]);
        f.pushTrades([{ symbol, price }], true);
        crossed++;
        frames++;
      }
      setTimeout(turn, 1);
    };
    setTimeout(turn, 1);
  });
}

/** The next price of `symbol` on the rising series: one cent above its last. */
function rise(symbol: string): number {
  const n = (risen.get(symbol) ?? 0) + 1;
  risen.set(symbol, n);
  return lastRisen(symbol);
}

function lastRisen(symbol: string): number {
  return Math.round(10_000 + (risen.get(symbol) ?? 0)) / 100;
}
