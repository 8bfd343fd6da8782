import { useState } from 'react';
import { ApiError } from '../api/client';
import { wallet as walletApi } from '../api/endpoints';
import type { SavedCard, TopUp, WalletBalance } from '../api/types';
import { Field, Spinner } from '../ui/components';
import { Dialog } from '../ui/Dialog';
import { useToast } from '../ui/feedback';
import { normalizeMoneyInput, toMicros } from '../ui/format';
import { Icon } from '../ui/icons';
import { cardLabel } from './PaymentMethodCard';
import { formatUsd } from './money';

/** A top-up on its way into the wallet (the page polls; the dialog shows it). */
export interface TopUpTracking {
  phase: 'crediting' | 'done' | 'failed' | 'slow';
  topUp: TopUp;
  /** The wallet once credited. */
  balance: WalletBalance | null;
  /** Available funds when the payment was made. */
  before: string;
}

const PRESETS = ['25', '50', '100'] as const;
const MIN_MICROS = 5_000_000n;

export function AddFundsDialog({
  open,
  onClose,
  card,
  tracking,
  onStarted,
  onFailed,
  onAddCard,
}: {
  open: boolean;
  onClose: () => void;
  card: SavedCard | null;
  tracking: TopUpTracking | null;
  onStarted: (topUp: TopUp) => void;
  onFailed: () => void;
  onAddCard: () => void;
}) {
  const toast = useToast();
  const [choice, setChoice] = useState<string>('50');
  const [custom, setCustom] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [localError, setLocalError] = useState<string | null>(null);

  const amount = choice === 'custom' ? normalizeMoneyInput(custom) : `${choice}.00`;
  const choose = (next: string) => {
    setChoice(next);
    setLocalError(null);
    setError(null);
  };

  const close = () => {
    setChoice('50');
    setCustom('');
    setError(null);
    setLocalError(null);
    onClose();
  };

  const submit = async () => {
    setError(null);
    setLocalError(null);
    if (!amount) return setLocalError('Enter an amount like 75.00.');
    if (toMicros(amount) < MIN_MICROS) return setLocalError('The minimum is $5.00.');
    setBusy(true);
    try {
      // One key per submit: a network retry of this request never charges twice.
      const topUp = await walletApi.addFunds(amount, crypto.randomUUID());
      onStarted(topUp);
    } catch (err) {
      if (err instanceof ApiError) {
        setError(err);
        if (err.status === 402) onFailed();
      } else toast.error(err);
    } finally {
      setBusy(false);
    }
  };

  // After the payment: progress, then the outcome.
  if (open && tracking) {
    return <TrackingView open={open} onClose={close} tracking={tracking} />;
  }

  const fieldError = localError ?? error?.fieldErrors.amount;
  const generalError = error && !error.fieldErrors.amount ? error : null;

  return (
    <Dialog
      open={open}
      onClose={close}
      title="Add funds"
      description={card ? `Charged to ${cardLabel(card)}. Funds are available as soon as the payment is confirmed.` : undefined}
      size="sm"
      onSubmit={submit}
      footer={
        card ? (
          <>
            <button type="button" className="btn" onClick={close}>
              Cancel
            </button>
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy && <Spinner />}
              {amount && toMicros(amount) >= MIN_MICROS ? `Add ${formatUsd(amount)}` : 'Add funds'}
            </button>
          </>
        ) : (
          <>
            <button type="button" className="btn" onClick={close}>
              Cancel
            </button>
            <button type="button" className="btn btn-primary" onClick={onAddCard}>
              Add a card
            </button>
          </>
        )
      }
    >
      {!card ? (
        <p className="muted">Save a card first. Top-ups and auto-recharge are charged to it.</p>
      ) : (
        <div className="stack">
          {generalError && (
            <div className="alert" role="alert">
              <Icon name="alert" />
              <span>{generalError.status === 402 ? `Payment failed: ${generalError.message}` : generalError.message}</span>
            </div>
          )}
          <fieldset className="amount-picker">
            <legend className="field-label">Amount</legend>
            <div className="amount-options">
              {PRESETS.map((p) => (
                <label key={p} className="amount-option">
                  <input type="radio" name="amount" value={p} checked={choice === p} onChange={() => choose(p)} />
                  <span>${p}</span>
                </label>
              ))}
              <label className="amount-option">
                <input type="radio" name="amount" value="custom" checked={choice === 'custom'} onChange={() => choose('custom')} />
                <span>Other</span>
              </label>
            </div>
          </fieldset>
          {choice === 'custom' ? (
            <Field label="Custom amount" error={fieldError} hint="At least $5.00.">
              {(p) => (
                <div className="money-input">
                  <span aria-hidden="true">$</span>
                  <input
                    {...p}
                    className="input"
                    inputMode="decimal"
                    autoFocus
                    placeholder="75.00"
                    value={custom}
                    onChange={(e) => {
                      setCustom(e.target.value);
                      setLocalError(null);
                    }}
                  />
                </div>
              )}
            </Field>
          ) : (
            fieldError && <span className="field-error">{fieldError}</span>
          )}
        </div>
      )}
    </Dialog>
  );
}

function TrackingView({ open, onClose, tracking }: { open: boolean; onClose: () => void; tracking: TopUpTracking }) {
  const amount = formatUsd(tracking.topUp.amount);
  const title = tracking.phase === 'done' ? 'Funds added' : tracking.phase === 'failed' ? 'Payment failed' : 'Adding funds';
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={title}
      size="sm"
      footer={
        <button type="button" className="btn btn-primary" onClick={onClose} autoFocus>
          {tracking.phase === 'crediting' ? 'Close' : 'Done'}
        </button>
      }
    >
      <div className="topup-progress" role="status" aria-live="polite">
        {tracking.phase === 'crediting' && (
          <>
            <span className="topup-progress-icon">
              <Spinner large />
            </span>
            <div>
              <strong>Payment confirmed, crediting…</strong>
              <p className="muted">{amount} is on its way into the wallet. This takes a moment.</p>
            </div>
          </>
        )}
        {tracking.phase === 'done' && (
          <>
            <span className="topup-progress-icon is-success">
              <Icon name="check" size={22} />
            </span>
            <div>
              <strong>{amount} added to the wallet</strong>
              <p className="muted" data-testid="new-balance">
                New available balance: {formatUsd(tracking.balance?.available ?? tracking.before)}
              </p>
            </div>
          </>
        )}
        {tracking.phase === 'failed' && (
          <>
            <span className="topup-progress-icon is-danger">
              <Icon name="alert" size={22} />
            </span>
            <div>
              <strong>{amount} could not be added</strong>
              <p className="muted">
                {tracking.topUp.status === 'requires_action'
                  ? 'The bank asked for authentication. Use another card.'
                  : tracking.topUp.failure || 'The payment did not go through.'}
              </p>
            </div>
          </>
        )}
        {tracking.phase === 'slow' && (
          <>
            <span className="topup-progress-icon">
              <Icon name="clock" size={22} />
            </span>
            <div>
              <strong>Still waiting for Stripe</strong>
              <p className="muted">
                The payment of {amount} was accepted, but Stripe has not confirmed it yet. The balance updates as soon as it does; you can close this.
              </p>
            </div>
          </>
        )}
      </div>
    </Dialog>
  );
}
