import { useState, type FormEvent } from 'react';
import { tasks as tasksApi } from '../api/endpoints';
import type { Task } from '../api/types';
import { EmptyState, ErrorAlert, Loading, Spinner } from '../ui/components';
import { useToast } from '../ui/feedback';
import { dateInputToIso, formatDate } from '../ui/format';
import { useResource } from '../ui/hooks';
import { Icon } from '../ui/icons';

/** Open tasks first (soonest due first), then completed ones. */
function byDue(a: Task, b: Task): number {
  if (a.completed !== b.completed) return a.completed ? 1 : -1;
  const ad = a.due_at ?? '9999';
  const bd = b.due_at ?? '9999';
  return ad.localeCompare(bd) || b.created_at.localeCompare(a.created_at);
}

export function TasksCard({ contactId, onChange }: { contactId: string; onChange: () => void }) {
  const toast = useToast();
  const list = useResource(() => tasksApi.list({ contact_id: contactId }), [contactId]);
  const [title, setTitle] = useState('');
  const [due, setDue] = useState('');
  const [busy, setBusy] = useState(false);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (!title.trim()) return;
    setBusy(true);
    try {
      const task = await tasksApi.create({ title: title.trim(), due_at: dateInputToIso(due), contact_id: contactId });
      list.setData((prev) => [...(prev ?? []), task]);
      setTitle('');
      setDue('');
      onChange();
    } catch (err) {
      toast.error(err);
    } finally {
      setBusy(false);
    }
  };

  const toggle = async (task: Task) => {
    // Optimistic: tick immediately, undo if the server refuses.
    const flip = (completed: boolean) => list.setData((prev) => (prev ?? []).map((t) => (t.id === task.id ? { ...t, completed } : t)));
    flip(!task.completed);
    try {
      const saved = await tasksApi.update(task.id, { completed: !task.completed });
      list.setData((prev) => (prev ?? []).map((t) => (t.id === task.id ? saved : t)));
      onChange();
    } catch (err) {
      flip(task.completed);
      toast.error(err);
    }
  };

  const remove = async (task: Task) => {
    try {
      await tasksApi.remove(task.id);
      list.setData((prev) => (prev ?? []).filter((t) => t.id !== task.id));
      toast.success('Task deleted');
      onChange();
    } catch (err) {
      toast.error(err);
    }
  };

  const tasks = [...(list.data ?? [])].sort(byDue);
  const open = tasks.filter((t) => !t.completed).length;
  const now = new Date().toISOString();

  return (
    <section className="card" aria-labelledby="tasks-title">
      <div className="card-header">
        <h2 id="tasks-title">Tasks</h2>
        {open > 0 && <span className="badge">{open} open</span>}
      </div>
      <div className="card-body">
        <form onSubmit={add} className="task-form">
          <label htmlFor="new-task-title" className="sr-only">
            Task title
          </label>
          <input id="new-task-title" className="input input-sm" placeholder="Add a task…" value={title} onChange={(e) => setTitle(e.target.value)} />
          <div className="row">
            <label htmlFor="new-task-due" className="sr-only">
              Due date
            </label>
            <input id="new-task-due" className="input input-sm" type="date" value={due} onChange={(e) => setDue(e.target.value)} />
            <button type="submit" className="btn btn-primary btn-sm" disabled={busy || !title.trim()}>
              {busy ? <Spinner /> : <Icon name="plus" />}
              Add task
            </button>
          </div>
        </form>
        {list.loading && !list.data ? (
          <Loading />
        ) : list.error ? (
          <ErrorAlert error={list.error} onRetry={list.reload} />
        ) : tasks.length === 0 ? (
          <EmptyState compact title="No tasks">
            Follow-ups you add here show up with their due dates.
          </EmptyState>
        ) : (
          <ul className="item-list" aria-label="Tasks">
            {tasks.map((t) => {
              const overdue = !t.completed && t.due_at !== null && t.due_at < now;
              return (
                <li key={t.id} className={`task${t.completed ? ' done' : ''}`}>
                  <input
                    type="checkbox"
                    id={`task-${t.id}`}
                    checked={t.completed}
                    onChange={() => toggle(t)}
                    aria-describedby={t.due_at ? `task-due-${t.id}` : undefined}
                  />
                  <div className="task-text">
                    <label htmlFor={`task-${t.id}`} className="task-title">
                      {t.title}
                    </label>
                    {t.due_at && (
                      <span id={`task-due-${t.id}`} className={`task-due${overdue ? ' overdue' : ''}`}>
                        <Icon name="clock" size={12} />
                        {overdue ? 'Overdue · ' : 'Due '}
                        {formatDate(t.due_at)}
                      </span>
                    )}
                  </div>
                  <button
                    type="button"
                    className="btn btn-ghost btn-icon btn-sm"
                    aria-label={`Delete task ${t.title}`}
                    title="Delete task"
                    onClick={() => remove(t)}
                  >
                    <Icon name="trash" size={14} />
                  </button>
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </section>
  );
}
