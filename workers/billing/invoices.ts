import Stripe from 'stripe';
import { queryFirst } from '../platform/db';
import { AppError } from '../platform/errors';
import { formatUsd } from '../platform/money';
import { decodeCursor, encodeCursor } from '../platform/pagination';
import type { BillingScope } from './billing.scope';
import { renderInvoicePdf } from './invoice-pdf';
import { formatDay } from './timeline';

/**
 * The account's invoices, read from Stripe (the source of truth) through the
 * account's own customer, and a PDF of each. An invoice of another customer
 * is simply not found.
 */

const MICROS_PER_CENT = 10_000;
const money = (cents: number) => formatUsd(cents * MICROS_PER_CENT);
const iso = (seconds: number | null | undefined) => (seconds ? new Date(seconds * 1000).toISOString() : null);

/** The period the invoice's plan lines cover (the service period, not Stripe's invoicing window). */
function servicePeriod(invoice: Stripe.Invoice): { start: number; end: number } | null {
  const lines = invoice.lines.data;
  if (lines.length === 0) return null;
  return { start: Math.min(...lines.map((l) => l.period.start)), end: Math.max(...lines.map((l) => l.period.end)) };
}

export function serializeInvoice(invoice: Stripe.Invoice) {
  const period = servicePeriod(invoice);
  return {
    id: invoice.id as string,
    number: invoice.number,
    status: invoice.status as string,
    billing_reason: invoice.billing_reason,
    currency: invoice.currency.toUpperCase(),
    total: money(invoice.total),
    amount_due: money(invoice.amount_due),
    amount_paid: money(invoice.amount_paid),
    amount_remaining: money(invoice.amount_remaining),
    created_at: iso(invoice.created) as string,
    paid_at: iso(invoice.status_transitions.paid_at),
    period_start: period ? iso(period.start) : null,
    period_end: period ? iso(period.end) : null,
    attempt_count: invoice.attempt_count,
    lines: invoice.lines.data.map((l) => ({
      description: l.description ?? '',
      amount: money(l.amount),
      period_start: iso(l.period.start) as string,
      period_end: iso(l.period.end) as string,
      proration: Boolean(l.parent?.invoice_item_details?.proration ?? l.parent?.subscription_item_details?.proration),
    })),
    download_url: `/api/billing/invoices/${invoice.id}/download`,
    hosted_invoice_url: invoice.hosted_invoice_url ?? null,
  };
}

export type InvoiceView = ReturnType<typeof serializeInvoice>;

/** Newest first; the cursor is the last invoice's id (Stripe's starting_after). Drafts are not shown. */
export async function listInvoices(
  scope: BillingScope,
  accountId: string,
  options: { cursor?: string; limit: number },
): Promise<{ data: InvoiceView[]; next_cursor: string | null }> {
  const profile = await scope.profile(accountId);
  if (!profile) return { data: [], next_cursor: null };
  const after = options.cursor ? decodeCursor(options.cursor).id : undefined;
  const page = await scope.stripe.invoices.list({ customer: profile.stripe_customer_id, limit: options.limit, ...(after ? { starting_after: after } : {}) });
  const last = page.data[page.data.length - 1];
  return {
    data: page.data.filter((i) => i.status !== 'draft').map(serializeInvoice),
    next_cursor: page.has_more && last?.id ? encodeCursor({ v: null, id: last.id }) : null,
  };
}

/** One invoice of this account, or not_found (also for other customers' invoices). */
export async function getInvoiceOrThrow(scope: BillingScope, accountId: string, invoiceId: string): Promise<Stripe.Invoice> {
  const notFound = () => new AppError('not_found', `Invoice ${invoiceId} was not found.`);
  if (!/^in_[A-Za-z0-9]+$/.test(invoiceId)) throw notFound();
  const profile = await scope.profile(accountId);
  if (!profile) throw notFound();
  let invoice: Stripe.Invoice;
  try {
    invoice = await scope.stripe.invoices.retrieve(invoiceId);
  } catch (err) {
    if (err instanceof Stripe.errors.StripeInvalidRequestError && err.statusCode === 404) throw notFound();
    throw err;
  }
  const customer = typeof invoice.customer === 'string' ? invoice.customer : invoice.customer?.id;
  if (customer !== profile.stripe_customer_id || invoice.status === 'draft') throw notFound();
  return invoice;
}

/** The invoice as a PDF the account can keep. */
export async function invoicePdf(scope: BillingScope, accountId: string, invoiceId: string): Promise<{ filename: string; bytes: Uint8Array<ArrayBuffer> }> {
  const invoice = await getInvoiceOrThrow(scope, accountId, invoiceId);
  const account = await queryFirst<{ name: string }>(scope.db, 'SELECT name FROM accounts WHERE id = ?', accountId);
  const view = serializeInvoice(invoice);
  const dollars = (v: string) => `$${v.replace(/(\.\d\d)00$/, '$1')}`;
  const lineMoney = (cents: number) => (cents < 0 ? `-${dollars(money(-cents))}` : dollars(money(cents)));
  const bytes = await renderInvoicePdf({
    title: 'Invoice',
    from: ['Edge CRM', 'Subscriptions and billing', 'billing@edge-crm.dev'],
    to: [account?.name ?? accountId, invoice.customer_email ?? ''].filter(Boolean),
    meta: [
      ['Invoice number', invoice.number ?? invoice.id],
      ['Date', formatDay(invoice.created * 1000)],
      ...(view.period_start && view.period_end
        ? ([['Service period', `${formatDay(Date.parse(view.period_start))} - ${formatDay(Date.parse(view.period_end))}`]] as Array<[string, string]>)
        : []),
      ...(invoice.status_transitions.paid_at ? ([['Paid on', formatDay(invoice.status_transitions.paid_at * 1000)]] as Array<[string, string]>) : []),
    ],
    stamp: invoice.status === 'paid' ? 'PAID' : invoice.status === 'open' ? 'UNPAID' : (invoice.status ?? '').toUpperCase() || null,
    lines: invoice.lines.data.map((l) => ({
      description: l.description ?? '',
      period: `${formatDay(l.period.start * 1000)} - ${formatDay(l.period.end * 1000)}`,
      amount: lineMoney(l.amount),
    })),
    totals: [
      ['Subtotal', lineMoney(invoice.subtotal)],
      ...(invoice.starting_balance !== 0 ? ([['Applied balance', lineMoney(invoice.starting_balance)]] as Array<[string, string]>) : []),
      ['Amount paid', dollars(view.amount_paid)],
      ['Amount due', dollars(view.amount_remaining)],
    ],
    footer: `${invoice.id} - amounts in ${view.currency}`,
  });
  return { filename: `invoice-${invoice.number ?? invoice.id}.pdf`, bytes };
}
