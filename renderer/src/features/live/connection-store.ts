/** The /events socket's state and the engine's clock, as the rest of the UI sees them. */
import { create } from 'zustand';
import type { SocketState } from '../../lib/events-socket';

interface ConnectionStore {
  readonly socket: SocketState;
  /** Engine clock minus browser clock, ms (from the hello message). */
  readonly clockOffsetMs: number;
  readonly engineVersion: string | null;
  setSocket(state: SocketState): void;
  hello(serverTime: number, version: string): void;
}

export const useConnection = create<ConnectionStore>()((set) => ({
  socket: { kind: 'idle' },
  clockOffsetMs: 0,
  engineVersion: null,
  setSocket: (socket) => set({ socket }),
  hello: (serverTime, version) => set({ clockOffsetMs: serverTime - Date.now(), engineVersion: version }),
}));
