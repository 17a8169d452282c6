/**
 * The floor for trigger precision: a bare Node program that sleeps with setTimeout until each
 * instant and sends the same order request the engine sends (POST /v2/orders, same headers and
 * body shape), with the same warm-up and the same number of requests in flight as the engine,
 * over node:http with keep-alive (lib/http-post.ts). With `journal` it is the durable floor: each
 * request is journaled first (lib/floor-journal.ts), as invariant 2 asks of the engine.
 */
import { openFloorJournal } from '../lib/floor-journal';
import { poster } from '../lib/http-post';
import { sleepUntil } from '../lib/sleep';
import { serve } from '../lib/rpc';

interface FireArgs {
  readonly restUrl: string;
  readonly credentials: { key_id: string; secret_key: string };
  readonly instants: readonly number[];
  readonly perInstant: number;
  readonly concurrency: number;
  readonly idPrefix: string;
  readonly symbols: readonly string[];
  readonly warmLeadMs: number;
  /** SQLite file to journal each order in before it is sent; none for the bare floor. */
  readonly journal?: string;
}


serve({
  async fire(args: FireArgs): Promise<{ failed: number; wokeLateMs: number[] }> {
    const wokeLateMs: number[] = [];
    const http = poster(args.restUrl, args.credentials, args.concurrency);
    let failed = 0;
    const journal = args.journal ? openFloorJournal(args.journal) : undefined;
    const send = async (clientOrderId: string, symbol: string) => {
      journal?.record(clientOrderId, symbol);
      const status = await http.post('/v2/orders', { symbol, qty: '1', side: 'buy', type: 'market', time_in_force: 'day', client_order_id: clientOrderId });
      if (status !== 200) failed++;
    };
    const rounds = args.instants.map(async (instant, r) => {
      await sleepUntil(instant - args.warmLeadMs);
      await http.get('/v2/clock');
      await sleepUntil(instant);
      wokeLateMs.push(performance.timeOrigin + performance.now() - instant);
      let next = 0;
      const worker = async () => {
        while (next < args.perInstant) {
          const i = next++;
          await send(`${args.idPrefix}-${r}-${i}`, args.symbols[i % args.symbols.length]!);
        }
      };
      await Promise.all(Array.from({ length: Math.min(args.concurrency, args.perInstant) }, worker));
    });
    await Promise.all(rounds);
    journal?.close();
    return { failed, wokeLateMs };
  },
});
