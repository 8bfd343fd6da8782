/**
 * What usage costs: the platform's cost per unit for each billable resource
 * and the default multiplier charged on top (PRD 1.2). A charge is
 * cost × quantity × multiplier in integer micro-dollars, computed with
 * integers only and rounded half-up once, at the end.
 */
export const USAGE_RESOURCES = {
  sms_outbound: { label: 'SMS sent', unit: 'message', costMicros: 7_900, unitSize: 1, defaultMultiplier: '1.5' },
  sms_inbound: { label: 'SMS received', unit: 'message', costMicros: 7_900, unitSize: 1, defaultMultiplier: '1.5' },
  mms_outbound: { label: 'MMS sent', unit: 'message', costMicros: 20_000, unitSize: 1, defaultMultiplier: '1.5' },
  voice_minute: { label: 'Voice', unit: 'minute', costMicros: 14_000, unitSize: 1, defaultMultiplier: '1.5' },
  email: { label: 'Email', unit: 'email', costMicros: 100, unitSize: 1, defaultMultiplier: '2.0' },
  ai_tokens: { label: 'AI tokens', unit: 'token', costMicros: 3_000, unitSize: 1_000, defaultMultiplier: '2.0' },
} as const;

export type UsageResource = keyof typeof USAGE_RESOURCES;
export const USAGE_RESOURCE_TYPES = Object.keys(USAGE_RESOURCES) as UsageResource[];

export function isUsageResource(value: string): value is UsageResource {
  return value in USAGE_RESOURCES;
}

const MULTIPLIER = /^(\d{1,3})(?:\.(\d{1,4}))?$/;

/** A multiplier as an exact fraction: "1.5" -> 15/10. */
export interface Multiplier {
  numerator: bigint;
  denominator: bigint;
  text: string;
}

export function parseMultiplier(text: string): Multiplier {
  const match = MULTIPLIER.exec(text.trim());
  if (!match) throw new Error(`Multipliers are decimals with at most 4 places, like "1.5"; got "${text}".`);
  const fraction = match[2] ?? '';
  return { numerator: BigInt(match[1] + fraction), denominator: 10n ** BigInt(fraction.length), text: text.trim() };
}

/** Divides rounding half up (inputs are non-negative). */
function divideRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  return (numerator * 2n + denominator) / (denominator * 2n);
}

/**
 * The charge for `quantity` units of a resource at a multiplier.
 *
 * @example priceMicros('sms_outbound', 1, parseMultiplier('1.5')) // 11_850 ($0.011850)
 * @example priceMicros('ai_tokens', 1_234, parseMultiplier('2.0')) // 7_404
 */
export function priceMicros(resource: UsageResource, quantity: number, multiplier: Multiplier): number {
  if (!Number.isSafeInteger(quantity) || quantity <= 0) throw new Error(`quantity must be a positive integer, got ${quantity}`);
  const { costMicros, unitSize } = USAGE_RESOURCES[resource];
  const exact = BigInt(costMicros) * BigInt(quantity) * multiplier.numerator;
  return Number(divideRoundHalfUp(exact, BigInt(unitSize) * multiplier.denominator));
}

/** The platform's own price (cost × default multiplier): what an agency pays per unit. */
export function platformPriceMicros(resource: UsageResource, quantity: number): number {
  return priceMicros(resource, quantity, parseMultiplier(USAGE_RESOURCES[resource].defaultMultiplier));
}
