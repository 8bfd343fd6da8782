import { z } from '@hono/zod-openapi';
import { savePaymentMethodBodySchema } from '../wallet/wallet.schemas';
import { FEATURES, PLAN_IDS } from './plans';

const planId = z
  .string()
  .min(1)
  .max(40)
  .openapi({ description: `One of ${PLAN_IDS.filter((p) => p !== 'free').join(', ')}`, example: 'starter' });
const paymentMethod = savePaymentMethodBodySchema.shape.payment_method;
const isoOrNull = z.string().nullable();

/** Where the plan comes from; `agency_tier`: one of the agency's own tiers, billed by the agency. */
const planSource = z.enum(['trial', 'subscription', 'free', 'agency', 'agency_tier']);
const planIdOut = z.string().openapi({ description: `A platform plan (${PLAN_IDS.join(', ')}), or the key of an agency's own tier`, example: 'starter' });

export const PlanSchema = z
  .object({
    id: planIdOut,
    name: z.string(),
    price_per_month: z.string().nullable().openapi({ description: 'Decimal USD; null when priced by sales (Enterprise)', example: '97.0000' }),
    limits: z.object({ contacts: z.number().int().nullable(), users: z.number().int().nullable() }).openapi({ description: 'null: unlimited' }),
    features: z.array(z.enum(FEATURES)),
    purchasable: z.enum(['self_serve', 'sales', 'never']),
  })
  .openapi('Plan');

export const DunningCaseSchema = z
  .object({
    id: z.string(),
    status: z.enum(['open', 'recovered', 'closed']),
    stage: z.enum(['past_due', 'warned', 'paused', 'downgraded', 'archived', 'recovered', 'closed']),
    failures: z.number().int(),
    invoice_id: z.string(),
    amount_due: z.string(),
    started_at: z.string(),
    next_action: z.enum(['retry', 'archive']).nullable(),
    next_action_at: isoOrNull,
    last_error: z.string().nullable(),
    resolved_at: isoOrNull,
  })
  .openapi('DunningCase');

export const BillingSummarySchema = z
  .object({
    plan: PlanSchema,
    plan_source: planSource,
    status: z.enum(['active', 'past_due', 'paused', 'archived']),
    status_from_agency: z.boolean(),
    trial_ends_at: isoOrNull,
    subscription: z
      .object({ id: z.string(), status: z.string(), current_period_start: isoOrNull, current_period_end: isoOrNull, cancel_at_period_end: z.boolean() })
      .nullable(),
    payment_method: z.object({ brand: z.string().nullable(), last4: z.string().nullable() }).nullable(),
    dunning: DunningCaseSchema.nullable().openapi({ description: 'The unpaid invoice being chased, or one recovered in the last 7 days' }),
    enterprise_price: z.string().nullable(),
    plans: z.array(PlanSchema),
  })
  .openapi('BillingSummary');

const meter = z.object({ used: z.number().int(), limit: z.number().int().nullable(), remaining: z.number().int().nullable(), over_limit: z.boolean() });

export const BillingUsageSchema = z
  .object({
    plan: z.object({ id: planIdOut, name: z.string() }),
    plan_source: planSource,
    status: z.enum(['active', 'past_due', 'paused', 'archived']),
    contacts: meter,
    users: meter,
    sub_accounts: z.object({ used: z.number().int(), included: z.boolean() }),
    features: z.array(z.object({ feature: z.enum(FEATURES), name: z.string(), included: z.boolean(), available_on: planIdOut.nullable() })),
  })
  .openapi('BillingUsage');

export const InvoiceSchema = z
  .object({
    id: z.string(),
    number: z.string().nullable(),
    status: z.string(),
    billing_reason: z.string().nullable(),
    currency: z.string(),
    total: z.string(),
    amount_due: z.string(),
    amount_paid: z.string(),
    amount_remaining: z.string(),
    created_at: z.string(),
    paid_at: isoOrNull,
    period_start: isoOrNull,
    period_end: isoOrNull,
    attempt_count: z.number().int(),
    lines: z.array(z.object({ description: z.string(), amount: z.string(), period_start: z.string(), period_end: z.string(), proration: z.boolean() })),
    download_url: z.string(),
    hosted_invoice_url: z.string().nullable(),
  })
  .openapi('Invoice');

export const BillingEventSchema = z
  .object({ id: z.string(), kind: z.string(), message: z.string(), data: z.record(z.string(), z.unknown()), occurred_at: z.string() })
  .openapi('BillingEvent');

export const subscribeBodySchema = z
  .object({
    plan: planId,
    payment_method: paymentMethod.optional().openapi({ description: 'A card to save first; without it the saved card is charged' }),
  })
  .strict()
  .openapi('SubscribeBody');

export const changePlanBodySchema = z.object({ plan: planId }).strict().openapi('ChangePlanBody');

export const cancelBodySchema = z
  .object({ resume: z.boolean().default(false).openapi({ description: 'true withdraws a scheduled cancellation' }) })
  .strict()
  .openapi('CancelBody');

export const payBodySchema = z.object({ payment_method: paymentMethod.optional() }).strict().openapi('PayBody');

export const invoiceIdParamSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'in_1AbC' }),
});

export const advanceClockBodySchema = z
  .object({
    days: z.number().int().min(0).max(400).default(0),
    hours: z
      .number()
      .int()
      .min(0)
      .max(24 * 400)
      .default(0),
  })
  .strict()
  .refine((v) => v.days > 0 || v.hours > 0, { message: 'Move the clock forward by at least an hour.', path: ['days'] });
