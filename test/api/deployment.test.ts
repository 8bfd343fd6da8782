import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import deployed from '../../workers/index';
import { LIVE_SECRETS } from '../../workers/platform/configuration';
import { SANDBOX_STRIPE_WEBHOOK_SECRET } from '../../workers/sandbox/stripe/stripe.constants';
import { signStripePayload } from '../../workers/sandbox/stripe/stripe.webhooks';

/**
 * The deployed entry (workers/index.ts, what wrangler.toml ships), called
 * directly with the environment a deployment would have. The other suites
 * run the dev entry, which adds the sandbox.
 */
const LIVE_VALUES: Record<string, string> = {
  STRIPE_SECRET_KEY: 'sk_live_0000000000000000000000000000',
  STRIPE_WEBHOOK_SECRET: 'whsec_live0000000000000000000000000000',
  STRIPE_PUBLISHABLE_KEY: 'pk_live_0000000000000000000000000000',
  RESEND_API_KEY: 're_live_000000000000000000000000',
  CLOUDFLARE_API_TOKEN: 'cf-token-0000000000000000000000000000000000',
  CLOUDFLARE_ZONE_ID: '0123456789abcdef0123456789abcdef',
  OPENAI_API_KEY: 'sk-live-000000000000000000000000',
};

function deployedEnv(vars: Record<string, string | undefined>): Env {
  return {
    ...env,
    PROVIDER_MODE: 'live',
    APP_URL: 'https://app.example-crm.com',
    ...Object.fromEntries(LIVE_SECRETS.map((s) => [s.name, undefined])),
    ...vars,
  } as Env;
}

async function call(environment: Env, path: string, init?: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await deployed.fetch(new Request(`http://localhost${path}`, init), environment, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

interface ConfigurationProblemBody {
  type: string;
  status: number;
  detail: string;
  configuration: Array<{ name: string; feature: string; problem: string }>;
}

describe('deployment', () => {
  it('refuses every request while secrets are missing, naming each one and what needs it', async () => {
    const environment = deployedEnv({});
    for (const [path, init] of [
      ['/api/health'],
      ['/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":"a@b.co","password":"x"}' }],
      ['/contacts'],
    ] as const) {
      const res = await call(environment, path, init);
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      const problem = (await res.json()) as ConfigurationProblemBody;
      expect(problem.type).toBe('https://docs.edge-crm.dev/problems/server-misconfigured');
      expect(problem.configuration.map((p) => p.name)).toEqual(LIVE_SECRETS.map((s) => s.name));
      for (const secret of LIVE_SECRETS) expect(problem.detail).toContain(`${secret.name} is not set (needed for ${secret.feature})`);
    }
  });

  it('names only what is still missing, and a secret pasted into the wrong name', async () => {
    const res = await call(deployedEnv({ ...LIVE_VALUES, RESEND_API_KEY: undefined, STRIPE_WEBHOOK_SECRET: 'sk_live_oops' }), '/api/health');
    expect(res.status).toBe(503);
    const problem = (await res.json()) as ConfigurationProblemBody;
    expect(problem.configuration.map((p) => `${p.name} ${p.problem}`)).toEqual([
      'STRIPE_WEBHOOK_SECRET does not look like one (it should start with whsec_)',
      'RESEND_API_KEY is not set',
    ]);
  });

  it('refuses the sandbox, the example JWT secret and links to localhost', async () => {
    const sandbox = (await (await call({ ...env, PROVIDER_MODE: 'sandbox' } as Env, '/api/health')).json()) as ConfigurationProblemBody;
    expect(sandbox.configuration.map((p) => p.name)).toEqual(['PROVIDER_MODE']);
    expect(sandbox.detail).toContain('the sandbox emulators are only in the dev entry');

    const example = await call(
      deployedEnv({ ...LIVE_VALUES, JWT_SECRET: 'dev-only-change-me-0123456789abcdef0123456789abcdef', APP_URL: 'http://localhost:8787' }),
      '/api/health',
    );
    const problem = (await example.json()) as ConfigurationProblemBody;
    expect(problem.configuration.map((p) => p.name)).toEqual(['JWT_SECRET', 'APP_URL']);
  });

  it('serves once configured, without the sandbox: no mailbox, and the sandbox webhook secret signs nothing', async () => {
    const environment = deployedEnv(LIVE_VALUES);
    expect((await call(environment, '/api/health')).status).toBe(200);

    const mailbox = await call(environment, '/sandbox/resend/_emulator/emails', { headers: { authorization: 'Bearer re_anything' } });
    expect(mailbox.headers.get('content-type') ?? '').not.toContain('json');

    const body = JSON.stringify({
      id: 'evt_forged',
      object: 'event',
      type: 'payment_intent.succeeded',
      data: { object: { id: 'pi_forged', object: 'payment_intent' } },
    });
    const forged = await call(environment, '/api/webhooks/stripe', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': await signStripePayload(SANDBOX_STRIPE_WEBHOOK_SECRET, body) },
      body,
    });
    expect(forged.status).toBe(400);
  });
});
