import { useEffect, useState } from 'react';
import { ApiError } from '../api/client';
import { contacts as contactsApi, opportunities as oppsApi } from '../api/endpoints';
import type { Contact, Opportunity, Pipeline } from '../api/types';
import { Combobox } from '../ui/Combobox';
import { Avatar, Field, Spinner } from '../ui/components';
import { Dialog } from '../ui/Dialog';
import { useToast } from '../ui/feedback';
import { contactDisplayName, normalizeMoneyInput } from '../ui/format';
import { useDebounced } from '../ui/hooks';
import { Icon } from '../ui/icons';

/** Finds contacts by name/email/phone prefix as the user types. */
function useContactSearch(text: string) {
  const q = useDebounced(text.trim(), 250);
  const [results, setResults] = useState<Contact[]>([]);
  const [loading, setLoading] = useState(false);
  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    contactsApi
      .list({ q: q || undefined, limit: 8, sort: q ? 'name' : 'updated_at', order: q ? 'asc' : 'desc' }, controller.signal)
      .then(
        (page) => setResults(page.data),
        () => setResults([]),
      )
      .finally(() => !controller.signal.aborted && setLoading(false));
    return () => controller.abort();
  }, [q]);
  return { results, loading };
}

export function NewOpportunityDialog({
  open,
  pipeline,
  onClose,
  onCreated,
}: {
  open: boolean;
  pipeline: Pipeline;
  onClose: () => void;
  onCreated: (opp: Opportunity) => void;
}) {
  const toast = useToast();
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [stageId, setStageId] = useState('');
  const [contactText, setContactText] = useState('');
  const [contact, setContact] = useState<Contact | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const { results, loading } = useContactSearch(open ? contactText : '');
  const errors = error?.fieldErrors ?? {};
  const effectiveStage = stageId || pipeline.stages[0]?.id || '';

  const close = () => {
    setName('');
    setValue('');
    setStageId('');
    setContact(null);
    setContactText('');
    setError(null);
    onClose();
  };

  const submit = async () => {
    const money = value.trim() === '' ? undefined : normalizeMoneyInput(value);
    if (money === null) {
      setError(new ApiError(400, { detail: 'Check the value.', errors: [{ field: 'value', message: 'Enter an amount like 1250 or 1250.50.' }] }));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const opp = await oppsApi.create({
        name: name.trim(),
        pipeline_id: pipeline.id,
        stage_id: effectiveStage || undefined,
        contact_id: contact?.id,
        value: money,
      });
      toast.success(`${opp.name} added`);
      // Some APIs return the contact id only; fill in the name we already know.
      onCreated(opp.contact || !contact ? opp : { ...opp, contact: { id: contact.id, name: contactDisplayName(contact) } });
      close();
    } catch (err) {
      if (err instanceof ApiError) setError(err);
      else toast.error(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={open}
      onClose={close}
      title="New opportunity"
      description={`Add a deal to ${pipeline.name}.`}
      onSubmit={submit}
      footer={
        <>
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy || !name.trim()}>
            {busy && <Spinner />}
            Create opportunity
          </button>
        </>
      }
    >
      <div className="form-grid">
        {error && (
          <div className="alert span-2" role="alert">
            <Icon name="alert" />
            <span>{error.message}</span>
          </div>
        )}
        <Field label="Opportunity name" error={errors.name} className="span-2">
          {(p) => <input {...p} className="input" required value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Value (USD)" error={errors.value}>
          {(p) => <input {...p} className="input" inputMode="decimal" placeholder="0.00" value={value} onChange={(e) => setValue(e.target.value)} />}
        </Field>
        <Field label="Stage" error={errors.stage_id}>
          {(p) => (
            <select {...p} className="select" value={effectiveStage} onChange={(e) => setStageId(e.target.value)}>
              {pipeline.stages.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="field span-2">
          <label htmlFor="opp-contact">Contact</label>
          {contact ? (
            <div className="selected-contact">
              <Avatar name={contactDisplayName(contact)} size="sm" />
              <span className="spacer">
                {contactDisplayName(contact)}
                {contact.email && <span className="subtle"> · {contact.email}</span>}
              </span>
              <button
                type="button"
                className="btn btn-ghost btn-icon btn-sm"
                aria-label="Clear contact"
                onClick={() => {
                  setContact(null);
                  setContactText('');
                }}
              >
                <Icon name="x" />
              </button>
            </div>
          ) : (
            <Combobox<Contact>
              id="opp-contact"
              placeholder="Search contacts by name, email or phone"
              value={contactText}
              onValueChange={setContactText}
              options={results}
              loading={loading}
              emptyText="No contacts found"
              getKey={(c) => c.id}
              renderOption={(c) => (
                <>
                  <Avatar name={contactDisplayName(c)} size="sm" />
                  <span>
                    {contactDisplayName(c)}
                    {c.email && <span className="subtle"> · {c.email}</span>}
                  </span>
                </>
              )}
              onPick={(c) => {
                setContact(c);
                setContactText('');
              }}
            />
          )}
          {errors.contact_id && <span className="field-error">{errors.contact_id}</span>}
        </div>
      </div>
    </Dialog>
  );
}
