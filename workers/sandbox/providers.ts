import type { SandboxProviders } from '../platform/providers';
import { SANDBOX_CLOUDFLARE_API_TOKEN, SANDBOX_CLOUDFLARE_ZONE_ID } from './cloudflare/cloudflare.constants';
import { sandboxRoutes } from './sandbox.routes';
import { PLATFORM_ACCOUNT, SANDBOX_STRIPE_API_KEY, SANDBOX_STRIPE_WEBHOOK_SECRET } from './stripe/stripe.constants';
import { advanceStripeClock, stripeClockNow } from './stripe/stripe.controls';
import { deliverAllPendingStripeWebhooks } from './stripe/stripe.webhooks';

/** A fetch that delivers requests to the sandbox emulators without leaving the isolate. */
export function sandboxFetch(env: Env): typeof fetch {
  return async (input, init) => sandboxRoutes.fetch(new Request(input, init), env);
}

/**
 * The sandbox as the product sees it (workers/platform/providers.ts): the
 * dev entry installs this, so the real SDKs' HTTP requests are answered by
 * the emulators in-process (docs/decisions/0002) and the product itself
 * never imports anything from workers/sandbox.
 */
export const sandboxProviders: SandboxProviders = {
  fetch: sandboxFetch,
  // The emulators take any key of the provider's shape; these are the ones the product sends.
  apiKeys: { openai: 'sk-sandbox-openai', stripe: SANDBOX_STRIPE_API_KEY, resend: 're_sandbox' },
  cloudflare: { apiToken: SANDBOX_CLOUDFLARE_API_TOKEN, zoneId: SANDBOX_CLOUDFLARE_ZONE_ID },
  stripe: {
    webhookSecret: SANDBOX_STRIPE_WEBHOOK_SECRET,
    now: async (env, stripeAccount) => (await stripeClockNow(env, stripeAccount ?? PLATFORM_ACCOUNT)) * 1000,
    advanceClock: async (env, seconds) => {
      await advanceStripeClock(env, { seconds });
    },
    deliverPendingWebhooks: async (env) => {
      await deliverAllPendingStripeWebhooks(env);
    },
  },
};
