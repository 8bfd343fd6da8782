// App-wide feedback: toasts (announced to screen readers through a live
// region) and a promise-based confirm dialog, so destructive actions read as
// `if (await confirm({...})) remove()`.
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import { errorMessage } from '../api/client';
import { Dialog } from './Dialog';
import { Icon } from './icons';

type ToastKind = 'success' | 'error' | 'info';
interface ToastItem {
  id: number;
  kind: ToastKind;
  message: string;
}

interface ToastApi {
  success: (message: string) => void;
  error: (errOrMessage: unknown) => void;
  info: (message: string) => void;
}

interface ConfirmOptions {
  title: string;
  message?: ReactNode;
  confirmLabel?: string;
  danger?: boolean;
}

const ToastContext = createContext<ToastApi | null>(null);
const ConfirmContext = createContext<((opts: ConfirmOptions) => Promise<boolean>) | null>(null);

export function FeedbackProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<ToastItem[]>([]);
  const nextId = useRef(1);

  const dismiss = useCallback((id: number) => setToasts((t) => t.filter((x) => x.id !== id)), []);
  const push = useCallback(
    (kind: ToastKind, message: string) => {
      const id = nextId.current++;
      setToasts((t) => [...t.slice(-3), { id, kind, message }]);
      setTimeout(() => dismiss(id), kind === 'error' ? 7000 : 4000);
    },
    [dismiss],
  );
  const toast = useMemo<ToastApi>(
    () => ({
      success: (m) => push('success', m),
      error: (e) => push('error', typeof e === 'string' ? e : errorMessage(e)),
      info: (m) => push('info', m),
    }),
    [push],
  );

  const [pending, setPending] = useState<(ConfirmOptions & { resolve: (ok: boolean) => void }) | null>(null);
  const confirm = useCallback((opts: ConfirmOptions) => new Promise<boolean>((resolve) => setPending({ ...opts, resolve })), []);
  const settle = (ok: boolean) => {
    pending?.resolve(ok);
    setPending(null);
  };

  return (
    <ToastContext.Provider value={toast}>
      <ConfirmContext.Provider value={confirm}>
        {children}
        <Dialog
          open={pending !== null}
          onClose={() => settle(false)}
          title={pending?.title ?? ''}
          size="sm"
          footer={
            <>
              <button type="button" className="btn" onClick={() => settle(false)}>
                Cancel
              </button>
              <button type="button" className={`btn ${pending?.danger ? 'btn-danger' : 'btn-primary'}`} onClick={() => settle(true)} autoFocus>
                {pending?.confirmLabel ?? 'Confirm'}
              </button>
            </>
          }
        >
          <div className="muted">{pending?.message}</div>
        </Dialog>
        <section className="toast-region" aria-label="Notifications">
          <div aria-live="polite" className="stack" style={{ gap: 8 }}>
            {toasts.map((t) => (
              <div key={t.id} className={`toast toast-${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'}>
                <Icon className="toast-icon" name={t.kind === 'success' ? 'check' : t.kind === 'error' ? 'alert' : 'alert'} />
                <span className="toast-message">{t.message}</span>
                <button type="button" className="toast-dismiss" onClick={() => dismiss(t.id)} aria-label="Dismiss notification">
                  <Icon name="x" size={14} />
                </button>
              </div>
            ))}
          </div>
        </section>
      </ConfirmContext.Provider>
    </ToastContext.Provider>
  );
}

export function useToast(): ToastApi {
  const ctx = useContext(ToastContext);
  if (!ctx) throw new Error('useToast must be used inside FeedbackProvider');
  return ctx;
}

export function useConfirm(): (opts: ConfirmOptions) => Promise<boolean> {
  const ctx = useContext(ConfirmContext);
  if (!ctx) throw new Error('useConfirm must be used inside FeedbackProvider');
  return ctx;
}
