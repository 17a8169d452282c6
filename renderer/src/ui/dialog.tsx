/**
 * A modal confirmation on the native <dialog>: focus moves into it and is trapped there, Escape
 * cancels, and focus returns to the button that opened it. The safe choice has focus first.
 */
import { useEffect, useId, useRef, type KeyboardEvent, type ReactNode } from 'react';

const FOCUSABLE = 'button:not(:disabled), a[href], input:not(:disabled), select:not(:disabled), textarea:not(:disabled), [tabindex]:not([tabindex="-1"])';

/** What Tab stops on inside `root`: of a radio group only its checked radio (or its first). */
function tabStops(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => {
    if (!(el instanceof HTMLInputElement) || el.type !== 'radio' || el.checked) return true;
    const group = root.querySelectorAll<HTMLInputElement>(`input[type="radio"][name="${CSS.escape(el.name)}"]`);
    return ![...group].some((r) => r.checked) && group[0] === el;
  });
}

/**
 * A native modal dialog lets Tab leave the page (to the browser's own controls) after its last
 * button; a trader using the keyboard should go round inside it instead.
 */
function keepTabInside(e: KeyboardEvent<HTMLDialogElement>): void {
  if (e.key !== 'Tab') return;
  const stops = tabStops(e.currentTarget);
  const first = stops[0];
  const last = stops.at(-1);
  if (!first || !last) return;
  const wrapTo = e.shiftKey ? (document.activeElement === first ? last : null) : document.activeElement === last ? first : null;
  if (wrapTo) {
    e.preventDefault();
    wrapTo.focus();
  }
}

interface DialogProps {
  readonly open: boolean;
  readonly title: string;
  readonly children: ReactNode;
  /** The buttons; the one marked data-autofocus (the safe choice) gets focus. */
  readonly actions: ReactNode;
  readonly onCancel: () => void;
  readonly tone?: 'danger' | 'default';
}

export function Dialog({ open, title, children, actions, onCancel, tone = 'default' }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      // React's autoFocus runs before showModal and is lost; focus the safe choice now.
      dialog.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    }
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={`dialog dialog--${tone}`}
      aria-labelledby={titleId}
      onKeyDown={keepTabInside}
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      {open && (
        <form method="dialog" onSubmit={(e) => e.preventDefault()}>
          <h2 id={titleId} className="dialog__title">
            {title}
          </h2>
          <div className="dialog__body">{children}</div>
          <div className="dialog__actions">{actions}</div>
        </form>
      )}
    </dialog>
  );
}
