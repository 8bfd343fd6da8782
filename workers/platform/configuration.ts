import { AppError, problemResponse } from './errors';
import type { Logger } from './logger';

/**
 * What a deployment must be given before it serves anyone. A Worker has no
 * start-up step that can fail, so the entry checks this on every request
 * (a few string tests) and, while anything is missing, answers every
 * request with one problem naming each missing secret, and logs it.
 */
export interface SecretRequirement {
  name: string;
  /** What stops working without it. */
  feature: string;
  /** How a real value starts, to catch a secret pasted into the wrong name. */
  prefix?: string[];
}

/** Needed in every mode. */
export const JWT_SECRET_MIN_LENGTH = 32;

/** Needed with PROVIDER_MODE=live, by the feature that needs each. README "Configuration" lists the same. */
export const LIVE_SECRETS: readonly SecretRequirement[] = [
  { name: 'STRIPE_SECRET_KEY', feature: 'billing, wallet top-ups and agency plans (Stripe API)', prefix: ['sk_', 'rk_'] },
  { name: 'STRIPE_WEBHOOK_SECRET', feature: 'crediting payments and following subscriptions (Stripe webhooks)', prefix: ['whsec_'] },
  { name: 'STRIPE_PUBLISHABLE_KEY', feature: 'card entry in the browser (Stripe.js)', prefix: ['pk_'] },
  { name: 'RESEND_API_KEY', feature: 'account emails: password resets, invitations, billing and wallet notices (Resend)', prefix: ['re_'] },
  { name: 'CLOUDFLARE_API_TOKEN', feature: 'agency custom domains (Cloudflare for SaaS)' },
  { name: 'CLOUDFLARE_ZONE_ID', feature: 'agency custom domains (Cloudflare for SaaS)' },
  { name: 'OPENAI_API_KEY', feature: 'AI contact briefs (OpenAI)' },
];

/** The JWT_SECRET of .dev.vars.example: fine on a laptop, never in a deployment. */
const EXAMPLE_JWT_SECRET_PREFIX = 'dev-only-change-me';

export interface ConfigurationProblem {
  name: string;
  feature: string;
  problem: string;
}

function read(env: Env, name: string): string {
  const value = (env as unknown as Record<string, unknown>)[name];
  return typeof value === 'string' ? value.trim() : '';
}

/** Which build is running: the dev entry carries the sandbox emulators, the deployed one does not. */
export interface Build {
  sandbox: boolean;
}

/** Everything wrong with this deployment's configuration; empty when it may serve. */
export function configurationProblems(env: Env, build: Build): ConfigurationProblem[] {
  const problems: ConfigurationProblem[] = [];
  const mode = env.PROVIDER_MODE;
  const jwt = read(env, 'JWT_SECRET');
  const signIn = 'sign-in (signing access tokens)';
  if (!jwt) problems.push({ name: 'JWT_SECRET', feature: signIn, problem: 'is not set' });
  else if (jwt.length < JWT_SECRET_MIN_LENGTH)
    problems.push({ name: 'JWT_SECRET', feature: signIn, problem: `is shorter than ${JWT_SECRET_MIN_LENGTH} characters` });
  else if (mode === 'live' && jwt.startsWith(EXAMPLE_JWT_SECRET_PREFIX))
    problems.push({ name: 'JWT_SECRET', feature: signIn, problem: 'is the example value from .dev.vars.example' });

  if (mode === 'live') {
    const appUrl = read(env, 'APP_URL');
    if (!/^https:\/\/[^/]+/.test(appUrl) || /^https:\/\/(localhost|127\.0\.0\.1)([:/]|$)/.test(appUrl)) {
      problems.push({
        name: 'APP_URL',
        feature: 'links in emails (password resets, invitations, notices)',
        problem: appUrl ? `must be the app's public https address, not "${appUrl}"` : 'is not set (a var in wrangler.toml)',
      });
    }
    for (const secret of LIVE_SECRETS) {
      const value = read(env, secret.name);
      if (!value) problems.push({ name: secret.name, feature: secret.feature, problem: 'is not set' });
      else if (secret.prefix && !secret.prefix.some((p) => value.startsWith(p))) {
        problems.push({ name: secret.name, feature: secret.feature, problem: `does not look like one (it should start with ${secret.prefix.join(' or ')})` });
      }
    }
  } else if (mode === 'sandbox') {
    if (!build.sandbox)
      problems.push({
        name: 'PROVIDER_MODE',
        feature: 'every outside service',
        problem: 'is "sandbox", but the sandbox emulators are only in the dev entry (npm run dev); a deployment runs "live"',
      });
  } else {
    problems.push({ name: 'PROVIDER_MODE', feature: 'every outside service', problem: `must be "live" or "sandbox", not "${mode ?? ''}"` });
  }
  return problems;
}

function describe(problems: ConfigurationProblem[]): string {
  const list = problems.map((p) => `${p.name} ${p.problem} (needed for ${p.feature})`).join('; ');
  return `This deployment is not fully configured, so it serves no requests until it is: ${list}. Set secrets with \`npx wrangler secret put <NAME>\` and vars in wrangler.toml, then deploy again.`;
}

let lastLogged = '';

/**
 * The answer to give every request while the configuration is incomplete
 * (503 problem+json naming each missing secret), or null when it is
 * complete. Logs the problems once per isolate and whenever they change.
 */
export function refuseWhileMisconfigured(env: Env, build: Build, log: Logger, path: string): Response | null {
  const problems = configurationProblems(env, build);
  if (problems.length === 0) return null;
  const detail = describe(problems);
  if (detail !== lastLogged) {
    lastLogged = detail;
    log.error('configuration incomplete: refusing every request', { problems: problems.map((p) => `${p.name} ${p.problem}`), detail });
  }
  return problemResponse(new AppError('server_misconfigured', detail, { extensions: { configuration: problems } }), path);
}
