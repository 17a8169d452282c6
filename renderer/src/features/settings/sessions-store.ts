/** The trader's signed-in sessions, as GET /auth/sessions lists them; reloaded after each change. */
import { create } from 'zustand';
import { api, errorText } from '../../lib/api-client';
import type { SignedInSessionDto } from '../../lib/api-types';

interface SessionsStore {
  readonly sessions: readonly SignedInSessionDto[];
  readonly loaded: boolean;
  readonly error: string | null;
  load(): Promise<void>;
  /** Signs one other session out. */
  signOut(id: string): Promise<void>;
  /** Signs out every session but this one; how many ended. */
  signOutOthers(): Promise<number>;
  reset(): void;
}

export const useSignedInSessions = create<SessionsStore>()((set, get) => ({
  sessions: [],
  loaded: false,
  error: null,

  async load() {
    try {
      const { sessions } = await api('GET /auth/sessions');
      set({ sessions, loaded: true, error: null });
    } catch (err) {
      set({ loaded: true, error: errorText(err) });
    }
  },

  async signOut(id) {
    await api('DELETE /auth/sessions/:id', undefined, { id });
    await get().load();
  },

  async signOutOthers() {
    const { signed_out_sessions } = await api('POST /auth/sessions/sign-out-others', {});
    await get().load();
    return signed_out_sessions;
  },

  reset: () => set({ sessions: [], loaded: false, error: null }),
}));
