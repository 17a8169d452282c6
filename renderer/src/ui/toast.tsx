/** Short-lived status messages ("Strategy 3 stopped"), announced politely to screen readers. */
import { create } from 'zustand';

interface Toast {
  readonly id: number;
  readonly text: string;
  readonly tone: 'ok' | 'error';
}

interface ToastStore {
  readonly toasts: readonly Toast[];
  /** `ms`: how long it stays; longer for a message that changes what the trader expects. */
  show(text: string, tone?: Toast['tone'], ms?: number): void;
  dismiss(id: number): void;
}

let nextId = 1;

export const useToasts = create<ToastStore>()((set, get) => ({
  toasts: [],
  show(text, tone = 'ok', ms) {
    const id = nextId++;
    set((s) => ({ toasts: [...s.toasts.slice(-2), { id, text, tone }] }));
    setTimeout(() => get().dismiss(id), ms ?? (tone === 'error' ? 8000 : 3500));
  },
  dismiss: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
}));

export const toast = (text: string, tone?: Toast['tone'], ms?: number) => useToasts.getState().show(text, tone, ms);

export function Toasts() {
  const toasts = useToasts((s) => s.toasts);
  const dismiss = useToasts((s) => s.dismiss);
  return (
    <div className="toasts" role="status" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast--${t.tone}`}>
          <span>{t.text}</span>
          <button type="button" className="btn btn--ghost btn--small" aria-label="Dismiss message" onClick={() => dismiss(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
