import { useState } from 'react';
import { ApiError } from '../api/client';
import { customFields as api } from '../api/endpoints';
import { CUSTOM_FIELD_TYPES, type CustomField, type CustomFieldType } from '../api/types';
import { EmptyState, ErrorAlert, Field, Loading, Spinner } from '../ui/components';
import { Dialog } from '../ui/Dialog';
import { useConfirm, useToast } from '../ui/feedback';
import { useResource } from '../ui/hooks';
import { Icon } from '../ui/icons';

export const TYPE_LABELS: Record<CustomFieldType, string> = {
  text: 'Text',
  number: 'Number',
  date: 'Date',
  single_option: 'Dropdown (single choice)',
  multi_option: 'Checkboxes (multiple choice)',
  checkbox: 'Checkbox (yes/no)',
  phone: 'Phone',
  email: 'Email',
  monetary: 'Money',
};

const hasOptions = (t: CustomFieldType) => t === 'single_option' || t === 'multi_option';

export function CustomFieldsTab() {
  const toast = useToast();
  const confirm = useConfirm();
  const list = useResource(() => api.list(), []);
  const [open, setOpen] = useState(false);

  const remove = async (f: CustomField) => {
    const ok = await confirm({
      title: `Delete “${f.name}”?`,
      message: 'Values stored in this field on every contact are deleted too.',
      confirmLabel: 'Delete field',
      danger: true,
    });
    if (!ok) return;
    try {
      await api.remove(f.id);
      list.setData((prev) => (prev ?? []).filter((x) => x.id !== f.id));
      toast.success(`Deleted ${f.name}`);
    } catch (err) {
      toast.error(err);
    }
  };

  const fields = [...(list.data ?? [])].sort((a, b) => a.position - b.position);

  return (
    <section aria-labelledby="cf-title">
      <div className="settings-section-header">
        <div>
          <h2 id="cf-title">Custom fields</h2>
          <p>Extra details you track on every contact, like budget or lead source.</p>
        </div>
        <button type="button" className="btn btn-primary" onClick={() => setOpen(true)}>
          <Icon name="plus" />
          New field
        </button>
      </div>
      <div className="card">
        {list.loading && !list.data ? (
          <Loading />
        ) : list.error ? (
          <div className="card-body">
            <ErrorAlert error={list.error} onRetry={list.reload} />
          </div>
        ) : fields.length === 0 ? (
          <EmptyState icon="sliders" title="No custom fields yet">
            Add a field and it appears on every contact's page.
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Key</th>
                  <th scope="col">Type</th>
                  <th scope="col">Options</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {fields.map((f) => (
                  <tr key={f.id}>
                    <td style={{ fontWeight: 500 }}>{f.name}</td>
                    <td className="mono muted">{f.key}</td>
                    <td>
                      <span className="type-pill">{TYPE_LABELS[f.type] ?? f.type}</span>
                    </td>
                    <td>
                      <span className="options-preview" title={f.options.join(', ')}>
                        {f.options.length ? f.options.join(', ') : <span className="subtle">—</span>}
                      </span>
                    </td>
                    <td className="actions">
                      <button
                        type="button"
                        className="btn btn-ghost btn-icon btn-sm"
                        aria-label={`Delete field ${f.name}`}
                        title="Delete field"
                        onClick={() => remove(f)}
                      >
                        <Icon name="trash" />
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
      <NewFieldDialog
        open={open}
        onClose={() => setOpen(false)}
        onCreated={(f) => {
          list.setData((prev) => [...(prev ?? []), f]);
          setOpen(false);
        }}
      />
    </section>
  );
}

function NewFieldDialog({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (f: CustomField) => void }) {
  const toast = useToast();
  const [name, setName] = useState('');
  const [type, setType] = useState<CustomFieldType>('text');
  const [options, setOptions] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const errors = error?.fieldErrors ?? {};

  const close = () => {
    setName('');
    setType('text');
    setOptions('');
    setError(null);
    onClose();
  };

  const submit = async () => {
    const opts = options
      .split(/\n|,/)
      .map((o) => o.trim())
      .filter(Boolean);
    if (hasOptions(type) && opts.length === 0) {
      setError(new ApiError(400, { detail: 'Add at least one option.', errors: [{ field: 'options', message: 'Add at least one option.' }] }));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const created = await api.create({ name: name.trim(), type, options: hasOptions(type) ? opts : undefined });
      toast.success(`Created ${created.name}`);
      onCreated(created);
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
      title="New custom field"
      description="Shown on every contact in this account."
      onSubmit={submit}
      footer={
        <>
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy || !name.trim()}>
            {busy && <Spinner />}
            Create field
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
        <Field label="Field name" error={errors.name ?? errors.key}>
          {(p) => <input {...p} className="input" required placeholder="e.g. Budget" value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Type" error={errors.type}>
          {(p) => (
            <select {...p} className="select" value={type} onChange={(e) => setType(e.target.value as CustomFieldType)}>
              {CUSTOM_FIELD_TYPES.map((t) => (
                <option key={t} value={t}>
                  {TYPE_LABELS[t]}
                </option>
              ))}
            </select>
          )}
        </Field>
        {hasOptions(type) && (
          <Field label="Options" error={errors.options} hint="One option per line.">
            {(p) => (
              <textarea
                {...p}
                className="textarea"
                rows={4}
                placeholder={'Small\nMedium\nLarge'}
                value={options}
                onChange={(e) => setOptions(e.target.value)}
              />
            )}
          </Field>
        )}
      </div>
    </Dialog>
  );
}
