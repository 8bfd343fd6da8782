// Adds a person to a client account without opening it: usually the client's
// owner. Someone who already has a login keeps their password; a new person
// needs a first one. The API's field errors show beside each field.
import { useState } from 'react';
import { ApiError } from '../../api/client';
import type { Role } from '../../api/types';
import { Field, Spinner } from '../../ui/components';
import { Dialog } from '../../ui/Dialog';
import { useToast } from '../../ui/feedback';
import { Icon } from '../../ui/icons';
import { subAccounts, type SubAccount } from '../agency.api';

const ROLES: { value: Role; label: string; hint: string }[] = [
  { value: 'owner', label: 'Owner', hint: 'Everything, including billing and the team. Usually the client themselves.' },
  { value: 'admin', label: 'Admin', hint: 'Manages the team, settings and data.' },
  { value: 'member', label: 'Member', hint: 'Works with contacts and opportunities.' },
];

export function AddClientUserDialog({ client, onClose }: { client: SubAccount; onClose: () => void }) {
  const toast = useToast();
  const [form, setForm] = useState({ name: '', email: '', role: 'owner' as Role, password: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const errors = error?.fieldErrors ?? {};
  const known = ['name', 'email', 'role', 'password'];
  const hasOtherError = error !== null && !Object.keys(errors).some((k) => known.includes(k));

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const user = await subAccounts.addUser(client.id, {
        name: form.name.trim(),
        email: form.email.trim(),
        role: form.role,
        ...(form.password ? { password: form.password } : {}),
      });
      toast.success(`${user.name} can now sign in to ${client.name} as ${user.role}`);
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
      title={`Add a user to ${client.name}`}
      description="They sign in to the client's account with this email. The client's plan limits the number of users."
      onSubmit={submit}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy && <Spinner />}
            Add user
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
        <Field label="Role" className="span-2" error={errors.role} hint={ROLES.find((r) => r.value === form.role)?.hint}>
          {(p) => (
            <select {...p} className="select" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
              {ROLES.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label="First password"
          className="span-2"
          error={errors.password}
          hint="Only for someone without a login yet: at least 10 characters. People who already have one keep their password."
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
