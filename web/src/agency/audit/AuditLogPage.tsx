// Agency → Audit log: every time someone from the agency opened a client
// account, and every change they made inside it (method, path, outcome;
// refused attempts included), newest first. Filtered by client in the URL.
import { setSearchParams, useLocation } from '../../shell/router';
import { Avatar, EmptyState, ErrorAlert, Loading } from '../../ui/components';
import { formatDateTime, formatRelative } from '../../ui/format';
import { usePageTitle, useResource } from '../../ui/hooks';
import { Icon } from '../../ui/icons';
import { usePagedList } from '../../ui/usePagedList';
import { auditLog, subAccounts, type AuditEntry } from '../agency.api';
import { AdminsOnly, AgencyOnly } from '../AgencyOnly';
import '../agency.css';
import './audit-log.css';
import { LoadMore } from '../../ui/LoadMore';

export default function AuditLogPage() {
  usePageTitle('Audit log');
  return (
    <AgencyOnly icon="activity" title="Audit logs">
      <AdminsOnly icon="activity" what="the audit log">
        <AuditLog />
      </AdminsOnly>
    </AgencyOnly>
  );
}

function What({ entry }: { entry: AuditEntry }) {
  if (entry.action === 'impersonation_started') {
    return (
      <span className="audit-what audit-opened">
        <span className="audit-icon" aria-hidden="true">
          <Icon name="eye" size={14} />
        </span>
        Opened the account
      </span>
    );
  }
  const refused = entry.status !== null && entry.status >= 400;
  return (
    <span className={`audit-what${refused ? ' is-refused' : ''}`}>
      <span className="audit-icon" aria-hidden="true">
        <Icon name={refused ? 'x' : 'edit'} size={14} />
      </span>
      <code className="audit-request">
        <span className={`audit-method method-${(entry.method ?? '').toLowerCase()}`}>{entry.method}</span> {entry.path}
      </code>
      {entry.status !== null && (
        <span className={`badge ${refused ? 'badge-refused' : 'badge-ok'}`} title={`HTTP ${entry.status}`}>
          {refused ? `Refused · ${entry.status}` : entry.status}
        </span>
      )}
    </span>
  );
}

function AuditLog() {
  const { search } = useLocation();
  const client = search.get('client') ?? '';
  const clients = useResource(() => subAccounts.all(), []);
  const list = usePagedList((cursor, signal) => auditLog.list({ sub_account_id: client || undefined, cursor }, signal), [client]);
  const rows = list.items;

  return (
    <div className="page agency-page audit-page">
      <div className="page-header">
        <div className="page-title">
          <h1>Audit log</h1>
          <p>Who from your agency opened which client account, and every change they made there. Your clients see the same entries in their activity.</p>
        </div>
      </div>

      <section className="card" aria-labelledby="audit-title">
        <div className="card-header audit-toolbar">
          <h2 id="audit-title">Activity in client accounts</h2>
          <label htmlFor="audit-client" className="filter-label">
            Client
          </label>
          <select
            id="audit-client"
            className="select select-sm audit-client-select"
            value={client}
            onChange={(e) => setSearchParams({ client: e.target.value || null })}
          >
            <option value="">All clients</option>
            {(clients.data ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
                {c.suspended ? ' (suspended)' : ''}
              </option>
            ))}
          </select>
        </div>
        {list.error !== undefined && !rows ? (
          <div className="card-body">
            <ErrorAlert error={list.error} onRetry={list.reload} />
          </div>
        ) : !rows ? (
          <Loading label="Loading the audit log…" />
        ) : rows.length === 0 ? (
          <EmptyState icon="activity" title={client ? 'Nothing recorded for this client yet' : 'Nothing recorded yet'}>
            When someone from your agency opens a client account from Clients or the account switcher, it is recorded here with every change they make inside.
          </EmptyState>
        ) : (
          <>
            <div className="table-wrap">
              <table className="table audit-table" aria-label="Audit log">
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Who</th>
                    <th scope="col">Client</th>
                    <th scope="col">What</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((e) => (
                    <tr key={e.id}>
                      <td className="nowrap">
                        <time dateTime={e.occurred_at} title={formatDateTime(e.occurred_at)}>
                          {formatRelative(e.occurred_at)}
                        </time>
                        <div className="subtle">{formatDateTime(e.occurred_at)}</div>
                      </td>
                      <td>
                        <div className="audit-actor">
                          <Avatar name={e.actor.name || e.actor.email} size="sm" />
                          <div className="audit-actor-text">
                            <span className="audit-actor-name">{e.actor.name}</span>
                            <span className="subtle">{e.actor.email}</span>
                          </div>
                        </div>
                      </td>
                      <td>
                        <button
                          type="button"
                          className="audit-client"
                          onClick={() => setSearchParams({ client: e.sub_account.id })}
                          title={`Only ${e.sub_account.name}`}
                        >
                          {e.sub_account.name}
                        </button>
                      </td>
                      <td>
                        <What entry={e} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <LoadMore list={list} label="Older entries" className="card-footer audit-more" />
          </>
        )}
      </section>
    </div>
  );
}
