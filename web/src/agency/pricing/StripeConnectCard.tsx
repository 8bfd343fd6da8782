// The agency's Stripe account, which its clients pay through: connecting it
// (Stripe's onboarding; in the sandbox, opening the link completes it and
// comes straight back), and what Stripe says about it now.
import { useState } from 'react';
import { ApiError } from '../../api/client';
import { Link } from '../../shell/router';
import { Spinner } from '../../ui/components';
import { formatDate } from '../../ui/format';
import { Icon } from '../../ui/icons';
import { stripeConnect, type StripeConnection } from '../agency.api';

function Check({ ok, label }: { ok: boolean; label: string }) {
  return (
    <li className={ok ? 'is-ok' : 'is-missing'}>
      <Icon name={ok ? 'check' : 'x'} size={14} label={ok ? 'Done' : 'Not yet'} />
      {label}
    </li>
  );
}

export function StripeConnectCard({
  connection: c,
  canManage,
  expiredLink,
  sandbox,
}: {
  connection: StripeConnection;
  canManage: boolean;
  /** Back from an onboarding link that had expired or was used already. */
  expiredLink: boolean;
  sandbox: boolean;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const connect = async () => {
    setBusy(true);
    setError(null);
    try {
      const link = await stripeConnect.connect();
      // Stripe's onboarding is its own page; it sends the browser back to /agency/billing?stripe=return.
      window.location.assign(link.url);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  const state = c.onboarding_complete ? 'connected' : c.connected ? 'unfinished' : 'none';
  const planLimit = error instanceof ApiError && error.code === 'plan_limit_reached';

  return (
    <section className={`card stripe-card is-${state}`} aria-labelledby="stripe-title">
      <div className="card-header">
        <h2 id="stripe-title">Stripe account</h2>
        <span className={`badge ${state === 'connected' ? 'badge-ok' : state === 'unfinished' ? 'badge-pending' : ''}`} data-testid="stripe-state">
          {state === 'connected' ? 'Connected' : state === 'unfinished' ? 'Onboarding unfinished' : 'Not connected'}
        </span>
      </div>
      <div className="card-body stripe-body">
        <div className="stripe-mark" aria-hidden="true">
          S
        </div>
        <div className="stack stripe-text">
          {state === 'connected' ? (
            <p>
              Your clients pay for your tiers into Stripe account <code className="mono">{c.stripe_account_id}</code>
              {c.onboarded_at ? `, connected on ${formatDate(c.onboarded_at)}` : ''}. The platform keeps <strong>{c.revenue_share_percent}%</strong> of each
              paid invoice; the rest is yours.
            </p>
          ) : (
            <p>
              Clients pay for your tiers through your own Stripe account, so the money lands with you. The platform keeps{' '}
              <strong>{c.revenue_share_percent}%</strong> of each paid invoice.
              {state === 'unfinished' && ' Stripe still needs a few details before it can take payments.'}
            </p>
          )}
          {c.connected && (
            <ul className="stripe-checks" aria-label="Stripe account">
              <Check ok={c.details_submitted} label="Details submitted" />
              <Check ok={c.charges_enabled} label="Takes payments" />
              <Check ok={c.payouts_enabled} label="Pays out" />
            </ul>
          )}
          {expiredLink && state !== 'connected' && (
            <div className="alert alert-warning" role="status">
              <Icon name="alert" />
              <span>That onboarding link had expired or was used already. Continue to get a new one.</span>
            </div>
          )}
          {error !== null && (
            <div className="alert" role="alert">
              <Icon name="alert" />
              <div className="stack" style={{ gap: 6 }}>
                <span>{error instanceof Error ? error.message : 'Something went wrong.'}</span>
                {planLimit && (
                  <Link to="/billing" className="alert-link">
                    Go to Billing
                    <Icon name="chevronRight" size={14} />
                  </Link>
                )}
              </div>
            </div>
          )}
        </div>
        {canManage && state !== 'connected' && (
          <div className="stripe-action">
            <button type="button" className="btn btn-primary" onClick={connect} disabled={busy}>
              {busy ? <Spinner /> : <Icon name="external" />}
              {state === 'unfinished' ? 'Finish onboarding' : 'Connect Stripe'}
            </button>
            {sandbox && <span className="subtle">Sandbox: onboarding completes as soon as the link opens.</span>}
          </div>
        )}
      </div>
    </section>
  );
}
