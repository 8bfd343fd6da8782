import { AppError } from './errors';

/**
 * Every outside service is reached through an endpoint picked here: live
 * (the real service with its secret, PROVIDER_MODE=live) or sandbox (the
 * local emulator, PROVIDER_MODE=sandbox). The product never imports an
 * emulator: the dev entry (workers/dev.ts, used by `npm run dev` and the
 * tests) installs them here at start-up with `installSandboxProviders`. The
 * deployed entry (workers/index.ts) installs nothing, so a deploy has no
 * emulator to reach (docs/decisions/0002, 0007).
 */
export type ProviderName = 'openai' | 'stripe' | 'resend';

export interface ProviderEndpoint {
  mode: 'live' | 'sandbox';
  baseUrl: string;
  apiKey: string;
  fetch: typeof fetch;
}

/**
 * What the sandbox offers the product: an in-process transport to its
 * emulators, the credentials they accept, and the Stripe sandbox's clock
 * and webhook controls that billing's sandbox-only routes drive.
 */
export interface SandboxProviders {
  /** Answers a request for `http://sandbox.internal/<provider>/...` from the emulators, in the same isolate. */
  fetch(env: Env): typeof fetch;
  apiKeys: Record<ProviderName, string>;
  cloudflare: { apiToken: string; zoneId: string };
  stripe: {
    /** The secret the sandbox signs its webhooks with. */
    webhookSecret: string;
    /** The emulated Stripe account's clock (ms); null is the platform's own account. */
    now(env: Env, stripeAccount: string | null): Promise<number>;
    /** Moves the platform's clock (and its connected accounts') forward; renewals due on the way happen. */
    advanceClock(env: Env, seconds: number): Promise<void>;
    /** Delivers every pending webhook of the platform and its connected accounts now. */
    deliverPendingWebhooks(env: Env): Promise<void>;
  };
}

/** Where the sandbox emulators answer in-process. */
export const SANDBOX_ORIGIN = 'http://sandbox.internal';

let installed: SandboxProviders | null = null;

/** Called once by the dev entry; the deployed entry never calls it. */
export function installSandboxProviders(sandbox: SandboxProviders): void {
  installed = sandbox;
}

/** The installed sandbox; a build without one refuses with provider_unavailable instead of reaching anything. */
export function sandboxProviders(): SandboxProviders {
  if (!installed)
    throw new AppError(
      'provider_unavailable',
      'PROVIDER_MODE is "sandbox" but this build has no sandbox emulators (they are only in the dev entry, workers/dev.ts). Deployments run PROVIDER_MODE="live".',
    );
  return installed;
}

const LIVE: Record<ProviderName, { baseUrl: string; apiKey: (env: Env) => string | undefined; sandboxPath: string }> = {
  openai: { baseUrl: 'https://api.openai.com/v1', apiKey: (env) => env.OPENAI_API_KEY, sandboxPath: '/openai/v1' },
  resend: { baseUrl: 'https://api.resend.com', apiKey: (env) => env.RESEND_API_KEY, sandboxPath: '/resend' },
  // The stripe SDK adds /v1 itself.
  stripe: { baseUrl: 'https://api.stripe.com', apiKey: (env) => (env as { STRIPE_SECRET_KEY?: string }).STRIPE_SECRET_KEY, sandboxPath: '/stripe' },
};

export function providerEndpoint(env: Env, provider: ProviderName): ProviderEndpoint {
  const live = LIVE[provider];
  if (env.PROVIDER_MODE === 'live') {
    const apiKey = live.apiKey(env);
    if (!apiKey) throw new AppError('provider_unavailable', `${provider} is set to live mode but its API key is not configured.`);
    return { mode: 'live', baseUrl: live.baseUrl, apiKey, fetch: globalThis.fetch.bind(globalThis) };
  }
  const sandbox = sandboxProviders();
  return { mode: 'sandbox', baseUrl: `${SANDBOX_ORIGIN}${live.sandboxPath}`, apiKey: sandbox.apiKeys[provider], fetch: sandbox.fetch(env) };
}
