import { expand, type Emu } from './stripe.context';
import { invalidRequest, type Params } from './stripe.wire';
import * as catalog from './resources/catalog';
import * as connect from './resources/connect';
import * as customers from './resources/customers';
import * as events from './resources/events';
import * as invoices from './resources/invoices';
import * as intents from './resources/payment-intents';
import * as pms from './resources/payment-methods';
import * as setup from './resources/setup-intents';
import * as subs from './resources/subscriptions';

/** A handler gets the decoded params and the path's ids, and answers an object or a `{ status, body }` reply. */
type Handler = (emu: Emu, params: Params, ids: string[]) => unknown;

interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  segments: string[];
  handler: Handler;
}

function route(method: Route['method'], path: string, handler: Handler): Route {
  return { method, segments: path.split('/').filter(Boolean), handler };
}

/** The Stripe v1 endpoints the sandbox speaks. */
const ROUTES: Route[] = [
  route('POST', '/v1/customers', customers.createCustomer),
  route('GET', '/v1/customers', customers.listCustomers),
  route('GET', '/v1/customers/:id', customers.retrieveCustomer),
  route('POST', '/v1/customers/:id', customers.updateCustomer),
  route('DELETE', '/v1/customers/:id', subs.deleteCustomer),
  route('GET', '/v1/customers/:id/payment_methods', customers.listCustomerPaymentMethods),

  route('POST', '/v1/payment_methods', pms.createPaymentMethod),
  route('GET', '/v1/payment_methods', customers.listPaymentMethods),
  route('GET', '/v1/payment_methods/:id', pms.retrievePaymentMethod),
  route('POST', '/v1/payment_methods/:id', pms.updatePaymentMethod),
  route('POST', '/v1/payment_methods/:id/attach', pms.attachHandler),
  route('POST', '/v1/payment_methods/:id/detach', pms.detachHandler),

  route('POST', '/v1/setup_intents', setup.createSetupIntent),
  route('GET', '/v1/setup_intents', setup.listSetupIntents),
  route('GET', '/v1/setup_intents/:id', setup.retrieveSetupIntent),
  route('POST', '/v1/setup_intents/:id', setup.updateSetupIntent),
  route('POST', '/v1/setup_intents/:id/confirm', setup.confirmSetupHandler),
  route('POST', '/v1/setup_intents/:id/cancel', setup.cancelSetupIntent),

  route('POST', '/v1/payment_intents', intents.createPaymentIntent),
  route('GET', '/v1/payment_intents', intents.listPaymentIntents),
  route('GET', '/v1/payment_intents/:id', intents.retrievePaymentIntent),
  route('POST', '/v1/payment_intents/:id', intents.updatePaymentIntent),
  route('POST', '/v1/payment_intents/:id/confirm', intents.confirmHandler),
  route('POST', '/v1/payment_intents/:id/cancel', intents.cancelPaymentIntent),
  route('GET', '/v1/charges', intents.listCharges),
  route('GET', '/v1/charges/:id', intents.retrieveCharge),

  route('POST', '/v1/products', catalog.createProduct),
  route('GET', '/v1/products', catalog.listProducts),
  route('GET', '/v1/products/:id', catalog.retrieveProduct),
  route('POST', '/v1/products/:id', catalog.updateProduct),
  route('POST', '/v1/prices', catalog.createPrice),
  route('GET', '/v1/prices', catalog.listPrices),
  route('GET', '/v1/prices/:id', catalog.retrievePrice),
  route('POST', '/v1/prices/:id', catalog.updatePrice),

  route('POST', '/v1/subscriptions', subs.createSubscription),
  route('GET', '/v1/subscriptions', subs.listSubscriptions),
  route('GET', '/v1/subscriptions/:id', subs.retrieveSubscription),
  route('POST', '/v1/subscriptions/:id', subs.updateSubscription),
  route('DELETE', '/v1/subscriptions/:id', subs.cancelSubscription),

  route('POST', '/v1/invoices', invoices.createInvoice),
  route('GET', '/v1/invoices', invoices.listInvoices),
  route('GET', '/v1/invoices/:id', invoices.retrieveInvoice),
  route('POST', '/v1/invoices/:id', invoices.updateInvoice),
  route('DELETE', '/v1/invoices/:id', invoices.deleteInvoice),
  route('GET', '/v1/invoices/:id/lines', invoices.listInvoiceLines),
  route('POST', '/v1/invoices/:id/finalize', invoices.finalizeHandler),
  route('POST', '/v1/invoices/:id/pay', invoices.payHandler),
  route('POST', '/v1/invoices/:id/void', invoices.voidHandler),
  route('POST', '/v1/invoices/:id/mark_uncollectible', invoices.markUncollectibleHandler),
  route('POST', '/v1/invoiceitems', invoices.createInvoiceItem),
  route('GET', '/v1/invoiceitems', invoices.listInvoiceItems),
  route('GET', '/v1/invoiceitems/:id', invoices.retrieveInvoiceItem),

  route('POST', '/v1/accounts', connect.createAccount),
  route('GET', '/v1/accounts', connect.listAccounts),
  route('GET', '/v1/accounts/:id', connect.retrieveAccount),
  route('POST', '/v1/accounts/:id', connect.updateAccount),
  route('POST', '/v1/account_links', connect.createAccountLink),
  route('GET', '/v1/application_fees', connect.listApplicationFees),
  route('GET', '/v1/application_fees/:id', connect.retrieveApplicationFee),

  route('GET', '/v1/events', events.listEvents),
  route('GET', '/v1/events/:id', events.retrieveEvent),
  route('POST', '/v1/webhook_endpoints', events.createWebhookEndpoint),
  route('GET', '/v1/webhook_endpoints', events.listWebhookEndpoints),
  route('GET', '/v1/webhook_endpoints/:id', events.retrieveWebhookEndpoint),
  route('POST', '/v1/webhook_endpoints/:id', events.updateWebhookEndpoint),
  route('DELETE', '/v1/webhook_endpoints/:id', events.deleteWebhookEndpoint),

  route('POST', '/v1/test_helpers/test_clocks', events.createTestClock),
  route('GET', '/v1/test_helpers/test_clocks', events.listTestClocks),
  route('GET', '/v1/test_helpers/test_clocks/:id', events.retrieveTestClock),
  route('DELETE', '/v1/test_helpers/test_clocks/:id', events.deleteTestClock),
  route('POST', '/v1/test_helpers/test_clocks/:id/advance', events.advanceTestClock),
];

const INCLUDABLES = { ...invoices.INVOICE_INCLUDABLES };

function match(method: string, path: string): { route: Route; ids: string[] } | null {
  const segments = path.split('/').filter(Boolean);
  for (const r of ROUTES) {
    if (r.method !== method || r.segments.length !== segments.length) continue;
    const ids: string[] = [];
    const ok = r.segments.every((s, i) => {
      if (s.startsWith(':')) {
        ids.push(decodeURIComponent(segments[i]));
        return true;
      }
      return s === segments[i];
    });
    if (ok) return { route: r, ids };
  }
  return null;
}

export interface HandlerReply {
  status: number;
  body: unknown;
}

/**
 * Runs one API call against the account. Throws StripeApiError for errors
 * answered before anything changed; card errors that leave state behind
 * (a failed PaymentIntent) come back as a 402 reply.
 */
export function dispatch(emu: Emu, method: string, path: string, params: Params): HandlerReply {
  const found = match(method, path);
  if (found === null)
    throw invalidRequest(
      `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
      undefined,
      undefined,
      404,
    );
  const expandParam = params.expand;
  const paths =
    expandParam === undefined
      ? []
      : typeof expandParam === 'string'
        ? [expandParam]
        : Array.isArray(expandParam)
          ? expandParam.filter((p): p is string => typeof p === 'string')
          : [];
  const result = found.route.handler(emu, params, found.ids);
  const reply: HandlerReply = isReply(result) ? result : { status: 200, body: result };
  if (reply.status === 200 && paths.length > 0) reply.body = expand(emu, reply.body, paths, INCLUDABLES);
  return reply;
}

function isReply(v: unknown): v is HandlerReply {
  return typeof v === 'object' && v !== null && 'status' in v && 'body' in v && typeof (v as HandlerReply).status === 'number' && !('object' in v);
}
