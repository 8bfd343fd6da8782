// Where the domain stands: its status and certificate, the three steps to
// live, what is still in the way (the API's own words), Check now and Remove.
import { Spinner } from '../../ui/components';
import { formatDateTime } from '../../ui/format';
import { Icon } from '../../ui/icons';
import type { CustomDomain } from '../agency.api';

const STATUS: Record<CustomDomain['status'], { label: string; tone: string }> = {
  pending: { label: 'Waiting for DNS', tone: 'pending' },
  provisioning: { label: 'Issuing certificate', tone: 'info' },
  active: { label: 'Live', tone: 'ok' },
  moved: { label: 'Offline: DNS changed', tone: 'danger' },
  blocked: { label: 'Blocked', tone: 'danger' },
  removing: { label: 'Removal unfinished', tone: 'danger' },
};

/** Verified and certified, but not served: the agency's plan no longer includes white-label (the errors say so). */
const OFFLINE_BY_PLAN = { label: 'Offline: plan', tone: 'danger' };

const SSL: Record<string, string> = {
  initializing: 'Starting',
  pending_validation: 'Waiting for the DNS records',
  pending_issuance: 'Being issued',
  pending_deployment: 'Being deployed',
  active: 'Active',
  validation_timed_out: 'Checks stopped after 7 days',
  expired: 'Expired',
  deleted: 'Deleted',
};

export function sslLabel(status: string | null): string {
  if (!status) return 'Not started';
  return SSL[status] ?? status.replace(/_/g, ' ');
}

type StepState = 'done' | 'current' | 'todo' | 'failed';

function steps(d: CustomDomain): { label: string; state: StepState }[] {
  const s = d.status;
  const dns: StepState = s === 'provisioning' || s === 'active' ? 'done' : s === 'pending' ? 'current' : 'failed';
  const cert: StepState = s === 'active' ? 'done' : s === 'provisioning' ? 'current' : 'todo';
  const live: StepState = s === 'active' ? (d.live ? 'done' : 'failed') : 'todo';
  return [
    { label: 'DNS records verified', state: dns },
    { label: 'Certificate issued', state: cert },
    { label: 'Live', state: live },
  ];
}

export function DomainStatusCard({
  domain: d,
  canManage,
  busy,
  polling,
  onVerify,
  onRemove,
}: {
  domain: CustomDomain;
  canManage: boolean;
  busy: 'verify' | 'remove' | null;
  polling: boolean;
  onVerify: () => void;
  onRemove: () => void;
}) {
  const status = d.status === 'active' && !d.live ? OFFLINE_BY_PLAN : STATUS[d.status];
  return (
    <section className={`card domain-status is-${d.status}`} aria-labelledby="domain-title">
      <div className="card-body domain-status-body">
        <div className="domain-headline">
          <span className="domain-globe" aria-hidden="true">
            <Icon name="globe" size={22} />
          </span>
          <div className="domain-headline-text">
            <h2 id="domain-title" className="domain-hostname">
              {d.hostname}
            </h2>
            <div className="row-wrap domain-facts">
              <span className={`badge badge-${status.tone}`} data-testid="domain-status">
                {polling && <Spinner />}
                {status.label}
              </span>
              <span className="domain-ssl" data-testid="domain-ssl">
                <Icon name="lock" size={13} />
                Certificate: {sslLabel(d.ssl_status)}
              </span>
              {d.activated_at && <span className="subtle">Live since {formatDateTime(d.activated_at)}</span>}
              {d.expires_at && (
                <span className="subtle" data-testid="domain-expires" title="An unverified claim holds the hostname for 72 hours">
                  Held for you until {formatDateTime(d.expires_at)} unless verified
                </span>
              )}
            </div>
          </div>
          <div className="domain-actions">
            {d.live && (
              <a className="btn" href={`https://${d.hostname}`} target="_blank" rel="noreferrer">
                <Icon name="external" />
                Open
              </a>
            )}
            {canManage && d.status !== 'removing' && (
              <button type="button" className="btn" onClick={onVerify} disabled={busy !== null}>
                {busy === 'verify' ? <Spinner /> : <Icon name="refresh" />}
                Check now
              </button>
            )}
            {canManage && (
              <button type="button" className="btn btn-danger-ghost" onClick={onRemove} disabled={busy !== null}>
                {busy === 'remove' ? <Spinner /> : <Icon name="trash" />}
                Remove
              </button>
            )}
          </div>
        </div>

        <ol className="domain-steps" aria-label="Progress">
          {steps(d).map((s) => (
            <li key={s.label} className={`is-${s.state}`} aria-current={s.state === 'current' ? 'step' : undefined}>
              <span className="domain-step-dot" aria-hidden="true">
                {s.state === 'done' ? <Icon name="check" size={12} /> : s.state === 'failed' ? <Icon name="x" size={12} /> : null}
              </span>
              {s.label}
            </li>
          ))}
        </ol>

        {d.errors.length > 0 ? (
          <div className={`domain-todo${d.status === 'provisioning' ? ' is-info' : ''}`} role="status" data-testid="domain-errors">
            <h3>{d.status === 'provisioning' ? 'Almost there' : d.status === 'active' ? 'Needs attention' : 'What is left to do'}</h3>
            <ul>
              {d.errors.map((e) => (
                <li key={e}>{e}</li>
              ))}
            </ul>
          </div>
        ) : d.live ? (
          <div className="domain-todo is-ok" role="status">
            <Icon name="check" />
            <span>
              Your clients can sign in at <strong>https://{d.hostname}</strong>. The TXT record is no longer needed; keep the CNAME.
            </span>
          </div>
        ) : null}
      </div>
    </section>
  );
}
