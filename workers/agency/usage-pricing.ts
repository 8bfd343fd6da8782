import { z } from '@hono/zod-openapi';
import { AppError } from '../platform/errors';
import { formatUsd } from '../platform/money';
import { queryAll, statement, transaction } from '../platform/db';
import { parseMultiplier, platformPriceMicros, priceMicros, USAGE_RESOURCE_TYPES, USAGE_RESOURCES, type UsageResource } from '../wallet/price-book';

const multiplierText = z.string().regex(/^\d{1,3}(\.\d{1,4})?$/, 'Use a decimal like "2.0" (at most 4 places).');

export const updateUsageMarkupBodySchema = z
  .object(
    Object.fromEntries(USAGE_RESOURCE_TYPES.map((r) => [r, multiplierText.nullable().optional()])) as Record<
      UsageResource,
      z.ZodOptional<z.ZodNullable<typeof multiplierText>>
    >,
  )
  .strict()
  .openapi('UpdateUsageMarkupBody', { description: 'Multiplier on the platform cost per resource; null returns a resource to the platform default.' });

export const UsagePriceSchema = z
  .object({
    resource_type: z.string(),
    label: z.string(),
    unit: z.string(),
    unit_size: z.number().int(),
    cost: z.string().openapi({ description: 'What the platform pays per unit size' }),
    platform_multiplier: z.string(),
    platform_price: z.string().openapi({ description: 'What the agency pays per unit size' }),
    multiplier: z.string().openapi({ description: 'What the agency charges, as a multiple of cost' }),
    custom: z.boolean(),
    price: z.string().openapi({ description: 'What sub-accounts pay per unit size' }),
    margin: z.string().openapi({ description: 'price − platform_price; negative means the agency loses money on each unit' }),
  })
  .openapi('UsagePrice');

export type UsagePrice = z.infer<typeof UsagePriceSchema>;

/** The agency's price list: platform cost and price, its own multiplier and price, and its margin per unit. */
export async function usagePriceList(db: D1Database, agencyAccountId: string): Promise<UsagePrice[]> {
  const overrides = new Map(
    (
      await queryAll<{ resource_type: string; multiplier: string }>(
        db,
        'SELECT resource_type, multiplier FROM usage_price_overrides WHERE account_id = ?',
        agencyAccountId,
      )
    ).map((o) => [o.resource_type, o.multiplier]),
  );
  return USAGE_RESOURCE_TYPES.map((resource) => {
    const spec = USAGE_RESOURCES[resource];
    const multiplier = overrides.get(resource) ?? spec.defaultMultiplier;
    const platform = platformPriceMicros(resource, spec.unitSize);
    const price = priceMicros(resource, spec.unitSize, parseMultiplier(multiplier));
    return {
      resource_type: resource,
      label: spec.label,
      unit: spec.unit,
      unit_size: spec.unitSize,
      cost: formatUsd(spec.costMicros),
      platform_multiplier: spec.defaultMultiplier,
      platform_price: formatUsd(platform),
      multiplier,
      custom: overrides.has(resource),
      price: formatUsd(price),
      margin: formatUsd(price - platform),
    };
  });
}

/** The highest multiplier an agency may set: beyond it a slip ("150" for 150%) would drain its clients' wallets. */
const MAX_MULTIPLIER = 20;

/** Sets or clears the agency's multipliers; each must be from 1.0 (never below cost) to 20.0. */
export async function updateUsageMarkup(db: D1Database, agencyAccountId: string, input: Partial<Record<UsageResource, string | null>>): Promise<UsagePrice[]> {
  const errors = Object.entries(input).flatMap(([resource, value]) => {
    if (typeof value !== 'string') return [];
    const { numerator, denominator } = parseMultiplier(value);
    if (numerator < denominator) return [{ field: resource, message: 'A multiplier below 1.0 would sell under cost.', code: 'too_small' }];
    if (numerator > denominator * BigInt(MAX_MULTIPLIER)) return [{ field: resource, message: `At most ${MAX_MULTIPLIER}.0 times cost.`, code: 'too_large' }];
    return [];
  });
  if (errors.length > 0) throw new AppError('validation_failed', `Multipliers must be from 1.0 to ${MAX_MULTIPLIER}.0.`, { errors });
  const now = Date.now();
  await transaction(
    db,
    Object.entries(input).map(([resource, value]) =>
      value === null || value === undefined
        ? statement(db, 'DELETE FROM usage_price_overrides WHERE account_id = ? AND resource_type = ?', agencyAccountId, resource)
        : statement(
            db,
            `INSERT INTO usage_price_overrides (account_id, resource_type, multiplier, updated_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (account_id, resource_type) DO UPDATE SET multiplier = excluded.multiplier, updated_at = excluded.updated_at`,
            agencyAccountId,
            resource,
            value,
            now,
          ),
    ),
  );
  return usagePriceList(db, agencyAccountId);
}
