import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { wallet as walletApi } from '../api/endpoints';
import type { WalletBalance } from '../api/types';
import { Field, Spinner } from '../ui/components';
import { useToast } from '../ui/feedback';
import { moneyToInput, normalizeMoneyInput } from '../ui/format';
import { formatUsd } from './money';

interface Form {
  enabled: boolean;
  threshold: string;
  amount: string;
}

const fromBalance = (b: WalletBalance): Form => ({
  enabled: b.auto_recharge.enabled,
  threshold: moneyToInput(b.auto_recharge.threshold),
  amount: moneyToInput(b.auto_recharge.amount),
});

function RechargeBadge({ balance: { auto_recharge: ar } }: { balance: WalletBalance }) {
  if (ar.in_progress)
    return (
      <span className="badge badge-pending">
        <Spinner />
        Recharging
      </span>
    );
  if (!ar.enabled) return <span className="badge">Off</span>;
  if (ar.failure) return <span className="badge badge-failed">Failed</span>;
  return <span className="badge badge-succeeded">On</span>;
}

export function AutoRechargeCard({ balance, canManage, onSaved }: { balance: WalletBalance; canManage: boolean; onSaved: (b: WalletBalance) => void }) {
  const toast = useToast();
  const saved = fromBalance(balance);
  const [form, setForm] = useState<Form>(saved);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [local, setLocal] = useState<Partial<Record<keyof Form, string>>>({});

  // Follow the server's settings when they change elsewhere (another tab, a save).
  // Done while rendering, so the card never shows the old values against the new settings.
  const savedKey = `${saved.enabled}|${saved.threshold}|${saved.amount}`;
  const [formFor, setFormFor] = useState(savedKey);
  if (formFor !== savedKey) {
    setFormFor(savedKey);
    setForm(saved);
  }

  const dirty = form.enabled !== saved.enabled || form.threshold !== saved.threshold || form.amount !== saved.amount;
  const server = error?.fieldErrors ?? {};
  const errors = { enabled: local.enabled ?? server.enabled, threshold: local.threshold ?? server.threshold, amount: local.amount ?? server.amount };
  const generalError = error && !server.enabled && !server.threshold && !server.amount ? error.message : null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const threshold = normalizeMoneyInput(form.threshold);
    const amount = normalizeMoneyInput(form.amount);
    const problems: typeof local = {};
    if (!threshold) problems.threshold = 'Enter an amount like 10.00.';
    if (!amount) problems.amount = 'Enter an amount like 50.00.';
    setLocal(problems);
    if (!threshold || !amount) return;
    setBusy(true);
    try {
      const next = await walletApi.configureAutoRecharge({ enabled: form.enabled, threshold, amount });
      onSaved(next);
      setForm(fromBalance(next));
      toast.success(next.auto_recharge.enabled ? 'Auto-recharge is on' : 'Auto-recharge settings saved');
    } catch (err) {
      if (err instanceof ApiError) setError(err);
      else toast.error(err);
    } finally {
      setBusy(false);
    }
  };

  const set = (patch: Partial<Form>) => {
    setForm((f) => ({ ...f, ...patch }));
    setLocal({});
  };

  return (
    <section className="card wallet-card" aria-labelledby="recharge-title">
      <div className="card-header">
        <h2 id="recharge-title">Auto-recharge</h2>
        <RechargeBadge balance={balance} />
      </div>
      <form className="card-body stack" onSubmit={submit} aria-label="Auto-recharge settings" noValidate>
        <fieldset disabled={!canManage || busy} className="plain-fieldset stack">
          <div className="field">
            <label className="switch">
              <input
                type="checkbox"
                role="switch"
                checked={form.enabled}
                aria-checked={form.enabled}
                onChange={(e) => set({ enabled: e.target.checked })}
                aria-invalid={errors.enabled ? true : undefined}
                aria-describedby={errors.enabled ? 'recharge-enabled-error' : undefined}
              />
              Top up automatically when funds run low
            </label>
            {errors.enabled && (
              <span id="recharge-enabled-error" className="field-error">
                {errors.enabled === 'No saved card.' ? 'Save a card before turning on auto-recharge.' : errors.enabled}
              </span>
            )}
          </div>
          <div className="recharge-fields">
            <Field label="When available falls below" error={errors.threshold} hint="$1.00 up to the amount added.">
              {(p) => (
                <div className="money-input">
                  <span aria-hidden="true">$</span>
                  <input {...p} className="input" inputMode="decimal" value={form.threshold} onChange={(e) => set({ threshold: e.target.value })} />
                </div>
              )}
            </Field>
            <Field label="Add this amount" error={errors.amount} hint={`$5.00 to $10,000.00; at most ${formatUsd(balance.auto_recharge.daily_limit)} a day.`}>
              {(p) => (
                <div className="money-input">
                  <span aria-hidden="true">$</span>
                  <input {...p} className="input" inputMode="decimal" value={form.amount} onChange={(e) => set({ amount: e.target.value })} />
                </div>
              )}
            </Field>
          </div>
        </fieldset>
        {generalError && (
          <p className="field-error" role="alert">
            {generalError}
          </p>
        )}
        {canManage ? (
          <div className="row">
            <button type="submit" className="btn btn-primary" disabled={busy || !dirty}>
              {busy && <Spinner />}
              Save
            </button>
            {dirty && (
              <button
                type="button"
                className="btn btn-ghost"
                onClick={() => {
                  setForm(saved);
                  setError(null);
                  setLocal({});
                }}
              >
                Discard
              </button>
            )}
          </div>
        ) : (
          <p className="subtle">Only owners and admins can change auto-recharge.</p>
        )}
      </form>
    </section>
  );
}
