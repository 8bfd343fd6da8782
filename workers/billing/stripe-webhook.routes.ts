import type Stripe from 'stripe';
import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, jsonResponse } from '../platform/router';
import { AGENCY_BILLING_WEBHOOK_HANDLERS } from '../agency/billing/agency-billing.webhooks';
import { handleTopUpPaymentEvent } from '../wallet/top-ups';
import { BILLING_WEBHOOK_HANDLERS } from './billing.webhooks';
import { verifyStripeWebhook } from './stripe.client';

type EventHandler = (env: Env, event: Stripe.Event) => Promise<void>;

/**
 * Which capability handles which Stripe event: wallet top-ups, then
 * subscriptions and invoices (the platform's, and agencies' on their
 * connected accounts), then agencies' Stripe connections.
 */
const HANDLERS: Record<string, EventHandler> = {
  'payment_intent.succeeded': handleTopUpPaymentEvent,
  'payment_intent.payment_failed': handleTopUpPaymentEvent,
  'payment_intent.requires_action': handleTopUpPaymentEvent,
  ...BILLING_WEBHOOK_HANDLERS,
  ...AGENCY_BILLING_WEBHOOK_HANDLERS,
};

/**
 * Stripe's webhooks at the edge: the signature is checked against the raw
 * body first (400 and nothing changes when it is wrong, more than 5 minutes
 * old or more than 5 minutes ahead); each event id is then handled once. A
 * handler failure answers 500 so Stripe retries; handlers are idempotent,
 * so a retry after partial work is safe.
 */
export const stripeWebhookRoutes = createRouter();

// POST /api/webhooks/stripe – Stripe events (signed)
stripeWebhookRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/stripe',
    tags: ['Webhooks'],
    summary: 'Stripe webhook',
    description:
      'Called by Stripe. The body is read raw and checked against the `Stripe-Signature` header (HMAC-SHA256; timestamps more than 300 s old or ahead are refused).',
    responses: {
      200: jsonResponse(z.object({ received: z.boolean(), duplicate: z.boolean().optional(), handled: z.boolean().optional() }), 'Accepted'),
      400: { description: 'Bad, stale or future-dated signature' },
    },
  }),
  async (c) => {
    const signature = c.req.header('stripe-signature');
    const event = await verifyStripeWebhook(c.env, await c.req.text(), signature);
    const now = Date.now();
    await c.env.DB.prepare('INSERT INTO stripe_events (id, type, received_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING')
      .bind(event.id, event.type, now)
      .run();
    const seen = await c.env.DB.prepare('SELECT processed_at FROM stripe_events WHERE id = ?').bind(event.id).first<{ processed_at: number | null }>();
    if (seen?.processed_at) return c.json({ received: true, duplicate: true }, 200);
    const handler = HANDLERS[event.type];
    if (handler) await handler(c.env, event);
    await c.env.DB.prepare('UPDATE stripe_events SET processed_at = ? WHERE id = ? AND processed_at IS NULL').bind(Date.now(), event.id).run();
    return c.json({ received: true, handled: Boolean(handler) }, 200);
  },
);
