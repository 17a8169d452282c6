/**
 * A modal confirmation on the native <dialog>: focus moves into it and is trapped there, Escape
 * cancels, and focus returns to the button that opened it. The safe choice has focus first.
 */
import { useEffect, useId, useRef, type ReactNode } from 'react';

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
