import { z } from '@hono/zod-openapi';
import { USAGE_RESOURCE_TYPES } from './price-book';

const usd = (description: string) =>
  z
    .string()
    .regex(/^\d{1,7}(\.\d{1,2})?$/, 'Use a dollar amount like "50.00".')
    .openapi({ description, example: '50.00' });
const dateOrDateTime = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'Use an ISO 8601 date, e.g. 2026-11-01.');

export const WalletBalanceSchema = z
  .object({
    wallet_id: z.string(),
    currency: z.literal('USD'),
    balance: z.string().openapi({ description: 'Settled balance, decimal USD', example: '42.5000' }),
    held: z.string().openapi({ description: 'Set aside for work in progress' }),
    available: z.string().openapi({ description: 'Balance less holds: what usage can spend now' }),
    low_balance_threshold: z.string(),
    auto_recharge: z.object({
      enabled: z.boolean(),
      threshold: z.string(),
      amount: z.string(),
      in_progress: z.boolean(),
      failure: z.string().nullable(),
      daily_limit: z.string().openapi({ description: 'The most auto-recharge charges the card in one UTC day' }),
      paused_until: z.string().nullable().openapi({ description: 'Set when the daily limit was reached: no auto-recharge before this instant' }),
    }),
    payment_method: z.object({ brand: z.string().nullable(), last4: z.string().nullable() }).nullable(),
  })
  .openapi('WalletBalance');

export const WalletTransactionSchema = z
  .object({
    id: z.string(),
    type: z.enum(['credit', 'debit', 'refund']),
    amount: z.string().openapi({ description: 'Signed: debits are negative' }),
    balance_after: z.string(),
    resource_type: z.string().nullable(),
    resource_id: z.string().nullable(),
    quantity: z.number().int().nullable(),
    reason: z.string().nullable(),
    description: z.string().nullable(),
    refunds_transaction_id: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('WalletTransaction');

export const listTransactionsQuerySchema = z.object({
  resource_type: z.enum(USAGE_RESOURCE_TYPES as [string, ...string[]]).optional(),
  from: dateOrDateTime.optional().openapi({ description: 'From this instant (inclusive)' }),
  to: dateOrDateTime.optional().openapi({ description: 'Before this instant' }),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  format: z.enum(['json', 'csv']).default('json').openapi({ description: 'csv downloads every matching row' }),
});

export const configureAutoRechargeBodySchema = z
  .object({
    enabled: z.boolean(),
    threshold: usd('Recharge when the available balance falls below this: at least $1.00, at most `amount`'),
    amount: usd('How much to add each time: whole cents from $5.00 to $10,000.00, like a top-up'),
  })
  .strict()
  .openapi('ConfigureAutoRechargeBody');

export const usageQuerySchema = z.object({ days: z.coerce.number().int().min(1).max(366).default(30) });

export const UsageReportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    days: z.array(z.object({ date: z.string(), resources: z.record(z.string(), z.string()), total: z.string() })),
    totals: z.record(z.string(), z.string()),
  })
  .openapi('UsageReport');

export const marginsQuerySchema = z.object({ from: dateOrDateTime.optional(), to: dateOrDateTime.optional() });

export const MarginReportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    sub_accounts: z.array(
      z.object({
        account_id: z.string(),
        name: z.string(),
        resources: z.array(z.object({ resource_type: z.string(), quantity: z.number().int(), charged: z.string(), cost: z.string(), margin: z.string() })),
        charged: z.string(),
        cost: z.string(),
        margin: z.string(),
      }),
    ),
    totals: z.object({ charged: z.string(), cost: z.string(), margin: z.string() }),
  })
  .openapi('MarginReport');

export const savePaymentMethodBodySchema = z
  .object({
    payment_method: z
      .string()
      .regex(/^pm_[A-Za-z0-9_]+$/, 'Expected a Stripe PaymentMethod id (pm_...).')
      .max(100)
      .openapi({
        description: 'From Stripe.js in the browser; in sandbox, Stripe test ids such as pm_card_visa, pm_card_chargeDeclined, pm_card_authenticationRequired',
        example: 'pm_card_visa',
      }),
  })
  .strict()
  .openapi('SavePaymentMethodBody');

export const PaymentMethodSchema = z.object({ brand: z.string().nullable(), last4: z.string().nullable() }).openapi('SavedCard');

export const addFundsBodySchema = z
  .object({ amount: usd('Amount to add, at least $5.00') })
  .strict()
  .openapi('AddFundsBody');

export const TopUpSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['manual', 'auto_recharge']),
    amount: z.string(),
    status: z
      .enum(['pending', 'succeeded', 'failed', 'requires_action'])
      .openapi({ description: 'pending until Stripe confirms the payment; the wallet is credited then' }),
    failure: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('TopUp');
