// Sandbox only: moves the shared test billing clock forward so a renewal, a
// failed payment and each dunning step can be walked through in minutes.
import { useState } from 'react';
import { billing as billingApi } from '../api/endpoints';
import type { ClockAdvance } from '../api/types';
import { Spinner } from '../ui/components';
import { useToast } from '../ui/feedback';
import { formatDateTime } from '../ui/format';
import { Icon } from '../ui/icons';

const STEPS = [1, 7, 30] as const;

export function SandboxClock({ onAdvanced }: { onAdvanced: (result: ClockAdvance) => void }) {
  const toast = useToast();
  const [busy, setBusy] = useState<number | null>(null);
  const [now, setNow] = useState<string | null>(null);

  const advance = async (days: number) => {
    setBusy(days);
    try {
      const result = await billingApi.advanceClock(days);
      setNow(result.now);
      onAdvanced(result);
    } catch (err) {
      toast.error(err);
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="sandbox-clock" aria-labelledby="sandbox-clock-title">
      <span className="sandbox-tag">Sandbox</span>
      <div className="sandbox-clock-text">
        <h2 id="sandbox-clock-title">
          <Icon name="clock" />
          Sandbox clock
        </h2>
        <p className="subtle">
          Moves the test billing clock forward: renewals, Stripe webhooks and dunning run as if the time had passed. Shared by every account on this server.
        </p>
      </div>
      <div className="sandbox-clock-actions">
        {now && (
          <span className="sandbox-clock-now" role="status" data-testid="sandbox-clock-now">
            Now {formatDateTime(now)}
          </span>
        )}
        <fieldset className="plain-fieldset row" aria-label="Move the billing clock forward">
          {STEPS.map((days) => (
            <button key={days} type="button" className="btn btn-sm" disabled={busy !== null} onClick={() => advance(days)}>
              {busy === days && <Spinner />}+{days} {days === 1 ? 'day' : 'days'}
            </button>
          ))}
        </fieldset>
      </div>
    </section>
  );
}
