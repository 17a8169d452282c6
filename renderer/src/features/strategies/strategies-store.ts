/**
 * Strategies as the API returns them (with their latest run). Commands go to the API and the
 * store takes the answer; events from the socket trigger a refetch of the strategy they name, so
 * the engine stays the only place where a run's state is decided.
 */
import { create } from 'zustand';
import { api, ApiError } from '../../lib/api-client';
import type { DamagedStrategyDto, StopAllResult, StrategyDto, StrategyFormBody } from '../../lib/api-types';

interface StrategiesStore {
  readonly byId: Readonly<Record<number, StrategyDto>>;
  /** Strategies whose stored definition cannot be read: shown apart, only STOP works on them. */
  readonly damaged: readonly DamagedStrategyDto[];
  readonly loaded: boolean;
  readonly loadError: string | null;
  load(): Promise<void>;
  /** Refetches one strategy; drops it if it is gone. */
  refresh(id: number): Promise<void>;
  create(body: StrategyFormBody): Promise<StrategyDto>;
  update(id: number, body: StrategyFormBody): Promise<StrategyDto>;
  remove(id: number): Promise<void>;
  start(id: number): Promise<StrategyDto>;
  stop(id: number, closePosition: boolean): Promise<StrategyDto | DamagedStrategyDto>;
  stopAll(): Promise<StopAllResult>;
  reset(): void;
}

export const useStrategies = create<StrategiesStore>()((set, get) => {
  const put = (s: StrategyDto) => {
    set((state) => ({ byId: { ...state.byId, [s.id]: s } }));
    return s;
  };
  const drop = (id: number) =>
    set((state) => {
      const { [id]: _gone, ...rest } = state.byId;
      return { byId: rest };
    });

  return {
    byId: {},
    damaged: [],
    loaded: false,
    loadError: null,

    async load() {
      try {
        const { strategies, damaged } = await api('GET /strategy');
        set({ byId: Object.fromEntries(strategies.map((s) => [s.id, s])), damaged, loaded: true, loadError: null });
      } catch (err) {
        set({ loadError: err instanceof Error ? err.message : String(err) });
      }
    },

    async refresh(id) {
      try {
        put(await api('GET /strategy/:id', undefined, { id }));
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) drop(id);
        // 409 to a read: its stored definition became damaged; the list shows it apart now.
        else if (err instanceof ApiError && err.status === 409) await get().load();
      }
    },

    create: async (body) => put(await api('POST /strategy/create', body)),
    update: async (id, body) => put(await api('PATCH /strategy/:id', body, { id })),
    async remove(id) {
      await api('DELETE /strategy/:id', undefined, { id });
      drop(id);
    },
    start: async (id) => put(await api('POST /strategy/start', { strategy_id: id })),
    async stop(id, closePosition) {
      const stopped = await api('POST /strategy/stop', { strategy_id: id, close_position: closePosition });
      if (!('damaged' in stopped)) return put(stopped);
      await get().load();
      return stopped;
    },
    async stopAll() {
      const result = await api('POST /strategy/stop-all', { close_positions: true });
      await get().load();
      return result;
    },
    reset: () => set({ byId: {}, damaged: [], loaded: false, loadError: null }),
  };
});

/** Strategies newest first. */
export const strategyList = (byId: Readonly<Record<number, StrategyDto>>): StrategyDto[] =>
  Object.values(byId).sort((a, b) => b.id - a.id);
