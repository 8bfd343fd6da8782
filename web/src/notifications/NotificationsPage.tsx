// Notifications: what the account was told (a failed payment, a low wallet,
// a failed auto-recharge), newest first, with whether the email went out.
// Opening the page marks what it shows as read.
import { useEffect } from 'react';
import { Link } from '../shell/router';
import { EmptyState, ErrorAlert, Loading } from '../ui/components';
import { formatDateTime, formatRelative } from '../ui/format';
import { usePageTitle } from '../ui/hooks';
import { Icon, type IconName } from '../ui/icons';
import { LoadMore } from '../ui/LoadMore';
import { usePagedList } from '../ui/usePagedList';
import { notices, type Notice } from './notifications.api';
import { useUnreadNotices } from './UnreadNotices';
import './notifications.css';

const KINDS: Record<string, { title: string; icon: IconName; tone: 'danger' | 'warning'; action?: { label: string; to: string } }> = {
  'billing.payment_warning': { title: 'Payment failed', icon: 'card', tone: 'danger', action: { label: 'Update card', to: '/billing' } },
  'wallet.low_balance': { title: 'Wallet balance low', icon: 'wallet', tone: 'warning', action: { label: 'Add funds', to: '/wallet' } },
  'recharge.failed': { title: 'Auto-recharge failed', icon: 'alert', tone: 'danger', action: { label: 'Open wallet', to: '/wallet' } },
  'recharge.limit_reached': { title: 'Auto-recharge paused for today', icon: 'alert', tone: 'warning', action: { label: 'Open wallet', to: '/wallet' } },
};

function EmailLine({ email }: { email: Notice['email'] }) {
  if (!email) return null;
  const text =
    email.status === 'sent'
      ? `Emailed to ${email.to.join(', ')}`
      : email.status === 'pending'
        ? `Email on its way${email.error ? ` (retrying: ${email.error})` : ''}`
        : email.status === 'no_recipient'
          ? 'Not emailed: the account has no owner or admin'
          : `Email failed: ${email.error ?? 'refused'}`;
  return (
    <span className={`notice-email notice-email-${email.status.replace('_', '-')}`}>
      <Icon name="mail" size={13} />
      {text}
    </span>
  );
}

export default function NotificationsPage() {
  usePageTitle('Notifications');
  const list = usePagedList((cursor, signal) => notices.list({ cursor, limit: 25 }, signal), []);
  // `refresh` is stable (a useCallback in the provider), so depending on it re-runs nothing.
  const { refresh: refreshUnread } = useUnreadNotices();
  const rows = list.items;

  // What is on screen has been seen: mark it read (the sidebar count follows).
  // Keyed by the ids as one string, so a re-render with the same rows asks nothing.
  const unseenKey = (rows ?? [])
    .filter((n) => !n.read_at)
    .map((n) => n.id)
    .join(',');
  useEffect(() => {
    if (unseenKey === '') return;
    notices.markRead(unseenKey.split(',')).then(refreshUnread, () => undefined);
  }, [unseenKey, refreshUnread]);

  return (
    <div className="page notifications-page">
      <div className="page-header">
        <div className="page-title">
          <h1>Notifications</h1>
          <p>What needs your attention about billing and the wallet. Owners and admins also get these by email.</p>
        </div>
      </div>
      <section className="card" aria-label="Notifications">
        {list.error !== undefined && !rows ? (
          <div className="card-body">
            <ErrorAlert error={list.error} onRetry={list.reload} />
          </div>
        ) : !rows ? (
          <Loading label="Loading notifications…" />
        ) : rows.length === 0 ? (
          <EmptyState icon="check" title="Nothing to report">
            A failed payment, a low wallet balance or a failed auto-recharge shows up here and in your inbox.
          </EmptyState>
        ) : (
          <>
            <ul className="notice-list" aria-label="Notices">
              {rows.map((n) => {
                const kind = KINDS[n.kind] ?? { title: n.kind, icon: 'activity' as IconName, tone: 'warning' as const };
                return (
                  <li key={n.id} className={`notice tone-${kind.tone}${n.read_at ? '' : ' is-unread'}`}>
                    <span className="notice-icon" aria-hidden="true">
                      <Icon name={kind.icon} size={16} />
                    </span>
                    <div className="notice-body">
                      <div className="notice-head">
                        <strong>{kind.title}</strong>
                        {!n.read_at && <span className="badge notice-new">New</span>}
                        <time className="subtle" dateTime={n.created_at} title={formatDateTime(n.created_at)}>
                          {formatRelative(n.created_at)}
                        </time>
                      </div>
                      <p className="notice-message">{n.message}</p>
                      <div className="notice-foot">
                        <EmailLine email={n.email} />
                        {kind.action && (
                          <Link to={kind.action.to} className="btn btn-sm">
                            {kind.action.label}
                          </Link>
                        )}
                      </div>
                    </div>
                  </li>
                );
              })}
            </ul>
            <LoadMore list={list} label="Older notifications" className="card-footer notices-more" />
          </>
        )}
      </section>
    </div>
  );
}
