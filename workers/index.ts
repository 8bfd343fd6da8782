import type { WalletQueueMessage } from '../durable-objects/wallet/wallet.messages';
import { app } from './app';
import { refreshCustomDomains } from './agency/domains/domains.service';
import { handleBillingJobs, runBillingSweep, type BillingJob } from './billing/dunning';
import { handleDomainEvents } from './events/activity.consumer';
import { republishStaleEvents } from './events/events.outbox';
import type { DomainEvent } from './events/events.types';
import { SANDBOX_WEBHOOKS_QUEUE } from './sandbox/stripe/stripe.constants';
import { handleSandboxWebhooks, setWebhookDispatcher, type SandboxWebhookMessage } from './sandbox/stripe/stripe.webhooks';
import { optimizeQueryPlanner } from './platform/db';
import { resumePendingCharges } from './wallet/metering';
import { reconcileSomeWallets } from './wallet/projection';
import { startAutoRecharge } from './wallet/top-ups';
import { handleWalletMessages } from './wallet/wallet.consumer';
import { deliverNoticeEmails } from './email/notice-delivery';

export { WalletDO } from '../durable-objects/wallet/wallet.do';
export { StripeEmulator } from './sandbox/stripe/stripe.do';
export { CloudflareEmulator } from './sandbox/cloudflare/cloudflare.do';
export { SandboxDns } from './sandbox/cloudflare/sandbox-dns.do';
export { ResendEmulator } from './sandbox/resend/resend.do';

type QueueMessage = DomainEvent | WalletQueueMessage | SandboxWebhookMessage | BillingJob;

// Sandbox webhooks addressed to this Worker (localhost) are handed to the app in-process.
setWebhookDispatcher((request, env, ctx) => app.fetch(request, env, ctx));

export default {
  fetch: app.fetch,
  // Each Queue has its consumer; domain events feed the activity trail.
  queue: async (batch, env, ctx) => {
    if (batch.queue.startsWith('edge-crm-wallet-events')) return handleWalletMessages(batch as MessageBatch<WalletQueueMessage>, env, startAutoRecharge);
    if (batch.queue.startsWith(SANDBOX_WEBHOOKS_QUEUE)) return handleSandboxWebhooks(batch as MessageBatch<SandboxWebhookMessage>, env, ctx);
    if (batch.queue.startsWith('edge-crm-billing-jobs')) return handleBillingJobs(batch as MessageBatch<BillingJob>, env);
    return handleDomainEvents(batch as MessageBatch<DomainEvent>, env);
  },
  // Every minute: republish stuck domain events, finish usage charges a worker
  // left half-done, check some wallets' projections against the wallets, and
  // queue the dunning steps that are due, and re-check custom domains on their
  // way to live; hourly, refresh the query planner's statistics.
  scheduled: async (controller, env, ctx) => {
    ctx.waitUntil(republishStaleEvents(env));
    if (new Date(controller.scheduledTime).getUTCMinutes() === 0) ctx.waitUntil(optimizeQueryPlanner(env.DB));
    ctx.waitUntil(resumePendingCharges(env));
    ctx.waitUntil(reconcileSomeWallets(env));
    ctx.waitUntil(runBillingSweep(env, { queue: env.BILLING_JOBS }));
    ctx.waitUntil(refreshCustomDomains(env, { limit: 20 }));
    ctx.waitUntil(deliverNoticeEmails(env, { limit: 25 }));
  },
} satisfies ExportedHandler<Env, QueueMessage>;
