import { AppError } from '../platform/errors';
import { sandboxRoutes } from './sandbox.routes';

/**
 * Every outside service is reached through an endpoint picked here: live
 * (the real service, when PROVIDER_MODE=live and its key is set) or sandbox
 * (the local emulator). In sandbox mode the SDK's HTTP requests are handed
 * to the emulator in-process through the SDK's own `fetch` option: the SDK
 * builds and parses real HTTP messages; only the transport stays local, so
 * it works the same in `wrangler dev`, in tests and with no network.
 */
export type ProviderName = 'openai' | 'stripe' | 'resend';

export interface ProviderEndpoint {
  mode: 'live' | 'sandbox';
  baseUrl: string;
  apiKey: string;
  fetch: typeof fetch;
}

const SANDBOX_ORIGIN = 'http://sandbox.internal';

const LIVE: Record<ProviderName, { baseUrl: (env: Env) => string; apiKey: (env: Env) => string | undefined; path: string; sandboxKey?: string }> = {
  openai: { baseUrl: () => 'https://api.openai.com/v1', apiKey: (env) => env.OPENAI_API_KEY, path: '/openai/v1' },
  // The stripe SDK adds /v1 itself; the emulator takes any sk_test_ key.
  resend: { baseUrl: () => 'https://api.resend.com', apiKey: (env) => env.RESEND_API_KEY, path: '/resend', sandboxKey: 're_sandbox' },
  stripe: { baseUrl: () => 'https://api.stripe.com', apiKey: (env) => (env as { STRIPE_SECRET_KEY?: string }).STRIPE_SECRET_KEY, path: '/stripe', sandboxKey: 'sk_test_sandbox' },
};

/** A fetch that delivers requests to the sandbox emulators without leaving the isolate. */
export function sandboxFetch(env: Env): typeof fetch {
  return async (input, init) => sandboxRoutes.fetch(new Request(input, init), env);
}

export function providerEndpoint(env: Env, provider: ProviderName): ProviderEndpoint {
  const live = LIVE[provider];
  if (env.PROVIDER_MODE === 'live') {
    const apiKey = live.apiKey(env);
    if (!apiKey) throw new AppError('provider_unavailable', `${provider} is set to live mode but its API key is not configured.`);
    return { mode: 'live', baseUrl: live.baseUrl(env), apiKey, fetch: globalThis.fetch.bind(globalThis) };
  }
  return { mode: 'sandbox', baseUrl: `${SANDBOX_ORIGIN}${live.path}`, apiKey: live.sandboxKey ?? `sk-sandbox-${provider}`, fetch: sandboxFetch(env) };
}
