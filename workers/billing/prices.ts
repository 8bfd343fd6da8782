import type Stripe from 'stripe';
import { AppError } from '../platform/errors';
import { formatUsd } from '../platform/money';
import type { BillingScope } from './billing.scope';
import { findPlan, type Plan, type PlanCatalogue } from './plans';

const MICROS_PER_CENT = 10_000;

/** Price ids already found, per Stripe account and lookup key; a price never changes once created. */
const known = new Map<string, string>();

/**
 * The lookup key of a plan's monthly price. The amount is part of the key, so
 * changing a plan's price in the catalogue mints a new Stripe price instead of
 * silently repricing existing subscribers; an Enterprise price agreed for one
 * account is keyed by that account.
 *
 * @example priceLookupKey('platform', starter, 97_000_000) // "platform.starter.month.usd.9700"
 */
export function priceLookupKey(catalogueId: string, plan: Plan, amountMicros: number, accountId?: string): string {
  const base = `${catalogueId}.${plan.id}.month.usd.${amountMicros / MICROS_PER_CENT}`;
  return accountId ? `${base}.${accountId}` : base;
}

/** The monthly amount a plan costs this account: the catalogue's price, or the Enterprise price sales set. */
export function planAmountMicros(plan: Plan, customPriceMicros: number | null): number {
  if (plan.priceMicros !== null) return plan.priceMicros;
  if (customPriceMicros === null) {
    throw new AppError(
      'contact_sales',
      `${plan.name} is priced for each customer. Talk to sales (sales@edge-crm.dev) and the plan becomes available here once your price is set.`,
      {
        extensions: { plan: plan.id, contact: 'sales@edge-crm.dev' },
      },
    );
  }
  return customPriceMicros;
}

/**
 * The Stripe price for a plan, created on first use and found again by its
 * lookup key afterwards. Creation carries an idempotency key derived from the
 * lookup key, so two requests racing to create it make one price.
 */
export async function ensurePlanPrice(scope: BillingScope, plan: Plan, amountMicros: number, accountId?: string): Promise<string> {
  if (amountMicros <= 0 || amountMicros % MICROS_PER_CENT !== 0) throw new Error(`plan ${plan.id} has no chargeable price (${amountMicros} micros)`);
  const lookupKey = priceLookupKey(scope.catalogue.id, plan, amountMicros, plan.priceMicros === null ? accountId : undefined);
  const cacheKey = `${scope.stripeAccount ?? 'platform'}:${lookupKey}`;
  const cached = known.get(cacheKey);
  if (cached) return cached;
  const found = await scope.stripe.prices.list({ lookup_keys: [lookupKey], active: true, limit: 1 });
  let price: Stripe.Price | undefined = found.data[0];
  if (!price) {
    price = await scope.stripe.prices.create(
      {
        currency: scope.catalogue.currency,
        unit_amount: amountMicros / MICROS_PER_CENT,
        recurring: { interval: scope.catalogue.interval },
        product_data: { name: `${plan.name} plan` },
        lookup_key: lookupKey,
        nickname: `${plan.name} ($${formatUsd(amountMicros)}/month)`,
        metadata: { plan: plan.id, catalogue: scope.catalogue.id },
      },
      { idempotencyKey: `price:${lookupKey}` },
    );
  }
  known.set(cacheKey, price.id);
  return price.id;
}

/** Which plan of the catalogue a Stripe price sells (its metadata says), or null for prices that are not its. */
export function planOfPrice(catalogue: PlanCatalogue, price: Stripe.Price | string | null | undefined): string | null {
  if (!price || typeof price === 'string') return null;
  const plan = price.metadata?.plan;
  const from = price.metadata?.catalogue;
  if (!plan || (from !== undefined && from !== catalogue.id)) return null;
  return findPlan(catalogue, plan)?.id ?? null;
}
