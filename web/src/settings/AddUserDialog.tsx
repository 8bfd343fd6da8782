// Adds a person to an account: the account's own team (Settings → Team) or a
// client account from its agency. Someone who already has a login is emailed
// an invitation to join (they are a member once they accept); a new person
// gets the first password given or, left empty, an emailed invitation to
// choose their own. The API's field errors show beside each field.
import { useState } from 'react';
import { ApiError } from '../api/client';
import type { Role, TeamMember } from '../api/types';
import { Field, Spinner } from '../ui/components';
import { Dialog } from '../ui/Dialog';
import { useToast } from '../ui/feedback';
import { Icon } from '../ui/icons';

export interface RoleChoice {
  value: Role;
  label: string;
  hint: string;
}

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  password?: string;
}

const FIELDS = ['name', 'email', 'role', 'password'];

export function AddUserDialog({
  title,
  description,
  roles,
  initialRole,
  signsInTo,
  add,
  onAdded,
  onClose,
}: {
  title: string;
  description: string;
  roles: RoleChoice[];
  initialRole: Role;
  /** The account's name, for the confirmation ("can now sign in to ..."). */
  signsInTo?: string;
  add: (user: NewUser) => Promise<TeamMember>;
  onAdded?: (user: TeamMember) => void;
  onClose: () => void;
}) {
  const toast = useToast();
  const [form, setForm] = useState({ name: '', email: '', role: initialRole, password: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const errors = error?.fieldErrors ?? {};
  const hasOtherError = error !== null && !Object.keys(errors).some((k) => FIELDS.includes(k));

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const user = await add({ name: form.name.trim(), email: form.email.trim(), role: form.role, ...(form.password ? { password: form.password } : {}) });
      if (user.invitation?.email_status === 'failed')
        toast.error(user.invitation.error ?? `${user.name} was added, but the invitation email could not be sent.`);
      else if (user.invitation) toast.success(`Invitation sent to ${user.email}`);
      else toast.success(`${user.name} can now sign in${signsInTo ? ` to ${signsInTo}` : ''} as ${user.role}`);
      onAdded?.(user);
      onClose();
    } catch (err) {
      if (err instanceof ApiError) setError(err);
      else toast.error(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      onClose={onClose}
      title={title}
      description={description}
      onSubmit={submit}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy && <Spinner />}
            {form.password ? 'Add user' : 'Send invitation'}
          </button>
        </>
      }
    >
      <div className="form-grid">
        {hasOtherError && (
          <div className="alert span-2" role="alert">
            <Icon name="alert" />
            <span>{error?.message}</span>
          </div>
        )}
        <Field label="Name" error={errors.name}>
          {(p) => <input {...p} className="input" required autoFocus value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />}
        </Field>
        <Field label="Email" error={errors.email}>
          {(p) => (
            <input
              {...p}
              className="input"
              type="email"
              required
              autoComplete="off"
              value={form.email}
              onChange={(e) => setForm({ ...form, email: e.target.value })}
            />
          )}
        </Field>
        <Field label="Role" className="span-2" error={errors.role} hint={roles.find((r) => r.value === form.role)?.hint}>
          {(p) => (
            <select {...p} className="select" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
              {roles.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label="First password (optional)"
          className="span-2"
          error={errors.password}
          hint="Leave empty to email an invitation, so they choose their own. At least 10 characters. Someone who already has a login is invited to join instead."
        >
          {(p) => (
            <input
              {...p}
              className="input"
              type="password"
              autoComplete="new-password"
              value={form.password}
              onChange={(e) => setForm({ ...form, password: e.target.value })}
            />
          )}
        </Field>
      </div>
    </Dialog>
  );
}
