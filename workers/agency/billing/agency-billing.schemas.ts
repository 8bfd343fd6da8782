import { z } from '@hono/zod-openapi';
import { text } from '../../platform/text';
import { DunningCaseSchema } from '../../billing/billing.schemas';
import { savePaymentMethodBodySchema } from '../../wallet/wallet.schemas';

const isoOrNull = z.string().nullable();

export const connectStripeBodySchema = z
  .object({
    type: z
      .enum(['standard', 'express'])
      .default('standard')
      .openapi({ description: "standard: the agency's own full Stripe account (default); express: a Stripe-hosted dashboard" }),
  })
  .strict()
  .openapi('ConnectStripeBody');

export const StripeConnectionSchema = z
  .object({
    connected: z.boolean().openapi({ description: 'A Stripe account is linked (onboarding may still be incomplete)' }),
    stripe_account_id: z.string().nullable(),
    type: z.enum(['standard', 'express']).nullable(),
    charges_enabled: z.boolean(),
    payouts_enabled: z.boolean(),
    details_submitted: z.boolean(),
    onboarding_complete: z.boolean().openapi({ description: 'Stripe takes charges on the account: sub-accounts can be put on tiers' }),
    onboarded_at: isoOrNull,
    revenue_share_percent: z.string().openapi({ description: "The platform's share of each paid invoice (application fee), in percent", example: '10' }),
  })
  .openapi('AgencyStripeConnection');

export const OnboardingLinkSchema = z
  .object({
    url: z.string().openapi({
      description: 'Send the agency owner here to finish Stripe onboarding; single use',
      example: 'https://connect.stripe.com/setup/s/acct_1AbC/x',
    }),
    expires_at: z.string(),
    connection: StripeConnectionSchema,
  })
  .openapi('AgencyStripeOnboardingLink');

const tierPrice = z
  .string()
  .regex(/^\d{1,7}(\.\d{1,2})?$/, 'A decimal amount in USD with at most two decimals, like "149.00".')
  .openapi({ description: 'Monthly price in USD, from 1.00 to 100000.00', example: '149.00' });

export const tierBodySchema = z
  .object({
    name: text().min(1).max(60).openapi({ example: 'Basic' }),
    price: tierPrice,
    contacts: z
      .number()
      .int()
      .positive()
      .openapi({ description: "Contacts a sub-account on the tier may have; at most the agency plan's limit", example: 2500 }),
    users: z
      .number()
      .int()
      .positive()
      .optional()
      .openapi({ description: 'Users a sub-account on the tier may have; without it, as many as the agency plan allows' }),
  })
  .strict();

export const putTiersBodySchema = z
  .object({ tiers: z.array(tierBodySchema).max(20) })
  .strict()
  .openapi('PutAgencyTiersBody', { description: 'The full list of tiers on sale (PRD addendum 2.4). A tier left out goes off sale; its subscribers keep it.' });

export const TierSchema = z
  .object({
    key: z.string().openapi({ description: 'The name in lower case; what `tier` in a subscription request may also be', example: 'basic' }),
    name: z.string(),
    price: z.string().openapi({ example: '149.0000' }),
    contacts: z.number().int(),
    users: z.number().int().nullable().openapi({ description: 'null: as many as the agency plan allows' }),
    subscribers: z.number().int().openapi({ description: 'Sub-accounts subscribed to the tier now' }),
  })
  .openapi('AgencyTier');

export const TiersSchema = z
  .object({
    tiers: z.array(TierSchema),
    retired_tiers: z.array(TierSchema).openapi({ description: 'Tiers taken off sale that still have subscribers (at the price they subscribed at)' }),
    limits: z
      .object({ contacts: z.number().int().nullable(), users: z.number().int().nullable() })
      .openapi({ description: "The most a tier may include: the agency plan's limits (null: unlimited)" }),
  })
  .openapi('AgencyTiers');

export const subscribeSubAccountBodySchema = z
  .object({
    tier: text().min(1).max(60).openapi({ description: "The tier's name or key", example: 'Basic' }),
    payment_method: savePaymentMethodBodySchema.shape.payment_method
      .optional()
      .openapi({ description: "The card the sub-account pays with (saved on the agency's Stripe account); needed the first time" }),
  })
  .strict()
  .openapi('SubscribeSubAccountBody');

export const SubAccountSubscriptionSchema = z
  .object({
    sub_account_id: z.string(),
    tier: z
      .object({ key: z.string(), name: z.string(), price: z.string(), contacts: z.number().int().nullable(), users: z.number().int().nullable() })
      .nullable(),
    plan: z.object({ id: z.string(), name: z.string() }),
    plan_source: z.enum(['trial', 'subscription', 'free', 'agency', 'agency_tier']),
    status: z.enum(['active', 'past_due', 'paused', 'archived']),
    subscription: z
      .object({ id: z.string(), status: z.string(), current_period_start: isoOrNull, current_period_end: isoOrNull, cancel_at_period_end: z.boolean() })
      .nullable(),
    payment_method: z.object({ brand: z.string().nullable(), last4: z.string().nullable() }).nullable(),
    dunning: DunningCaseSchema.nullable(),
  })
  .openapi('SubAccountSubscription');
