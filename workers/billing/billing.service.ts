import Stripe from 'stripe';
import { queryFirst, toIso } from '../platform/db';
import { AppError } from '../platform/errors';
import { formatUsd } from '../platform/money';
import type { BillingScope } from './billing.scope';
import { latestDunningCase, openDunningCase, resolveDunning, type DunningCaseRow } from './dunning';
import { accountStanding, countUsage, formatCount, type AccountStanding } from './entitlements';
import { FEATURE_NAMES, FEATURES, findPlan, planAllows, planLadder, upgradeFor, withinLimit, type Plan, type PlanCatalogue } from './plans';
import { ensurePlanPrice, planAmountMicros } from './prices';
import { getSubscriptionRow, isLiveStatus, syncSubscription, type SubscriptionRow } from './subscriptions';
import { billingEventStatement, formatDay, recordBillingEvent } from './timeline';

/**
 * The billing verbs behind /api/billing: subscribe, change plan, cancel and
 * resume, pay what is owed, and the summary the billing page shows. Each
 * takes a BillingScope (whose Stripe account, which catalogue) and the
 * account id. Stripe is called with idempotency keys derived from the
 * account's state (or the caller's Idempotency-Key), so a request retried
 * after a Stripe 500 or timeout never subscribes or charges twice.
 */

const MICROS_PER_CENT = 10_000;
const usd = (micros: number) => `$${formatUsd(micros).replace(/(\.\d\d)00$/, '$1')}`;

/** Stripe's failures as problems: declines are 402, Stripe being down is 502 (safe to retry), key reuse is 409. */
function stripeProblem(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  if (err instanceof Stripe.errors.StripeCardError) {
    return new AppError('payment_failed', err.message || 'The card was declined.', { extensions: { decline_code: err.decline_code ?? err.code ?? null } });
  }
  if (err instanceof Stripe.errors.StripeIdempotencyError) {
    return new AppError('conflict', 'This Idempotency-Key was already used for a different billing request; use a new key for a new request.');
  }
  if (err instanceof Stripe.errors.StripeConnectionError || err instanceof Stripe.errors.StripeAPIError || err instanceof Stripe.errors.StripeRateLimitError) {
    return new AppError('provider_unavailable', 'Stripe did not answer in time. Retrying is safe: the same request never subscribes or charges twice.');
  }
  return null;
}

async function withStripe<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw stripeProblem(err) ?? err;
  }
}

/** A plan id from the request, or a 422 naming the plans there are. */
export function requirePlan(catalogue: PlanCatalogue, id: string): Plan {
  const plan = findPlan(catalogue, id);
  if (!plan || plan.retired) {
    const onSale = planLadder(catalogue)
      .filter((p) => p.id !== 'free' && !p.retired)
      .map((p) => p.id)
      .join(', ');
    throw new AppError('validation_failed', `There is no plan "${id}". Plans: ${onSale}.`, {
      errors: [{ field: 'plan', message: `Unknown plan; use one of ${onSale}.`, code: 'unknown_plan' }],
    });
  }
  if (plan.purchasable === 'never') {
    throw new AppError(
      'validation_failed',
      `${plan.name} needs no subscription. To move to ${plan.name}, cancel the current plan (POST /api/billing/cancel); it ends with the period already paid for.`,
      {
        errors: [{ field: 'plan', message: `${plan.name} cannot be bought.`, code: 'not_purchasable' }],
      },
    );
  }
  return plan;
}

/**
 * Refuses a plan the account's data does not fit (e.g. 30,000 contacts onto
 * Starter) with `downgrade_blocked` (409), saying what to remove first.
 */
export async function assertUsageFits(db: D1Database, accountId: string, plan: Plan): Promise<void> {
  const usage = await countUsage(db, accountId);
  const over: Array<{ resource: string; used: number; limit: number; message: string }> = [];
  for (const resource of ['contacts', 'users'] as const) {
    const limit = plan.limits[resource];
    if (limit !== null && !withinLimit(plan, resource, usage[resource], 0)) {
      over.push({ resource, used: usage[resource], limit, message: `${formatCount(usage[resource])} ${resource}; ${plan.name} allows ${formatCount(limit)}` });
    }
  }
  if (usage.sub_accounts > 0 && !planAllows(plan, 'sub_accounts')) {
    over.push({
      resource: 'sub_accounts',
      used: usage.sub_accounts,
      limit: 0,
      message: `${usage.sub_accounts} sub-account${usage.sub_accounts === 1 ? '' : 's'}; ${plan.name} includes none`,
    });
  }
  if (over.length === 0) return;
  throw new AppError(
    'downgrade_blocked',
    `This account does not fit the ${plan.name} plan: it has ${over.map((o) => o.message).join(', and ')}. Remove the excess first, or choose a larger plan.`,
    {
      errors: over.map((o) => ({ field: o.resource, message: o.message, code: 'over_plan_limit' })),
      extensions: { plan: plan.id, over: over.map(({ resource, used, limit }) => ({ resource, used, limit })) },
    },
  );
}

/**
 * The account is this scope's to bill: the platform bills anyone but a
 * sub-account its agency covers or bills; an agency bills only its own
 * sub-accounts.
 */
async function assertBilledHere(scope: BillingScope, accountId: string): Promise<AccountStanding> {
  const standing = await accountStanding(scope.db, accountId, scope.catalogue);
  if (scope.seller.kind === 'platform') {
    if (standing.kind === 'sub_account' && (standing.source === 'agency' || standing.source === 'agency_tier' || standing.sellerStripeAccount !== null)) {
      throw new AppError('forbidden', 'This account is billed through its agency; the agency manages its plan.');
    }
    return standing;
  }
  if (standing.kind !== 'sub_account' || standing.agencyAccountId !== scope.seller.agencyAccountId) {
    throw new AppError('not_found', `Sub-account ${accountId} was not found.`);
  }
  return standing;
}

async function assertNothingOwed(db: D1Database, accountId: string): Promise<void> {
  const c = await openDunningCase(db, accountId);
  if (c) {
    throw new AppError(
      'conflict',
      `An invoice of ${usd(c.amount_due_micros)} is unpaid. Pay it first (POST /api/billing/pay, or Billing in the app); plan changes open again once it is settled.`,
      {
        extensions: { dunning_case: c.id, amount_due: formatUsd(c.amount_due_micros) },
      },
    );
  }
}

export interface SubscribeInput {
  plan: string;
  /** A card to save first (pm_... from Stripe.js; Stripe's test ids in sandbox). */
  paymentMethod?: string;
  /** The caller's Idempotency-Key, if they sent one. */
  idempotencyKey?: string;
}

/**
 * Starts a paid plan: saves the card if one is given, creates the
 * subscription, and charges its first invoice at once (a decline refuses the
 * subscription and leaves none behind). Subscribing during the trial ends it.
 */
export async function subscribe(scope: BillingScope, accountId: string, input: SubscribeInput): Promise<SubscriptionRow> {
  const plan = requirePlan(scope.catalogue, input.plan);
  await assertBilledHere(scope, accountId);
  await assertUsageFits(scope.db, accountId, plan);
  const row = await getSubscriptionRow(scope.db, accountId);
  if (row?.stripe_subscription_id && isLiveStatus(row.stripe_status)) {
    const current = scope.catalogue.plans[row.plan]?.name ?? row.plan;
    throw new AppError('conflict', `This account already subscribes to ${current}. Change plans with POST /api/billing/upgrade.`, {
      extensions: { plan: row.plan },
    });
  }
  await assertNothingOwed(scope.db, accountId);
  const amount = planAmountMicros(plan, row?.custom_price_micros ?? null);
  await assertUsageFits(scope.db, accountId, plan);
  const profile = await withStripe(() => (input.paymentMethod ? scope.saveCard(accountId, input.paymentMethod) : scope.customer(accountId)));
  if (!profile.default_payment_method_id) {
    throw new AppError('validation_failed', 'Add a card to subscribe: send payment_method, or save one with POST /api/billing/payment-method.', {
      errors: [{ field: 'payment_method', message: 'No saved card.' }],
    });
  }
  const sub = await withStripe(async () => {
    const price = await ensurePlanPrice(scope, plan, amount, accountId);
    // A subscription Stripe made for us whose reply we lost (a timeout after Stripe did the work) is adopted, not duplicated.
    const live = (await scope.stripe.subscriptions.list({ customer: profile.stripe_customer_id, limit: 10 })).data.find(
      (s) => s.metadata?.account_id === accountId && isLiveStatus(s.status),
    );
    if (live) return live;
    const key = input.idempotencyKey
      ? `subscribe:${accountId}:${input.idempotencyKey}`
      : `subscribe:${accountId}:${row?.stripe_subscription_id ?? 'first'}:${plan.id}:${profile.default_payment_method_id}`;
    return scope.stripe.subscriptions.create(
      {
        customer: profile.stripe_customer_id,
        items: [{ price }],
        payment_behavior: 'error_if_incomplete',
        metadata: { account_id: accountId, plan: plan.id },
        expand: ['latest_invoice'],
        ...scope.subscriptionParams,
      },
      { idempotencyKey: key },
    );
  });
  const synced = (await syncSubscription(scope, accountId, sub, { bumpVersion: true })) as SubscriptionRow;
  const invoice = typeof sub.latest_invoice === 'object' ? sub.latest_invoice : null;
  await recordBillingEvent(scope.db, {
    accountId,
    kind: 'subscribed',
    message: `Subscribed to ${plan.name} at ${usd(amount)}/month${invoice?.status === 'paid' ? `; paid ${usd(invoice.amount_paid * MICROS_PER_CENT)}${invoice.number ? ` (invoice ${invoice.number})` : ''}` : ''}. Renews on ${formatDay(synced.current_period_end ?? Date.now())}.`,
    data: { plan: plan.id, subscription_id: sub.id, invoice_id: invoice?.id ?? null },
    dedupeKey: `subscribed:${sub.id}`,
    occurredAt: await scope.now(),
  });
  return synced;
}

/**
 * Moves a subscription to another plan. Upgrades are charged at once for the
 * rest of the period (prorated; a decline changes nothing); downgrades credit
 * the unused part to the next invoice, and are refused when the account's
 * data does not fit the smaller plan.
 */
export async function changePlan(scope: BillingScope, accountId: string, input: { plan: string; idempotencyKey?: string }): Promise<SubscriptionRow> {
  const plan = requirePlan(scope.catalogue, input.plan);
  await assertBilledHere(scope, accountId);
  const row = await getSubscriptionRow(scope.db, accountId);
  if (!row?.stripe_subscription_id || !isLiveStatus(row.stripe_status)) {
    throw new AppError('conflict', 'This account has no subscription to change. Choose a plan with POST /api/billing/subscribe.');
  }
  await assertNothingOwed(scope.db, accountId);
  const current = findPlan(scope.catalogue, row.plan) ?? scope.catalogue.plans.free;
  if (current.id === plan.id) throw new AppError('conflict', `This account is already on ${plan.name}.`, { extensions: { plan: plan.id } });
  const amount = planAmountMicros(plan, row.custom_price_micros);
  const direction = plan.rank > current.rank ? 'upgrade' : 'downgrade';
  if (direction === 'downgrade') await assertUsageFits(scope.db, accountId, plan);
  const subscriptionId = row.stripe_subscription_id;
  const { sub, invoice } = await withStripe(async () => {
    const price = await ensurePlanPrice(scope, plan, amount, accountId);
    const before = await scope.stripe.subscriptions.retrieve(subscriptionId);
    if (!isLiveStatus(before.status)) throw new AppError('conflict', 'The subscription has ended. Choose a plan with POST /api/billing/subscribe.');
    const item = before.items.data[0];
    // Already moved (our reply was lost after Stripe made the change): take it as done.
    if (item.price.id === price) return { sub: before, invoice: null };
    const key = input.idempotencyKey ? `change:${accountId}:${input.idempotencyKey}` : `change:${subscriptionId}:${row.version}:${price}`;
    const after = await scope.stripe.subscriptions.update(
      subscriptionId,
      {
        items: [{ id: item.id, price }],
        proration_behavior: direction === 'upgrade' ? 'always_invoice' : 'create_prorations',
        payment_behavior: 'error_if_incomplete',
        metadata: { plan: plan.id },
        expand: ['latest_invoice'],
      },
      { idempotencyKey: key },
    );
    const latest =
      typeof after.latest_invoice === 'object' &&
      after.latest_invoice?.billing_reason === 'subscription_update' &&
      before.latest_invoice !== after.latest_invoice?.id
        ? after.latest_invoice
        : null;
    return { sub: after, invoice: latest };
  });
  const synced = (await syncSubscription(scope, accountId, sub, { bumpVersion: true })) as SubscriptionRow;
  let money = '';
  if (direction === 'upgrade' && invoice && invoice.amount_paid > 0) {
    money = ` Charged ${usd(invoice.amount_paid * MICROS_PER_CENT)} now for the rest of this period${invoice.number ? ` (invoice ${invoice.number})` : ''}.`;
  } else if (direction === 'downgrade') {
    const pending = await withStripe(() => scope.stripe.invoiceItems.list({ customer: synced.stripe_customer_id as string, pending: true, limit: 100 }));
    const credit = -pending.data
      .filter((ii) => ii.proration && ii.parent?.subscription_details?.subscription === sub.id)
      .reduce((sum, ii) => sum + ii.amount, 0);
    if (credit > 0) money = ` The unused ${usd(credit * MICROS_PER_CENT)} is credited to the next invoice.`;
  }
  await recordBillingEvent(scope.db, {
    accountId,
    kind: 'plan_changed',
    message: `${direction === 'upgrade' ? 'Upgraded' : 'Downgraded'} from ${current.name} to ${plan.name} (${usd(amount)}/month).${money}`,
    data: { from: current.id, to: plan.id, direction, invoice_id: invoice?.id ?? null },
    dedupeKey: `plan-changed:${sub.id}:${synced.version}`,
    occurredAt: await scope.now(),
  });
  return synced;
}

/** Cancels at the end of the period already paid for; the account then moves to Free with all its data. */
export async function cancelSubscription(scope: BillingScope, accountId: string, input: { resume?: boolean } = {}): Promise<SubscriptionRow> {
  await assertBilledHere(scope, accountId);
  const row = await getSubscriptionRow(scope.db, accountId);
  if (!row?.stripe_subscription_id || !isLiveStatus(row.stripe_status)) {
    throw new AppError(
      'conflict',
      input.resume ? 'There is no subscription to resume; choose a plan with POST /api/billing/subscribe.' : 'There is no subscription to cancel.',
    );
  }
  const wanted = !input.resume;
  if (Boolean(row.cancel_at_period_end) === wanted) return row;
  const subscriptionId = row.stripe_subscription_id;
  const sub = await withStripe(() =>
    scope.stripe.subscriptions.update(
      subscriptionId,
      { cancel_at_period_end: wanted },
      { idempotencyKey: `${wanted ? 'cancel' : 'resume'}:${subscriptionId}:${row.version}` },
    ),
  );
  const synced = (await syncSubscription(scope, accountId, sub, { bumpVersion: true })) as SubscriptionRow;
  const name = scope.catalogue.plans[synced.plan]?.name ?? synced.plan;
  const end = formatDay(synced.current_period_end ?? Date.now());
  await recordBillingEvent(scope.db, {
    accountId,
    kind: wanted ? 'cancel_scheduled' : 'cancel_reverted',
    message: wanted
      ? `Cancellation scheduled: ${name} stays until ${end}, then the account moves to Free and keeps all its data. Nothing more will be charged.`
      : `Cancellation withdrawn: ${name} renews on ${end} as before.`,
    data: { subscription_id: sub.id, period_end: toIso(synced.current_period_end) },
    dedupeKey: `${wanted ? 'cancel' : 'resume'}:${sub.id}:${synced.version}`,
    occurredAt: await scope.now(),
  });
  return synced;
}

/**
 * Pays the invoice dunning is chasing, now, with the saved card (or a new one
 * given here). Success makes the account active again at once.
 */
export async function payOutstanding(scope: BillingScope, accountId: string, input: { paymentMethod?: string } = {}): Promise<DunningCaseRow> {
  await assertBilledHere(scope, accountId);
  const c = await openDunningCase(scope.db, accountId);
  if (!c) throw new AppError('conflict', 'Nothing is owed: there is no unpaid invoice on this account.');
  if (input.paymentMethod) await withStripe(() => scope.saveCard(accountId, input.paymentMethod as string));
  const before = await withStripe(() => scope.stripe.invoices.retrieve(c.invoice_id));
  if (before.status !== 'paid') {
    try {
      await scope.stripe.invoices.pay(c.invoice_id, {}, { idempotencyKey: `pay:${c.id}:${before.attempt_count}` });
    } catch (err) {
      if (err instanceof Stripe.errors.StripeCardError || (err instanceof Stripe.errors.StripeInvalidRequestError && err.code !== 'invoice_already_paid')) {
        await recordBillingEvent(scope.db, {
          accountId,
          kind: 'payment_failed',
          message: `Payment of ${usd(c.amount_due_micros)} tried from Billing was declined: ${err.message} Update the card and try again.`,
          data: { case_id: c.id, how: 'customer', reason: err.message },
          dedupeKey: `pay:${c.id}:${before.attempt_count}`,
          occurredAt: await scope.now(),
        });
        throw new AppError('payment_failed', err.message || 'The card was declined.', {
          extensions: { decline_code: err instanceof Stripe.errors.StripeCardError ? (err.decline_code ?? err.code ?? null) : (err.code ?? null) },
        });
      }
      if (!(err instanceof Stripe.errors.StripeInvalidRequestError)) throw stripeProblem(err) ?? err;
    }
  }
  const paid = await withStripe(() => scope.stripe.invoices.retrieve(c.invoice_id));
  await resolveDunning(scope, c, paid, 'customer');
  return (await queryFirst<DunningCaseRow>(scope.db, 'SELECT * FROM dunning_cases WHERE id = ?', c.id)) as DunningCaseRow;
}

/** Saves the card subscriptions and dunning retries charge (the same card the wallet uses). */
export async function saveBillingCard(scope: BillingScope, accountId: string, paymentMethod: string) {
  const profile = await withStripe(() => scope.saveCard(accountId, paymentMethod));
  await recordBillingEvent(scope.db, {
    accountId,
    kind: 'payment_method_updated',
    message: `Card ${profile.card_brand ?? ''} ending ${profile.card_last4 ?? '????'} saved; renewals and retries charge it from now on.`.replace('  ', ' '),
    data: { brand: profile.card_brand, last4: profile.card_last4 },
    occurredAt: await scope.now(),
  });
  return profile;
}

/**
 * An Enterprise price agreed with sales for one account (integer micros a
 * month). Platform staff set it (there is no self-serve route); the account
 * can then subscribe to Enterprise like any other plan.
 */
export async function setEnterprisePrice(scope: BillingScope, accountId: string, priceMicros: number): Promise<void> {
  if (!Number.isSafeInteger(priceMicros) || priceMicros <= 0 || priceMicros % MICROS_PER_CENT !== 0)
    throw new Error('an Enterprise price is a positive whole number of cents, in micros');
  const now = Date.now();
  await scope.db.batch([
    scope.db
      .prepare(
        'INSERT INTO subscriptions (account_id, plan, custom_price_micros, created_at, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET custom_price_micros = excluded.custom_price_micros, updated_at = excluded.updated_at',
      )
      .bind(accountId, (await accountStanding(scope.db, accountId, scope.catalogue)).plan.id, priceMicros, now, now),
    billingEventStatement(scope.db, {
      accountId,
      kind: 'custom_price_set',
      message: `Enterprise is available to this account at ${usd(priceMicros)}/month, as agreed with sales.`,
      data: { price: formatUsd(priceMicros) },
      occurredAt: await scope.now(),
    }),
  ]);
}

// ------------------------------------------------------------------ what the billing page shows

function serializePlan(plan: Plan, customPriceMicros: number | null = null) {
  const price = plan.priceMicros ?? customPriceMicros;
  return {
    id: plan.id,
    name: plan.name,
    price_per_month: price === null ? null : formatUsd(price),
    limits: { contacts: plan.limits.contacts, users: plan.limits.users },
    features: [...plan.features],
    purchasable: plan.purchasable === 'sales' && customPriceMicros !== null ? ('self_serve' as const) : plan.purchasable,
  };
}

export function listPlans(catalogue: PlanCatalogue, customPriceMicros: number | null) {
  return planLadder(catalogue)
    .filter((p) => !p.retired)
    .map((p) => serializePlan(p, p.priceMicros === null ? customPriceMicros : null));
}

export function serializeCase(c: DunningCaseRow | null) {
  if (!c) return null;
  return {
    id: c.id,
    status: c.status,
    stage: c.stage,
    failures: c.failures,
    invoice_id: c.invoice_id,
    amount_due: formatUsd(c.amount_due_micros),
    started_at: toIso(c.started_at) as string,
    next_action: c.next_action,
    next_action_at: toIso(c.next_action_at),
    last_error: c.last_error,
    resolved_at: toIso(c.resolved_at),
  };
}

/** The account's plan, where it comes from, its subscription, card and any payment trouble. */
export async function billingSummary(scope: BillingScope, accountId: string) {
  const [standing, row, profile, dunning] = await Promise.all([
    accountStanding(scope.db, accountId, scope.catalogue),
    getSubscriptionRow(scope.db, accountId),
    scope.profile(accountId),
    latestDunningCase(scope.db, accountId),
  ]);
  return {
    plan: serializePlan(standing.plan, row?.custom_price_micros ?? null),
    plan_source: standing.source,
    status: standing.status,
    status_from_agency: standing.statusFromAgency,
    trial_ends_at: toIso(standing.trialEndsAt),
    subscription:
      row?.stripe_subscription_id && isLiveStatus(row.stripe_status)
        ? {
            id: row.stripe_subscription_id,
            status: row.stripe_status as string,
            current_period_start: toIso(row.current_period_start),
            current_period_end: toIso(row.current_period_end),
            cancel_at_period_end: Boolean(row.cancel_at_period_end),
          }
        : null,
    payment_method: profile?.default_payment_method_id ? { brand: profile.card_brand, last4: profile.card_last4 } : null,
    dunning:
      dunning && (dunning.status === 'open' || (dunning.resolved_at !== null && dunning.updated_at > Date.now() - 7 * 86_400_000))
        ? serializeCase(dunning)
        : null,
    enterprise_price: row?.custom_price_micros ? formatUsd(row.custom_price_micros) : null,
  };
}

/** Usage against the plan's limits, and which features the plan includes (with the plan that adds each missing one). */
export async function usageSummary(scope: BillingScope, accountId: string) {
  const standing = await accountStanding(scope.db, accountId, scope.catalogue);
  const usage = await countUsage(scope.db, accountId);
  const meter = (resource: 'contacts' | 'users') => {
    const limit = standing.plan.limits[resource];
    return {
      used: usage[resource],
      limit,
      remaining: limit === null ? null : Math.max(0, limit - usage[resource]),
      over_limit: limit !== null && usage[resource] > limit,
    };
  };
  return {
    plan: { id: standing.plan.id, name: standing.plan.name },
    plan_source: standing.source,
    status: standing.status,
    contacts: meter('contacts'),
    users: meter('users'),
    sub_accounts: { used: usage.sub_accounts, included: planAllows(standing.plan, 'sub_accounts') },
    features: FEATURES.map((feature) => {
      const included = planAllows(standing.plan, feature);
      return {
        feature,
        name: FEATURE_NAMES[feature],
        included,
        available_on: included ? null : (upgradeFor(scope.catalogue, standing.plan, (p) => planAllows(p, feature))?.id ?? null),
      };
    }),
  };
}
