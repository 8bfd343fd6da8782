import { useState } from 'react';
import { users as api } from '../api/endpoints';
import type { Role, TeamMember } from '../api/types';
import { useSession } from '../auth/SessionProvider';
import { Avatar, EmptyState, ErrorAlert, Loading } from '../ui/components';
import { useConfirm, useToast } from '../ui/feedback';
import { AddUserDialog, type RoleChoice } from './AddUserDialog';
import { formatDate } from '../ui/format';
import { useResource } from '../ui/hooks';
import { Icon } from '../ui/icons';

const ROLES: RoleChoice[] = [
  { value: 'owner', label: 'Owner', hint: 'Full access, including billing.' },
  { value: 'admin', label: 'Admin', hint: 'Manage settings, team and data.' },
  { value: 'member', label: 'Member', hint: 'Work with contacts and opportunities.' },
];

export function TeamTab() {
  const toast = useToast();
  const confirm = useConfirm();
  const { me } = useSession();
  const list = useResource(() => api.list(), []);
  const [open, setOpen] = useState(false);
  const canManage = me?.role === 'owner' || me?.role === 'admin';

  const setRole = async (u: TeamMember, role: Role) => {
    const before = u.role;
    list.setData((prev) => (prev ?? []).map((x) => (x.id === u.id ? { ...x, role } : x)));
    try {
      await api.setRole(u.id, role);
      toast.success(`${u.name} is now ${role === 'admin' ? 'an' : 'a'} ${role}`);
    } catch (err) {
      list.setData((prev) => (prev ?? []).map((x) => (x.id === u.id ? { ...x, role: before } : x)));
      toast.error(err);
    }
  };

  const remove = async (u: TeamMember) => {
    const ok = await confirm({
      title: `Remove ${u.name}?`,
      message: 'They lose access to this account immediately. Their notes and tasks stay.',
      confirmLabel: 'Remove user',
      danger: true,
    });
    if (!ok) return;
    try {
      await api.remove(u.id);
      list.setData((prev) => (prev ?? []).filter((x) => x.id !== u.id));
      toast.success(`Removed ${u.name}`);
    } catch (err) {
      toast.error(err);
    }
  };

  const resend = async (u: TeamMember) => {
    try {
      const sent = await api.resendInvitation(u.id);
      if (sent.email_status === 'sent') toast.success(`Invitation sent again to ${u.email}`);
      else toast.error(sent.error ?? 'The invitation email could not be sent.');
    } catch (err) {
      toast.error(err);
    }
  };

  const users = list.data ?? [];

  return (
    <section aria-labelledby="team-title">
      <div className="settings-section-header">
        <div>
          <h2 id="team-title">Team</h2>
          <p>People who can sign in to this account, and what they can do.</p>
        </div>
        {canManage && (
          <button type="button" className="btn btn-primary" onClick={() => setOpen(true)}>
            <Icon name="plus" />
            Invite user
          </button>
        )}
      </div>
      <div className="card">
        {list.loading && !list.data ? (
          <Loading />
        ) : list.error ? (
          <div className="card-body">
            <ErrorAlert error={list.error} onRetry={list.reload} />
          </div>
        ) : users.length === 0 ? (
          <EmptyState icon="users" title="No team members" />
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Role</th>
                  <th scope="col" className="hide-sm">
                    Added
                  </th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {users.map((u) => {
                  const self = u.id === me?.user.id;
                  return (
                    <tr key={u.id}>
                      <td>
                        <div className="row" style={{ gap: 12 }}>
                          <Avatar name={u.name || u.email} />
                          <div className="stack" style={{ gap: 0 }}>
                            <span style={{ fontWeight: 500 }}>
                              {u.name}
                              {self && <span className="badge you-badge">You</span>}
                              {u.invited && (
                                <span className="badge badge-invited" title="Invited by email; has not chosen a password yet">
                                  Invited
                                </span>
                              )}
                            </span>
                            <span className="subtle">{u.email}</span>
                          </div>
                        </div>
                      </td>
                      <td>
                        {canManage && !self ? (
                          <>
                            <label htmlFor={`role-${u.id}`} className="sr-only">
                              Role of {u.name}
                            </label>
                            <select
                              id={`role-${u.id}`}
                              className="select select-sm role-select"
                              value={u.role}
                              onChange={(e) => setRole(u, e.target.value as Role)}
                            >
                              {ROLES.map((r) => (
                                <option key={r.value} value={r.value}>
                                  {r.label}
                                </option>
                              ))}
                            </select>
                          </>
                        ) : (
                          <span className="badge badge-role">{u.role}</span>
                        )}
                      </td>
                      <td className="hide-sm muted">{formatDate(u.created_at)}</td>
                      <td className="actions">
                        {canManage && u.invited && (
                          <button
                            type="button"
                            className="btn btn-ghost btn-icon btn-sm"
                            aria-label={`Send the invitation to ${u.name} again`}
                            title="Send the invitation again"
                            onClick={() => resend(u)}
                          >
                            <Icon name="mail" />
                          </button>
                        )}
                        {canManage && !self && (
                          <button
                            type="button"
                            className="btn btn-ghost btn-icon btn-sm"
                            aria-label={`Remove ${u.name}`}
                            title="Remove user"
                            onClick={() => remove(u)}
                          >
                            <Icon name="trash" />
                          </button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </div>
      {open && (
        <AddUserDialog
          title="Invite a user"
          description="They sign in to this account with this email."
          roles={ROLES}
          initialRole="member"
          add={(user) => api.add(user)}
          onAdded={(u) => list.setData((prev) => [...(prev ?? []), u])}
          onClose={() => setOpen(false)}
        />
      )}
    </section>
  );
}
