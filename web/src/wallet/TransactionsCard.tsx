// The ledger: every credit, debit and refund, newest first, filtered by
// resource and date (kept in the URL), paged by cursor, exportable as CSV.
import { useState } from 'react';
import { wallet as walletApi, type TransactionQuery } from '../api/endpoints';
import type { UsageResourceType, WalletTransaction } from '../api/types';
import { setSearchParams, useLocation } from '../shell/router';
import { EmptyState, ErrorAlert, Spinner } from '../ui/components';
import { useToast } from '../ui/feedback';
import { formatDateTime } from '../ui/format';
import { useResource } from '../ui/hooks';
import { Icon } from '../ui/icons';
import { formatUsd, localDate, localDayStart } from './money';
import { formatQuantity, RESOURCE_ORDER, RESOURCES, resourceColor, resourceLabel } from './resources';

const PAGE_SIZE = 50;

function describe(tx: WalletTransaction): string {
  if (tx.type === 'credit' && tx.reason === 'top_up') return tx.description || 'Card top-up';
  if (tx.resource_type) {
    const qty = formatQuantity(tx.resource_type, tx.quantity);
    return `${resourceLabel(tx.resource_type)}${qty ? ` · ${qty}` : ''}`;
  }
  return tx.description || (tx.reason ? tx.reason.replace(/_/g, ' ') : tx.type);
}

export function TransactionsCard({ version }: { version: number }) {
  const toast = useToast();
  const { search } = useLocation();
  const resourceParam = search.get('resource') ?? '';
  const resource = (RESOURCE_ORDER as readonly string[]).includes(resourceParam) ? (resourceParam as UsageResourceType) : '';
  const from = search.get('from') ?? '';
  const to = search.get('to') ?? '';
  const rangeError = from && to && from > to ? 'The start date is after the end date.' : null;

  const filter: Omit<TransactionQuery, 'cursor' | 'limit'> = {
    resource_type: resource || undefined,
    from: from ? localDayStart(from) : undefined,
    // The end date is inclusive for people; the API's `to` is exclusive.
    to: to ? localDayStart(to, 1) : undefined,
  };

  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const pageIndex = cursors.length - 1;
  const filterKey = `${resource}|${from}|${to}`;
  const [lastKey, setLastKey] = useState(filterKey);
  if (filterKey !== lastKey) {
    setLastKey(filterKey);
    setCursors([null]);
  }
  const cursor = cursors[pageIndex];
  const list = useResource(
    (signal) => (rangeError ? Promise.resolve({ data: [], next_cursor: null }) : walletApi.transactions({ ...filter, cursor, limit: PAGE_SIZE }, signal)),
    [filterKey, cursor, version],
  );

  const [exporting, setExporting] = useState(false);
  const exportCsv = async () => {
    setExporting(true);
    try {
      const parts = ['wallet-transactions', resource, from || null, to || localDate()].filter(Boolean);
      await walletApi.exportTransactions(filter, `${parts.join('-')}.csv`);
    } catch (err) {
      toast.error(err);
    } finally {
      setExporting(false);
    }
  };

  const rows = list.data?.data ?? [];
  const filtered = Boolean(resource || from || to);

  return (
    <section className="card" aria-labelledby="tx-title">
      <div className="card-header">
        <h2 id="tx-title">Transactions</h2>
        <button type="button" className="btn btn-sm" onClick={exportCsv} disabled={exporting || Boolean(rangeError)}>
          {exporting ? <Spinner /> : <Icon name="download" />}
          Export CSV
        </button>
      </div>
      <search className="wallet-toolbar" aria-label="Filter transactions">
        <div className="toolbar-field">
          <label htmlFor="tx-resource">Resource</label>
          <select id="tx-resource" className="select" value={resource} onChange={(e) => setSearchParams({ resource: e.target.value })}>
            <option value="">All activity</option>
            {RESOURCE_ORDER.map((r) => (
              <option key={r} value={r}>
                {RESOURCES[r].label}
              </option>
            ))}
          </select>
        </div>
        <div className="toolbar-field">
          <label htmlFor="tx-from">From</label>
          <input
            id="tx-from"
            type="date"
            className="input"
            value={from}
            max={to || undefined}
            aria-invalid={rangeError ? true : undefined}
            onChange={(e) => setSearchParams({ from: e.target.value })}
          />
        </div>
        <div className="toolbar-field">
          <label htmlFor="tx-to">To</label>
          <input
            id="tx-to"
            type="date"
            className="input"
            value={to}
            min={from || undefined}
            aria-invalid={rangeError ? true : undefined}
            onChange={(e) => setSearchParams({ to: e.target.value })}
          />
        </div>
        {filtered && (
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setSearchParams({ resource: null, from: null, to: null })}>
            <Icon name="x" />
            Clear filters
          </button>
        )}
      </search>
      {rangeError && (
        <div style={{ padding: '12px 16px 0' }}>
          <div className="alert alert-warning" role="alert">
            <Icon name="alert" />
            <span>{rangeError}</span>
          </div>
        </div>
      )}
      {list.error !== undefined ? (
        <div style={{ padding: 16 }}>
          <ErrorAlert error={list.error} onRetry={list.reload} />
        </div>
      ) : !list.data ? (
        <div className="loading-block" role="status">
          <Spinner large />
          <span>Loading transactions…</span>
        </div>
      ) : rows.length === 0 ? (
        filtered ? (
          <EmptyState icon="search" title="No transactions match">
            Try another resource or date range.
          </EmptyState>
        ) : (
          <EmptyState icon="wallet" title="No transactions yet">
            Top-ups and usage charges will be listed here.
          </EmptyState>
        )
      ) : (
        <div className="table-wrap" aria-busy={list.loading}>
          <table className={`table tx-table${list.loading ? ' is-refreshing' : ''}`}>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Description</th>
                <th scope="col" className="hide-sm">
                  Type
                </th>
                <th scope="col" className="num">
                  Amount
                </th>
                <th scope="col" className="num hide-xs">
                  Balance after
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((tx) => (
                <tr key={tx.id}>
                  <td className="nowrap muted">{formatDateTime(tx.created_at)}</td>
                  <td>
                    <span className="tx-desc">
                      {tx.resource_type && <span className="legend-swatch" style={{ background: resourceColor(tx.resource_type) }} aria-hidden="true" />}
                      {describe(tx)}
                    </span>
                  </td>
                  <td className="hide-sm">
                    <span className={`badge badge-tx-${tx.type}`}>{tx.type}</span>
                  </td>
                  <td className={`num nowrap ${tx.amount.startsWith('-') ? '' : 'tx-credit'}`}>{formatUsd(tx.amount, { sign: true })}</td>
                  <td className="num nowrap muted hide-xs">{formatUsd(tx.balance_after)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {(pageIndex > 0 || list.data?.next_cursor) && (
        <nav className="wallet-pager" aria-label="Transactions pages">
          <span className="muted">Page {pageIndex + 1}</span>
          <div className="row">
            <button type="button" className="btn btn-sm" disabled={pageIndex === 0 || list.loading} onClick={() => setCursors((c) => c.slice(0, -1))}>
              <Icon name="chevronLeft" />
              Newer
            </button>
            <button
              type="button"
              className="btn btn-sm"
              disabled={!list.data?.next_cursor || list.loading}
              onClick={() => {
                const next = list.data?.next_cursor;
                if (next) setCursors((c) => [...c, next]);
              }}
            >
              Older
              <Icon name="chevronRight" />
            </button>
          </div>
        </nav>
      )}
    </section>
  );
}
