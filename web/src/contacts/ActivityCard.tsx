import { useEffect } from 'react';
import { contacts as contactsApi } from '../api/endpoints';
import { EmptyState, ErrorAlert, Loading } from '../ui/components';
import { formatDateTime, formatRelative } from '../ui/format';
import { useResource } from '../ui/hooks';
import { Icon, type IconName } from '../ui/icons';

function iconFor(type: string): IconName {
  if (type.includes('note')) return 'note';
  if (type.includes('task')) return 'checkSquare';
  if (type.includes('tag')) return 'tag';
  if (type.includes('opportunit')) return 'board';
  if (type.includes('email')) return 'mail';
  if (type.includes('sms') || type.includes('call')) return 'phone';
  if (type.includes('creat')) return 'plus';
  if (type.includes('updat')) return 'edit';
  return 'activity';
}

/** The contact's timeline; `version` changes whenever something on the page did. */
export function ActivityCard({ contactId, version }: { contactId: string; version: number }) {
  const list = useResource(() => contactsApi.activities(contactId), [contactId, version]);
  const { reload } = list;
  // The trail is written by a queue consumer a moment after each change, so
  // look again shortly after something happened on the page.
  useEffect(() => {
    if (version === 0) return;
    const timers = [1500, 4000].map((ms) => setTimeout(reload, ms));
    return () => timers.forEach(clearTimeout);
  }, [version, reload]);
  const items = [...(list.data ?? [])].sort((a, b) => b.occurred_at.localeCompare(a.occurred_at));

  return (
    <section className="card" aria-labelledby="activity-title">
      <div className="card-header">
        <h2 id="activity-title">Activity</h2>
      </div>
      <div className="card-body">
        {list.loading && !list.data ? (
          <Loading />
        ) : list.error ? (
          <ErrorAlert error={list.error} onRetry={list.reload} />
        ) : items.length === 0 ? (
          <EmptyState compact title="No activity yet" />
        ) : (
          <ol className="timeline" aria-label="Activity timeline">
            {items.map((a) => (
              <li key={a.id}>
                <span className="timeline-icon">
                  <Icon name={iconFor(a.type)} size={14} />
                </span>
                <div className="timeline-text">
                  <span>{a.summary}</span>
                  <time className="subtle" dateTime={a.occurred_at} title={formatDateTime(a.occurred_at)}>
                    {formatRelative(a.occurred_at)}
                  </time>
                </div>
              </li>
            ))}
          </ol>
        )}
      </div>
    </section>
  );
}
