import { bodyLimit } from 'hono/body-limit';
import { authRoutes } from './auth/auth.routes';
import { requireAuth } from './auth/auth.middleware';
import { crmRoutes } from './crm/crm.routes';
import { walletRoutes } from './wallet/wallet.routes';
import { billingRoutes } from './billing/billing.routes';
import { requireWritableAccount } from './billing/standing.middleware';
import { stripeWebhookRoutes } from './billing/stripe-webhook.routes';
import { usagePricingRoutes } from './agency/usage-pricing.routes';
import { agencyBillingRoutes } from './agency/billing/agency-billing.routes';
import { domainRoutes } from './agency/domains/domains.routes';
import { clientSignupRoutes } from './agency/client-signup/client-signup.routes';
import { brandingRoutes } from './agency/branding/branding.routes';
import { auditImpersonation } from './agency/audit/audit.middleware';
import { notificationRoutes } from './notifications/notifications.routes';
import { API_DOCS_PAGE } from './platform/docs';
import { AppError, constraintError, problemResponse, toAppError } from './platform/errors';
import { requestContext } from './platform/request-context';
import { createRouter } from './platform/router';
import { resolveHostMiddleware } from './tenancy/host.middleware';
import { tenancyRoutes } from './tenancy/tenancy.routes';

/** Request bodies above this are refused with 413 before they are read. */
export const MAX_BODY_BYTES = 1024 * 1024;

export const app = createRouter();

app.use('*', requestContext());
app.use('*', resolveHostMiddleware());
app.use(
  '/api/*',
  bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new AppError('payload_too_large', `Request bodies are limited to ${MAX_BODY_BYTES / 1024} KB.`);
    },
  }),
);

// Public: health, docs, auth. (The sandbox emulators are mounted by the dev entry, workers/dev.ts.)
app.get('/api/health', (c) => c.json({ ok: true }));
app.get('/api/docs', (c) => c.html(API_DOCS_PAGE));
app.doc31('/api/openapi.json', {
  openapi: '3.1.0',
  info: {
    title: 'Edge CRM API',
    version: '1.0.0',
    description:
      'Contacts, tags, custom fields, notes, tasks, pipelines and opportunities, scoped to one account per token. Errors are RFC 9457 problem+json; lists are cursor-paginated; money is a decimal USD string.',
  },
  servers: [{ url: '/' }],
});
app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
  type: 'http',
  scheme: 'bearer',
  description: 'Access token from /api/auth/login, or an API key (crm_live_...)',
});
app.route('/api/auth', authRoutes);
app.route('/api/webhooks', stripeWebhookRoutes);
app.route('/', brandingRoutes); // public brand assets and the edge-branded index.html; its agency routes authenticate themselves

// Everything else under /api needs a token or API key.
app.use('/api/*', requireAuth());
app.use('/api/*', requireWritableAccount());
app.use('/api/*', auditImpersonation());
app.route('/api', tenancyRoutes);
app.route('/api', crmRoutes);
app.route('/api', walletRoutes);
app.route('/api', billingRoutes);
app.route('/api', notificationRoutes);
app.route('/api', usagePricingRoutes);
app.route('/api', agencyBillingRoutes);
app.route('/api', domainRoutes);
app.route('/api', clientSignupRoutes);

app.notFound((c) => {
  if (c.req.path.startsWith('/api/')) {
    return problemResponse(new AppError('not_found', `No route ${c.req.method} ${c.req.path}.`), c.req.path, c.var.requestId);
  }
  return c.env.ASSETS.fetch(c.req.raw);
});

app.onError((err, c) => {
  const error = toAppError(err);
  if (error.code === 'internal_error') {
    c.var.log?.error('unhandled error', { path: c.req.path, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
  } else if (!(err instanceof AppError) && constraintError(err)) {
    // A database constraint answered for the route: the reply is generic, the log keeps which one.
    c.var.log?.warn('constraint refused a write', { path: c.req.path, code: error.code, error: err instanceof Error ? err.message : String(err) });
  }
  return problemResponse(error, c.req.path, c.var.requestId);
});
