import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ZodError } from 'zod';

/**
 * Every error the API can answer, with its HTTP status. Capabilities add their
 * own codes here beside their name so the `type` URIs stay stable.
 */
export const ERROR_CODES = {
  bad_request: 400,
  invalid_json: 400,
  validation_failed: 422,
  unauthorized: 401,
  invalid_credentials: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  // A write the database refused: a unique value taken (often by a request racing this one), or a reference to nothing.
  already_exists: 409,
  invalid_reference: 422,
  duplicate_contact: 409,
  insufficient_funds: 409,
  payload_too_large: 413,
  payment_failed: 402,
  // Billing: the plan's limits, the account's standing, plans sold by sales.
  plan_limit_reached: 403,
  account_read_only: 403,
  account_paused: 403,
  contact_sales: 403,
  downgrade_blocked: 409,
  // Agencies: a client account its agency suspended; selling tiers before Stripe is connected.
  account_suspended: 403,
  stripe_not_connected: 409,
  unsupported_media_type: 415,
  rate_limited: 429,
  provider_unavailable: 502,
  // A deployment missing a secret it needs (workers/platform/configuration.ts).
  server_misconfigured: 503,
  internal_error: 500,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface FieldError {
  /** Dotted path of the offending field, e.g. `email` or `custom_fields.cfd_123`. */
  field: string;
  message: string;
  code?: string;
}

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  request_id?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

const TITLES: Record<ErrorCode, string> = {
  bad_request: 'Bad request',
  invalid_json: 'Malformed JSON',
  validation_failed: 'Validation failed',
  unauthorized: 'Authentication required',
  invalid_credentials: 'Invalid credentials',
  forbidden: 'Not allowed',
  not_found: 'Not found',
  conflict: 'Conflict',
  already_exists: 'Already exists',
  invalid_reference: 'Refers to something that does not exist',
  duplicate_contact: 'Duplicate contact',
  insufficient_funds: 'Insufficient funds',
  payload_too_large: 'Payload too large',
  payment_failed: 'Payment failed',
  plan_limit_reached: 'Plan limit reached',
  account_read_only: 'Account is read-only',
  account_paused: 'Account is paused',
  contact_sales: 'Contact sales',
  downgrade_blocked: 'Downgrade blocked by current usage',
  account_suspended: 'Account is suspended',
  stripe_not_connected: 'Stripe is not connected',
  unsupported_media_type: 'Unsupported media type',
  rate_limited: 'Too many requests',
  provider_unavailable: 'Provider unavailable',
  server_misconfigured: 'Server not configured',
  internal_error: 'Internal error',
};

/**
 * The one error type of the API; `onError` renders it as RFC 9457 problem+json.
 *
 * @example throw new AppError('not_found', 'Contact ctc_123 was not found.')
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: ContentfulStatusCode;
  readonly errors?: FieldError[];
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode,
    detail: string,
    options: { errors?: FieldError[]; extensions?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.code = code;
    this.status = ERROR_CODES[code];
    this.errors = options.errors;
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }
}

export function problemType(code: ErrorCode): string {
  return `https://docs.edge-crm.dev/problems/${code.replaceAll('_', '-')}`;
}

export function problemBody(error: AppError, instance?: string, requestId?: string): ProblemDetails {
  return {
    type: problemType(error.code),
    title: TITLES[error.code],
    status: error.status,
    detail: error.message,
    ...(instance ? { instance } : {}),
    ...(requestId ? { request_id: requestId } : {}),
    ...(error.errors ? { errors: error.errors } : {}),
    ...error.extensions,
  };
}

export function problemResponse(error: AppError, instance?: string, requestId?: string): Response {
  return new Response(JSON.stringify(problemBody(error, instance, requestId)), {
    status: error.status,
    headers: { 'content-type': 'application/problem+json', ...error.headers },
  });
}

/** Turns a zod failure into field errors with dotted paths. */
export function fieldErrorsFromZod(error: ZodError): FieldError[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return { field: issue.keys.join(', '), message: `Unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`, code: 'unknown_field' };
    }
    // A custom check may name its own code (text() says `invalid_text`).
    const code = issue.code === 'custom' && typeof issue.params?.code === 'string' ? issue.params.code : issue.code;
    return { field: issue.path.map(String).join('.') || '(body)', message: issue.message, code };
  });
}

export function validationError(error: ZodError, target: string): AppError {
  const errors = fieldErrorsFromZod(error);
  const fields = errors.map((e) => e.field).join(', ');
  return new AppError('validation_failed', `The ${target} has invalid fields: ${fields}.`, { errors });
}

/**
 * What a D1 (SQLite) constraint failure means to the caller, or null when
 * `err` is not one. D1 reports them as `...UNIQUE constraint failed:
 * table.column: SQLITE_CONSTRAINT`; the answer says nothing of tables or SQL.
 * A capability that knows better (a duplicate contact, a taken domain) throws
 * its own AppError first; this is the floor for every other write, so a race
 * or a dangling id is a 409/422, never a 500.
 */
export function constraintError(err: unknown): AppError | null {
  const message = err instanceof Error ? `${err.message} ${String((err as { cause?: unknown }).cause ?? '')}` : '';
  if (!/SQLITE_CONSTRAINT|constraint failed/i.test(message)) return null;
  if (/UNIQUE constraint failed|PRIMARY KEY/i.test(message)) {
    return new AppError(
      'already_exists',
      'This conflicts with something that already exists (it may have just been created by another request). Reload to see the current state, then try again if still needed.',
    );
  }
  if (/FOREIGN KEY constraint failed/i.test(message)) {
    return new AppError('invalid_reference', 'The request refers to something that does not exist (or no longer exists). Check the ids it names.');
  }
  return null;
}

/** Maps anything thrown inside a request to an AppError; unknown errors say nothing internal. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) return validationError(err, 'request');
  const constraint = constraintError(err);
  if (constraint) return constraint;
  if (err instanceof HTTPException) {
    if (/unsupported media type/i.test(err.message) || err.status === 415) {
      return new AppError('unsupported_media_type', 'Send the request body as JSON with "Content-Type: application/json".');
    }
    if (err.status === 400 && /json/i.test(err.message)) {
      return new AppError('invalid_json', 'The request body is not valid JSON.');
    }
    if (err.status === 413) return new AppError('payload_too_large', err.message || 'The request body is too large.');
    if (err.status === 401) return new AppError('unauthorized', err.message || 'Authentication required.');
    if (err.status === 404) return new AppError('not_found', 'No such resource.');
    if (err.status < 500) return new AppError('bad_request', err.message || 'The request could not be processed.');
  }
  return new AppError('internal_error', 'Something went wrong on our side. The request id identifies it in our logs.');
}
