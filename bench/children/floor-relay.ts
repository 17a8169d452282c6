/**
 * The floor for tick-to-order: a bare relay that reads the fake's market-data WebSocket, parses
 * each frame, and sends one order request for every trade below the threshold. No queue, no lock:
 * what the machine and the wire cost by themselves.
 *
 * With `journal` (a file path) it is the durable relay: before each request it commits one row to
 * a SQLite file the way the engine's journal is set up (WAL, synchronous=FULL: one fdatasync per
 * commit), the least a program can do that keeps invariant 2 (an order is journaled before it is
 * sent). Without it, no journal at all.
 */
import Database from 'better-sqlite3';
import WebSocket from 'ws';
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
let db: Database.Database | undefined;

serve({
  async connect(args: ConnectArgs): Promise<{ subscribed: number }> {
    const http = poster(args.restUrl, args.credentials, 64);
    let seq = 0;
    let journal: ((clientOrderId: string, symbol: string) => void) | undefined;
    if (args.journal) {
      db = new Database(args.journal);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.exec('CREATE TABLE orders (id INTEGER PRIMARY KEY, client_order_id TEXT NOT NULL UNIQUE, symbol TEXT NOT NULL, at REAL NOT NULL)');
      const insert = db.prepare('INSERT INTO orders (client_order_id, symbol, at) VALUES (?, ?, ?)');
      journal = (clientOrderId, symbol) => void insert.run(clientOrderId, symbol, Date.now());
    }
    const sell = (symbol: string) => {
      const clientOrderId = `relay-${process.pid}-${seq++}`;
      journal?.(clientOrderId, symbol);
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
    db?.close();
    db = undefined;
  },
});
