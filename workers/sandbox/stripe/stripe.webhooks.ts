import { createLogger } from '../../platform/logger';
import { PLATFORM_ACCOUNT } from './stripe.constants';
import { stripeConnectedAccounts, stripeEmulatorStub } from './stripe.controls';
import type { DeliveryReport } from './stripe.do';

/**
 * Webhook delivery for the Stripe sandbox. Events wait in the emulated
 * account's outbox; the DO hands them to the Queue (SANDBOX_WEBHOOKS) after
 * the API call commits; the consumer here signs each one exactly as Stripe
 * does and POSTs it to the endpoint's URL. URLs on this Worker (localhost)
 * are handed to the app in-process through the dispatcher the entry point
 * registers, so nothing needs a network. A non-2xx answer is retried with
 * backoff; a lost message is sent again by the DO's alarm.
 */

export interface SandboxWebhookMessage {
  account: string;
  delivery_id: string;
}

/** Hands a webhook Request to the app in the same isolate. */
export type WebhookDispatcher = (request: Request, env: Env, ctx: ExecutionContext) => Response | Promise<Response>;

let dispatcher: WebhookDispatcher | null = null;

/**
 * Registers how in-process webhook deliveries reach the app; returns the
 * previous dispatcher so a test can restore it.
 *
 * @example setWebhookDispatcher((req, env, ctx) => app.fetch(req, env, ctx))
 */
export function setWebhookDispatcher(fn: WebhookDispatcher | null): WebhookDispatcher | null {
  const previous = dispatcher;
  dispatcher = fn;
  return previous;
}

const log = createLogger({ component: 'stripe-webhooks' });

function hex(buffer: ArrayBuffer): string {
  return [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The `Stripe-Signature` header Stripe sends: `t=<unix>,v1=<hex HMAC-SHA256
 * of "<t>.<raw body>" keyed with the endpoint secret>`.
 */
export async function signStripePayload(secret: string, payload: string, timestamp: number = Math.floor(Date.now() / 1000)): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${timestamp}.${payload}`));
  return `t=${timestamp},v1=${hex(mac)}`;
}

/** URLs served by this Worker, delivered in-process. */
function isLocal(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || host.endsWith('.localhost') || host.endsWith('.internal');
}

type Attempt = { state: 'delivered' | 'pending' | 'failed' | 'missing'; attempts: number } | { state: 'leased'; untilMs: number };

/** One delivery attempt: claim it from the account, sign, POST, record the answer. */
async function attemptDelivery(env: Env, account: string, deliveryId: string, ctx: ExecutionContext): Promise<Attempt> {
  const stub = stripeEmulatorStub(env, account);
  const claim = await stub.claimDelivery(deliveryId);
  if (claim.state === 'leased') return { state: 'leased', untilMs: claim.untilMs };
  if (claim.state !== 'claimed') return { state: claim.state, attempts: 0 };
  const request = new Request(claim.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      'stripe-signature': await signStripePayload(claim.secret, claim.body),
    },
    body: claim.body,
  });
  let httpStatus: number | null = null;
  let error: string | null = null;
  try {
    let response: Response;
    if (isLocal(claim.url)) {
      if (!dispatcher) throw new Error('no in-process webhook dispatcher is registered (setWebhookDispatcher)');
      response = await dispatcher(request, env, ctx);
    } else {
      response = await fetch(request, { signal: AbortSignal.timeout(10_000) });
    }
    httpStatus = response.status;
    await response.arrayBuffer();
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }
  if (httpStatus === null || httpStatus >= 300) {
    log.warn('stripe webhook delivery failed', {
      event_id: claim.eventId,
      type: claim.eventType,
      url: claim.url,
      status: httpStatus,
      error,
      attempt: claim.attempt,
    });
  }
  const recorded = await stub.recordDeliveryAttempt(deliveryId, { httpStatus, error });
  return { state: recorded.status, attempts: recorded.attempts };
}

/** Seconds before the next try: 5, 10, 20, ... up to 5 minutes. */
function backoffSeconds(attempts: number): number {
  return Math.min(300, 5 * 2 ** Math.max(0, attempts - 1));
}

/** Queue consumer for SANDBOX_WEBHOOKS: one delivery per message, retried on a non-2xx answer. */
export async function handleSandboxWebhooks(batch: MessageBatch<SandboxWebhookMessage>, env: Env, ctx: ExecutionContext): Promise<void> {
  for (const message of batch.messages) {
    try {
      const result = await attemptDelivery(env, message.body.account, message.body.delivery_id, ctx);
      if (result.state === 'pending') message.retry({ delaySeconds: backoffSeconds(result.attempts) });
      else if (result.state === 'leased') message.retry({ delaySeconds: Math.min(60, Math.ceil((result.untilMs - Date.now()) / 1000) + 1) });
      else message.ack();
    } catch (err) {
      log.error('stripe webhook consumer error', { delivery_id: message.body.delivery_id, error: err instanceof Error ? err.message : String(err) });
      message.retry({ delaySeconds: 10 });
    }
  }
}

/** An ExecutionContext for deliveries made outside a request: its waitUntil work is awaited before returning. */
class LocalContext {
  private readonly pending: Promise<unknown>[] = [];
  readonly props = {};
  waitUntil(promise: Promise<unknown>): void {
    this.pending.push(promise);
  }
  passThroughOnException(): void {}
  async drain(): Promise<void> {
    while (this.pending.length > 0) await Promise.allSettled(this.pending.splice(0));
  }
}

/**
 * Delivers every pending webhook of the account now, in event order, and
 * returns how each delivery ended. Deliveries the Queue consumer is making
 * at the same moment are waited for, not sent twice. Events raised while
 * handling the webhooks are delivered too (up to five rounds).
 *
 * @example const deliveries = await deliverPendingStripeWebhooks(env)
 */
export async function deliverPendingStripeWebhooks(
  env: Env,
  options: { account?: string; ctx?: ExecutionContext; includeFailed?: boolean } = {},
): Promise<DeliveryReport[]> {
  const account = options.account ?? PLATFORM_ACCOUNT;
  const stub = stripeEmulatorStub(env, account);
  const local = options.ctx ? null : new LocalContext();
  const ctx = options.ctx ?? (local as unknown as ExecutionContext);
  const handled: string[] = [];
  for (let round = 0; round < 5; round++) {
    const ids = (await stub.pendingDeliveryIds(round === 0 && options.includeFailed === true)).filter((id) => !handled.includes(id));
    if (ids.length === 0) break;
    for (const id of ids) {
      handled.push(id);
      let result = await attemptDelivery(env, account, id, ctx);
      const deadline = Date.now() + 35_000;
      while (result.state === 'leased' && Date.now() < deadline) {
        await scheduler.wait(50);
        result = await attemptDelivery(env, account, id, ctx);
      }
    }
    await local?.drain();
  }
  if (handled.length === 0) return [];
  const log = await stub.deliveryLog();
  return log.filter((d) => handled.includes(d.id));
}

/**
 * Delivers the pending webhooks of the platform and of each of its
 * connected accounts (whose events go to the platform's Connect endpoints).
 *
 * @example await deliverAllPendingStripeWebhooks(env) // after moving the clock past connected renewals
 */
export async function deliverAllPendingStripeWebhooks(env: Env): Promise<DeliveryReport[]> {
  const reports = await deliverPendingStripeWebhooks(env);
  const connected = await Promise.all((await stripeConnectedAccounts(env)).map((account) => deliverPendingStripeWebhooks(env, { account })));
  return [...reports, ...connected.flat()];
}
