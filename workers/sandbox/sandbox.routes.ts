import { Hono } from 'hono';
import { cloudflareEmulator } from './cloudflare/cloudflare.emulator';
import { openaiEmulator } from './openai/openai.emulator';
import { resendEmulator } from './resend/resend.emulator';
import { stripeEmulator } from './stripe/stripe.emulator';

/**
 * Local emulators of outside services, one folder each, mounted under
 * /sandbox/<provider>. They speak the real wire protocol so the real SDKs
 * talk to them unchanged. Later emulators (Stripe, Twilio, ESPs, GoHighLevel,
 * HubSpot, Cloudflare) register here the same way.
 */
export const sandboxRoutes = new Hono();
sandboxRoutes.route('/openai', openaiEmulator);
sandboxRoutes.route('/stripe', stripeEmulator);
sandboxRoutes.route('/cloudflare', cloudflareEmulator);
sandboxRoutes.route('/resend', resendEmulator);
