/**
 * The instruments each broker account last resolved (schema.ts `instruments`). Engine-only and
 * keyed by account, so every method is `Internal`: no request reaches it.
 */
import { and, eq } from 'drizzle-orm';
import type { Orm } from '../client';
import { instruments } from '../schema';

export interface StoredInstrument {
  readonly brokerAccountId: number;
  readonly exchange: string;
  readonly symbol: string;
  readonly brokerRef: string;
  readonly tickSize: number;
  readonly qtyStep: number | null;
  readonly minQty: number | null;
  readonly minNotional: number | null;
  readonly resolvedAt: number;
}

export interface InstrumentsRepo {
  findInternal(brokerAccountId: number, exchange: string, symbol: string): StoredInstrument | undefined;
  /** Every instrument the account resolved: one query where a restart needs thousands. */
  listForAccountInternal(brokerAccountId: number): StoredInstrument[];
  /** Inserts or overwrites each (account, exchange, symbol), in the caller's transaction if there is one. */
  saveInternal(rows: readonly StoredInstrument[]): void;
  /** The broker no longer knows the symbol. */
  deleteInternal(brokerAccountId: number, exchange: string, symbol: string): void;
}

export function createInstrumentsRepo(orm: Orm): InstrumentsRepo {
  const where = (brokerAccountId: number, exchange: string, symbol: string) =>
    and(eq(instruments.brokerAccountId, brokerAccountId), eq(instruments.exchange, exchange), eq(instruments.symbol, symbol));
  return {
    findInternal: (brokerAccountId, exchange, symbol) => orm.select().from(instruments).where(where(brokerAccountId, exchange, symbol)).get(),
    listForAccountInternal: (brokerAccountId) => orm.select().from(instruments).where(eq(instruments.brokerAccountId, brokerAccountId)).all(),
    saveInternal(rows) {
      for (const row of rows) {
        orm
          .insert(instruments)
          .values(row)
          .onConflictDoUpdate({ target: [instruments.brokerAccountId, instruments.exchange, instruments.symbol], set: { brokerRef: row.brokerRef, tickSize: row.tickSize, qtyStep: row.qtyStep, minQty: row.minQty, minNotional: row.minNotional, resolvedAt: row.resolvedAt } })
          .run();
      }
    },
    deleteInternal(brokerAccountId, exchange, symbol) {
      orm.delete(instruments).where(where(brokerAccountId, exchange, symbol)).run();
    },
  };
}
