import type { WalletQueueMessage } from '../durable-objects/wallet/wallet.messages';
import { app } from './app';
import { forgetSpentSignupRequests } from './auth/signup';
import { refreshCustomDomains } from './agency/domains/domains.service';
import { handleBillingJobs, runBillingSweep, type BillingJob } from './billing/dunning';
import { handleDomainEvents } from './events/activity.consumer';
import { republishStaleEvents } from './events/events.outbox';
import type { DomainEvent } from './events/events.types';
import { refuseWhileMisconfigured } from './platform/configuration';
import { optimizeQueryPlanner } from './platform/db';
import { createLogger } from './platform/logger';
import { resumePendingCharges } from './wallet/metering';
import { reconcileSomeWallets } from './wallet/projection';
import { startAutoRecharge } from './wallet/top-ups';
import { handleWalletMessages } from './wallet/wallet.consumer';
import { deliverNoticeEmails } from './email/notice-delivery';

/**
 * The deployed Worker: the product only, on live providers. It imports no
 * emulator; `npm run dev` and the tests run workers/dev.ts, which wraps this
 * one and adds the sandbox (docs/decisions/0007).
 */
export { WalletDO } from '../durable-objects/wallet/wallet.do';

export type QueueMessage = DomainEvent | WalletQueueMessage | BillingJob;

const log = createLogger({ component: 'entry' });

/**
 * The every-minute work, one named sweep each, so that one failing neither
 * stops the others nor goes unnoticed: republish stuck domain events, finish
 * usage charges a worker left half-done, check some wallets' projections
 * against the wallets, queue the dunning steps that are due, re-check custom
 * domains on their way to live and deliver notice emails; hourly, refresh the
 * query planner's statistics and delete spent sign-up requests.
 */
export function scheduledSweeps(env: Env, scheduledTime: number): Record<string, () => Promise<unknown>> {
  return {
    republish_events: () => republishStaleEvents(env),
    ...(new Date(scheduledTime).getUTCMinutes() === 0
      ? { optimize_query_planner: () => optimizeQueryPlanner(env.DB), forget_spent_signups: () => forgetSpentSignupRequests(env.DB, scheduledTime) }
      : {}),
    resume_charges: () => resumePendingCharges(env),
    reconcile_wallets: () => reconcileSomeWallets(env),
    billing_sweep: () => runBillingSweep(env, { queue: env.BILLING_JOBS }),
    refresh_custom_domains: () => refreshCustomDomains(env, { limit: 20 }),
    deliver_notice_emails: () => deliverNoticeEmails(env, { limit: 25 }),
  };
}

/** Runs one sweep, logging its failure under its name (and still failing, so the cron run shows as failed). */
export async function runSweep(name: string, sweep: () => Promise<unknown>): Promise<void> {
  try {
    await sweep();
  } catch (err) {
    log.error('scheduled sweep failed', { sweep: name, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    throw err;
  }
}

/**
 * The product's handlers. `sandbox` says whether this build carries the
 * emulators: only the dev entry (workers/dev.ts) does, so only there may
 * PROVIDER_MODE be "sandbox".
 */
export function productWorker(build: { sandbox: boolean }) {
  const refuse = (env: Env, where: string) => refuseWhileMisconfigured(env, build, log, where);
  return {
    // Until every secret it needs is set, the deployment answers each request with a problem naming them.
    fetch: (request: Request, env: Env, ctx: ExecutionContext) => refuse(env, new URL(request.url).pathname) ?? app.fetch(request, env, ctx),
    // Each Queue has its consumer; domain events feed the activity trail.
    queue: async (batch, env, _ctx) => {
      if (refuse(env, `queue:${batch.queue}`)) return batch.retryAll({ delaySeconds: 60 });
      if (batch.queue.startsWith('edge-crm-wallet-events')) return handleWalletMessages(batch as MessageBatch<WalletQueueMessage>, env, startAutoRecharge);
      if (batch.queue.startsWith('edge-crm-billing-jobs')) return handleBillingJobs(batch as MessageBatch<BillingJob>, env);
      return handleDomainEvents(batch as MessageBatch<DomainEvent>, env);
    },
    scheduled: async (controller, env, ctx) => {
      if (refuse(env, 'scheduled')) return;
      for (const [name, sweep] of Object.entries(scheduledSweeps(env, controller.scheduledTime))) ctx.waitUntil(runSweep(name, sweep));
    },
  } satisfies ExportedHandler<Env, QueueMessage>;
}

export default productWorker({ sandbox: false });
