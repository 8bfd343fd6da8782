// The account's billing standing for the whole signed-in shell: loaded once
// per account and again whenever someone enters or leaves Billing, and set
// directly by the Billing page from every answer it gets, so the banner
// clears the moment a payment makes the account active again.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { billing } from '../api/endpoints';
import type { BillingSummary } from '../api/types';
import { Icon } from '../ui/icons';
import { Link, useLocation } from './router';

// Invoice amounts are whole cents, so a float is exact enough to show "$97.00".
const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

type Standing = Pick<BillingSummary, 'status' | 'status_from_agency' | 'dunning'>;

interface StandingState {
  standing: Standing | null;
  /** Takes a fresh summary the page already has (after paying, subscribing, moving the clock). */
  update: (summary: Standing) => void;
}

const StandingContext = createContext<StandingState | null>(null);

/** `accountId`: the signed-in account; the standing is loaded again for each one. */
export function AccountStandingProvider({ accountId, children }: { accountId: string | undefined; children: ReactNode }) {
  const onBilling = useLocation().pathname === '/billing';
  const [standing, setStanding] = useState<Standing | null>(null);
  // Bumped by every update, so an older request in flight cannot overwrite a newer answer.
  const generation = useRef(0);

  // Another account's standing is never shown: forget it while rendering the switch.
  const [standingFor, setStandingFor] = useState(accountId);
  if (standingFor !== accountId) {
    setStandingFor(accountId);
    setStanding(null);
  }

  // biome-ignore lint/correctness/useExhaustiveDependencies: `onBilling` is a trigger, not an input: arriving at or leaving the billing page (where the standing can change) asks again.
  useEffect(() => {
    if (!accountId) return;
    const mine = ++generation.current;
    const controller = new AbortController();
    billing.summary(controller.signal).then(
      (summary) => {
        if (generation.current === mine) setStanding(summary);
      },
      // No banner is better than a wrong one; the next navigation tries again.
      () => undefined,
    );
    return () => controller.abort();
  }, [accountId, onBilling]);

  const update = useCallback((summary: Standing) => {
    generation.current += 1;
    setStanding(summary);
  }, []);
  const value = useMemo(() => ({ standing, update }), [standing, update]);
  return <StandingContext.Provider value={value}>{children}</StandingContext.Provider>;
}

export function useAccountStanding(): StandingState {
  const ctx = useContext(StandingContext);
  if (!ctx) throw new Error('useAccountStanding must be used inside AccountStandingProvider');
  return ctx;
}

/**
 * Past due, paused or archived: one line under the impersonation bar on every
 * screen, nothing when active. `canPay`: owners and admins are sent to pay;
 * members are told who can.
 */
export function AccountStandingBanner({ canPay }: { canPay: boolean }) {
  const { standing } = useAccountStanding();
  const onBilling = useLocation().pathname === '/billing';
  if (!standing || standing.status === 'active') return null;
  const { status } = standing;
  const due = standing.dunning?.status === 'open' ? usd.format(Number(standing.dunning.amount_due)) : null;

  let message: ReactNode;
  let action: string | null = null;
  if (standing.status_from_agency) {
    message = (
      <>
        <strong>{status === 'archived' ? 'This account is read-only.' : status === 'paused' ? 'Automations are paused.' : 'Billing issue.'}</strong> The agency
        that manages this account has an unpaid invoice. Contact your agency to resolve it.
      </>
    );
  } else if (status === 'past_due') {
    message = (
      <>
        <strong>Your last payment failed.</strong>{' '}
        {canPay ? 'Update your card to avoid interruption.' : 'An owner or admin needs to update the card to avoid interruption.'}
      </>
    );
    action = 'Update card';
  } else if (status === 'paused') {
    message = (
      <>
        <strong>Automations are paused: payment{due ? ` of ${due}` : ''} failed.</strong> Everything else still works;{' '}
        {canPay ? 'paying resumes them at once.' : 'an owner or admin paying it resumes them at once.'}
      </>
    );
    action = 'Pay now';
  } else {
    message = (
      <>
        <strong>This account is archived and read-only.</strong> Nothing has been deleted; {canPay ? 'paying' : 'an owner or admin paying'}{' '}
        {due ?? 'the unpaid invoice'} makes it active again.
      </>
    );
    action = 'Pay now';
  }
  if (action && !canPay) action = 'View billing';

  return (
    <div className={`standing-banner standing-${status.replace('_', '-')}`} role={status === 'past_due' ? 'status' : 'alert'} data-testid="standing-banner">
      <Icon name="alert" size={18} />
      <span className="standing-text">{message}</span>
      {action && !onBilling && (
        <Link to="/billing" className="standing-action">
          {action}
        </Link>
      )}
    </div>
  );
}
