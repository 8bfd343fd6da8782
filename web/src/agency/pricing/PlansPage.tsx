// Agency → Plans & pricing: what clients pay. The Stripe account they pay
// through, the tiers the agency sells, and its price for their usage.
// Stripe's onboarding returns to /agency/billing?stripe=return (the API's
// return URL); that address shows this page under its own.
import { useEffect } from 'react';
import { navigate, useLocation } from '../../shell/router';
import { ErrorAlert, Loading } from '../../ui/components';
import { useToast } from '../../ui/feedback';
import { usePageTitle, useResource } from '../../ui/hooks';
import { usePaymentConfig } from '../../wallet/PaymentMethodCard';
import { stripeConnect, tiers as tiersApi, usageMarkup } from '../agency.api';
import { AdminsOnly, AgencyOnly, useCanManage } from '../AgencyOnly';
import { StripeConnectCard } from './StripeConnectCard';
import { TiersEditor } from './TiersEditor';
import { UsageMarkupCard } from './UsageMarkupCard';
import '../agency.css';
import './plans.css';

export default function PlansPage() {
  usePageTitle('Plans & pricing');
  return (
    <AgencyOnly icon="tag" title="Plans & pricing">
      {/* What clients pay and the agency's Stripe account are for its owners and admins (the API refuses members). */}
      <AdminsOnly icon="tag" what="plans and pricing">
        <Plans />
      </AdminsOnly>
    </AgencyOnly>
  );
}

function Plans() {
  const canManage = useCanManage();
  const toast = useToast();
  const { pathname, search } = useLocation();
  const config = usePaymentConfig();
  const returned = search.get('stripe');
  const stripe = useResource((signal) => stripeConnect.status(signal), []);
  const tiers = useResource((signal) => tiersApi.list(signal), []);
  const prices = useResource((signal) => usageMarkup.list(signal), []);

  // Back from Stripe on the API's return address: show it under this page's own, keeping the outcome.
  useEffect(() => {
    if (pathname !== '/agency/plans') navigate(`/agency/plans${returned ? `?stripe=${encodeURIComponent(returned)}` : ''}`, { replace: true });
  }, [pathname, returned]);

  // The status read above is fresh from Stripe; say how onboarding went, once.
  const connected = stripe.data?.onboarding_complete;
  useEffect(() => {
    if (returned !== 'return' || connected === undefined) return;
    if (connected) toast.success('Stripe is connected. Your clients can now be put on your tiers.');
    else toast.info('Stripe still needs a few details before it can take payments.');
    navigate('/agency/plans', { replace: true });
  }, [returned, connected, toast]);

  return (
    <div className="page agency-page plans-page">
      <div className="page-header">
        <div className="page-title">
          <h1>Plans & pricing</h1>
          <p>What your clients pay you: the plans you sell them through your own Stripe account, and your price for their usage.</p>
        </div>
      </div>

      <div className="plans-layout">
        {stripe.error !== undefined && !stripe.data ? (
          <ErrorAlert error={stripe.error} onRetry={stripe.reload} />
        ) : !stripe.data ? (
          <Loading label="Loading your Stripe account…" />
        ) : (
          <StripeConnectCard connection={stripe.data} canManage={canManage} expiredLink={returned === 'refresh'} sandbox={config.data?.mode === 'sandbox'} />
        )}

        {tiers.error !== undefined && !tiers.data ? (
          <ErrorAlert error={tiers.error} onRetry={tiers.reload} />
        ) : !tiers.data ? (
          <Loading label="Loading your tiers…" />
        ) : (
          <TiersEditor data={tiers.data} canManage={canManage} onSaved={tiers.setData} />
        )}

        {prices.error !== undefined && !prices.data ? (
          <ErrorAlert error={prices.error} onRetry={prices.reload} />
        ) : !prices.data ? (
          <Loading label="Loading usage prices…" />
        ) : (
          <UsageMarkupCard prices={prices.data} canManage={canManage} onSaved={prices.setData} />
        )}
      </div>
    </div>
  );
}
