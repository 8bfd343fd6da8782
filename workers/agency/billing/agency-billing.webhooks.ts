import type Stripe from 'stripe';
import { queryFirst } from '../../platform/db';
import { refreshConnection } from './agency-billing.service';

type EventHandler = (env: Env, event: Stripe.Event) => Promise<void>;

/**
 * account.updated, a Connect event naming the agency's connected account
 * (onboarding finished, charges disabled by Stripe, ...): the agency's
 * connection follows what Stripe says now, re-read, never the snapshot.
 * Subscription and invoice events of connected accounts go to billing's
 * own handlers, which bill them in the agency's scope.
 */
const handleAccountUpdated: EventHandler = async (env, event) => {
  const stripeAccountId = event.account ?? (event.data.object as Stripe.Account).id;
  const known = await queryFirst<{ account_id: string }>(env.DB, 'SELECT account_id FROM agency_billing WHERE stripe_account_id = ?', stripeAccountId);
  if (known) await refreshConnection(env, stripeAccountId);
};

/** Joined into the Stripe webhook route's HANDLERS map. */
export const AGENCY_BILLING_WEBHOOK_HANDLERS: Record<string, EventHandler> = {
  'account.updated': handleAccountUpdated,
};
