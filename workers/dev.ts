import { Hono } from 'hono';
import { productWorker, runSweep, scheduledSweeps, type QueueMessage } from './index';
import { installSandboxProviders } from './platform/providers';
import { sandboxProviders } from './sandbox/providers';
import { sandboxRoutes } from './sandbox/sandbox.routes';
import { SANDBOX_WEBHOOKS_QUEUE } from './sandbox/stripe/stripe.constants';
import { deliverAllPendingStripeWebhooks, handleSandboxWebhooks, setWebhookDispatcher, type SandboxWebhookMessage } from './sandbox/stripe/stripe.webhooks';

/**
 * The dev entry (`npm run dev`, the API tests, the browser tests): the
 * deployed Worker (workers/index.ts) plus the sandbox — the emulators'
 * Durable Objects, their webhook queue, /sandbox/* — installed into the
 * product through its one injection point (installSandboxProviders). Only
 * wrangler.dev.toml points here; wrangler.toml deploys workers/index.ts,
 * which contains none of this (docs/decisions/0007).
 */
export { WalletDO } from './index';
export { StripeEmulator } from './sandbox/stripe/stripe.do';
export { CloudflareEmulator } from './sandbox/cloudflare/cloudflare.do';
export { SandboxDns } from './sandbox/cloudflare/sandbox-dns.do';
export { ResendEmulator } from './sandbox/resend/resend.do';

const worker = productWorker({ sandbox: true });
installSandboxProviders(sandboxProviders);
// Sandbox webhooks addressed to this Worker (localhost) are handed to it in-process.
setWebhookDispatcher((request, env, ctx) => worker.fetch(request, env, ctx));

/** The deployed sweeps, plus the sandbox's own: webhooks the Stripe sandbox still owes (left over from before a restart, say). */
function devSweeps(env: Env, scheduledTime: number): Record<string, () => Promise<unknown>> {
  return { ...scheduledSweeps(env, scheduledTime), sandbox_stripe_webhooks: () => deliverAllPendingStripeWebhooks(env) };
}

const dev = new Hono<{ Bindings: Env }>();
dev.route('/sandbox', sandboxRoutes);

// POST /sandbox/scheduled – runs the every-minute work now and answers how each sweep went.
// wrangler dev never fires crons, and its /cdn-cgi/handler/scheduled cannot reach a Worker that
// has static assets (it answers 500 "exception"), so `npm run dev` calls this every minute instead.
dev.post('/sandbox/scheduled', async (c) => {
  const sweeps = Object.entries(devSweeps(c.env, Date.now()));
  const outcomes = await Promise.allSettled(sweeps.map(([name, sweep]) => runSweep(name, sweep)));
  const results = Object.fromEntries(
    sweeps.map(([name], i) => {
      const outcome = outcomes[i];
      return [name, outcome.status === 'fulfilled' ? 'ok' : `failed: ${outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason)}`];
    }),
  );
  const ok = outcomes.every((o) => o.status === 'fulfilled');
  return c.json({ ok, sweeps: results }, ok ? 200 : 500);
});

dev.all('*', (c) => worker.fetch(c.req.raw, c.env, c.executionCtx as ExecutionContext));

export default {
  fetch: (request, env, ctx) => dev.fetch(request, env, ctx),
  queue: async (batch, env, ctx) => {
    if (batch.queue.startsWith(SANDBOX_WEBHOOKS_QUEUE)) return handleSandboxWebhooks(batch as MessageBatch<SandboxWebhookMessage>, env, ctx);
    return worker.queue(batch as MessageBatch<QueueMessage>, env, ctx);
  },
  scheduled: async (controller, env, ctx) => {
    for (const [name, sweep] of Object.entries(devSweeps(env, controller.scheduledTime))) ctx.waitUntil(runSweep(name, sweep));
  },
} satisfies ExportedHandler<Env, QueueMessage | SandboxWebhookMessage>;
