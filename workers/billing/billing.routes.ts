import { createRoute, z } from '@hono/zod-openapi';
import { assertRole } from '../auth/auth.middleware';
import { AppError } from '../platform/errors';
import { idempotencyKeyHeader } from '../platform/idempotency';
import { createRouter, jsonBody, jsonResponse, mutationErrors, PageQuerySchema, pageSchema, standardErrors } from '../platform/router';
import { PaymentMethodSchema } from '../wallet/wallet.schemas';
import { billingScopeOf, platformBilling } from './billing.scope';
import {
  advanceClockBodySchema,
  BillingEventSchema,
  BillingSummarySchema,
  BillingUsageSchema,
  cancelBodySchema,
  changePlanBodySchema,
  DunningCaseSchema,
  InvoiceSchema,
  invoiceIdParamSchema,
  payBodySchema,
  PlanSchema,
  subscribeBodySchema,
} from './billing.schemas';
import { billingSummary, cancelSubscription, changePlan, listPlans, payOutstanding, saveBillingCard, subscribe, usageSummary } from './billing.service';
import { advanceBillingClock } from './billing.clock';
import { invoicePdf, listInvoices } from './invoices';
import { getSubscriptionRow } from './subscriptions';
import { listBillingEvents } from './timeline';

/**
 * /api/billing: the account's platform plan (PRD addendum 1.1, 1.3). Anyone
 * in the account reads the summary and usage (the app's banner needs them);
 * admins and owners change the plan, the card and pay. Routes that charge
 * accept an `Idempotency-Key`. A sub-account its agency bills on one of the
 * agency's tiers reads its plan, invoices and usage, and pays what it owes,
 * on the agency's Stripe account (billingScopeOf); its plan is the agency's
 * to change.
 */
export const billingRoutes = createRouter();
const security = [{ bearer: [] }];
const tags = ['Billing'];
const paymentErrors = {
  ...mutationErrors,
  402: { description: 'The card was declined or needs authentication' },
  403: { description: 'Not allowed, or billed through the agency' },
  502: { description: 'Stripe did not answer; retrying is safe' },
};

const summaryOf = async (env: Env, accountId: string) => {
  const scope = await billingScopeOf(env, accountId);
  const [summary, row] = await Promise.all([billingSummary(scope, accountId), getSubscriptionRow(env.DB, accountId)]);
  return { ...summary, plans: listPlans(scope.catalogue, row?.custom_price_micros ?? null) };
};

// GET /api/billing – plan, status, subscription, card and any unpaid invoice
billingRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/billing',
    tags,
    security,
    summary: 'Billing summary',
    responses: { 200: jsonResponse(BillingSummarySchema, "The account's billing"), ...standardErrors },
  }),
  async (c) => c.json(BillingSummarySchema.parse(await summaryOf(c.env, c.var.auth.accountId)), 200),
);

// GET /api/billing/plans – the plans on sale, with limits and features
billingRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/billing/plans',
    tags,
    security,
    summary: 'Plans',
    responses: { 200: jsonResponse(z.object({ data: z.array(PlanSchema) }), 'Plans from cheapest'), ...standardErrors },
  }),
  async (c) => {
    const row = await getSubscriptionRow(c.env.DB, c.var.auth.accountId);
    return c.json({ data: listPlans((await billingScopeOf(c.env, c.var.auth.accountId)).catalogue, row?.custom_price_micros ?? null) }, 200);
  },
);

// POST /api/billing/subscribe – start a paid plan, charging the first month now
billingRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/billing/subscribe',
    tags,
    security,
    summary: 'Subscribe to a plan',
    description:
      'Saves `payment_method` if given, then subscribes and charges the first month. A declined card leaves no subscription behind. Send an `Idempotency-Key` to make retries safe.',
    request: { body: jsonBody(subscribeBodySchema) },
    responses: { 201: jsonResponse(BillingSummarySchema, 'Subscribed'), ...paymentErrors },
  }),
  async (c) => {
    assertRole(c.var.auth, 'admin', 'choose the plan');
    const body = c.req.valid('json');
    await subscribe(platformBilling(c.env), c.var.auth.accountId, {
      plan: body.plan,
      paymentMethod: body.payment_method,
      idempotencyKey: idempotencyKeyHeader(c),
    });
    return c.json(BillingSummarySchema.parse(await summaryOf(c.env, c.var.auth.accountId)), 201);
  },
);

// POST /api/billing/upgrade – move to another plan: upgrades charge the prorated difference now, downgrades credit it
billingRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/billing/upgrade',
    tags,
    security,
    summary: 'Change plan',
    description:
      'Upgrades are charged at once for the rest of the period (prorated; a decline changes nothing). Downgrades credit the unused part to the next invoice and are refused (`downgrade_blocked`) when the account has more contacts, users or sub-accounts than the smaller plan allows.',
    request: { body: jsonBody(changePlanBodySchema) },
    responses: { 200: jsonResponse(BillingSummarySchema, 'The new plan'), ...paymentErrors },
  }),
  async (c) => {
    assertRole(c.var.auth, 'admin', 'change the plan');
    await changePlan(platformBilling(c.env), c.var.auth.accountId, { plan: c.req.valid('json').plan, idempotencyKey: idempotencyKeyHeader(c) });
    return c.json(BillingSummarySchema.parse(await summaryOf(c.env, c.var.auth.accountId)), 200);
  },
);

// POST /api/billing/cancel – cancel at the end of the paid period (or, with resume, withdraw that)
billingRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/billing/cancel',
    tags,
    security,
    summary: 'Cancel at period end',
    description:
      'The plan stays until the period already paid for ends; the account then moves to Free and keeps all its data. `{"resume": true}` withdraws a scheduled cancellation.',
    request: { body: { required: false, content: { 'application/json': { schema: cancelBodySchema } } } },
    responses: { 200: jsonResponse(BillingSummarySchema, 'The subscription after the change'), ...paymentErrors },
  }),
  async (c) => {
    assertRole(c.var.auth, 'admin', 'cancel the plan');
    const body = c.req.valid('json') ?? { resume: false };
    await cancelSubscription(platformBilling(c.env), c.var.auth.accountId, { resume: body.resume });
    return c.json(BillingSummarySchema.parse(await summaryOf(c.env, c.var.auth.accountId)), 200);
  },
);

// POST /api/billing/pay – pay the unpaid invoice now; the account is active again at once
billingRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/billing/pay',
    tags,
    security,
    summary: 'Pay what is owed',
    description: 'Charges the invoice dunning is chasing to the saved card, or to `payment_method` (saved first).',
    request: { body: { required: false, content: { 'application/json': { schema: payBodySchema } } } },
    responses: { 200: jsonResponse(DunningCaseSchema.pick({ id: true, status: true, stage: true }), 'The case, recovered'), ...paymentErrors },
  }),
  async (c) => {
    assertRole(c.var.auth, 'admin', 'pay invoices');
    const body = c.req.valid('json') ?? {};
    const settled = await payOutstanding(await billingScopeOf(c.env, c.var.auth.accountId), c.var.auth.accountId, { paymentMethod: body.payment_method });
    return c.json({ id: settled.id, status: settled.status, stage: settled.stage }, 200);
  },
);

// POST /api/billing/payment-method – the card renewals and retries charge (shared with the wallet)
billingRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/billing/payment-method',
    tags,
    security,
    summary: 'Save the billing card',
    request: { body: jsonBody(payBodySchema.required()) },
    responses: { 200: jsonResponse(PaymentMethodSchema, 'The saved card'), ...paymentErrors },
  }),
  async (c) => {
    assertRole(c.var.auth, 'admin', 'change the billing card');
    const profile = await saveBillingCard(platformBilling(c.env), c.var.auth.accountId, c.req.valid('json').payment_method);
    return c.json({ brand: profile.card_brand, last4: profile.card_last4 }, 200);
  },
);

// GET /api/billing/invoices – invoices from Stripe, newest first
billingRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/billing/invoices',
    tags,
    security,
    summary: 'Invoices',
    request: { query: PageQuerySchema.extend({ limit: z.coerce.number().int().min(1).max(100).default(20) }) },
    responses: { 200: jsonResponse(pageSchema(InvoiceSchema, 'InvoicePage'), 'Invoices'), ...standardErrors },
  }),
  async (c) => {
    assertRole(c.var.auth, 'admin', 'see invoices');
    const query = c.req.valid('query');
    return c.json(
      await listInvoices(await billingScopeOf(c.env, c.var.auth.accountId), c.var.auth.accountId, { cursor: query.cursor, limit: query.limit }),
      200,
    );
  },
);

// GET /api/billing/invoices/{id}/download – the invoice as a PDF
billingRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/billing/invoices/{id}/download',
    tags,
    security,
    summary: 'Download an invoice (PDF)',
    request: { params: invoiceIdParamSchema },
    responses: { 200: { description: 'The invoice', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } }, ...standardErrors },
  }),
  async (c) => {
    assertRole(c.var.auth, 'admin', 'download invoices');
    const { filename, bytes } = await invoicePdf(await billingScopeOf(c.env, c.var.auth.accountId), c.var.auth.accountId, c.req.valid('param').id);
    return c.body(bytes, 200, {
      'content-type': 'application/pdf',
      'content-disposition': `attachment; filename="${filename}"`,
      'cache-control': 'private, no-store',
    });
  },
);

// GET /api/billing/usage – contacts and users against the plan's limits, and the plan's features
billingRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/billing/usage',
    tags,
    security,
    summary: 'Usage against plan limits',
    responses: { 200: jsonResponse(BillingUsageSchema, 'Usage'), ...standardErrors },
  }),
  async (c) => c.json(BillingUsageSchema.parse(await usageSummary(await billingScopeOf(c.env, c.var.auth.accountId), c.var.auth.accountId)), 200),
);

// GET /api/billing/timeline – every billing step: subscriptions, invoices, failed payments, dunning
billingRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/billing/timeline',
    tags,
    security,
    summary: 'Billing timeline',
    request: { query: PageQuerySchema },
    responses: { 200: jsonResponse(pageSchema(BillingEventSchema, 'BillingEventPage'), 'Newest first'), ...standardErrors },
  }),
  async (c) => {
    const query = c.req.valid('query');
    return c.json(await listBillingEvents(c.env.DB, c.var.auth.accountId, { cursor: query.cursor, limit: query.limit }), 200);
  },
);

// POST /api/billing/sandbox/advance-clock – sandbox only: move the billing clock forward and run what comes due
billingRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/billing/sandbox/advance-clock',
    tags,
    security,
    summary: 'Move the sandbox billing clock',
    description:
      "Sandbox only (404 with live Stripe). Moves the emulated Stripe clock forward (renewals happen on the way), delivers Stripe's webhooks and runs the dunning sweep, so a renewal, a failed payment and each dunning step can be seen in minutes. The clock is shared by every account on this deployment.",
    request: { body: jsonBody(advanceClockBodySchema) },
    responses: {
      200: jsonResponse(
        z.object({ now: z.string(), due_cases: z.number().int(), results: z.record(z.string(), z.string()) }),
        'The new time and what the sweep did',
      ),
      ...mutationErrors,
    },
  }),
  async (c) => {
    if (c.env.PROVIDER_MODE === 'live') throw new AppError('not_found', 'The billing clock only moves in the sandbox.');
    assertRole(c.var.auth, 'admin', 'move the sandbox clock');
    const body = c.req.valid('json');
    return c.json(await advanceBillingClock(c.env, { hours: body.days * 24 + body.hours }), 200);
  },
);
