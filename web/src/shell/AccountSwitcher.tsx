// The current account, and a popup to switch to any other account the user
// can reach (an agency's sub-accounts). Switching exchanges the token for one
// scoped to the chosen account.
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { ApiError } from '../api/client';
import { agency, auth } from '../api/endpoints';
import type { Me, ReachableAccount } from '../api/types';
import { useSession } from '../auth/SessionProvider';
import { Avatar, Field, Spinner } from '../ui/components';
import { Dialog } from '../ui/Dialog';
import { useToast } from '../ui/feedback';
import { useDebounced, useDismiss } from '../ui/hooks';
import { Icon } from '../ui/icons';

/** With more accounts than this the menu offers a search box. */
const SEARCH_FROM = 8;

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
  const [search, setSearch] = useState('');
  const searchResults = useAccountSearch(me, open ? search : '');
  if (!me) return null;

  const known = me.accounts.length > 0 ? me.accounts : [{ ...me.account, role: me.role }];
  // The account in use is always listed, even when it is past the first ones /api/me returns.
  const listed = known.some((a) => a.id === me.account.id) ? known : [{ ...me.account, role: me.role }, ...known];
  const searchable = me.accounts_more || listed.length > SEARCH_FROM;
  const needle = search.trim().toLowerCase();
  // Until the server answers a search, the accounts already known that match show.
  const accounts = !needle ? listed : (searchResults ?? listed.filter((a) => a.name.toLowerCase().includes(needle)));
  const searching = Boolean(me.accounts_more && needle && searchResults === null);
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

  const onKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    const items = Array.from(e.currentTarget.querySelectorAll<HTMLButtonElement>('ul button'));
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
        onClick={() => {
          setOpen((o) => !o);
          setSearch('');
        }}
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
        <fieldset className="account-popup" id={listId} aria-labelledby={`${listId}-title`} onKeyDown={onKeyDown}>
          <div className="account-popup-title" id={`${listId}-title`}>
            Switch account
          </div>
          {searchable && (
            <input
              type="search"
              className="input account-search"
              placeholder="Find an account"
              aria-label="Find an account"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              autoFocus
            />
          )}
          <ul aria-label="Accounts">
            {accounts.map((a) => {
              const current = a.id === me.account.id;
              return (
                <li key={a.id}>
                  <button
                    type="button"
                    className="account-option"
                    aria-current={current ? 'true' : undefined}
                    onClick={() => choose(a.id)}
                    autoFocus={current && !searchable}
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
          {accounts.length === 0 && !searching && <p className="account-none subtle">No account matches “{search.trim()}”.</p>}
          {!needle && me.accounts_more && <p className="account-none subtle">Type to find the other accounts.</p>}
          {canCreateClient && (
            <>
              <hr className="menu-separator" />
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
        </fieldset>
      )}
      <NewClientDialog open={creating} onClose={() => setCreating(false)} />
    </div>
  );
}

/**
 * Accounts whose name contains `search`, asked of the server when /api/me
 * listed only the first ones (null until it answers, or when there is
 * nothing to ask).
 */
function useAccountSearch(me: Me | null, search: string): ReachableAccount[] | null {
  const needle = useDebounced(search.trim(), 200);
  const [found, setFound] = useState<{ needle: string; accounts: ReachableAccount[] } | null>(null);
  const ask = Boolean(me?.accounts_more && needle);
  useEffect(() => {
    if (!ask) return;
    const controller = new AbortController();
    auth.reachableAccounts(needle, controller.signal).then(
      (page) => setFound({ needle, accounts: page.data }),
      () => undefined,
    );
    return () => controller.abort();
  }, [ask, needle]);
  return ask && found?.needle === search.trim() ? found.accounts : null;
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
