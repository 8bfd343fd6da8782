import { PLATFORM_ACCOUNT } from './stripe.constants';
import type { DeliveryReport, FaultSpec, StripeEmulator } from './stripe.do';

/**
 * Test and dev controls of the Stripe sandbox: its clock, injected faults,
 * the webhook delivery log. Also reachable over HTTP under
 * /sandbox/stripe/_emulator for curl and outside tools.
 */

/** The Durable Object holding one emulated account (the platform unless an `acct_...` is given). */
export function stripeEmulatorStub(env: Env, account: string = PLATFORM_ACCOUNT): DurableObjectStub<StripeEmulator> {
  return env.STRIPE_EMULATOR.get(env.STRIPE_EMULATOR.idFromName(`stripe:${account}`));
}

/** The emulated account's "now" (unix seconds). */
export async function stripeClockNow(env: Env, account: string = PLATFORM_ACCOUNT): Promise<number> {
  return stripeEmulatorStub(env, account).now(account);
}

/**
 * Moves the sandbox account's clock forward and runs what came due on the
 * way: subscription renewals (invoice + charge at each period end),
 * cancellations at period end, expiry of unpaid incomplete subscriptions.
 *
 * @example await advanceStripeClock(env, { days: 31 }) // a monthly subscription renews
 */
export async function advanceStripeClock(env: Env, input: { seconds?: number; days?: number; to?: number; account?: string }): Promise<{ now: number }> {
  const account = input.account ?? PLATFORM_ACCOUNT;
  const seconds = (input.seconds ?? 0) + (input.days ?? 0) * 86_400;
  return stripeEmulatorStub(env, account).advanceClock(account, input.to !== undefined ? { to: input.to } : { seconds });
}

/**
 * Makes the next `count` requests to a path fail: `kind: 'error'` answers
 * `status` (500 by default) at once; `kind: 'hang'` holds the request for
 * `hangMs` (at most 30 s) and then processes it (`afterHang: 'process'`, the
 * default: the caller timed out but Stripe did the work) or fails it.
 *
 * @example await injectStripeFault(env, { path: '/v1/payment_intents', method: 'POST', kind: 'error', count: 1 })
 */
export async function injectStripeFault(env: Env, fault: FaultSpec & { account?: string }): Promise<void> {
  const account = fault.account ?? PLATFORM_ACCOUNT;
  await stripeEmulatorStub(env, account).addFault(account, fault);
}

export async function clearStripeFaults(env: Env, account: string = PLATFORM_ACCOUNT): Promise<void> {
  await stripeEmulatorStub(env, account).clearFaults();
}

/** Every webhook delivery of the account with its event type, endpoint and outcome, oldest first. */
export async function stripeWebhookDeliveries(env: Env, account: string = PLATFORM_ACCOUNT): Promise<DeliveryReport[]> {
  return stripeEmulatorStub(env, account).deliveryLog();
}

/** The platform's connected accounts (POST /v1/accounts), whose clocks follow the platform's. */
export async function stripeConnectedAccounts(env: Env): Promise<string[]> {
  return stripeEmulatorStub(env, PLATFORM_ACCOUNT).connectedAccounts();
}
