import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Store, useStore } from '../../state/store.js';
import { IconX } from '../icons.js';

export function Modal({
  title,
  onClose,
  children,
  wide,
}: {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  wide?: boolean;
}) {
  useEffect(() => {
    const k = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', k);
    return () => window.removeEventListener('keydown', k);
  }, [onClose]);
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a click on the dimmed backdrop closes the dialog; Escape does the same from the keyboard (above).
    // biome-ignore lint/a11y/useKeyWithClickEvents: the keyboard way out is Escape, handled on window above.
    <div class="modal-backdrop" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div class={`modal${wide ? ' wide' : ''}`} role="dialog" aria-modal="true" aria-label={title}>
        <header class="modal-head">
          <h2>{title}</h2>
          <button type="button" class="icon-btn" onClick={onClose} aria-label="Close">
            <IconX />
          </button>
        </header>
        <div class="modal-body">{children}</div>
      </div>
    </div>
  );
}

export function Field({ label, hint, children }: { label: string; hint?: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is the child passed in, which the rule cannot see.
    <label class="field">
      <span class="field-label">{label}</span>
      {children}
      {hint && <span class="field-hint">{hint}</span>}
    </label>
  );
}

export function Empty({ icon, title, children }: { icon?: JSX.Element; title: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      {icon && <div class="empty-icon">{icon}</div>}
      <h3>{title}</h3>
      {children && <p>{children}</p>}
    </div>
  );
}

/* Toasts: short confirmations and errors, bottom-centre. */
interface Toast {
  id: number;
  text: string;
  kind: 'info' | 'error';
}
const toasts = new Store<Toast[]>([]);
let nextToast = 1;

export function toast(text: string, kind: Toast['kind'] = 'info') {
  const id = nextToast++;
  toasts.set((l) => [...l, { id, text, kind }]);
  setTimeout(() => toasts.set((l) => l.filter((t) => t.id !== id)), kind === 'error' ? 5000 : 2800);
}

export function toastError(e: unknown) {
  toast(e instanceof Error ? e.message : String(e), 'error');
}

export function Toasts() {
  const list = useStore(toasts, (l) => l);
  return (
    <div class="toasts" aria-live="polite">
      {list.map((t) => (
        <div key={t.id} class={`toast ${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'}>
          {t.text}
        </div>
      ))}
    </div>
  );
}

/** Runs an async action with a busy flag and error toast; returns [run, busy]. */
export function useAction<A extends unknown[]>(
  fn: (...a: A) => Promise<unknown>,
): [(...a: A) => Promise<void>, boolean] {
  const [busy, setBusy] = useState(false);
  const run = async (...a: A) => {
    setBusy(true);
    try {
      await fn(...a);
    } catch (e) {
      toastError(e);
    } finally {
      setBusy(false);
    }
  };
  return [run, busy];
}
