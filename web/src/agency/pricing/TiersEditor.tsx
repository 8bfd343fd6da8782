// The tiers the agency sells to its clients (PRD addendum 2.4): name, monthly
// price, contacts and optionally users. Saving replaces the list on sale; a
// tier left out goes off sale and its subscribers keep it at their price.
// Each row shows its own errors, the API's included.
import { cloneElement, useEffect, useState, type InputHTMLAttributes, type ReactElement } from 'react';
import { ApiError } from '../../api/client';
import { EmptyState, Spinner } from '../../ui/components';
import { useToast } from '../../ui/feedback';
import { formatMoney, moneyToInput, normalizeMoneyInput } from '../../ui/format';
import { Icon } from '../../ui/icons';
import { tiers as tiersApi, type AgencyTier, type AgencyTiers, type TierInput } from '../agency.api';
import { formatCount, limitLine } from './tier-text';

interface Row {
  /** A local key: rows have no id until saved, and names change while typing. */
  id: number;
  /** The saved tier this row edits, for its subscriber count. */
  key: string | null;
  name: string;
  price: string;
  contacts: string;
  users: string;
}

let nextRowId = 1;

function toRows(list: AgencyTier[]): Row[] {
  return list.map((t) => ({
    id: nextRowId++,
    key: t.key,
    name: t.name,
    price: moneyToInput(t.price),
    contacts: String(t.contacts),
    users: t.users === null ? '' : String(t.users),
  }));
}

const sameRows = (a: Row[], b: Row[]) =>
  a.length === b.length && a.every((r, i) => r.name === b[i].name && r.price === b[i].price && r.contacts === b[i].contacts && r.users === b[i].users);

function parseCount(text: string): number | null {
  const cleaned = text.replace(/[,\s]/g, '');
  if (!/^\d+$/.test(cleaned)) return null;
  const n = Number(cleaned);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** The request body, or the field errors (keyed like the API's: tiers.0.price) that stop it being sent. */
function build(rows: Row[]): { body: TierInput[]; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const body = rows.map((r, i) => {
    if (!r.name.trim()) errors[`tiers.${i}.name`] = 'Give the tier a name.';
    const price = normalizeMoneyInput(r.price);
    if (price === null) errors[`tiers.${i}.price`] = 'A monthly price like 149.00.';
    const contacts = parseCount(r.contacts);
    if (contacts === null) errors[`tiers.${i}.contacts`] = 'A whole number of contacts.';
    const users = r.users.trim() ? parseCount(r.users) : undefined;
    if (users === null) errors[`tiers.${i}.users`] = 'A whole number, or empty.';
    return { name: r.name.trim(), price: price ?? r.price, contacts: contacts ?? 0, ...(users ? { users } : {}) };
  });
  return { body, errors };
}

export function TiersEditor({ data, canManage, onSaved }: { data: AgencyTiers; canManage: boolean; onSaved: (next: AgencyTiers) => void }) {
  const toast = useToast();
  const [saved, setSaved] = useState(() => toRows(data.tiers));
  const [rows, setRows] = useState(saved);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const fresh = toRows(data.tiers);
    setSaved(fresh);
    setRows(fresh);
  }, [data]);

  const dirty = !sameRows(rows, saved);
  const subscribersOf = (key: string | null) => data.tiers.find((t) => t.key === key)?.subscribers ?? 0;
  const removedWithSubscribers = saved.filter((s) => s.key && subscribersOf(s.key) > 0 && !rows.some((r) => r.key === s.key));

  const update = (id: number, change: Partial<Row>) => {
    setRows((prev) => prev.map((r) => (r.id === id ? { ...r, ...change } : r)));
  };
  const add = () => setRows((prev) => [...prev, { id: nextRowId++, key: null, name: '', price: '', contacts: '', users: '' }]);
  const remove = (id: number) => setRows((prev) => prev.filter((r) => r.id !== id));

  const save = async () => {
    const { body, errors: local } = build(rows);
    setProblem(null);
    setErrors(local);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    try {
      const next = await tiersApi.replace(body);
      onSaved(next);
      toast.success(next.tiers.length === 0 ? 'No tiers on sale now' : `${next.tiers.length} ${next.tiers.length === 1 ? 'tier' : 'tiers'} on sale`);
    } catch (err) {
      if (err instanceof ApiError) {
        const fields = err.fieldErrors;
        setErrors(fields);
        // Field errors stand beside their inputs; anything else reads above the table.
        if (Object.keys(fields).length === 0 || !Object.keys(fields).every((k) => /^tiers\.\d+\./.test(k))) setProblem(err.message);
      } else toast.error(err);
    } finally {
      setBusy(false);
    }
  };

  const contactsCap = data.limits.contacts;
  const usersCap = data.limits.users;

  return (
    <section className="card" aria-labelledby="tiers-title">
      <div className="card-header">
        <h2 id="tiers-title">Tiers you sell</h2>
        <span className="subtle">
          At most {contactsCap === null ? 'unlimited' : formatCount(contactsCap)} contacts
          {usersCap === null ? '' : ` and ${formatCount(usersCap)} users`} per client, as your own plan allows
        </span>
      </div>
      {problem && (
        <div className="card-body tiers-problem">
          <div className="alert" role="alert">
            <Icon name="alert" />
            <span>{problem}</span>
          </div>
        </div>
      )}
      {rows.length === 0 ? (
        <EmptyState
          icon="tag"
          title="No tiers yet"
          action={
            canManage && (
              <button type="button" className="btn btn-primary" onClick={add}>
                <Icon name="plus" />
                Add a tier
              </button>
            )
          }
        >
          Define the plans your clients choose from, such as Basic at $149 with 2,500 contacts. Clients pay for them through your Stripe account.
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table tiers-table" aria-label="Tiers">
            <colgroup>
              <col className="tiers-col-name" />
              <col className="tiers-col-price" />
              <col className="tiers-col-count" />
              <col className="tiers-col-count" />
              <col className="tiers-col-subscribers" />
              <col className="tiers-col-actions" />
            </colgroup>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Price per month</th>
                <th scope="col">Contacts</th>
                <th scope="col">Users</th>
                <th scope="col" className="num">
                  Subscribers
                </th>
                <th scope="col" className="actions">
                  <span className="sr-only">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => {
                const err = (field: string) => errors[`tiers.${i}.${field}`];
                const n = i + 1;
                return (
                  <tr key={r.id} data-testid={`tier-row-${n}`}>
                    <td>
                      <TierInputCell label={`Tier ${n} name`} error={err('name')}>
                        <input
                          className="input input-sm"
                          value={r.name}
                          placeholder="Basic"
                          maxLength={60}
                          disabled={!canManage}
                          onChange={(e) => update(r.id, { name: e.target.value })}
                        />
                      </TierInputCell>
                    </td>
                    <td>
                      <TierInputCell label={`Tier ${n} price per month`} error={err('price')} prefix="$">
                        <input
                          className="input input-sm"
                          value={r.price}
                          placeholder="149.00"
                          inputMode="decimal"
                          disabled={!canManage}
                          onChange={(e) => update(r.id, { price: e.target.value })}
                        />
                      </TierInputCell>
                    </td>
                    <td>
                      <TierInputCell label={`Tier ${n} contacts`} error={err('contacts')}>
                        <input
                          className="input input-sm"
                          value={r.contacts}
                          placeholder="2500"
                          inputMode="numeric"
                          disabled={!canManage}
                          onChange={(e) => update(r.id, { contacts: e.target.value })}
                        />
                      </TierInputCell>
                    </td>
                    <td>
                      <TierInputCell label={`Tier ${n} users`} error={err('users')}>
                        <input
                          className="input input-sm"
                          value={r.users}
                          placeholder={usersCap === null ? 'Unlimited' : `Up to ${formatCount(usersCap)}`}
                          inputMode="numeric"
                          disabled={!canManage}
                          onChange={(e) => update(r.id, { users: e.target.value })}
                        />
                      </TierInputCell>
                    </td>
                    <td className="num tiers-subscribers">{r.key ? subscribersOf(r.key) : '—'}</td>
                    <td className="actions">
                      {canManage && (
                        <button
                          type="button"
                          className="btn btn-ghost btn-icon btn-sm"
                          aria-label={`Remove tier ${n}${r.name ? ` (${r.name})` : ''}`}
                          title="Remove tier"
                          onClick={() => remove(r.id)}
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
      {canManage && (rows.length > 0 || dirty) && (
        <div className="card-footer tiers-footer">
          {rows.length > 0 && (
            <button type="button" className="btn btn-ghost btn-sm" onClick={add} disabled={rows.length >= 20}>
              <Icon name="plus" />
              Add tier
            </button>
          )}
          <span className="spacer subtle tiers-note">
            {removedWithSubscribers.length > 0
              ? `${removedWithSubscribers.map((r) => r.name).join(', ')} will go off sale; its subscribers keep it at their price.`
              : 'A new price applies to new subscribers; current ones keep theirs.'}
          </span>
          {dirty && (
            <button
              type="button"
              className="btn btn-sm"
              onClick={() => {
                setRows(saved);
                setErrors({});
                setProblem(null);
              }}
              disabled={busy}
            >
              Discard
            </button>
          )}
          <button type="button" className="btn btn-primary btn-sm" onClick={save} disabled={busy || !dirty}>
            {busy && <Spinner />}
            Save tiers
          </button>
        </div>
      )}
      {data.retired_tiers.length > 0 && (
        <div className="retired-tiers">
          <h3>Off sale</h3>
          <p className="subtle">Tiers you took off sale that clients are still subscribed to, at the price they chose.</p>
          <ul aria-label="Retired tiers">
            {data.retired_tiers.map((t) => (
              <li key={t.key}>
                <strong>{t.name}</strong>
                <span>{formatMoney(t.price)}/month</span>
                <span className="muted">{limitLine(t, usersCap)}</span>
                <span className="badge">
                  {t.subscribers} {t.subscribers === 1 ? 'subscriber' : 'subscribers'}
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

/** An input in the tiers table: labelled for screen readers, its error right under it. */
function TierInputCell({
  label,
  error,
  prefix,
  children,
}: {
  label: string;
  error?: string;
  prefix?: string;
  children: ReactElement<InputHTMLAttributes<HTMLInputElement>>;
}) {
  const id = `tier-${label.replace(/\W+/g, '-').toLowerCase()}`;
  const errorId = `${id}-error`;
  const input = cloneElement(children, { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': error ? errorId : undefined });
  return (
    <div className="tier-cell">
      <label htmlFor={id} className="sr-only">
        {label}
      </label>
      {prefix ? (
        <div className="tier-prefixed">
          <span aria-hidden="true">{prefix}</span>
          {input}
        </div>
      ) : (
        input
      )}
      {error && (
        <span id={errorId} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}
