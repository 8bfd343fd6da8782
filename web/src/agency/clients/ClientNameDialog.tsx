// Creates a client account, or renames one. A plan without sub-accounts is
// refused (403 plan_limit_reached) with the plan to move to, which is shown
// here with a way to Billing.
import { useEffect, useState } from 'react';
import { ApiError } from '../../api/client';
import { Link } from '../../shell/router';
import { Field, Spinner } from '../../ui/components';
import { Dialog } from '../../ui/Dialog';
import { formatMoney } from '../../ui/format';
import { Icon } from '../../ui/icons';
import { subAccounts, type SubAccount } from '../agency.api';

interface Upgrade {
  name?: string;
  price_per_month?: string | null;
}

export function ClientNameDialog({
  open,
  client,
  onClose,
  onSaved,
}: {
  open: boolean;
  /** The client to rename; null creates a new one. */
  client: SubAccount | null;
  onClose: () => void;
  onSaved: (saved: SubAccount, created: boolean) => void;
}) {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (open) setName(client?.name ?? '');
    setError(null);
  }, [open, client]);

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const saved = client ? await subAccounts.rename(client.id, name.trim()) : await subAccounts.create(name.trim());
      onSaved(saved, client === null);
      onClose();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const apiError = error instanceof ApiError ? error : null;
  const fieldError = apiError?.fieldErrors.name;
  const planLimit = apiError?.code === 'plan_limit_reached';
  const upgrade = planLimit ? (apiError.problem.upgrade as Upgrade | null | undefined) : null;
  const unchanged = client !== null && name.trim() === client.name;

  return (
    <Dialog
      open={open}
      onClose={onClose}
      size="sm"
      title={client ? `Rename ${client.name}` : 'New client'}
      description={
        client
          ? 'The new name shows in the account switcher, in its invoices and to its users.'
          : 'A separate account for one of your clients, with its own contacts, pipelines and team, under your branding.'
      }
      onSubmit={submit}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy || !name.trim() || unchanged}>
            {busy && <Spinner />}
            {client ? 'Rename' : 'Create client'}
          </button>
        </>
      }
    >
      <div className="stack">
        {error !== null && !fieldError && (
          <div className={`alert${planLimit ? ' alert-warning' : ''}`} role="alert">
            <Icon name="alert" />
            <div className="stack" style={{ gap: 6 }}>
              <span>{error instanceof Error ? error.message : 'Something went wrong.'}</span>
              {planLimit && (
                <Link to="/billing" className="alert-link">
                  {upgrade?.name
                    ? `Move to ${upgrade.name}${upgrade.price_per_month ? ` (${formatMoney(upgrade.price_per_month)}/month)` : ''} on Billing`
                    : 'Go to Billing'}
                  <Icon name="chevronRight" size={14} />
                </Link>
              )}
            </div>
          </div>
        )}
        <Field label="Client business name" error={fieldError}>
          {(p) => <input {...p} className="input" required maxLength={120} autoFocus value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
      </div>
    </Dialog>
  );
}
