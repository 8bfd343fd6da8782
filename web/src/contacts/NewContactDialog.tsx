import { useState } from 'react';
import { ApiError } from '../api/client';
import { contacts as contactsApi } from '../api/endpoints';
import type { Contact, Tag } from '../api/types';
import { Link } from '../shell/router';
import { Field, Spinner, TagChip } from '../ui/components';
import { Dialog } from '../ui/Dialog';
import { useToast } from '../ui/feedback';
import { Icon } from '../ui/icons';
import { TagPicker } from '../ui/TagPicker';

const EMPTY = { first_name: '', last_name: '', email: '', phone: '', company: '' };

export function NewContactDialog({
  open,
  onClose,
  onCreated,
  allTags,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (contact: Contact) => void;
  allTags: Tag[];
}) {
  const toast = useToast();
  const [form, setForm] = useState(EMPTY);
  const [tagNames, setTagNames] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const errors = error?.fieldErrors ?? {};

  const reset = () => {
    setForm(EMPTY);
    setTagNames([]);
    setError(null);
  };
  const close = () => {
    reset();
    onClose();
  };

  const submit = async () => {
    const input = Object.fromEntries(
      Object.entries(form)
        .map(([k, v]) => [k, v.trim()])
        .filter(([, v]) => v !== ''),
    );
    if (Object.keys(input).length === 0) {
      setError(new ApiError(400, { detail: 'Enter at least a name, an email or a phone number.' }));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const contact = await contactsApi.create({ ...input, tags: tagNames.length ? tagNames : undefined });
      toast.success(`${contact.name || contact.email || 'Contact'} added`);
      reset();
      onCreated(contact);
    } catch (err) {
      if (err instanceof ApiError) setError(err);
      else toast.error(err);
    } finally {
      setBusy(false);
    }
  };

  const existingId = typeof error?.problem.existing_contact_id === 'string' ? error.problem.existing_contact_id : '';
  const tagColor = (name: string) => allTags.find((t) => t.name.toLowerCase() === name.toLowerCase())?.color;
  const text = (key: keyof typeof EMPTY, label: string, type = 'text', autoComplete?: string, span2 = false) => (
    <Field label={label} error={errors[key]} className={span2 ? 'span-2' : undefined}>
      {(p) => (
        <input
          {...p}
          className="input"
          type={type}
          autoComplete={autoComplete}
          value={form[key]}
          onChange={(e) => setForm((f) => ({ ...f, [key]: e.target.value }))}
        />
      )}
    </Field>
  );

  return (
    <Dialog
      open={open}
      onClose={close}
      title="New contact"
      description="Add a person or lead to this account."
      onSubmit={submit}
      footer={
        <>
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy && <Spinner />}
            Create contact
          </button>
        </>
      }
    >
      <div className="form-grid">
        {error && (
          <div className="alert span-2" role="alert">
            <Icon name="alert" />
            <span>
              {error.message}
              {existingId && (
                <>
                  {' '}
                  <Link to={`/contacts/${existingId}`} onClick={close}>
                    Open the existing contact
                  </Link>
                </>
              )}
            </span>
          </div>
        )}
        {text('first_name', 'First name', 'text', 'off')}
        {text('last_name', 'Last name', 'text', 'off')}
        {text('email', 'Email', 'email', 'off', true)}
        {text('phone', 'Phone', 'tel', 'off')}
        {text('company', 'Company', 'text', 'off')}
        <div className="field span-2">
          <label htmlFor="new-contact-tags">Tags</label>
          {tagNames.length > 0 && (
            <div className="chip-list">
              {tagNames.map((n) => (
                <TagChip key={n} name={n} color={tagColor(n)} onRemove={() => setTagNames((t) => t.filter((x) => x !== n))} />
              ))}
            </div>
          )}
          <TagPicker id="new-contact-tags" allTags={allTags} exclude={tagNames} onAdd={(name) => setTagNames((t) => [...t, name])} />
          {errors.tags && <span className="field-error">{errors.tags}</span>}
        </div>
      </div>
    </Dialog>
  );
}
