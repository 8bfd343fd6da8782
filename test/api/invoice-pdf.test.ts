import { exports } from 'cloudflare:workers';
import { extractText } from 'unpdf';
import { describe, expect, it } from 'vitest';
import { renderInvoicePdf, type InvoiceDocument } from '../../workers/billing/invoice-pdf';
import { createTenant, ORIGIN } from '../factories';
import type { BillingSummary, Invoice, Page } from '../api-types';

/** The text a PDF reader extracts (what search and copy-paste see), whitespace collapsed. */
async function pdfText(bytes: Uint8Array): Promise<string> {
  const { text } = await extractText(new Uint8Array(bytes), { mergePages: true });
  return text.replace(/\s+/g, ' ');
}

const INVOICE: InvoiceDocument = {
  title: 'Invoice',
  from: ['Edge CRM', 'Subscriptions and billing', 'billing@edge-crm.dev'],
  to: ['Zoë Müller GmbH', '山田太郎 (株式会社ヤマダ)', 'Ελένη Παπαδοπούλου · Дмитрий Иванов · Nguyễn Thị Hương', 'zoe@example.com'],
  meta: [
    ['Invoice number', 'ABC-0001'],
    ['Date', 'Dec 7, 2026'],
  ],
  lines: [
    { description: '1 × Starter (at $97.00 / month)', period: 'Dec 7, 2026 - Jan 7, 2027', amount: '$97.00' },
    { description: 'Unused time on Professional after 7 Dec 2026', period: null, amount: '-$12.34' },
  ],
  totals: [
    ['Subtotal', '$84.66'],
    ['Amount paid', '$84.66'],
    ['Amount due', '$0.00'],
  ],
  stamp: 'PAID',
  footer: 'in_123 - amounts in USD',
};

describe('invoice PDF', () => {
  it('sets names in Latin, Greek, Cyrillic, Vietnamese and Japanese letters as written (Zoë, Müller, 山田), not as "?"', async () => {
    const bytes = await renderInvoicePdf(INVOICE);
    const text = await pdfText(bytes);
    for (const expected of ['Zoë Müller GmbH', '山田太郎 (株式会社ヤマダ)', 'Ελένη Παπαδοπούλου', 'Дмитрий Иванов', 'Nguyễn Thị Hương'])
      expect(text).toContain(expected);
    expect(text).not.toContain('?');
  });

  it('keeps the whole invoice: number, dates, lines with periods, amounts, totals, stamp and footer', async () => {
    const text = await pdfText(await renderInvoicePdf(INVOICE));
    for (const expected of [
      'Invoice',
      'Edge CRM Subscriptions and billing billing@edge-crm.dev',
      'Invoice number ABC-0001',
      'Date Dec 7, 2026',
      'PAID',
      'Bill to',
      'Description',
      'Amount',
      '1 × Starter (at $97.00 / month)',
      'Dec 7, 2026 - Jan 7, 2027',
      '$97.00',
      'Unused time on Professional after 7 Dec 2026',
      '-$12.34',
      'Subtotal $84.66',
      'Amount paid $84.66',
      'Amount due $0.00',
      'in_123 - amounts in USD',
    ])
      expect(text).toContain(expected);
  });

  it('embeds only the fonts a document uses: no Japanese font in an invoice without Japanese', async () => {
    const latinOnly = await renderInvoicePdf({ ...INVOICE, to: ['Zoë Müller GmbH'] });
    const withJapanese = await renderInvoicePdf({ ...INVOICE, to: ['Zoë Müller GmbH', '山田'] });
    const fonts = (bytes: Uint8Array) =>
      [...new Set([...new TextDecoder('latin1').decode(bytes).matchAll(/\/BaseFont \/[A-Z]{6}\+([\w-]+)/g)].map((m) => m[1]))].sort();
    expect(fonts(latinOnly)).toEqual(['NotoSans-Bold-Latin', 'NotoSans-Latin']);
    expect(fonts(withJapanese)).toContain('NotoSansJP');
    expect(withJapanese.length - latinOnly.length).toBeLessThan(20_000);
  });

  it('an account named Zoë Müller 山田 downloads an invoice that names it as written', async () => {
    const tenant = await createTenant({ name: 'Zoë Müller 山田' });
    expect((await tenant.api<BillingSummary>('POST', '/api/billing/subscribe', { plan: 'starter', payment_method: 'pm_card_visa' })).status).toBe(201);
    const [invoice] = (await tenant.api<Page<Invoice>>('GET', '/api/billing/invoices')).body.data;
    const res = await exports.default.fetch(`${ORIGIN}${invoice.download_url}`, { headers: { authorization: `Bearer ${tenant.token}` } });
    expect(res.status).toBe(200);
    const text = await pdfText(new Uint8Array(await res.arrayBuffer()));
    expect(text).toContain('Bill to Zoë Müller 山田 Co');
    expect(text).toContain(`Invoice number ${invoice.number}`);
    expect(text).toContain('PAID');
    expect(text).toContain('Amount paid $97.00');
    expect(text).toContain('Amount due $0.00');
  });
});
