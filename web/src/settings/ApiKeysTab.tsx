import { useState } from 'react';
import { ApiError } from '../api/client';
import { apiKeys as api } from '../api/endpoints';
import type { ApiKey } from '../api/types';
import { EmptyState, ErrorAlert, Field, Loading, Spinner } from '../ui/components';
import { Dialog } from '../ui/Dialog';
import { useConfirm, useToast } from '../ui/feedback';
import { formatDate, formatRelative } from '../ui/format';
import { useResource } from '../ui/hooks';
import { Icon } from '../ui/icons';

export function ApiKeysTab() {
  const toast = useToast();
  const confirm = useConfirm();
  const list = useResource(() => api.list(), []);
  const [open, setOpen] = useState(false);

  const revoke = async (k: ApiKey) => {
    const ok = await confirm({
      title: `Revoke “${k.name}”?`,
      message: 'Anything using this key stops working immediately.',
      confirmLabel: 'Revoke key',
      danger: true,
    });
    if (!ok) return;
    try {
      await api.revoke(k.id);
      list.setData((prev) => (prev ?? []).filter((x) => x.id !== k.id));
      toast.success(`Revoked ${k.name}`);
    } catch (err) {
      toast.error(err);
    }
  };

  const keys = list.data ?? [];

  return (
    <section aria-labelledby="keys-title">
      <div className="settings-section-header">
        <div>
          <h2 id="keys-title">API keys</h2>
          <p>
            Let your own tools call the API for this account. See the <a href="/api/docs">API docs</a>.
          </p>
        </div>
        <button type="button" className="btn btn-primary" onClick={() => setOpen(true)}>
          <Icon name="plus" />
          Create API key
        </button>
      </div>
      <div className="card">
        {list.loading && !list.data ? (
          <Loading />
        ) : list.error ? (
          <div className="card-body">
            <ErrorAlert error={list.error} onRetry={list.reload} />
          </div>
        ) : keys.length === 0 ? (
          <EmptyState icon="key" title="No API keys">
            Create a key to connect Zapier, your website or a custom integration.
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Key</th>
                  <th scope="col" className="hide-sm">
                    Access
                  </th>
                  <th scope="col" className="hide-sm">
                    Created
                  </th>
                  <th scope="col">Last used</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {keys.map((k) => (
                  <tr key={k.id}>
                    <td style={{ fontWeight: 500 }}>{k.name}</td>
                    <td className="mono muted">{k.prefix}…</td>
                    <td className="hide-sm">
                      <span className="badge badge-role">{k.role}</span>
                    </td>
                    <td className="hide-sm muted">{formatDate(k.created_at)}</td>
                    <td className="muted">{k.last_used_at ? formatRelative(k.last_used_at) : 'Never'}</td>
                    <td className="actions">
                      <button type="button" className="btn btn-danger-ghost btn-sm" onClick={() => revoke(k)}>
                        Revoke
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
      <CreateKeyDialog open={open} onClose={() => setOpen(false)} onCreated={(k) => list.setData((prev) => [k, ...(prev ?? [])])} />
    </section>
  );
}

function CreateKeyDialog({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (k: ApiKey) => void }) {
  const toast = useToast();
  const [name, setName] = useState('');
  const [role, setRole] = useState<'admin' | 'member'>('admin');
  const [secret, setSecret] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const close = () => {
    setName('');
    setRole('admin');
    setSecret(null);
    setCopied(false);
    setError(null);
    onClose();
  };

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const res = await api.create(name.trim(), role);
      setSecret(res.key);
      onCreated(res.api_key);
    } catch (err) {
      if (err instanceof ApiError) setError(err);
      else toast.error(err);
    } finally {
      setBusy(false);
    }
  };

  const copy = async () => {
    if (!secret) return;
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
    } catch {
      toast.error('Copy failed. Select the key and copy it manually.');
    }
  };

  if (secret) {
    return (
      <Dialog
        open={open}
        onClose={close}
        title="Your new API key"
        description="Copy it now. For your security it will not be shown again."
        footer={
          <button type="button" className="btn btn-primary" onClick={close}>
            Done
          </button>
        }
      >
        <div className="stack">
          <div className="copy-box">
            <code data-testid="new-api-key">{secret}</code>
            <button type="button" className="btn btn-sm" onClick={copy}>
              <Icon name={copied ? 'check' : 'copy'} />
              {copied ? 'Copied' : 'Copy'}
            </button>
          </div>
          <div className="alert alert-warning">
            <Icon name="alert" />
            <span>Store it in a password manager or your tool's secret settings. Anyone with this key can read and change this account's data.</span>
          </div>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog
      open={open}
      onClose={close}
      title="Create API key"
      description="Name it after the integration that will use it."
      size="sm"
      onSubmit={submit}
      footer={
        <>
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy || !name.trim()}>
            {busy && <Spinner />}
            Create key
          </button>
        </>
      }
    >
      <div className="stack">
        {error && (
          <div className="alert" role="alert">
            <Icon name="alert" />
            <span>{error.message}</span>
          </div>
        )}
        <Field label="Key name" error={error?.fieldErrors.name}>
          {(p) => <input {...p} className="input" required placeholder="e.g. Website forms" value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field
          label="Access"
          error={error?.fieldErrors.role}
          hint={role === 'admin' ? 'Can change settings, team and all data.' : 'Can work with contacts, tasks and opportunities.'}
        >
          {(p) => (
            <select {...p} className="select" value={role} onChange={(e) => setRole(e.target.value as 'admin' | 'member')}>
              <option value="admin">Admin</option>
              <option value="member">Member</option>
            </select>
          )}
        </Field>
      </div>
    </Dialog>
  );
}
