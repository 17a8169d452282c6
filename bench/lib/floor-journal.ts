/**
 * The durable floors' journal: one row committed to a SQLite file set up as the engine's journal
 * is (WAL, synchronous=FULL: one fdatasync per commit) before each order request. The least a
 * program can do that keeps invariant 2 (an order is journaled before it is sent).
 */
import Database from 'better-sqlite3';

export interface FloorJournal {
  record(clientOrderId: string, symbol: string): void;
  close(): void;
}

export function openFloorJournal(path: string): FloorJournal {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE IF NOT EXISTS orders (id INTEGER PRIMARY KEY, client_order_id TEXT NOT NULL UNIQUE, symbol TEXT NOT NULL, at REAL NOT NULL)');
  const insert = db.prepare('INSERT INTO orders (client_order_id, symbol, at) VALUES (?, ?, ?)');
  return {
    record: (clientOrderId, symbol) => void insert.run(clientOrderId, symbol, Date.now()),
    close: () => db.close(),
  };
}
