// The editable contact record: standard fields, address, do-not-disturb
// switches and custom fields, saved together with one PATCH of what changed.
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { contacts as contactsApi } from '../api/endpoints';
import type { Address, Contact, ContactInput, CustomField, CustomFieldValue } from '../api/types';
import { Field, Spinner } from '../ui/components';
import { useToast } from '../ui/feedback';
import { Icon } from '../ui/icons';
import { CustomFieldInput, sameDraft, toApiValue, toDraft, type Draft } from './CustomFieldInput';

const BASIC = ['first_name', 'last_name', 'email', 'phone', 'company', 'source'] as const;
const ADDRESS = ['line1', 'line2', 'city', 'region', 'postal_code', 'country'] as const;
type Basic = (typeof BASIC)[number];
type AddressKey = (typeof ADDRESS)[number];

interface FormState {
  basic: Record<Basic, string>;
  address: Record<AddressKey, string>;
  dnd: Contact['dnd'];
  custom: Record<string, Draft>;
}

function fromContact(c: Contact, fields: CustomField[]): FormState {
  return {
    basic: Object.fromEntries(BASIC.map((k) => [k, c[k] ?? ''])) as Record<Basic, string>,
    address: Object.fromEntries(ADDRESS.map((k) => [k, c.address?.[k] ?? ''])) as Record<AddressKey, string>,
    dnd: { sms: Boolean(c.dnd?.sms), email: Boolean(c.dnd?.email), calls: Boolean(c.dnd?.calls) },
    custom: Object.fromEntries(fields.map((f) => [f.key, toDraft(f, c.custom_fields?.[f.key])])),
  };
}

/** Fields the user has not touched (form === old) follow the new record. */
function rebase(form: FormState, old: FormState, next: FormState): FormState {
  const pick = <T,>(cur: Record<string, T>, was: Record<string, T>, now: Record<string, T>, same: (a: T, b: T) => boolean) =>
    Object.fromEntries(Object.keys(now).map((k) => [k, k in cur && !same(cur[k], was[k]) ? cur[k] : now[k]]));
  const eq = <T,>(a: T, b: T) => a === b;
  return {
    basic: pick(form.basic, old.basic, next.basic, eq) as FormState['basic'],
    address: pick(form.address, old.address, next.address, eq) as FormState['address'],
    dnd: pick(form.dnd, old.dnd, next.dnd, eq) as FormState['dnd'],
    custom: pick(form.custom, old.custom, next.custom, (a, b) => b !== undefined && sameDraft(a, b)),
  };
}

const nullIfEmpty = (s: string) => (s.trim() === '' ? null : s.trim());

export function ContactDetailsForm({ contact, fields, onSaved }: { contact: Contact; fields: CustomField[]; onSaved: (c: Contact) => void }) {
  const toast = useToast();
  const initial = useMemo(() => fromContact(contact, fields), [contact, fields]);
  const [form, setForm] = useState(initial);
  // Set when our own save produced the new record: the server's normalised
  // values (e.g. an E.164 phone) then replace the form entirely.
  const savedRef = useRef(false);
  const [baseline, setBaseline] = useState(initial);
  // When the contact is replaced (saved, or tags changed elsewhere), take the
  // new values but keep whatever the user is still editing.
  if (baseline !== initial) {
    setBaseline(initial);
    setForm((f) => (savedRef.current ? initial : rebase(f, baseline, initial)));
  }
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once after each render that took in a new record, to end the "our own save" window; the value itself is not needed.
  useEffect(() => {
    savedRef.current = false;
  }, [initial]);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});

  const diff = useMemo(() => {
    const patch: ContactInput = {};
    for (const k of BASIC) if (form.basic[k] !== initial.basic[k]) patch[k] = nullIfEmpty(form.basic[k]);
    if (ADDRESS.some((k) => form.address[k] !== initial.address[k])) {
      patch.address = Object.fromEntries(ADDRESS.map((k) => [k, nullIfEmpty(form.address[k])])) as Partial<Address>;
    }
    if ((['sms', 'email', 'calls'] as const).some((k) => form.dnd[k] !== initial.dnd[k])) patch.dnd = form.dnd;
    const changedCustom = fields.filter((f) => !sameDraft(form.custom[f.key], initial.custom[f.key]));
    return { patch, changedCustom };
  }, [form, initial, fields]);
  const dirty = Object.keys(diff.patch).length > 0 || diff.changedCustom.length > 0;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const localErrors: Record<string, string> = {};
    const custom: Record<string, CustomFieldValue> = {};
    for (const f of diff.changedCustom) {
      try {
        custom[f.key] = toApiValue(f, form.custom[f.key]);
      } catch (err) {
        localErrors[`custom_fields.${f.key}`] = (err as Error).message;
      }
    }
    setErrors(localErrors);
    if (Object.keys(localErrors).length > 0) return;

    setBusy(true);
    setProblem(null);
    try {
      const body: ContactInput = { ...diff.patch };
      if (diff.changedCustom.length > 0) body.custom_fields = custom;
      const saved = await contactsApi.update(contact.id, body);
      toast.success('Contact saved');
      savedRef.current = true;
      onSaved(saved);
    } catch (err) {
      if (err instanceof ApiError) {
        setErrors(err.fieldErrors);
        setProblem(err.message);
      } else {
        toast.error(err);
      }
    } finally {
      setBusy(false);
    }
  };

  const basicInput = (key: Basic, label: string, type = 'text') => (
    <Field label={label} error={errors[key]}>
      {(p) => (
        <input
          {...p}
          className="input"
          type={type}
          value={form.basic[key]}
          onChange={(e) => setForm((f) => ({ ...f, basic: { ...f.basic, [key]: e.target.value } }))}
        />
      )}
    </Field>
  );
  const addressInput = (key: AddressKey, label: string, span2 = false) => (
    <Field
      label={label}
      error={errors[`address.${key}`]}
      className={span2 ? 'span-2' : undefined}
      hint={key === 'country' ? 'Two-letter code, e.g. US' : undefined}
    >
      {(p) => (
        <input
          {...p}
          className="input"
          maxLength={key === 'country' ? 2 : undefined}
          autoCapitalize={key === 'country' ? 'characters' : undefined}
          value={form.address[key]}
          onChange={(e) => {
            const value = key === 'country' ? e.target.value.toUpperCase() : e.target.value;
            setForm((f) => ({ ...f, address: { ...f.address, [key]: value } }));
          }}
        />
      )}
    </Field>
  );

  return (
    <form className="card" onSubmit={submit} aria-labelledby="details-title">
      <div className="card-header">
        <h2 id="details-title">Details</h2>
      </div>
      <div className="card-body">
        {problem && (
          <div className="alert" role="alert" style={{ marginBottom: 16 }}>
            <Icon name="alert" />
            <span>{problem}</span>
          </div>
        )}
        <div className="form-section">
          <div className="form-grid">
            {basicInput('first_name', 'First name')}
            {basicInput('last_name', 'Last name')}
            {basicInput('email', 'Email', 'email')}
            {basicInput('phone', 'Phone', 'tel')}
            {basicInput('company', 'Company')}
            {basicInput('source', 'Source')}
          </div>
        </div>

        <div className="form-section">
          <h3 className="section-title">Address</h3>
          <div className="form-grid">
            {addressInput('line1', 'Street address', true)}
            {addressInput('line2', 'Apartment, suite, etc.', true)}
            {addressInput('city', 'City')}
            {addressInput('region', 'State / region')}
            {addressInput('postal_code', 'Postal code')}
            {addressInput('country', 'Country')}
          </div>
        </div>

        <div className="form-section">
          <h3 className="section-title">Do not disturb</h3>
          <div className="dnd-grid">
            {(
              [
                ['sms', 'Block SMS'],
                ['email', 'Block email'],
                ['calls', 'Block calls'],
              ] as const
            ).map(([k, label]) => (
              <label key={k} className="switch">
                <input
                  type="checkbox"
                  role="switch"
                  checked={form.dnd[k]}
                  aria-checked={form.dnd[k]}
                  onChange={(e) => setForm((f) => ({ ...f, dnd: { ...f.dnd, [k]: e.target.checked } }))}
                />
                {label}
              </label>
            ))}
          </div>
        </div>

        {fields.length > 0 && (
          <div className="form-section">
            <h3 className="section-title">Custom fields</h3>
            <div className="form-grid">
              {fields.map((f) => (
                <CustomFieldInput
                  key={f.id}
                  field={f}
                  value={form.custom[f.key]}
                  error={errors[`custom_fields.${f.key}`] ?? errors[`custom_fields.${f.id}`]}
                  onChange={(v) => setForm((s) => ({ ...s, custom: { ...s.custom, [f.key]: v } }))}
                />
              ))}
            </div>
          </div>
        )}
      </div>
      <div className="card-footer is-sticky">
        {dirty && <span className="subtle">Unsaved changes</span>}
        <button type="button" className="btn" disabled={!dirty || busy} onClick={() => setForm(initial)}>
          Discard
        </button>
        <button type="submit" className="btn btn-primary" disabled={!dirty || busy}>
          {busy && <Spinner />}
          Save changes
        </button>
      </div>
    </form>
  );
}
