// The account's invoices from Stripe, newest first, each downloadable as a PDF.
import { useState } from 'react';
import { billing as billingApi } from '../api/endpoints';
import type { Invoice } from '../api/types';
import { EmptyState, ErrorAlert, Loading, Spinner } from '../ui/components';
import { useToast } from '../ui/feedback';
import { formatDate, toMicros } from '../ui/format';
import { Icon } from '../ui/icons';
import { formatUsd } from '../wallet/money';
import { invoiceReason, invoiceStatusLabel } from './plans';
import { usePagedList } from '../ui/usePagedList';
import { LoadMore } from '../ui/LoadMore';

function DownloadButton({ invoice }: { invoice: Invoice }) {
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const download = async () => {
    setBusy(true);
    try {
      await billingApi.downloadInvoice(invoice);
    } catch (err) {
      toast.error(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <button type="button" className="btn btn-sm" onClick={download} disabled={busy}>
      {busy ? <Spinner /> : <Icon name="download" />}
      {/* On a phone the words shrink to "PDF", then to the icon; the full name stays for screen readers. */}
      <span className="download-word">Download </span>
      <span className="download-pdf">PDF</span>
      <span className="sr-only"> of invoice {invoice.number ?? invoice.id}</span>
    </button>
  );
}

export function InvoicesCard({ version }: { version: number }) {
  const list = usePagedList((cursor, signal) => billingApi.invoices(cursor, signal), [version]);
  const rows = list.items;
  return (
    <section className="card" aria-labelledby="invoices-title">
      <div className="card-header">
        <h2 id="invoices-title">Invoices</h2>
      </div>
      {list.error !== undefined && !rows ? (
        <div className="card-body">
          <ErrorAlert error={list.error} onRetry={list.reload} />
        </div>
      ) : !rows ? (
        <Loading label="Loading invoices…" />
      ) : rows.length === 0 ? (
        <EmptyState compact title="No invoices yet">
          Each subscription payment, renewal and plan change gets an invoice here.
        </EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table invoices-table" aria-labelledby="invoices-title">
              <thead>
                <tr>
                  <th scope="col">Invoice</th>
                  <th scope="col" className="hide-sm">
                    Date
                  </th>
                  <th scope="col" className="hide-sm">
                    Service period
                  </th>
                  <th scope="col" className="num">
                    Amount
                  </th>
                  <th scope="col">Status</th>
                  <th scope="col" className="actions">
                    <span className="sr-only">Download</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((inv) => {
                  const owed = toMicros(inv.amount_remaining) > 0n && inv.status === 'open';
                  return (
                    <tr key={inv.id}>
                      <td>
                        <div className="invoice-number">{inv.number ?? inv.id}</div>
                        <div className="subtle">
                          {invoiceReason(inv.billing_reason)}
                          <span className="invoice-date-inline"> · {formatDate(inv.created_at)}</span>
                        </div>
                      </td>
                      <td className="nowrap hide-sm">{formatDate(inv.created_at)}</td>
                      <td className="nowrap hide-sm muted">{inv.period_start ? `${formatDate(inv.period_start)} – ${formatDate(inv.period_end)}` : '—'}</td>
                      <td className="num">
                        <div>{formatUsd(inv.total)}</div>
                        {owed && <div className="invoice-owed">{formatUsd(inv.amount_remaining)} due</div>}
                      </td>
                      <td>
                        <span className={`badge badge-invoice-${inv.status}`}>{invoiceStatusLabel(inv.status)}</span>
                      </td>
                      <td className="actions">
                        <DownloadButton invoice={inv} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <LoadMore list={list} label="Older invoices" className="billing-more" />
        </>
      )}
    </section>
  );
}
