// The account's platform plan: what it is on and where that comes from, usage
// against the plan's limits, the tiers to move to, the card it is charged to,
// invoices, the billing timeline, and paying an unpaid invoice. In the
// sandbox, a clock to walk renewals and dunning.
import { useEffect, useState } from 'react';
import { billing as billingApi } from '../api/endpoints';
import type { BillingSummary, Plan } from '../api/types';
import { useSession } from '../auth/SessionProvider';
import { useAccountStanding } from '../shell/AccountStanding';
import { ErrorAlert, Loading } from '../ui/components';
import { useToast } from '../ui/feedback';
import { usePageTitle, useResource } from '../ui/hooks';
import { Icon } from '../ui/icons';
import { ChangeCardDialog, usePaymentConfig } from '../wallet/PaymentMethodCard';
import { BillingPaymentMethod } from './BillingPaymentMethod';
import { ChangePlanDialog } from './ChangePlanDialog';
import { CurrentPlanCard } from './CurrentPlanCard';
import { DunningAlert } from './DunningAlert';
import { InvoicesCard } from './InvoicesCard';
import { PayDialog } from './PayDialog';
import { PlanPicker } from './PlanPicker';
import { PlanUsageCard } from './PlanUsageCard';
import type { PlanMove } from './plans';
import { SandboxClock } from './SandboxClock';
import { TimelineCard } from './TimelineCard';
import './billing.css';

export default function BillingPage() {
  usePageTitle('Billing');
  const { me } = useSession();
  const canManage = me?.role === 'owner' || me?.role === 'admin';
  const toast = useToast();
  const standing = useAccountStanding();
  const config = usePaymentConfig();
  const summary = useResource((signal) => billingApi.summary(signal), []);
  // Bumped after every change, so usage, invoices and the timeline refetch.
  const [version, setVersion] = useState(0);
  const usage = useResource((signal) => billingApi.usage(signal), [version]);
  const [choice, setChoice] = useState<{ plan: Plan; move: PlanMove } | null>(null);
  const [paying, setPaying] = useState(false);
  const [cardOpen, setCardOpen] = useState(false);

  // The shell's banner reads the same summary: every answer here updates it.
  const { update } = standing;
  useEffect(() => {
    if (summary.data) update(summary.data);
  }, [summary.data, update]);

  const applied = (next: BillingSummary) => {
    summary.setData(next);
    setVersion((v) => v + 1);
  };
  const refreshAll = () => {
    summary.reload();
    setVersion((v) => v + 1);
  };

  const s = summary.data;
  const sandbox = config.data?.mode === 'sandbox';
  const agencyManaged = s?.plan_source === 'agency';
  const openCase = s?.dunning?.status === 'open' ? s.dunning : null;

  return (
    <div className="page billing-page">
      <div className="page-header">
        <div className="page-title">
          <h1>Billing</h1>
          <p>Your plan and its limits, the card it is charged to, invoices and every billing step.</p>
        </div>
      </div>

      {summary.error !== undefined && !s ? (
        <ErrorAlert error={summary.error} onRetry={summary.reload} />
      ) : !s ? (
        <Loading label="Loading billing…" />
      ) : (
        <div className="billing-layout">
          {sandbox && canManage && !agencyManaged && <SandboxClock onAdvanced={refreshAll} />}
          {s.status_from_agency ? (
            <div className="alert alert-warning" role="status">
              <Icon name="alert" />
              <span>
                <strong>The agency that manages this account has an unpaid invoice.</strong> Until it pays,{' '}
                {s.status === 'archived' ? 'this account is read-only' : s.status === 'paused' ? 'automations here are paused' : 'this account is past due'}.
                Contact your agency; there is nothing to pay here.
              </span>
            </div>
          ) : (
            s.dunning && <DunningAlert dunning={s.dunning} canPay={canManage} onPay={() => setPaying(true)} />
          )}

          <div className={`billing-top${agencyManaged ? ' is-single' : ''}`}>
            <CurrentPlanCard summary={s} canManage={canManage} onChanged={applied} />
            {!agencyManaged && <BillingPaymentMethod card={s.payment_method} canManage={canManage} onChange={() => setCardOpen(true)} />}
          </div>
          <PlanUsageCard usage={usage} plans={s.plans} agency={me?.account.kind === 'agency'} />
          {!agencyManaged && <PlanPicker summary={s} canManage={canManage} onChoose={(plan, move) => setChoice({ plan, move })} />}
          {canManage && !agencyManaged && <InvoicesCard version={version} />}
          <TimelineCard version={version} />

          <ChangePlanDialog
            summary={s}
            target={choice?.plan ?? null}
            move={choice?.move ?? null}
            onClose={() => setChoice(null)}
            onChanged={(next, message) => {
              applied(next);
              toast.success(message);
            }}
          />
          {paying && openCase && (
            <PayDialog
              summary={s}
              dunning={openCase}
              onClose={() => setPaying(false)}
              onPaid={() => {
                setPaying(false);
                refreshAll();
              }}
              onFailed={refreshAll}
            />
          )}
          <ChangeCardDialog
            open={cardOpen}
            onClose={() => setCardOpen(false)}
            current={s.payment_method}
            save={billingApi.savePaymentMethod}
            description="Plan renewals and payment retries are charged to this card, and so are wallet top-ups."
            onSaved={(card) => {
              summary.setData((prev) => ({ ...(prev ?? s), payment_method: card }));
              setVersion((v) => v + 1);
            }}
          />
        </div>
      )}
    </div>
  );
}
