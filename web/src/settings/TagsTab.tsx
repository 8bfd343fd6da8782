import { useState, type FormEvent } from 'react';
import { tags as api } from '../api/endpoints';
import type { Tag } from '../api/types';
import { EmptyState, ErrorAlert, Loading, Spinner, TagChip } from '../ui/components';
import { useConfirm, useToast } from '../ui/feedback';
import { TAG_COLORS } from '../ui/format';
import { useResource } from '../ui/hooks';
import { Icon } from '../ui/icons';

export function TagsTab() {
  const toast = useToast();
  const confirm = useConfirm();
  const list = useResource(() => api.list(), []);
  const [name, setName] = useState('');
  const [color, setColor] = useState(TAG_COLORS[6]);
  const [busy, setBusy] = useState(false);
  const [editing, setEditing] = useState<{ id: string; name: string; color: string } | null>(null);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return;
    setBusy(true);
    try {
      const tag = await api.create({ name: name.trim(), color });
      list.setData((prev) => [...(prev ?? []), tag]);
      setName('');
      setColor(TAG_COLORS[(TAG_COLORS.indexOf(color) + 1) % TAG_COLORS.length]);
      toast.success(`Created tag ${tag.name}`);
    } catch (err) {
      toast.error(err);
    } finally {
      setBusy(false);
    }
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!editing?.name.trim()) return;
    try {
      const tag = await api.update(editing.id, { name: editing.name.trim(), color: editing.color });
      list.setData((prev) => (prev ?? []).map((t) => (t.id === tag.id ? { ...t, ...tag } : t)));
      setEditing(null);
      toast.success('Tag updated');
    } catch (err) {
      toast.error(err);
    }
  };

  const remove = async (tag: Tag) => {
    const ok = await confirm({
      title: `Delete tag “${tag.name}”?`,
      message:
        tag.contact_count && tag.contact_count > 0
          ? `It is removed from ${tag.contact_count} contact${tag.contact_count === 1 ? '' : 's'}. The contacts stay.`
          : 'The tag is removed. No contacts use it.',
      confirmLabel: 'Delete tag',
      danger: true,
    });
    if (!ok) return;
    try {
      await api.remove(tag.id);
      list.setData((prev) => (prev ?? []).filter((t) => t.id !== tag.id));
      toast.success(`Deleted ${tag.name}`);
    } catch (err) {
      toast.error(err);
    }
  };

  const tags = [...(list.data ?? [])].sort((a, b) => a.name.localeCompare(b.name));

  return (
    <section aria-labelledby="tags-title">
      <div className="settings-section-header">
        <div>
          <h2 id="tags-title">Tags</h2>
          <p>Label contacts to segment lists and trigger automations.</p>
        </div>
      </div>
      <div className="card">
        <form className="card-header" onSubmit={create} aria-label="Create tag">
          <label htmlFor="new-tag-name" className="sr-only">
            Tag name
          </label>
          <input
            id="new-tag-name"
            className="input"
            placeholder="New tag name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            style={{ maxWidth: 280 }}
          />
          <label htmlFor="new-tag-color" className="sr-only">
            Tag colour
          </label>
          <input id="new-tag-color" type="color" className="input" value={color} onChange={(e) => setColor(e.target.value)} />
          <button type="submit" className="btn btn-primary" disabled={busy || !name.trim()}>
            {busy ? <Spinner /> : <Icon name="plus" />}
            Create tag
          </button>
        </form>
        {list.loading && !list.data ? (
          <Loading />
        ) : list.error ? (
          <div className="card-body">
            <ErrorAlert error={list.error} onRetry={list.reload} />
          </div>
        ) : tags.length === 0 ? (
          <EmptyState icon="tag" title="No tags yet">
            Create tags here, or type a new one on any contact.
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Tag</th>
                  <th scope="col">Contacts</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {tags.map((t) => (
                  <tr key={t.id}>
                    <td>
                      {editing?.id === t.id ? (
                        <form className="inline-edit" onSubmit={save}>
                          <label htmlFor={`tag-name-${t.id}`} className="sr-only">
                            Tag name
                          </label>
                          <input
                            id={`tag-name-${t.id}`}
                            className="input input-sm"
                            value={editing.name}
                            autoFocus
                            onChange={(e) => setEditing({ ...editing, name: e.target.value })}
                            onKeyDown={(e) => e.key === 'Escape' && setEditing(null)}
                          />
                          <label htmlFor={`tag-color-${t.id}`} className="sr-only">
                            Tag colour
                          </label>
                          <input
                            id={`tag-color-${t.id}`}
                            type="color"
                            className="input input-sm"
                            value={editing.color}
                            onChange={(e) => setEditing({ ...editing, color: e.target.value })}
                          />
                          <button type="submit" className="btn btn-primary btn-sm">
                            Save
                          </button>
                          <button type="button" className="btn btn-sm" onClick={() => setEditing(null)}>
                            Cancel
                          </button>
                        </form>
                      ) : (
                        <TagChip name={t.name} color={t.color} />
                      )}
                    </td>
                    <td className="muted">{t.contact_count ?? '—'}</td>
                    <td className="actions">
                      <button
                        type="button"
                        className="btn btn-ghost btn-icon btn-sm"
                        aria-label={`Rename tag ${t.name}`}
                        title="Rename"
                        onClick={() => setEditing({ id: t.id, name: t.name, color: t.color || TAG_COLORS[0] })}
                      >
                        <Icon name="edit" />
                      </button>
                      <button
                        type="button"
                        className="btn btn-ghost btn-icon btn-sm"
                        aria-label={`Delete tag ${t.name}`}
                        title="Delete"
                        onClick={() => remove(t)}
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
    </section>
  );
}
