// Pays the invoice dunning is chasing, now, with the saved card or another
// one (which the API saves first). Success makes the account active at once.
import { useState } from 'react';
import { ApiError } from '../api/client';
import { billing as billingApi } from '../api/endpoints';
import type { BillingSummary, DunningCase } from '../api/types';
import { Spinner } from '../ui/components';
import { Dialog } from '../ui/Dialog';
import { useToast } from '../ui/feedback';
import { Icon } from '../ui/icons';
import { formatUsd } from '../wallet/money';
import { canPickCard, DEFAULT_TEST_CARD, usePaymentConfig } from '../wallet/PaymentMethodCard';
import { CardChoice, type CardSelection } from './CardChoice';

export function PayDialog({
  summary,
  dunning,
  onClose,
  onPaid,
  onFailed,
}: {
  summary: BillingSummary;
  dunning: DunningCase;
  onClose: () => void;
  onPaid: () => void;
  /** A declined attempt is on the timeline, and a card picked here was saved before it was charged. */
  onFailed: () => void;
}) {
  const toast = useToast();
  const config = usePaymentConfig();
  const saved = summary.payment_method;
  const [card, setCard] = useState<CardSelection>(saved ? null : DEFAULT_TEST_CARD);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const amount = formatUsd(dunning.amount_due);

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await billingApi.pay(card ?? undefined);
      toast.success(`${amount} paid. The account is active again.`);
      onPaid();
    } catch (err) {
      if (err instanceof ApiError) setError(err);
      else toast.error(err);
      onFailed();
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      onClose={onClose}
      title={`Pay ${amount} now`}
      description="Charges the unpaid invoice right away. Automations resume and the account is active again as soon as it is paid."
      onSubmit={submit}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy || (card !== null && !canPickCard(config.data))}>
            {busy && <Spinner />}
            Pay {amount}
          </button>
        </>
      }
    >
      <div className="stack">
        {error && (
          <div className="alert" role="alert">
            <Icon name="alert" />
            <span>
              {error.status === 402 ? 'Payment failed: ' : ''}
              {error.message}
            </span>
          </div>
        )}
        <CardChoice saved={saved} config={config} value={card} onChange={setCard} fallback={DEFAULT_TEST_CARD} />
      </div>
    </Dialog>
  );
}
