// The current account, and a popup to switch to any other account the user
// can reach (an agency's sub-accounts). Switching exchanges the token for one
// scoped to the chosen account.
import { useId, useRef, useState, type KeyboardEvent } from 'react';
import { ApiError } from '../api/client';
import { agency } from '../api/endpoints';
import { useSession } from '../auth/SessionProvider';
import { Avatar, Field, Spinner } from '../ui/components';
import { Dialog } from '../ui/Dialog';
import { useToast } from '../ui/feedback';
import { useDismiss } from '../ui/hooks';
import { Icon } from '../ui/icons';

const KIND_LABEL: Record<string, string> = {
  agency: 'Agency',
  sub_account: 'Sub-account',
  subaccount: 'Sub-account',
  business: 'Business',
};

export function kindLabel(kind: string): string {
  return KIND_LABEL[kind] ?? kind.replace(/_/g, ' ');
}

export function AccountSwitcher() {
  const { me, switchAccount } = useSession();
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const [creating, setCreating] = useState(false);
  const [busyId, setBusyId] = useState<string | null>(null);
  const listId = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);
  const ref = useDismiss<HTMLDivElement>(open, () => setOpen(false));
  if (!me) return null;

  const accounts = me.accounts.length > 0 ? me.accounts : [{ ...me.account, role: me.role }];
  const canCreateClient = me.account.kind === 'agency' && me.role !== 'member' && !me.acting_user;

  const choose = async (id: string) => {
    if (id === me.account.id) {
      setOpen(false);
      return;
    }
    setBusyId(id);
    try {
      await switchAccount(id);
      setOpen(false);
    } catch (err) {
      toast.error(err);
    } finally {
      setBusyId(null);
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    const items = Array.from(e.currentTarget.querySelectorAll<HTMLButtonElement>('button'));
    const i = items.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      items[(i + 1) % items.length]?.focus();
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      items[(i - 1 + items.length) % items.length]?.focus();
    } else if (e.key === 'Escape') {
      setOpen(false);
      buttonRef.current?.focus();
    }
  };

  return (
    <div className="account-switcher" ref={ref}>
      <button
        ref={buttonRef}
        type="button"
        className="account-button"
        aria-haspopup="true"
        aria-expanded={open}
        aria-controls={listId}
        onClick={() => setOpen((o) => !o)}
      >
        <Avatar name={me.account.name} />
        <span className="account-button-text">
          <span className="account-name">{me.account.name}</span>
          <span className="account-kind">{kindLabel(me.account.kind)}</span>
        </span>
        <Icon name="chevronsUpDown" />
        <span className="sr-only">Switch account</span>
      </button>
      {open && (
        <div className="account-popup" id={listId}>
          <div className="account-popup-title">Switch account</div>
          <ul onKeyDown={onKeyDown} aria-label="Accounts">
            {accounts.map((a) => {
              const current = a.id === me.account.id;
              return (
                <li key={a.id}>
                  <button
                    type="button"
                    className="account-option"
                    aria-current={current ? 'true' : undefined}
                    onClick={() => choose(a.id)}
                    autoFocus={current}
                    disabled={busyId !== null}
                  >
                    <Avatar name={a.name} size="sm" />
                    <span className="account-button-text">
                      <span className="account-name">{a.name}</span>
                      <span className="account-kind">
                        {kindLabel(a.kind)} · {a.role.charAt(0).toUpperCase() + a.role.slice(1)}
                      </span>
                    </span>
                    {busyId === a.id ? <Spinner /> : current ? <Icon name="check" /> : null}
                  </button>
                </li>
              );
            })}
          </ul>
          {canCreateClient && (
            <>
              <div className="menu-separator" role="separator" />
              <button
                type="button"
                className="account-option"
                onClick={() => {
                  setOpen(false);
                  setCreating(true);
                }}
              >
                <span className="account-add-icon">
                  <Icon name="plus" />
                </span>
                <span className="account-button-text">
                  <span className="account-name">New client account</span>
                </span>
              </button>
            </>
          )}
        </div>
      )}
      <NewClientDialog open={creating} onClose={() => setCreating(false)} />
    </div>
  );
}

/** Agencies create a sub-account per client; it then appears in the switcher. */
function NewClientDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { reloadMe } = useSession();
  const toast = useToast();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const close = () => {
    setName('');
    setError(null);
    onClose();
  };

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const created = await agency.createSubAccount(name.trim());
      toast.success(`Created ${created.name}. Open it from the account menu.`);
      reloadMe();
      close();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={open}
      onClose={close}
      size="sm"
      title="New client account"
      description="A separate workspace for one of your clients, with its own contacts and pipelines."
      onSubmit={submit}
      footer={
        <>
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy || !name.trim()}>
            {busy && <Spinner />}
            Create account
          </button>
        </>
      }
    >
      <div className="stack">
        {error !== null && !(error instanceof ApiError && error.fieldErrors.name) && (
          <div className="alert" role="alert">
            <Icon name="alert" />
            <span>{error instanceof Error ? error.message : 'Something went wrong.'}</span>
          </div>
        )}
        <Field label="Client business name" error={error instanceof ApiError ? error.fieldErrors.name : undefined}>
          {(p) => <input {...p} className="input" required value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
      </div>
    </Dialog>
  );
}
