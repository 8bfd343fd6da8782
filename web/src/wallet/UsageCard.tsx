// Spend per day over the last 30 days as a stacked bar chart, drawn in plain
// SVG. The chart is one labelled image for screen readers, backed by a
// visually hidden table with every number.
import { useEffect, useRef, useState } from 'react';
import { wallet as walletApi } from '../api/endpoints';
import type { UsageReport } from '../api/types';
import { ErrorAlert } from '../ui/components';
import { toMicros } from '../ui/format';
import { useResource } from '../ui/hooks';
import { formatUsd, microsToNumber } from './money';
import { RESOURCE_ORDER, resourceColor, resourceLabel } from './resources';

const DAYS = 30;
const HEIGHT = 220;
const PAD = { top: 12, right: 8, bottom: 26, left: 64 };

const dayFmt = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
const dayLabel = (date: string) => dayFmt.format(new Date(`${date}T00:00:00Z`));

export function UsageCard() {
  const usage = useResource((signal) => walletApi.usage(DAYS, signal), []);
  const report = usage.data;
  const total = report ? Object.values(report.totals).reduce((acc, v) => acc + toMicros(v), 0n) : 0n;
  return (
    <section className="card" aria-labelledby="usage-title">
      <div className="card-header">
        <h2 id="usage-title">Usage, last {DAYS} days</h2>
        {report && (
          <span className="usage-total">
            <span className="subtle">Total</span> <strong data-testid="usage-total">{formatUsd(total)}</strong>
          </span>
        )}
      </div>
      <div className="card-body">
        {usage.error !== undefined && !report ? (
          <ErrorAlert error={usage.error} onRetry={usage.reload} />
        ) : !report ? (
          <div className="skeleton" style={{ height: HEIGHT }} aria-hidden="true" />
        ) : (
          <UsageChart report={report} total={total} />
        )}
      </div>
    </section>
  );
}

/** A "nice" axis maximum and step (1, 2 or 5 × 10^n micro-dollars) for 4 gridlines. */
function niceScale(maxMicros: bigint): { max: bigint; step: bigint } {
  if (maxMicros <= 0n) return { max: 4_000_000n, step: 1_000_000n };
  const raw = (maxMicros + 3n) / 4n;
  let magnitude = 1n;
  while (magnitude * 10n <= raw) magnitude *= 10n;
  const step = [1n, 2n, 5n, 10n].map((m) => m * magnitude).find((s) => s >= raw) ?? magnitude * 10n;
  return { max: step * 4n, step };
}

export function UsageChart({ report, total }: { report: UsageReport; total: bigint }) {
  const wrapRef = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(720);
  useEffect(() => {
    const el = wrapRef.current;
    if (!el) return;
    const ro = new ResizeObserver(([entry]) => setWidth(Math.max(280, Math.floor(entry.contentRect.width))));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Resources that appear at all, in a fixed order so colours never shuffle.
  const known = RESOURCE_ORDER.filter((r) => report.totals[r] !== undefined);
  const extra = Object.keys(report.totals).filter((r) => !(RESOURCE_ORDER as readonly string[]).includes(r));
  const resources = [...known, ...extra];

  const days = report.days.map((d) => ({
    date: d.date,
    total: toMicros(d.total),
    parts: resources.map((r) => ({ resource: r, micros: toMicros(d.resources[r]) })).filter((p) => p.micros > 0n),
  }));
  // biome-ignore lint/complexity/useMathMinMax: amounts are bigint micro-dollars, which Math.max does not accept.
  const maxDay = days.reduce((m, d) => (d.total > m ? d.total : m), 0n);
  const { max, step } = niceScale(maxDay);

  const plotW = width - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, days.length);
  const barW = Math.max(2, Math.min(22, slot * 0.64));
  const y = (micros: bigint) => PAD.top + plotH - (microsToNumber(micros) / microsToNumber(max)) * plotH;
  const ticks = [0n, 1n, 2n, 3n, 4n].map((i) => i * step);
  // Label every n-th day, counted back from today so the latest day is always labelled.
  const labelEvery = [1, 2, 3, 5, 7, 10].find((n) => n * slot >= 52) ?? 14;

  const busiest = days.reduce<(typeof days)[number] | null>((b, d) => (d.total > 0n && (!b || d.total > b.total) ? d : b), null);
  const summary =
    total === 0n
      ? `No usage in the last ${days.length} days.`
      : `Spend per day over the last ${days.length} days, ${formatUsd(total)} in total: ${resources
          .map((r) => `${resourceLabel(r)} ${formatUsd(report.totals[r])}`)
          .join(', ')}.${busiest ? ` Highest on ${dayLabel(busiest.date)} at ${formatUsd(busiest.total)}.` : ''}`;

  return (
    <div className="usage-chart">
      <div ref={wrapRef} className="usage-chart-plot">
        <svg width={width} height={HEIGHT} viewBox={`0 0 ${width} ${HEIGHT}`} role="img" aria-label={summary} data-testid="usage-chart">
          {/* role="img" makes everything inside presentational: screen readers hear only the summary label. */}
          <g className="chart-grid">
            {ticks.map((t) => (
              <g key={String(t)}>
                <line x1={PAD.left} x2={width - PAD.right} y1={y(t)} y2={y(t)} className={t === 0n ? 'chart-axis' : undefined} />
                <text x={PAD.left - 8} y={y(t)} dy="0.32em" textAnchor="end">
                  {formatUsd(t)}
                </text>
              </g>
            ))}
          </g>
          <g>
            {days.map((d, i) => {
              const x = PAD.left + i * slot + (slot - barW) / 2;
              let acc = 0n;
              return (
                <g key={d.date} className="chart-day">
                  <title>
                    {`${dayLabel(d.date)}: ${formatUsd(d.total)}${d.parts.map((p) => `\n${resourceLabel(p.resource)}: ${formatUsd(p.micros)}`).join('')}`}
                  </title>
                  {/* An invisible full-height target so the tooltip works on empty days too. */}
                  <rect x={PAD.left + i * slot} y={PAD.top} width={slot} height={plotH} fill="transparent" />
                  {d.parts.map((p) => {
                    const top = y(acc + p.micros);
                    const bottom = y(acc);
                    acc += p.micros;
                    return (
                      <rect
                        key={p.resource}
                        x={x}
                        y={top}
                        width={barW}
                        // A sliver of usage still shows as a 1px mark.
                        height={Math.max(1, bottom - top)}
                        fill={resourceColor(p.resource)}
                        data-resource={p.resource}
                      />
                    );
                  })}
                  {(days.length - 1 - i) % labelEvery === 0 && (
                    <text
                      // Labels near the right edge end at it instead of being cut off.
                      x={PAD.left + i * slot + slot / 2 + 20 > width ? width - 1 : PAD.left + i * slot + slot / 2}
                      y={HEIGHT - 8}
                      textAnchor={PAD.left + i * slot + slot / 2 + 20 > width ? 'end' : 'middle'}
                      className="chart-xlabel"
                    >
                      {dayLabel(d.date)}
                    </text>
                  )}
                </g>
              );
            })}
          </g>
          {total === 0n && (
            <text x={PAD.left + plotW / 2} y={PAD.top + plotH / 2} textAnchor="middle" className="chart-empty">
              No usage yet
            </text>
          )}
        </svg>
      </div>
      {resources.length > 0 && (
        <ul className="chart-legend" aria-label="Legend">
          {resources.map((r) => (
            <li key={r}>
              <span className="legend-swatch" style={{ background: resourceColor(r) }} aria-hidden="true" />
              {resourceLabel(r)}
              <span className="muted">{formatUsd(report.totals[r])}</span>
            </li>
          ))}
        </ul>
      )}
      <table className="sr-only">
        <caption>Spend per day by resource</caption>
        <thead>
          <tr>
            <th scope="col">Date</th>
            {resources.map((r) => (
              <th key={r} scope="col">
                {resourceLabel(r)}
              </th>
            ))}
            <th scope="col">Total</th>
          </tr>
        </thead>
        <tbody>
          {report.days.map((d) => (
            <tr key={d.date}>
              <th scope="row">{dayLabel(d.date)}</th>
              {resources.map((r) => (
                <td key={r}>{formatUsd(d.resources[r] ?? '0')}</td>
              ))}
              <td>{formatUsd(d.total)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
