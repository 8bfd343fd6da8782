// One contact: editable record on the left; tags, AI summary, tasks, notes and
// the activity timeline on the right.
import { useState } from 'react';
import { ApiError } from '../api/client';
import { contacts as contactsApi, customFields as customFieldsApi, tags as tagsApi } from '../api/endpoints';
import type { Contact, CustomField } from '../api/types';
import { Link, navigate } from '../shell/router';
import { Avatar, EmptyState, ErrorAlert, Loading } from '../ui/components';
import { useConfirm, useToast } from '../ui/feedback';
import { contactDisplayName, formatDate } from '../ui/format';
import { usePageTitle, useResource } from '../ui/hooks';
import { Icon } from '../ui/icons';
import { ActivityCard } from './ActivityCard';
import { AiSummaryCard } from './AiSummaryCard';
import { ContactDetailsForm } from './ContactDetailsForm';
import { ContactTags } from './ContactTags';
import { NotesCard } from './NotesCard';
import { TasksCard } from './TasksCard';
import './contacts.css';

const NO_FIELDS: CustomField[] = [];

export default function ContactPage({ params }: { params: Record<string, string> }) {
  const id = params.id;
  const toast = useToast();
  const confirm = useConfirm();
  const contact = useResource(() => contactsApi.get(id), [id]);
  const fields = useResource(() => customFieldsApi.list(), []);
  const allTags = useResource(() => tagsApi.list(), []);
  // Bumped after any change so the activity timeline refetches.
  const [activityVersion, setActivityVersion] = useState(0);
  const touched = () => setActivityVersion((v) => v + 1);

  const c = contact.data;
  const name = c ? contactDisplayName(c) : '';
  usePageTitle(name || 'Contact');

  if (contact.loading && !c) return <Loading label="Loading contact…" />;
  if (contact.error && !c) {
    const notFound = contact.error instanceof ApiError && contact.error.status === 404;
    return (
      <div className="page">
        {notFound ? (
          <EmptyState
            icon="users"
            title="Contact not found"
            action={
              <Link className="btn" to="/contacts">
                Back to contacts
              </Link>
            }
          >
            It may have been deleted, or it belongs to another account.
          </EmptyState>
        ) : (
          <ErrorAlert error={contact.error} onRetry={contact.reload} />
        )}
      </div>
    );
  }
  if (!c) return null;

  const update = (next: Contact) => {
    contact.setData(next);
    allTags.reload();
    touched();
  };

  const remove = async () => {
    const ok = await confirm({
      title: `Delete ${name}?`,
      message: 'Their notes and tasks are deleted too. This cannot be undone.',
      confirmLabel: 'Delete contact',
      danger: true,
    });
    if (!ok) return;
    try {
      await contactsApi.remove(c.id);
      toast.success(`${name} deleted`);
      navigate('/contacts');
    } catch (err) {
      toast.error(err);
    }
  };

  return (
    <div className="page">
      <Link to="/contacts" className="back-link">
        <Icon name="arrowLeft" size={14} />
        Contacts
      </Link>
      <header className="contact-header">
        <Avatar name={name} size="lg" />
        <div className="contact-header-main">
          <h1>{name}</h1>
          <div className="contact-meta">
            {c.email && (
              <span>
                <Icon name="mail" size={14} />
                <a href={`mailto:${c.email}`}>{c.email}</a>
              </span>
            )}
            {c.phone && (
              <span>
                <Icon name="phone" size={14} />
                <a href={`tel:${c.phone}`}>{c.phone}</a>
              </span>
            )}
            {c.company && (
              <span>
                <Icon name="building" size={14} />
                {c.company}
              </span>
            )}
            <span>
              <Icon name="clock" size={14} />
              Added {formatDate(c.created_at)}
            </span>
          </div>
        </div>
        <button type="button" className="btn btn-danger-ghost" onClick={remove}>
          <Icon name="trash" />
          Delete contact
        </button>
      </header>

      <div className="contact-layout">
        <div>
          {fields.error ? <ErrorAlert error={fields.error} onRetry={fields.reload} /> : null}
          <ContactDetailsForm contact={c} fields={fields.data ?? NO_FIELDS} onSaved={update} />
        </div>
        <div>
          <ContactTags contact={c} allTags={allTags.data ?? []} onChange={update} />
          <AiSummaryCard contactId={c.id} />
          <TasksCard contactId={c.id} onChange={touched} />
          <NotesCard contactId={c.id} onChange={touched} />
          <ActivityCard contactId={c.id} version={activityVersion} />
        </div>
      </div>
    </div>
  );
}
