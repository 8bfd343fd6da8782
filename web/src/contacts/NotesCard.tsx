import { useState, type FormEvent } from 'react';
import { notes as notesApi } from '../api/endpoints';
import { EmptyState, ErrorAlert, Loading, Spinner } from '../ui/components';
import { useConfirm, useToast } from '../ui/feedback';
import { formatDateTime, formatRelative } from '../ui/format';
import { useResource } from '../ui/hooks';
import { Icon } from '../ui/icons';

export function NotesCard({ contactId, onChange }: { contactId: string; onChange: () => void }) {
  const toast = useToast();
  const confirm = useConfirm();
  const list = useResource(() => notesApi.list(contactId), [contactId]);
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (!body.trim()) return;
    setBusy(true);
    try {
      const note = await notesApi.create(contactId, body.trim());
      list.setData((prev) => [note, ...(prev ?? [])]);
      setBody('');
      onChange();
    } catch (err) {
      toast.error(err);
    } finally {
      setBusy(false);
    }
  };

  const remove = async (id: string) => {
    if (!(await confirm({ title: 'Delete note?', message: 'This note will be removed permanently.', confirmLabel: 'Delete note', danger: true }))) return;
    try {
      await notesApi.remove(id);
      list.setData((prev) => (prev ?? []).filter((n) => n.id !== id));
      toast.success('Note deleted');
      onChange();
    } catch (err) {
      toast.error(err);
    }
  };

  const notes = [...(list.data ?? [])].sort((a, b) => b.created_at.localeCompare(a.created_at));

  return (
    <section className="card" aria-labelledby="notes-title">
      <div className="card-header">
        <h2 id="notes-title">Notes</h2>
        {notes.length > 0 && <span className="badge">{notes.length}</span>}
      </div>
      <div className="card-body">
        <form onSubmit={add} className="stack" style={{ gap: 8 }}>
          <label htmlFor="new-note" className="sr-only">
            New note
          </label>
          <textarea
            id="new-note"
            className="textarea"
            placeholder="Write a note…"
            rows={3}
            value={body}
            onChange={(e) => setBody(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) e.currentTarget.form?.requestSubmit();
            }}
          />
          <div className="row">
            <span className="kbd-hint spacer">Ctrl + Enter to save</span>
            <button type="submit" className="btn btn-primary btn-sm" disabled={busy || !body.trim()}>
              {busy && <Spinner />}
              Add note
            </button>
          </div>
        </form>
        {list.loading && !list.data ? (
          <Loading />
        ) : list.error ? (
          <div style={{ marginTop: 12 }}>
            <ErrorAlert error={list.error} onRetry={list.reload} />
          </div>
        ) : notes.length === 0 ? (
          <EmptyState compact title="No notes yet">
            Keep call summaries and context here.
          </EmptyState>
        ) : (
          <ul className="item-list" aria-label="Notes" style={{ marginTop: 8 }}>
            {notes.map((n) => (
              <li key={n.id} className="note">
                <p className="note-body">{n.body}</p>
                <div className="note-footer">
                  <span className="subtle spacer" title={formatDateTime(n.created_at)}>
                    {formatRelative(n.created_at)}
                  </span>
                  <button type="button" className="btn btn-ghost btn-icon btn-sm" aria-label="Delete note" title="Delete note" onClick={() => remove(n.id)}>
                    <Icon name="trash" size={14} />
                  </button>
                </div>
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
