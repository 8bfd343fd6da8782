import type { Context } from 'hono';
import { AppError } from './errors';

/**
 * The caller's `Idempotency-Key` header, checked, or undefined when absent.
 * Routes that charge money pass it on to Stripe so a retried request never
 * charges twice.
 *
 * @example const key = idempotencyKeyHeader(c) ?? crypto.randomUUID();
 */
export function idempotencyKeyHeader(c: Context): string | undefined {
  const key = c.req.header('idempotency-key');
  if (key !== undefined && !/^[\w.:-]{8,100}$/.test(key)) {
    throw new AppError('validation_failed', 'Idempotency-Key must be 8-100 letters, digits, dots, colons, dashes or underscores.', {
      errors: [{ field: 'Idempotency-Key', message: 'Invalid header.' }],
    });
  }
  return key;
}
