/**
 * The strategy form's fields as the engine describes them (GET /strategy/form), asked once and
 * kept: they change only with the engine. A failed ask is kept as its message until a retry.
 */
import { create } from 'zustand';
import { api, errorText } from '../../lib/api-client';
import type { StrategyFormDto } from '../../lib/api-types';

interface StrategyFormStore {
  /** null until the engine answered. */
  readonly descriptor: StrategyFormDto | null;
  readonly error: string | null;
  /** Asks the engine, unless it already answered or is being asked. */
  load(): Promise<void>;
}

let asking: Promise<void> | null = null;

export const useStrategyForm = create<StrategyFormStore>()((set, get) => ({
  descriptor: null,
  error: null,
  load() {
    if (get().descriptor) return Promise.resolve();
    asking ??= (async () => {
      set({ error: null });
      try {
        set({ descriptor: await api('GET /strategy/form') });
      } catch (err) {
        set({ error: errorText(err) });
      } finally {
        asking = null;
      }
    })();
    return asking;
  },
}));
