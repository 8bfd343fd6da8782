// The agency's usage prices: for each resource, what it pays the platform,
// its multiplier on cost, what clients pay and the margin on each unit,
// recomputed exactly as you type (integer micro-dollars). A multiplier that
// sells under the platform price is flagged before saving; one under 1.0 the
// API refuses, and its error shows on the row.
import { Fragment, useEffect, useState } from 'react';
import { ApiError } from '../../api/client';
import { Spinner } from '../../ui/components';
import { useToast } from '../../ui/feedback';
import { Icon } from '../../ui/icons';
import { formatUsd } from '../../wallet/money';
import { resourceColor } from '../../wallet/resources';
import { usageMarkup, type UsagePrice } from '../agency.api';
import { aboveMaximum, belowCost, marginMicros, MAX_MULTIPLIER, parseMultiplier, perUnit, priceMicros } from './markup';

interface Draft {
  multiplier: string;
  /** Back to the platform default on save (sends null). */
  reset: boolean;
}

const draftsOf = (list: UsagePrice[]): Record<string, Draft> =>
  Object.fromEntries(list.map((p) => [p.resource_type, { multiplier: p.multiplier, reset: false }]));

export function UsageMarkupCard({ prices, canManage, onSaved }: { prices: UsagePrice[]; canManage: boolean; onSaved: (next: UsagePrice[]) => void }) {
  const toast = useToast();
  const [drafts, setDrafts] = useState(() => draftsOf(prices));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => setDrafts(draftsOf(prices)), [prices]);

  const changes: Record<string, string | null> = {};
  for (const p of prices) {
    const d = drafts[p.resource_type];
    if (!d) continue;
    if (d.reset) {
      if (p.custom) changes[p.resource_type] = null;
    } else if (d.multiplier.trim() !== p.multiplier) changes[p.resource_type] = d.multiplier.trim();
  }
  const dirty = Object.keys(changes).length > 0;

  const set = (resource: string, draft: Draft) => {
    setDrafts((prev) => ({ ...prev, [resource]: draft }));
    setErrors((prev) => {
      const next = { ...prev };
      delete next[resource];
      return next;
    });
  };

  const save = async () => {
    setBusy(true);
    setProblem(null);
    setErrors({});
    try {
      onSaved(await usageMarkup.update(changes));
      toast.success('Usage prices saved');
    } catch (err) {
      if (err instanceof ApiError) {
        setErrors(err.fieldErrors);
        setProblem(err.message);
      } else toast.error(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="markup-title">
      <div className="card-header">
        <h2 id="markup-title">Usage prices</h2>
        <span className="subtle">What your clients pay for messages, calls and AI, as a multiple of the platform's cost</span>
      </div>
      {problem && (
        <div className="card-body markup-problem">
          <div className="alert" role="alert">
            <Icon name="alert" />
            <span>{problem}</span>
          </div>
        </div>
      )}
      <div className="table-wrap">
        <table className="table markup-table" aria-label="Usage prices">
          <thead>
            <tr>
              <th scope="col">Resource</th>
              <th scope="col" className="num">
                You pay
              </th>
              <th scope="col">Multiplier on cost</th>
              <th scope="col" className="num">
                Clients pay
              </th>
              <th scope="col" className="num">
                Your margin
              </th>
            </tr>
          </thead>
          <tbody>
            {prices.map((p) => {
              const d = drafts[p.resource_type] ?? { multiplier: p.multiplier, reset: false };
              const text = d.reset ? p.platform_multiplier : d.multiplier;
              const m = parseMultiplier(text);
              const price = m ? priceMicros(p.cost, m) : null;
              const margin = m ? marginMicros(p.cost, p.platform_price, m) : null;
              const unit = perUnit(p.unit, p.unit_size);
              const apiError = errors[p.resource_type];
              const warning = !m
                ? 'Use a decimal like 2.0, with at most 4 places.'
                : belowCost(m)
                  ? `Below 1.0 sells under cost, so it will be refused. At 1.0 clients pay the cost, ${formatUsd(p.cost)} ${unit}.`
                  : aboveMaximum(m)
                    ? `At most ${MAX_MULTIPLIER}.0 times cost, so it will be refused.`
                    : margin !== null && margin < 0n
                      ? `Below the platform price: you would lose ${formatUsd(-margin)} on every ${p.unit_size === 1 ? p.unit : `${p.unit_size.toLocaleString('en-US')} ${p.unit}s`}. Use at least ${p.platform_multiplier} to break even.`
                      : null;
              const id = `markup-${p.resource_type}`;
              // Malformed, under cost or refused: an error. Under the platform price: a warning the API accepts.
              const invalid = !m || belowCost(m) || aboveMaximum(m) || Boolean(apiError);
              return (
                <Fragment key={p.resource_type}>
                  <tr className={warning || apiError ? 'has-warning' : undefined} data-testid={id}>
                    <th scope="row">
                      <span className="markup-resource">
                        <span className="legend-dot" style={{ background: resourceColor(p.resource_type) }} aria-hidden="true" />
                        <span>
                          <span className="markup-label">{p.label}</span>
                          <span className="subtle">{unit}</span>
                        </span>
                      </span>
                    </th>
                    <td className="num">
                      {formatUsd(p.platform_price)}
                      <div className="subtle">cost {formatUsd(p.cost)}</div>
                    </td>
                    <td>
                      <div className="markup-input">
                        <span aria-hidden="true">×</span>
                        <label htmlFor={id} className="sr-only">
                          {p.label} multiplier
                        </label>
                        <input
                          id={id}
                          className={`input input-sm${warning && !invalid ? ' is-warning' : ''}`}
                          inputMode="decimal"
                          value={text}
                          disabled={!canManage}
                          aria-invalid={invalid ? true : undefined}
                          aria-describedby={warning || apiError ? `${id}-warning` : undefined}
                          onChange={(e) => set(p.resource_type, { multiplier: e.target.value, reset: false })}
                        />
                        {canManage && (p.custom || d.multiplier !== p.platform_multiplier) && !d.reset && (
                          <button
                            type="button"
                            className="btn btn-ghost btn-sm markup-reset"
                            onClick={() => set(p.resource_type, { multiplier: p.platform_multiplier, reset: true })}
                            title={`Back to the platform's ×${p.platform_multiplier}`}
                          >
                            Reset
                          </button>
                        )}
                      </div>
                      <div className="subtle">
                        {d.reset
                          ? 'Back to the platform default on save'
                          : !p.custom && d.multiplier === p.platform_multiplier
                            ? 'Platform default'
                            : `Platform default ×${p.platform_multiplier}`}
                      </div>
                    </td>
                    <td className="num markup-price">{price === null ? '—' : formatUsd(price)}</td>
                    <td
                      className={`num markup-margin${margin !== null && margin < 0n ? ' is-negative' : margin === 0n ? ' is-zero' : ''}`}
                      data-testid={`${id}-margin`}
                    >
                      {margin === null ? '—' : formatUsd(margin, { sign: true })}
                      {margin !== null && price !== null && price > 0n && <div className="subtle">{percent(margin, price)} of the price</div>}
                    </td>
                  </tr>
                  {(warning || apiError) && (
                    <tr className="markup-warning-row">
                      <td colSpan={5} id={`${id}-warning`} role={apiError ? 'alert' : undefined}>
                        <span className={`markup-warning${apiError ? ' is-error' : ''}`}>
                          <Icon name="alert" size={14} />
                          {apiError ? `${apiError} The API refused this multiplier.` : warning}
                        </span>
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
      {canManage && (
        <div className="card-footer">
          <span className="spacer subtle">Margins are per unit, before any usage. Prices apply to your clients' usage from the moment you save.</span>
          {dirty && (
            <button
              type="button"
              className="btn btn-sm"
              disabled={busy}
              onClick={() => {
                setDrafts(draftsOf(prices));
                setErrors({});
                setProblem(null);
              }}
            >
              Discard
            </button>
          )}
          <button type="button" className="btn btn-primary btn-sm" onClick={save} disabled={busy || !dirty}>
            {busy && <Spinner />}
            Save prices
          </button>
        </div>
      )}
    </section>
  );
}

/** Margin as a share of the price, to one decimal: "33.3%". */
function percent(margin: bigint, price: bigint): string {
  const tenths = (margin * 1000n) / price;
  const sign = tenths < 0n ? '-' : '';
  const abs = tenths < 0n ? -tenths : tenths;
  return `${sign}${abs / 10n}.${abs % 10n}%`;
}
