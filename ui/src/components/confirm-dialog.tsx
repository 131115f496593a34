import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/**
 * A modal question on the native <dialog>: it traps focus, closes on Escape and gives focus
 * back to the button that opened it.
 */
export function Dialog({ title, open, onClose, children }: { title: string; open: boolean; onClose: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  const titleId = `dialog-${title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <dialog ref={ref} class="dialog" aria-labelledby={titleId} onClose={onClose}>
      <h2 id={titleId}>{title}</h2>
      {children}
    </dialog>
  );
}

/** Asks before a disruptive action; `confirm` runs it. */
export function ConfirmDialog({
  title,
  open,
  onClose,
  confirmLabel,
  onConfirm,
  busy,
  children,
}: {
  title: string;
  open: boolean;
  onClose: () => void;
  confirmLabel: string;
  onConfirm: () => void;
  busy: boolean;
  children: ComponentChildren;
}) {
  return (
    <Dialog title={title} open={open} onClose={onClose}>
      {children}
      <div class="dialog-actions">
        <button type="button" class="button" onClick={onClose}>
          Keep it
        </button>
        <button type="button" class="button button-danger" disabled={busy} onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
