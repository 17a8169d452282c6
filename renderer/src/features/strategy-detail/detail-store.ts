/**
 * The order journal and the audit log of the strategies whose detail is open (a strategy with
 * positions carries its day's runs itself: StrategyDto.position_runs). Only watched strategies are
 * kept fresh: an event for one of them refetches its journal or log.
 */
import { create } from 'zustand';
import { api } from '../../lib/api-client';
import type { LoggedEventDto, OrderDto, PriceBarDto } from '../../lib/api-types';

const PAGE = 100;

interface AuditLog {
  readonly events: readonly LoggedEventDto[];
  /** Cursor for older entries; null when everything is loaded. */
  readonly nextBeforeId: number | null;
}

interface DetailStore {
  readonly watched: ReadonlySet<number>;
  readonly orders: Readonly<Record<number, readonly OrderDto[]>>;
  readonly audit: Readonly<Record<number, AuditLog>>;
  /** Recorded 1-minute bars of the strategy's instrument (the last day), loaded when opened. */
  readonly bars: Readonly<Record<number, readonly PriceBarDto[]>>;
  readonly errors: Readonly<Record<number, string>>;
  watch(id: number): () => void;
  loadOrders(id: number): Promise<void>;
  loadBars(id: number): Promise<void>;
  /** Reloads the newest page, keeping older pages already loaded. */
  loadAudit(id: number): Promise<void>;
  loadOlderAudit(id: number): Promise<void>;
  reset(): void;
}

export const useDetail = create<DetailStore>()((set, get) => {
  const fail = (id: number, err: unknown) =>
    set((s) => ({ errors: { ...s.errors, [id]: err instanceof Error ? err.message : String(err) } }));

  return {
    watched: new Set(),
    orders: {},
    audit: {},
    bars: {},
    errors: {},

    watch(id) {
      set((s) => ({ watched: new Set([...s.watched, id]) }));
      void get().loadOrders(id);
      void get().loadAudit(id);
      void get().loadBars(id);
      return () =>
        set((s) => {
          const watched = new Set(s.watched);
          watched.delete(id);
          return { watched };
        });
    },

    async loadOrders(id) {
      try {
        const { orders } = await api('GET /strategy/:id/orders', undefined, { id });
        set((s) => ({ orders: { ...s.orders, [id]: orders } }));
      } catch (err) {
        fail(id, err);
      }
    },

    async loadBars(id) {
      try {
        const { bars } = await api('GET /strategy/:id/bars', undefined, { id });
        set((s) => ({ bars: { ...s.bars, [id]: bars } }));
      } catch (err) {
        fail(id, err);
      }
    },

    async loadAudit(id) {
      try {
        const page = await api('GET /events/log', undefined, { query: { strategy_id: id, limit: PAGE } });
        set((s) => {
          const old = s.audit[id];
          const newestIds = new Set(page.events.map((e) => e.id));
          const oldest = page.events.at(-1)?.id ?? Infinity;
          // Keep older pages the user already loaded, below the fresh first page.
          const kept = old && old.events.length > PAGE ? old.events.filter((e) => e.id < oldest && !newestIds.has(e.id)) : [];
          return {
            audit: { ...s.audit, [id]: { events: [...page.events, ...kept], nextBeforeId: kept.length > 0 ? old!.nextBeforeId : page.next_before_id } },
          };
        });
      } catch (err) {
        fail(id, err);
      }
    },

    async loadOlderAudit(id) {
      const current = get().audit[id];
      if (!current || current.nextBeforeId === null) return;
      try {
        const page = await api('GET /events/log', undefined, { query: { strategy_id: id, limit: PAGE, before_id: current.nextBeforeId } });
        set((s) => ({ audit: { ...s.audit, [id]: { events: [...(s.audit[id]?.events ?? []), ...page.events], nextBeforeId: page.next_before_id } } }));
      } catch (err) {
        fail(id, err);
      }
    },

    reset: () => set({ watched: new Set(), orders: {}, audit: {}, bars: {}, errors: {} }),
  };
});
