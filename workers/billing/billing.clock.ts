import { queryFirst } from '../platform/db';
import { sandboxProviders } from '../platform/providers';
import { billingNow } from './billing.scope';
import { runBillingSweep, type AdvanceResult } from './dunning';

const HOUR_MS = 3_600_000;
/** Under the 24 h to the first retry, so a renewal that fails on the way is seen before its retry is due. */
const MAX_STEP_MS = 12 * HOUR_MS;
const MAX_STEPS = 400;

/**
 * Sandbox only: moves the billing clock (the Stripe emulator's) forward as
 * time would pass. It stops at every moment something is due on the way
 * (a dunning retry, the archive date) and at least every 12 hours; at each
 * stop Stripe's renewals happen, its webhooks are delivered and the dunning
 * sweep runs, in that order, as the cron and Stripe would do live. The
 * platform's connected accounts (agencies billing their sub-accounts) move
 * with it, and their webhooks are delivered too. Walking
 * 30 days takes a few seconds; the result is what the live flow would reach.
 *
 * @example await advanceBillingClock(env, { hours: 30 * 24 }) // day 0 to day 30 of dunning
 */
export async function advanceBillingClock(
  env: Env,
  input: { hours: number },
): Promise<{ now: string; due_cases: number; results: Record<string, AdvanceResult | 'error'> }> {
  const start = await billingNow(env, null);
  const target = start + input.hours * HOUR_MS;
  const sandbox = sandboxProviders().stripe;
  const results: Record<string, AdvanceResult | 'error'> = {};
  let dueCases = 0;
  let now = start;
  for (let step = 0; step < MAX_STEPS && now < target; step++) {
    const due = await queryFirst<{ at: number | null }>(
      env.DB,
      "SELECT MIN(next_action_at) AS at FROM dunning_cases WHERE status = 'open' AND next_action_at > ?",
      now,
    );
    const stop = Math.min(target, now + MAX_STEP_MS, due?.at ?? Number.POSITIVE_INFINITY);
    await sandbox.advanceClock(env, Math.max(1, Math.ceil((stop - now) / 1000)));
    now = await billingNow(env, null);
    await sandbox.deliverPendingWebhooks(env);
    const sweep = await runBillingSweep(env, { inline: true });
    dueCases += sweep.due_cases;
    Object.assign(results, sweep.results);
    await sandbox.deliverPendingWebhooks(env);
  }
  return { now: new Date(now).toISOString(), due_cases: dueCases, results };
}
