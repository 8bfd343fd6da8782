import Stripe from 'stripe';
import { AppError } from '../platform/errors';
import { providerEndpoint, sandboxProviders } from '../platform/providers';

/**
 * The product's way to Stripe: the real SDK, live or pointed at the sandbox
 * emulator in-process (docs/decisions/0002). Billing and wallet code take a
 * client from `stripeClient` and check incoming webhooks with
 * `verifyStripeWebhook`; neither knows which mode it runs in.
 */

/** How long one Stripe call may take before the SDK gives up on it (and retries, with the same Idempotency-Key). */
export const STRIPE_TIMEOUT_MS = 20_000;

/** Webhooks older than this are refused, as Stripe's libraries do by default. */
export const STRIPE_WEBHOOK_TOLERANCE_SECONDS = 300;

/** Stripe's keys are secrets (unset in sandbox), so wrangler.toml does not declare them; read them as optional. */
function stripeSecrets(env: Env): { STRIPE_SECRET_KEY?: string; STRIPE_WEBHOOK_SECRET?: string; STRIPE_CONNECT_WEBHOOK_SECRET?: string } {
  return env as unknown as { STRIPE_SECRET_KEY?: string; STRIPE_WEBHOOK_SECRET?: string; STRIPE_CONNECT_WEBHOOK_SECRET?: string };
}

/** Settles with `promise`, or rejects as soon as `signal` aborts: the SDK's timeout must cut an in-process call short too. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | null | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/**
 * The SDK always requests `<protocol>://<host>:<port>/v1/...`; the sandbox
 * emulator lives under a path (`http://sandbox.internal/stripe`), so its
 * requests get that prefix before they are handed over in-process.
 */
function endpointFetch(baseUrl: URL, inner: typeof fetch): typeof fetch {
  const prefix = baseUrl.pathname.replace(/\/$/, '');
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (prefix && !url.pathname.startsWith(`${prefix}/`)) url.pathname = `${prefix}${url.pathname}`;
    const request = input instanceof Request ? new Request(url, input) : url.toString();
    return untilAborted(inner(request, init), init?.signal ?? (input instanceof Request ? input.signal : undefined));
  };
}

export interface StripeClientOptions {
  /** Act on a connected account (Stripe Connect): sent as the `Stripe-Account` header. */
  stripeAccount?: string;
  /** Per-request timeout; the default suits API calls made while a user waits. */
  timeoutMs?: number;
  /** Retries of connection errors, 409s and 5xx answers, with the same Idempotency-Key (default 2). */
  maxNetworkRetries?: number;
}

/**
 * A Stripe client for this environment: live with STRIPE_SECRET_KEY when
 * PROVIDER_MODE=live, otherwise the sandbox emulator, reached in-process.
 *
 * @example
 * const stripe = stripeClient(env);
 * const pi = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd', customer, payment_method, confirm: true, off_session: true }, { idempotencyKey });
 */
export function stripeClient(env: Env, options: StripeClientOptions = {}): Stripe {
  const endpoint = providerEndpoint(env, 'stripe');
  const base = new URL(endpoint.baseUrl);
  const protocol = base.protocol === 'http:' ? 'http' : 'https';
  return new Stripe(endpoint.apiKey, {
    httpClient: Stripe.createFetchHttpClient(endpointFetch(base, endpoint.fetch)),
    host: base.hostname,
    port: base.port || (protocol === 'http' ? 80 : 443),
    protocol,
    maxNetworkRetries: options.maxNetworkRetries ?? 2,
    timeout: options.timeoutMs ?? STRIPE_TIMEOUT_MS,
    ...(options.stripeAccount ? { stripeAccount: options.stripeAccount } : {}),
  });
}

/** Stripe calls made by billing retry a little more than the default: renewals and dunning run unattended. */
export const BILLING_STRIPE_OPTIONS: StripeClientOptions = { maxNetworkRetries: 3 };

/**
 * The billing clock of a Stripe account (ms): in sandbox the emulator's
 * clock (connected accounts follow the platform's), live the wall clock.
 * See BillingScope.now.
 */
export async function billingNow(env: Env, stripeAccount: string | null): Promise<number> {
  if (env.PROVIDER_MODE === 'live') return Date.now();
  return sandboxProviders().stripe.now(env, stripeAccount);
}

/** The secret Stripe signs webhooks with: STRIPE_WEBHOOK_SECRET live, the emulator's dev secret in sandbox (only in the dev entry). */
export function stripeWebhookSecret(env: Env): string {
  if (env.PROVIDER_MODE !== 'live') return sandboxProviders().stripe.webhookSecret;
  const secret = stripeSecrets(env).STRIPE_WEBHOOK_SECRET;
  if (!secret) throw new AppError('provider_unavailable', 'Stripe is set to live mode but STRIPE_WEBHOOK_SECRET is not configured.');
  return secret;
}

/**
 * Refuses a signature stamped more than the tolerance ahead of our clock.
 * Stripe's library only refuses old ones; a timestamp in the future would
 * let a captured signature be replayed for as long as it stays "future".
 */
function assertNotFromTheFuture(signatureHeader: string | undefined, nowMs: number): void {
  const stamps = (signatureHeader ?? '')
    .split(',')
    .filter((part) => part.startsWith('t='))
    .map((part) => Number(part.slice(2)));
  if (stamps.some((t) => !Number.isSafeInteger(t) || t * 1000 > nowMs + STRIPE_WEBHOOK_TOLERANCE_SECONDS * 1000)) {
    throw new AppError(
      'bad_request',
      `Stripe webhook signature verification failed: the timestamp is more than ${STRIPE_WEBHOOK_TOLERANCE_SECONDS} s in the future.`,
    );
  }
}

/**
 * Checks a webhook's `Stripe-Signature` against the raw body (exactly as
 * received: parse JSON only afterwards) and returns the event. A missing or
 * wrong signature, a tampered body or a timestamp more than 300 s old or
 * ahead is refused with `bad_request` (400), which tells Stripe not to count it
 * delivered.
 *
 * @example
 * const event = await verifyStripeWebhook(env, await c.req.text(), c.req.header('stripe-signature'));
 */
export async function verifyStripeWebhook(env: Env, rawBody: string, signatureHeader: string | null | undefined): Promise<Stripe.Event> {
  if (!signatureHeader) throw new AppError('bad_request', 'Missing Stripe-Signature header.');
  assertNotFromTheFuture(signatureHeader, Date.now());
  // Live, connected accounts' events come from a Connect endpoint, which has a secret of its own (optional).
  const connectSecret = env.PROVIDER_MODE === 'live' ? stripeSecrets(env).STRIPE_CONNECT_WEBHOOK_SECRET : undefined;
  const secrets = [stripeWebhookSecret(env), ...(connectSecret ? [connectSecret] : [])];
  let failure: unknown = null;
  for (const secret of secrets) {
    try {
      return await Stripe.webhooks.constructEventAsync(rawBody, signatureHeader, secret, STRIPE_WEBHOOK_TOLERANCE_SECONDS, Stripe.createSubtleCryptoProvider());
    } catch (err) {
      failure ??= err;
    }
  }
  throw new AppError('bad_request', `Stripe webhook signature verification failed: ${failure instanceof Error ? failure.message : String(failure)}`);
}
