/**
 * Moving prices for the fake's market-data stream: a seeded random walk, or scripted points.
 * Both run on real timers (the fake is a server, not engine code) and send trades through the
 * data stream, which also sets the price the order desk fills at.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { FakeDataStream } from './fake-data-stream';
import type { FakeDesk } from './fake-desk';

export interface RandomWalkOptions {
  readonly symbols: readonly string[];
  readonly intervalMs: number;
  readonly seed?: number;
  /** Largest step in basis points of the price; default 5. */
  readonly volatilityBps?: number;
}

export interface ScriptPoint {
  /** Real ms after `play` was called. */
  readonly afterMs: number;
  readonly price: number;
}

export class FakePrices {
  private readonly timers = new Set<NodeJS.Timeout>();
  private walk: NodeJS.Timeout | undefined;

  constructor(
    private readonly desk: FakeDesk,
    private readonly stream: FakeDataStream,
  ) {}

  /** Every `intervalMs`, each symbol moves by a seeded step and trades (one batched frame). */
  startRandomWalk(opts: RandomWalkOptions): void {
    this.stopRandomWalk();
    const rng = xoroshiro128plus(opts.seed ?? 1);
    const bps = opts.volatilityBps ?? 5;
    this.walk = setInterval(() => {
      const trades = opts.symbols.map((symbol) => {
        const step = (uniformFloat64(rng) * 2 - 1) * (bps / 10_000);
        const price = Math.max(0.01, Math.round(this.desk.price(symbol) * (1 + step) * 100) / 100);
        return { symbol, price };
      });
      this.stream.trades(trades);
    }, opts.intervalMs);
  }

  stopRandomWalk(): void {
    clearInterval(this.walk);
    this.walk = undefined;
  }

  /** Trades `symbol` at each point's price, `afterMs` after now. */
  play(symbol: string, points: readonly ScriptPoint[]): void {
    for (const p of points) {
      const t = setTimeout(() => {
        this.timers.delete(t);
        this.stream.trades([{ symbol, price: p.price }]);
      }, p.afterMs);
      this.timers.add(t);
    }
  }

  close(): void {
    this.stopRandomWalk();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
