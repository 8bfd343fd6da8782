/**
 * Fixed facts of the Stripe sandbox, shared by the emulator and the product's
 * Stripe client.
 */

/**
 * The signing secret of every emulated account's default webhook endpoint.
 * In sandbox mode `verifyStripeWebhook` checks signatures with it; it signs
 * nothing outside this machine, so it is not a secret worth hiding.
 */
export const SANDBOX_STRIPE_WEBHOOK_SECRET = 'whsec_sandboxEdgeCrmLocalOnly0000000000000000';

/** Where the default endpoint delivers: the product's own webhook route, handed over in-process. */
export const SANDBOX_STRIPE_WEBHOOK_URL = 'http://localhost/api/webhooks/stripe';

/** The API key the product uses against the emulator. Any `sk_test_...` key is accepted. */
export const SANDBOX_STRIPE_API_KEY = 'sk_test_sandbox';

/** The platform account's name; connected accounts are named by their `acct_...` id. */
export const PLATFORM_ACCOUNT = 'acct_sandbox_platform';

/** The Queue that carries webhook deliveries (binding SANDBOX_WEBHOOKS). */
export const SANDBOX_WEBHOOKS_QUEUE = 'edge-crm-sandbox-webhooks';

/**
 * The platform's Connect endpoint every connected account delivers to: the
 * product's webhook route, signed with the sandbox secret (live, one Connect
 * endpoint registered in Stripe's dashboard). Not listed among the
 * platform's own endpoints.
 */
export const SANDBOX_CONNECT_ENDPOINT_ID = 'we_sandbox_connect';

/** The platform's Connect application: the `application` of what it creates on connected accounts and of its fees. */
export const PLATFORM_APPLICATION = 'ca_SandboxEdgeCrmPlatformApp0000000';

/** Where an account link sends the browser: the sandbox's stand-in for Stripe's hosted onboarding. */
export const SANDBOX_STRIPE_ONBOARDING_PATH = '/sandbox/stripe/_emulator/connect/onboard';
