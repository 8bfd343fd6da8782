// Agency → Usage margins: for each client (sub-account), what its usage was
// charged at the agency's prices, what the agency paid the platform for it,
// and the difference. The period is kept in the URL.
import { useState } from 'react';
import { ApiError } from '../api/client';
import { agency as agencyApi } from '../api/endpoints';
import type { MarginLine } from '../api/types';
import { useSession } from '../auth/SessionProvider';
import { setSearchParams, useLocation } from '../shell/router';
import { EmptyState, ErrorAlert, Loading } from '../ui/components';
import { formatDate, toMicros } from '../ui/format';
import { usePageTitle, useResource } from '../ui/hooks';
import { Icon } from '../ui/icons';
import { formatUsd, localDate, localDayStart } from '../wallet/money';
import { formatQuantity, resourceColor, resourceLabel } from '../wallet/resources';
import { AdminsOnly } from './AgencyOnly';
import './margins.css';

const PRESETS = [
  { id: '7', label: 'Last 7 days', days: 7 },
  { id: '30', label: 'Last 30 days', days: 30 },
  { id: '90', label: 'Last 90 days', days: 90 },
] as const;

/** Margin as a share of what was charged: "33.3%", or "—" when nothing was charged. */
function marginPercent(line: MarginLine): string {
  const charged = toMicros(line.charged);
  if (charged === 0n) return '—';
  const tenths = (toMicros(line.margin) * 1000n) / charged;
  const sign = tenths < 0n ? '-' : '';
  const abs = tenths < 0n ? -tenths : tenths;
  return `${sign}${abs / 10n}.${abs % 10n}%`;
}

function MoneyCells({ line }: { line: MarginLine }) {
  const negative = toMicros(line.margin) < 0n;
  return (
    <>
      <td className="num">{formatUsd(line.charged)}</td>
      <td className="num muted">{formatUsd(line.cost)}</td>
      <td className={`num margin-value${negative ? ' is-negative' : ''}`}>{formatUsd(line.margin)}</td>
      <td className="num muted hide-sm">{marginPercent(line)}</td>
    </>
  );
}

export default function MarginsPage() {
  usePageTitle('Usage margins');
  // What the agency earns on its clients is for its owners and admins (the API refuses members).
  return (
    <AdminsOnly icon="chart" what="usage margins">
      <Margins />
    </AdminsOnly>
  );
}

function Margins() {
  const { me } = useSession();
  const { search } = useLocation();
  const preset = search.get('range') ?? (search.get('from') || search.get('to') ? 'custom' : '30');
  const presetDays = PRESETS.find((p) => p.id === preset)?.days;
  const from = presetDays ? localDate(-(presetDays - 1)) : (search.get('from') ?? '');
  const to = presetDays ? localDate() : (search.get('to') ?? '');
  const rangeError = from && to && from > to ? 'The start date is after the end date.' : null;

  const report = useResource(
    (signal) => agencyApi.margins({ from: from ? localDayStart(from) : undefined, to: to ? localDayStart(to, 1) : undefined }, signal),
    [from, to],
  );
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const toggle = (id: string) =>
    setExpanded((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const isAgency = me?.account.kind === 'agency';
  const forbidden = report.error instanceof ApiError && report.error.status === 403;
  if (!isAgency || forbidden) {
    return (
      <div className="page">
        <EmptyState icon="chart" title="Usage margins are for agency accounts">
          Switch to your agency account to see what your client accounts were charged and what you earned on their usage.
        </EmptyState>
      </div>
    );
  }

  const data = report.data;
  const totals = data?.totals;

  return (
    <div className="page margins-page">
      <div className="page-header">
        <div className="page-title">
          <h1>Usage margins</h1>
          <p>What each client account paid for usage at your prices, what it cost you at platform prices, and what you kept.</p>
        </div>
      </div>

      <fieldset className="plain-fieldset margins-filters" aria-label="Period">
        <div className="segmented">
          {PRESETS.map((p) => (
            <button
              key={p.id}
              type="button"
              className="segmented-item"
              aria-pressed={preset === p.id}
              onClick={() => setSearchParams({ range: p.id === '30' ? null : p.id, from: null, to: null })}
            >
              {p.label}
            </button>
          ))}
          <button type="button" className="segmented-item" aria-pressed={preset === 'custom'} onClick={() => setSearchParams({ range: 'custom', from, to })}>
            Custom
          </button>
        </div>
        {preset === 'custom' && (
          <div className="row">
            <label htmlFor="margins-from" className="filter-label">
              From
            </label>
            <input
              id="margins-from"
              type="date"
              className="input"
              value={from}
              max={to || undefined}
              onChange={(e) => setSearchParams({ range: 'custom', from: e.target.value })}
            />
            <label htmlFor="margins-to" className="filter-label">
              To
            </label>
            <input
              id="margins-to"
              type="date"
              className="input"
              value={to}
              min={from || undefined}
              onChange={(e) => setSearchParams({ range: 'custom', to: e.target.value })}
            />
          </div>
        )}
      </fieldset>

      {rangeError ? (
        <div className="alert alert-warning" role="alert">
          <Icon name="alert" />
          <span>{rangeError}</span>
        </div>
      ) : report.error !== undefined && !data ? (
        <ErrorAlert error={report.error} onRetry={report.reload} />
      ) : !data || !totals ? (
        <Loading label="Loading margins…" />
      ) : (
        <>
          <div className="margin-stats" aria-live="polite">
            <div className="card margin-stat">
              <span className="margin-stat-label">Charged to clients</span>
              <span className="margin-stat-value" data-testid="total-charged">
                {formatUsd(totals.charged)}
              </span>
            </div>
            <div className="card margin-stat">
              <span className="margin-stat-label">Platform cost</span>
              <span className="margin-stat-value" data-testid="total-cost">
                {formatUsd(totals.cost)}
              </span>
            </div>
            <div className="card margin-stat">
              <span className="margin-stat-label">Your margin</span>
              <span className={`margin-stat-value margin-value${toMicros(totals.margin) < 0n ? ' is-negative' : ''}`} data-testid="total-margin">
                {formatUsd(totals.margin)}
              </span>
              <span className="subtle">{marginPercent(totals)} of charges</span>
            </div>
          </div>

          <section className="card" aria-labelledby="margins-table-title">
            <div className="card-header">
              <h2 id="margins-table-title">By client account</h2>
              <span className="subtle">
                {formatDate(data.from)} – {formatDate(new Date(Date.parse(data.to) - 1).toISOString())}
              </span>
            </div>
            {data.sub_accounts.every((line) => toMicros(line.charged) === 0n && toMicros(line.cost) === 0n) ? (
              <EmptyState icon="chart" title="No client usage in this period">
                When your client accounts send messages, make calls or use AI, their charges and your margin show up here.
              </EmptyState>
            ) : (
              <div className="table-wrap">
                <table className="table margins-table">
                  <thead>
                    <tr>
                      <th scope="col">Client account</th>
                      <th scope="col" className="num">
                        Charged
                      </th>
                      <th scope="col" className="num">
                        Cost
                      </th>
                      <th scope="col" className="num">
                        Margin
                      </th>
                      <th scope="col" className="num hide-sm">
                        Margin %
                      </th>
                    </tr>
                  </thead>
                  {data.sub_accounts.map((a) => {
                    const open = expanded.has(a.account_id);
                    return (
                      <tbody key={a.account_id} id={`margin-${a.account_id}`} className="margin-account">
                        <tr className="margin-account-row">
                          <th scope="row">
                            <button
                              type="button"
                              className="margin-toggle"
                              aria-expanded={open}
                              aria-controls={`margin-${a.account_id}`}
                              aria-label={`${a.name}: ${open ? 'hide' : 'show'} usage by resource`}
                              onClick={() => toggle(a.account_id)}
                            >
                              <Icon name={open ? 'chevronDown' : 'chevronRight'} />
                              {a.name}
                            </button>
                          </th>
                          <MoneyCells line={a} />
                        </tr>
                        {open &&
                          a.resources.map((r) => (
                            <tr key={r.resource_type} className="margin-resource-row">
                              <td>
                                <span className="margin-resource">
                                  <span className="legend-dot" style={{ background: resourceColor(r.resource_type) }} aria-hidden="true" />
                                  {resourceLabel(r.resource_type)}
                                  <span className="subtle">{formatQuantity(r.resource_type, r.quantity)}</span>
                                </span>
                              </td>
                              <MoneyCells line={r} />
                            </tr>
                          ))}
                      </tbody>
                    );
                  })}
                  <tfoot>
                    <tr>
                      <th scope="row">Total</th>
                      <MoneyCells line={totals} />
                    </tr>
                  </tfoot>
                </table>
              </div>
            )}
          </section>
        </>
      )}
    </div>
  );
}
