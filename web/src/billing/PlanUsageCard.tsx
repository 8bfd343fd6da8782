// Contacts and users against the plan's limits, and which features the plan
// includes (with the plan that adds each missing one).
import type { BillingUsage, Plan, UsageMeter } from '../api/types';
import { ErrorAlert, Loading } from '../ui/components';
import type { Resource } from '../ui/hooks';
import { Icon } from '../ui/icons';
import { formatCount } from './plans';

function Meter({ id, label, nouns, meter }: { id: string; label: string; nouns: [string, string]; meter: UsageMeter }) {
  const { used, limit } = meter;
  const share = limit ? Math.min(1, used / limit) : 0;
  // At the limit nothing more can be added (amber); only above it is something wrong (red).
  const tone = meter.over_limit ? 'is-full' : share >= 0.8 ? 'is-high' : '';
  const noun = limit === 1 ? nouns[0] : nouns[1];
  const text = limit === null ? `${formatCount(used)} ${noun}` : `${formatCount(used)} of ${formatCount(limit)} ${noun}`;
  return (
    <div className={`meter ${tone}`} data-testid={`meter-${id}`}>
      <div className="meter-head">
        <span className="meter-label" id={`meter-${id}-label`}>
          {label}
        </span>
        <span className="meter-count">{limit === null ? `${formatCount(used)} · Unlimited` : text}</span>
      </div>
      {limit === null ? (
        <div className="meter-track is-unlimited" aria-hidden="true" />
      ) : (
        <div
          className="meter-track"
          role="progressbar"
          aria-labelledby={`meter-${id}-label`}
          aria-valuemin={0}
          aria-valuemax={limit}
          aria-valuenow={Math.min(used, limit)}
          aria-valuetext={text}
        >
          {/* A sliver for any use at all, so one contact of 25,000 still shows. */}
          <span style={{ width: `${used > 0 ? Math.max(share * 100, 1.5) : 0}%` }} />
        </div>
      )}
      <span className="subtle">
        {limit === null
          ? `No limit on ${nouns[1]}`
          : meter.over_limit
            ? `Over the limit by ${formatCount(used - limit)}; new ${nouns[1]} are refused`
            : meter.remaining === 0
              ? `Limit reached; upgrade to add more ${nouns[1]}`
              : `${formatCount(meter.remaining ?? 0)} left`}
      </span>
    </div>
  );
}

export function PlanUsageCard({ usage, plans, agency }: { usage: Resource<BillingUsage>; plans: Plan[]; agency: boolean }) {
  const u = usage.data;
  const planName = (id: string | null) => plans.find((p) => p.id === id)?.name ?? id;
  // Sub-accounts only mean something to an agency (or to an account that somehow has some).
  const subAccounts = u && (agency || u.sub_accounts.used > 0) ? u.sub_accounts : null;
  return (
    <section className="card billing-card" aria-labelledby="usage-title">
      <div className="card-header">
        <h2 id="usage-title">Usage</h2>
        {u && <span className="subtle">Limits of the {u.plan.name} plan</span>}
      </div>
      {usage.error !== undefined && !u ? (
        <div className="card-body">
          <ErrorAlert error={usage.error} onRetry={usage.reload} />
        </div>
      ) : !u ? (
        <Loading label="Loading usage…" />
      ) : (
        <div className="card-body usage-body">
          <div className={`meters${subAccounts ? ' has-three' : ''}`}>
            <Meter id="contacts" label="Contacts" nouns={['contact', 'contacts']} meter={u.contacts} />
            <Meter id="users" label="Users" nouns={['user', 'users']} meter={u.users} />
            {subAccounts && (
              <div className="meter">
                <div className="meter-head">
                  <span className="meter-label">Sub-accounts</span>
                  <span className="meter-count">{formatCount(subAccounts.used)}</span>
                </div>
                <span className="subtle usage-sub-accounts">
                  <Icon name="building" size={14} />
                  {subAccounts.included ? 'Included in this plan, no limit' : 'Not included in this plan; new ones are refused'}
                </span>
              </div>
            )}
          </div>
          <div className="usage-features">
            <h3 className="usage-features-title">Features</h3>
            <ul className="feature-list" aria-label="Features">
              {u.features.map((f) => (
                <li key={f.feature} className={f.included ? 'is-included' : 'is-missing'}>
                  <Icon name={f.included ? 'check' : 'x'} size={14} label={f.included ? 'Included' : 'Not included'} />
                  <span>{f.name}</span>
                  {!f.included && f.available_on && <span className="feature-upgrade">on {planName(f.available_on)}</span>}
                </li>
              ))}
            </ul>
          </div>
        </div>
      )}
    </section>
  );
}
