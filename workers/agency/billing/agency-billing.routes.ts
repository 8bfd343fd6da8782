import { createRoute } from '@hono/zod-openapi';
import { assertRole } from '../../auth/auth.middleware';
import { depsOf } from '../../platform/deps';
import { idempotencyKeyHeader } from '../../platform/idempotency';
import { createRouter, IdParamSchema, jsonBody, jsonResponse, mutationErrors, standardErrors } from '../../platform/router';
import {
  connectStripeBodySchema,
  OnboardingLinkSchema,
  putTiersBodySchema,
  StripeConnectionSchema,
  SubAccountSubscriptionSchema,
  subscribeSubAccountBodySchema,
  TiersSchema,
} from './agency-billing.schemas';
import {
  cancelSubAccountTier,
  connectStripe,
  listTiers,
  putSubAccountOnTier,
  replaceTiers,
  stripeConnectionStatus,
  subAccountSubscription,
} from './agency-billing.service';

/**
 * /api/agency: an agency selling its own plans to its sub-accounts through
 * its Stripe account (PRD addendum 2.4). Agency owners and admins connect
 * Stripe, set tiers and subscribe clients, and only they read any of it
 * (what clients pay, their cards, the Stripe account): members get 403.
 * Sub-accounts and plain businesses are refused (403), another agency's
 * sub-account is not found (404).
 */
export const agencyBillingRoutes = createRouter();
const security = [{ bearer: [] }];
const tags = ['Agency billing'];
const problem = (description: string) => ({ description });
const billingErrors = {
  ...mutationErrors,
  402: problem('The card was declined or needs authentication'),
  403: problem('Not an agency, not an admin, or the agency plan lacks sub-accounts'),
  409: problem('Stripe not connected or onboarding unfinished, or conflicts with the subscription'),
  502: problem('Stripe did not answer; retrying is safe'),
};

// POST /api/agency/stripe/connect – connect the agency's Stripe account: an onboarding link to send the owner to
agencyBillingRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/agency/stripe/connect',
    tags,
    security,
    summary: 'Connect Stripe',
    description:
      "Creates the agency's connected Stripe account (once) and answers a single-use onboarding link (valid 5 minutes; ask again for a new one). Sub-accounts can be put on tiers when onboarding is complete. In the sandbox, opening the link completes onboarding.",
    request: { body: { required: false, content: { 'application/json': { schema: connectStripeBodySchema } } } },
    responses: { 200: jsonResponse(OnboardingLinkSchema, 'Where to finish onboarding'), ...billingErrors },
  }),
  async (c) => {
    assertRole(c.var.auth, 'admin', 'connect Stripe');
    const body = c.req.valid('json') ?? { type: 'standard' as const };
    return c.json(await connectStripe(depsOf(c), { type: body.type, origin: new URL(c.req.url).origin }), 200);
  },
);

// GET /api/agency/stripe/status – whether Stripe is connected and onboarding complete
agencyBillingRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/agency/stripe/status',
    tags,
    security,
    summary: 'Stripe connection status',
    responses: { 200: jsonResponse(StripeConnectionSchema, 'The connection'), ...standardErrors },
  }),
  async (c) => {
    assertRole(c.var.auth, 'admin', "see the agency's Stripe connection");
    return c.json(await stripeConnectionStatus(depsOf(c)), 200);
  },
);

// GET /api/agency/pricing/tiers – the tiers the agency sells to its sub-accounts
agencyBillingRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/agency/pricing/tiers',
    tags,
    security,
    summary: 'Agency tiers',
    responses: { 200: jsonResponse(TiersSchema, 'Tiers on sale, and retired ones with subscribers'), ...standardErrors },
  }),
  async (c) => {
    assertRole(c.var.auth, 'admin', "see the agency's tiers");
    return c.json(await listTiers(depsOf(c)), 200);
  },
);

// PUT /api/agency/pricing/tiers – replace the tiers on sale (PRD 2.4 schema); subscribers are never repriced
agencyBillingRoutes.openapi(
  createRoute({
    method: 'put',
    path: '/agency/pricing/tiers',
    tags,
    security,
    summary: 'Set agency tiers',
    description:
      'The full list of tiers on sale: `{ "tiers": [{ "name": "Basic", "price": "149.00", "contacts": 2500 }] }`. Names are unique, a price is at least 1.00 USD a month, limits are positive and within the agency plan\'s. A changed price applies to new subscribers only; a tier left out goes off sale and its subscribers keep it.',
    request: { body: jsonBody(putTiersBodySchema) },
    responses: { 200: jsonResponse(TiersSchema, 'The tiers now'), ...billingErrors },
  }),
  async (c) => {
    assertRole(c.var.auth, 'admin', "set the agency's tiers");
    return c.json(await replaceTiers(depsOf(c), c.req.valid('json').tiers), 200);
  },
);

// GET /api/agency/sub-accounts/{id}/subscription – the client's tier, subscription, card and unpaid invoice
agencyBillingRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/agency/sub-accounts/{id}/subscription',
    tags,
    security,
    summary: "A sub-account's tier",
    request: { params: IdParamSchema },
    responses: { 200: jsonResponse(SubAccountSubscriptionSchema, "The sub-account's billing"), ...standardErrors },
  }),
  async (c) => {
    assertRole(c.var.auth, 'admin', "see a sub-account's subscription");
    return c.json(SubAccountSubscriptionSchema.parse(await subAccountSubscription(depsOf(c), c.req.valid('param').id)), 200);
  },
);

// POST /api/agency/sub-accounts/{id}/subscription – put the client on a tier, billed on the agency's Stripe
agencyBillingRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/agency/sub-accounts/{id}/subscription',
    tags,
    security,
    summary: 'Put a sub-account on a tier',
    description:
      "Subscribes the sub-account to the tier on the agency's connected Stripe account and charges the first month now (201); the platform's revenue share is taken as an application fee on each paid invoice. Already subscribed: moves it to the tier (prorated), or withdraws a scheduled cancellation (200). `payment_method` is saved first and pays from then on. Send an `Idempotency-Key` to make retries safe.",
    request: { params: IdParamSchema, body: jsonBody(subscribeSubAccountBodySchema) },
    responses: { 200: jsonResponse(SubAccountSubscriptionSchema, 'Changed'), 201: jsonResponse(SubAccountSubscriptionSchema, 'Subscribed'), ...billingErrors },
  }),
  async (c) => {
    assertRole(c.var.auth, 'admin', "choose a sub-account's tier");
    const deps = depsOf(c);
    const id = c.req.valid('param').id;
    const body = c.req.valid('json');
    const { created } = await putSubAccountOnTier(deps, id, { tier: body.tier, paymentMethod: body.payment_method, idempotencyKey: idempotencyKeyHeader(c) });
    return c.json(SubAccountSubscriptionSchema.parse(await subAccountSubscription(deps, id)), created ? 201 : 200);
  },
);

// DELETE /api/agency/sub-accounts/{id}/subscription – cancel the client's tier at the end of the paid period
agencyBillingRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/agency/sub-accounts/{id}/subscription',
    tags,
    security,
    summary: "Cancel a sub-account's tier",
    description:
      'The tier stays until the period already paid for ends; the sub-account then moves to Free and keeps all its data. POST the same tier again to withdraw the cancellation.',
    request: { params: IdParamSchema },
    responses: { 200: jsonResponse(SubAccountSubscriptionSchema, 'The subscription, ending at period end'), ...billingErrors },
  }),
  async (c) => {
    assertRole(c.var.auth, 'admin', "cancel a sub-account's tier");
    const deps = depsOf(c);
    const id = c.req.valid('param').id;
    await cancelSubAccountTier(deps, id);
    return c.json(SubAccountSubscriptionSchema.parse(await subAccountSubscription(deps, id)), 200);
  },
);
