// Agency → Clients: every client account (sub-account) with its standing and
// plan; open one (the impersonation flow of the account switcher), rename it,
// add its users, choose the plan it pays for, suspend or reactivate it.
import { useEffect, useRef, useState } from 'react';
import { useSession } from '../../auth/SessionProvider';
import { AddUserDialog, type RoleChoice } from '../../settings/AddUserDialog';
import { Avatar, EmptyState, ErrorAlert, Loading, Spinner } from '../../ui/components';
import { useConfirm, useToast } from '../../ui/feedback';
import { formatDate } from '../../ui/format';
import { useDebounced, usePageTitle, useResource } from '../../ui/hooks';
import { Icon } from '../../ui/icons';
import { Menu } from '../../ui/Menu';
import { clientPlans, subAccounts, type SubAccount, type SubAccountSubscription } from '../agency.api';
import { AgencyOnly, useCanManage } from '../AgencyOnly';
import { ClientNameDialog } from './ClientNameDialog';
import { ClientPlanDialog } from './ClientPlanDialog';
import { planSummary, STANDING_LABELS } from './client-plan';
import '../agency.css';
import './clients.css';

const CLIENT_ROLES: RoleChoice[] = [
  { value: 'owner', label: 'Owner', hint: 'Everything, including billing and the team. Usually the client themselves.' },
  { value: 'admin', label: 'Admin', hint: 'Manages the team, settings and data.' },
  { value: 'member', label: 'Member', hint: 'Works with contacts and opportunities.' },
];

const PAGE_SIZE = 50;

type Dialogs = { kind: 'create' } | { kind: 'rename'; client: SubAccount } | { kind: 'user'; client: SubAccount } | { kind: 'plan'; client: SubAccount } | null;

export default function ClientsPage() {
  usePageTitle('Clients');
  return (
    <AgencyOnly icon="building" title="Clients">
      <Clients />
    </AgencyOnly>
  );
}

function Clients() {
  const { reloadMe, switchAccount } = useSession();
  const canManage = useCanManage();
  const toast = useToast();
  const confirm = useConfirm();
  const [query, setQuery] = useState('');
  const needle = useDebounced(query.trim(), 250);
  // The first page for the search; "Show more" appends the pages after it.
  const list = useResource((signal) => subAccounts.page({ q: needle, limit: PAGE_SIZE }, signal), [needle]);
  const [loadingMore, setLoadingMore] = useState(false);
  const [dialog, setDialog] = useState<Dialogs>(null);
  const [busy, setBusy] = useState<string | null>(null);
  // The plan of each listed client, fetched for the rows on screen.
  const [plans, setPlans] = useState<Record<string, SubAccountSubscription | 'error'>>({});

  const counts = list.data?.counts;
  const visible = list.data?.data ?? [];
  const visibleKey = visible.map((c) => c.id).join(',');
  // Read through a ref: a plan arriving must not re-run the effect (that would abort the others in flight).
  const plansRef = useRef(plans);
  plansRef.current = plans;

  useEffect(() => {
    // What clients pay is for owners and admins (the API refuses members).
    if (!canManage) return;
    // Only a change of the rows on screen asks again; a loaded plan stays.
    const missing = visibleKey.split(',').filter((id) => id !== '' && plansRef.current[id] === undefined);
    if (missing.length === 0) return;
    const controller = new AbortController();
    for (const id of missing) {
      clientPlans.get(id, controller.signal).then(
        (plan) => setPlans((prev) => ({ ...prev, [id]: plan })),
        () => !controller.signal.aborted && setPlans((prev) => ({ ...prev, [id]: 'error' })),
      );
    }
    return () => controller.abort();
  }, [visibleKey, canManage]);

  const replace = (next: SubAccount) => list.setData((prev) => prev && { ...prev, data: prev.data.map((c) => (c.id === next.id ? next : c)) });
  // Suspending or reactivating moves the suspended count with it.
  const recount = (next: SubAccount) =>
    list.setData((prev) => prev && { ...prev, counts: { ...prev.counts, suspended: prev.counts.suspended + (next.suspended ? 1 : -1) } });

  const showMore = async () => {
    const cursor = list.data?.next_cursor;
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const next = await subAccounts.page({ q: needle, cursor, limit: PAGE_SIZE });
      list.setData((prev) => prev && { ...next, data: [...prev.data, ...next.data] });
    } catch (err) {
      toast.error(err);
    } finally {
      setLoadingMore(false);
    }
  };

  const open = async (client: SubAccount) => {
    setBusy(client.id);
    try {
      await switchAccount(client.id);
    } catch (err) {
      toast.error(err);
      setBusy(null);
    }
  };

  const toggleSuspended = async (client: SubAccount) => {
    const suspend = !client.suspended;
    const ok = await confirm(
      suspend
        ? {
            title: `Suspend ${client.name}?`,
            message: (
              <div className="stack" style={{ gap: 8 }}>
                <p>Its users are signed out at once, and they cannot sign in or use its API keys until you reactivate it.</p>
                <p>
                  Nothing is deleted, your team can still open the account, and its plan is not changed: cancel the plan separately if billing should stop too.
                </p>
              </div>
            ),
            confirmLabel: 'Suspend account',
            danger: true,
          }
        : {
            title: `Reactivate ${client.name}?`,
            message: 'Its users can sign in and use its API keys again, with everything as they left it.',
            confirmLabel: 'Reactivate account',
          },
    );
    if (!ok) return;
    setBusy(client.id);
    try {
      const saved = await subAccounts.setSuspended(client.id, suspend);
      replace(saved);
      recount(saved);
      toast.success(suspend ? `${client.name} is suspended` : `${client.name} is active again`);
    } catch (err) {
      toast.error(err);
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="page clients-page">
      <div className="page-header">
        <div className="page-title">
          <h1>Clients</h1>
          <p>Each client works in an account of its own. Open one to work inside it, add its people and choose the plan it pays for.</p>
        </div>
        {canManage && (
          <button type="button" className="btn btn-primary" onClick={() => setDialog({ kind: 'create' })}>
            <Icon name="plus" />
            New client
          </button>
        )}
      </div>

      {list.error !== undefined && !counts ? (
        <ErrorAlert error={list.error} onRetry={list.reload} />
      ) : !counts ? (
        <Loading label="Loading clients…" />
      ) : counts.total === 0 ? (
        <section className="card">
          <EmptyState
            icon="building"
            title="No clients yet"
            action={
              canManage && (
                <button type="button" className="btn btn-primary" onClick={() => setDialog({ kind: 'create' })}>
                  <Icon name="plus" />
                  New client
                </button>
              )
            }
          >
            Create an account for each client you work for. It has its own contacts, pipelines and team, and your branding.
          </EmptyState>
        </section>
      ) : (
        <section className="card" aria-labelledby="clients-title">
          <div className="card-header clients-toolbar">
            <h2 id="clients-title" className="sr-only">
              Client accounts
            </h2>
            <div className="input-with-icon clients-search">
              <Icon name="search" />
              <input
                type="search"
                className="input"
                placeholder="Search clients"
                aria-label="Search clients"
                value={query}
                onChange={(e) => setQuery(e.target.value)}
              />
            </div>
            <span className="spacer" />
            <span className="subtle clients-count" aria-live="polite">
              {counts.total} {counts.total === 1 ? 'client' : 'clients'}
              {counts.suspended > 0 && ` · ${counts.suspended} suspended`}
            </span>
          </div>
          {visible.length === 0 && !list.loading ? (
            <EmptyState compact title={`No client matches “${needle}”`}>
              Try another part of the name.
            </EmptyState>
          ) : (
            <div className="table-wrap" aria-busy={list.loading}>
              <table className="table clients-table" aria-label="Clients">
                <thead>
                  <tr>
                    <th scope="col">Client</th>
                    <th scope="col">Standing</th>
                    {canManage && <th scope="col">Plan</th>}
                    <th scope="col" className="hide-md">
                      Created
                    </th>
                    <th scope="col" className="actions">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {visible.map((c) => (
                    <ClientRow
                      key={c.id}
                      client={c}
                      plan={plans[c.id]}
                      canManage={canManage}
                      busy={busy === c.id}
                      disabled={busy !== null}
                      onOpen={() => open(c)}
                      onRename={() => setDialog({ kind: 'rename', client: c })}
                      onAddUser={() => setDialog({ kind: 'user', client: c })}
                      onPlan={() => setDialog({ kind: 'plan', client: c })}
                      onToggleSuspended={() => toggleSuspended(c)}
                    />
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {list.data?.next_cursor && (
            <div className="card-footer clients-more">
              <button type="button" className="btn btn-ghost btn-sm" onClick={showMore} disabled={loadingMore || list.loading}>
                {loadingMore && <Spinner />}
                Show more
              </button>
            </div>
          )}
        </section>
      )}

      <ClientNameDialog
        open={dialog?.kind === 'create' || dialog?.kind === 'rename'}
        client={dialog?.kind === 'rename' ? dialog.client : null}
        onClose={() => setDialog(null)}
        onSaved={(saved, created) => {
          // A new client takes its place in name order on the server's next read.
          if (created) list.reload();
          else replace(saved);
          // The account switcher lists client accounts too.
          reloadMe();
          toast.success(created ? `${saved.name} is ready. Open it to start working inside it.` : `Renamed to ${saved.name}`);
        }}
      />
      {dialog?.kind === 'user' && (
        <AddUserDialog
          title={`Add a user to ${dialog.client.name}`}
          description="They sign in to the client's account with this email. The client's plan limits the number of users."
          roles={CLIENT_ROLES}
          initialRole="owner"
          signsInTo={dialog.client.name}
          add={(user) => subAccounts.addUser(dialog.client.id, user)}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog?.kind === 'plan' && (
        <ClientPlanDialog
          client={dialog.client}
          onClose={() => setDialog(null)}
          onChanged={(plan) => setPlans((prev) => ({ ...prev, [plan.sub_account_id]: plan }))}
        />
      )}
    </div>
  );
}

function ClientRow({
  client: c,
  plan,
  canManage,
  busy,
  disabled,
  onOpen,
  onRename,
  onAddUser,
  onPlan,
  onToggleSuspended,
}: {
  client: SubAccount;
  plan: SubAccountSubscription | 'error' | undefined;
  canManage: boolean;
  busy: boolean;
  disabled: boolean;
  onOpen: () => void;
  onRename: () => void;
  onAddUser: () => void;
  onPlan: () => void;
  onToggleSuspended: () => void;
}) {
  const summary = plan && plan !== 'error' ? planSummary(plan) : null;
  return (
    <tr className={c.suspended ? 'is-suspended' : undefined} data-testid={`client-${c.id}`}>
      <td>
        <div className="client-cell">
          <Avatar name={c.name} />
          <div className="client-cell-text">
            <span className="client-name">{c.name}</span>
            {c.suspended ? (
              <span className="client-suspended-note">
                <Icon name="pause" size={12} />
                Suspended {formatDate(c.suspended_at)}: its users cannot sign in
              </span>
            ) : (
              <span className="subtle client-created-inline">Created {formatDate(c.created_at)}</span>
            )}
          </div>
        </div>
      </td>
      <td>
        <div className="row-wrap" style={{ gap: 6 }}>
          {c.suspended && <span className="badge badge-suspended">Suspended</span>}
          {/* Billing standing beside a suspension only when it says more than "active". */}
          {!(c.suspended && c.status === 'active') && (
            <span className={`badge badge-standing badge-standing-${c.status.replace('_', '-')}`}>{STANDING_LABELS[c.status] ?? c.status}</span>
          )}
        </div>
      </td>
      {canManage && (
        <td>
          {plan === undefined ? (
            <span className="skeleton plan-skeleton">
              <span className="sr-only">Loading plan</span>
            </span>
          ) : plan === 'error' ? (
            <span className="subtle">Could not load the plan</span>
          ) : (
            <button
              type="button"
              className="plan-cell"
              onClick={onPlan}
              aria-label={`Plan of ${c.name}: ${summary?.name}. ${canManage ? 'Change' : 'Details'}`}
            >
              <span className="plan-cell-name">
                {summary?.name}
                {summary?.tone && <span className={`plan-dot tone-${summary.tone}`} aria-hidden="true" />}
                <Icon name="chevronRight" size={14} className="plan-cell-chevron" />
              </span>
              <span className="subtle">{summary?.detail}</span>
            </button>
          )}
        </td>
      )}
      <td className="hide-md muted nowrap">{formatDate(c.created_at)}</td>
      <td className="actions">
        <div className="client-actions">
          {canManage && (
            <button type="button" className="btn btn-sm" onClick={onOpen} disabled={disabled} aria-label={`Open ${c.name}`}>
              {busy ? <Spinner /> : <Icon name="eye" />}
              Open
            </button>
          )}
          {canManage && (
            <Menu
              label={`More actions for ${c.name}`}
              actions={[
                { label: 'Rename', icon: <Icon name="edit" />, onSelect: onRename },
                { label: 'Add user', icon: <Icon name="userPlus" />, onSelect: onAddUser },
                { label: 'Plan', icon: <Icon name="receipt" />, onSelect: onPlan },
                c.suspended
                  ? { label: 'Reactivate', icon: <Icon name="play" />, onSelect: onToggleSuspended, separatorBefore: true }
                  : { label: 'Suspend', icon: <Icon name="pause" />, onSelect: onToggleSuspended, danger: true, separatorBefore: true },
              ]}
            />
          )}
        </div>
      </td>
    </tr>
  );
}
