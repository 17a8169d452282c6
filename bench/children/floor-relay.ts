/**
 * The floor for tick-to-order: a bare relay that reads the fake's market-data WebSocket, parses
 * each frame, and sends one order request for every trade below the threshold. No queue, no lock:
 * what the machine and the wire cost by themselves.
 *
 * With `journal` (a file path) it is the durable relay: before each request it commits one row to
 * a SQLite journal (lib/floor-journal.ts). Without it, no journal at all.
 */
import WebSocket from 'ws';
import { openFloorJournal, type FloorJournal } from '../lib/floor-journal';
import { poster } from '../lib/http-post';
import { serve } from '../lib/rpc';

interface ConnectArgs {
  readonly dataStreamUrl: string;
  readonly restUrl: string;
  readonly credentials: { key_id: string; secret_key: string };
  readonly symbols: readonly string[];
  readonly below: number;
  /** SQLite file to journal each order in before it is sent; none for the bare relay. */
  readonly journal?: string;
}

let ws: WebSocket | undefined;
let journal: FloorJournal | undefined;

serve({
  async connect(args: ConnectArgs): Promise<{ subscribed: number }> {
    const http = poster(args.restUrl, args.credentials, 64);
    let seq = 0;
    journal = args.journal ? openFloorJournal(args.journal) : undefined;
    const sell = (symbol: string) => {
      const clientOrderId = `relay-${process.pid}-${seq++}`;
      journal?.record(clientOrderId, symbol);
      void http.post('/v2/orders', { symbol, qty: '1', side: 'sell', type: 'market', time_in_force: 'day', client_order_id: clientOrderId });
    };
    await http.get('/v2/clock');
    const socket = new WebSocket(args.dataStreamUrl);
    ws = socket;
    return new Promise((resolve, reject) => {
      socket.on('error', reject);
      socket.on('message', (data) => {
        const messages = JSON.parse(data.toString()) as Array<Record<string, unknown>>;
        for (const m of messages) {
          if (m.T === 't') {
            if ((m.p as number) < args.below) sell(m.S as string);
          } else if (m.T === 'success' && m.msg === 'connected') {
            socket.send(JSON.stringify({ action: 'auth', key: args.credentials.key_id, secret: args.credentials.secret_key }));
          } else if (m.T === 'success' && m.msg === 'authenticated') {
            socket.send(JSON.stringify({ action: 'subscribe', trades: args.symbols }));
          } else if (m.T === 'subscription') {
            resolve({ subscribed: (m.trades as string[]).length });
          } else if (m.T === 'error') {
            reject(new Error(`relay: ${JSON.stringify(m)}`));
          }
        }
      });
    });
  },
  close() {
    ws?.terminate();
    ws = undefined;
    journal?.close();
    journal = undefined;
  },
});
