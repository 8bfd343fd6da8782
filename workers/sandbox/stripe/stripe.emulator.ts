import { Hono } from 'hono';
import { PLATFORM_ACCOUNT } from './stripe.constants';
import { advanceStripeClock, clearStripeFaults, injectStripeFault, stripeClockNow, stripeEmulatorStub, stripeWebhookDeliveries } from './stripe.controls';
import type { FaultSpec } from './stripe.do';
import { randomBase62 } from './stripe.ids';
import { deliverPendingStripeWebhooks } from './stripe.webhooks';
import { parseForm, type Params } from './stripe.wire';

/**
 * Stripe's v1 API over HTTP, mounted at /sandbox/stripe. Requests are
 * authenticated like Stripe's (Bearer or Basic `sk_test_...`), decoded from
 * form bracket notation, and run in the Durable Object of the account they
 * address (the platform, or `Stripe-Account: acct_...`), where state persists.
 * `/_emulator/...` holds the test controls: clock, faults, webhook deliveries.
 */
export const stripeEmulator = new Hono<{ Bindings: Env }>();

// With real Stripe in use the emulator is not served: its state would be storage anyone could fill.
stripeEmulator.use('*', async (c, next) => {
  if (c.env.PROVIDER_MODE === 'live')
    return c.json({ error: { type: 'invalid_request_error', message: 'The Stripe sandbox is off: this deployment uses live Stripe.' } }, 404);
  await next();
});

function stripeError(status: number, message: string, extra: Record<string, unknown> = {}): Response {
  return new Response(JSON.stringify({ error: { message, type: 'invalid_request_error', ...extra } }, null, 2), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

/** The API key from `Authorization: Bearer sk_...` or Basic `sk_...:` (curl -u). */
function apiKeyOf(header: string | undefined): string | null {
  if (!header) return null;
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+(\S+)$/i.exec(header);
  if (basic) {
    try {
      return atob(basic[1]).split(':')[0] || null;
    } catch {
      return null;
    }
  }
  return null;
}

function masked(key: string): string {
  return `${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`;
}

/** Refuses what Stripe refuses before any work: no key, a live or malformed key, a bad account header. */
function authenticate(authorization: string | undefined, accountHeader: string | undefined): { account: string } | Response {
  const key = apiKeyOf(authorization);
  if (!key) {
    return stripeError(
      401,
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
    );
  }
  if (!/^(sk|rk)_test_[A-Za-z0-9_]+$/.test(key)) return stripeError(401, `Invalid API Key provided: ${masked(key)}`);
  if (accountHeader !== undefined && accountHeader !== '' && !/^acct_[A-Za-z0-9_]+$/.test(accountHeader)) {
    return stripeError(
      403,
      `The provided key '${masked(key)}' does not have access to account '${accountHeader}' (or that account does not exist). Application access may have been revoked.`,
      { code: 'account_invalid' },
    );
  }
  return { account: accountHeader || PLATFORM_ACCOUNT };
}

stripeEmulator.all('/v1/*', async (c) => {
  const auth = authenticate(c.req.header('authorization'), c.req.header('stripe-account'));
  if (auth instanceof Response) return auth;
  const url = new URL(c.req.url);
  const path = url.pathname.slice(url.pathname.indexOf('/v1/'));
  const method = c.req.method.toUpperCase();
  let params: Params = parseForm(url.search.slice(1));
  if (method === 'POST') {
    const type = c.req.header('content-type') ?? '';
    const text = new TextDecoder().decode(await c.req.arrayBuffer());
    if (text && !type.includes('application/x-www-form-urlencoded') && type !== '') {
      return stripeError(400, `Invalid request: the v1 API takes application/x-www-form-urlencoded bodies, not ${type}.`);
    }
    params = { ...params, ...parseForm(text) };
  }
  const result = await stripeEmulatorStub(c.env, auth.account).request({
    account: auth.account,
    method,
    path,
    params,
    idempotencyKey: c.req.header('idempotency-key') ?? null,
    requestId: `req_${randomBase62(14)}`,
  });
  return new Response(result.body, { status: result.status, headers: result.headers });
});

// ---------------------------------------------------------------- Connect onboarding (a page the browser opens)

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

// GET /sandbox/stripe/_emulator/connect/onboard?account=acct_...&link=... – where an account link points.
// Stripe's hosted onboarding collects the business's details; the sandbox completes onboarding as soon as the
// link is opened and sends the browser back to return_url (refresh_url for a used or expired link). No API key:
// a browser follows this link, as it would Stripe's.
stripeEmulator.get('/_emulator/connect/onboard', async (c) => {
  const link = c.req.query('link');
  const page = (status: 404, message: string) =>
    c.html(`<!doctype html><meta charset="utf-8"><title>Stripe sandbox onboarding</title><p>${escapeHtml(message)}</p>`, status);
  if (!link) return page(404, 'This onboarding link is incomplete: it has no link token.');
  const outcome = await stripeEmulatorStub(c.env, PLATFORM_ACCOUNT).visitAccountLink(link, c.req.query('account') ?? null);
  if (outcome.state === 'missing') return page(404, 'This onboarding link is not valid. Start again from the app to get a new one.');
  return c.redirect(outcome.redirect, 302);
});

// ---------------------------------------------------------------- test controls (JSON)

stripeEmulator.use('/_emulator/*', async (c, next) => {
  const auth = authenticate(c.req.header('authorization'), c.req.header('stripe-account'));
  if (auth instanceof Response) return auth;
  await next();
});

const accountOf = (c: { req: { header: (n: string) => string | undefined } }) => c.req.header('stripe-account') || PLATFORM_ACCOUNT;

// GET /sandbox/stripe/_emulator/clock – the account's "now"
stripeEmulator.get('/_emulator/clock', async (c) => {
  const now = await stripeClockNow(c.env, accountOf(c));
  return c.json({ now, iso: new Date(now * 1000).toISOString() });
});

// POST /sandbox/stripe/_emulator/clock/advance – { seconds?, days?, to? }; renewals due on the way happen
stripeEmulator.post('/_emulator/clock/advance', async (c) => {
  const body = (await c.req.json().catch(() => ({}))) as { seconds?: unknown; days?: unknown; to?: unknown };
  const num = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);
  if (num(body.seconds) === undefined && num(body.days) === undefined && num(body.to) === undefined) {
    return stripeError(400, 'Give `seconds`, `days` or `to` (unix seconds) as non-negative integers.');
  }
  try {
    const result = await advanceStripeClock(c.env, { seconds: num(body.seconds), days: num(body.days), to: num(body.to), account: accountOf(c) });
    return c.json({ ...result, iso: new Date(result.now * 1000).toISOString() });
  } catch (err) {
    return stripeError(400, err instanceof Error ? err.message : String(err));
  }
});

// POST /sandbox/stripe/_emulator/faults – { path, method?, count?, kind: 'error'|'hang', status?, hangMs?, afterHang? }
stripeEmulator.post('/_emulator/faults', async (c) => {
  const body = (await c.req.json().catch(() => null)) as Partial<FaultSpec> | null;
  if (!body || typeof body.path !== 'string' || (body.kind !== 'error' && body.kind !== 'hang')) {
    return stripeError(400, 'A fault needs `path` (e.g. /v1/payment_intents) and `kind` (error or hang).');
  }
  await injectStripeFault(c.env, { ...(body as FaultSpec), account: accountOf(c) });
  return c.body(null, 204);
});

// DELETE /sandbox/stripe/_emulator/faults
stripeEmulator.delete('/_emulator/faults', async (c) => {
  await clearStripeFaults(c.env, accountOf(c));
  return c.body(null, 204);
});

// GET /sandbox/stripe/_emulator/webhooks/deliveries – every delivery and how it went
stripeEmulator.get('/_emulator/webhooks/deliveries', async (c) => c.json({ data: await stripeWebhookDeliveries(c.env, accountOf(c)) }));

// POST /sandbox/stripe/_emulator/webhooks/deliver – deliver pending webhooks now
stripeEmulator.post('/_emulator/webhooks/deliver', async (c) => {
  let ctx: ExecutionContext | undefined;
  try {
    ctx = c.executionCtx as unknown as ExecutionContext;
  } catch {
    ctx = undefined; // called in-process without a context: deliveries wait for their own work
  }
  return c.json({ data: await deliverPendingStripeWebhooks(c.env, { account: accountOf(c), ctx }) });
});

stripeEmulator.all('*', (c) => stripeError(404, `Unrecognized request URL (${c.req.method}: ${new URL(c.req.url).pathname}).`));
