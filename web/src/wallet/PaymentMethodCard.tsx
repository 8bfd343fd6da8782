import { useState } from 'react';
import { ApiError } from '../api/client';
import { wallet as walletApi } from '../api/endpoints';
import type { SavedCard } from '../api/types';
import { Spinner } from '../ui/components';
import { Dialog } from '../ui/Dialog';
import { useToast } from '../ui/feedback';
import { Icon } from '../ui/icons';

const BRANDS: Record<string, string> = {
  visa: 'Visa',
  mastercard: 'Mastercard',
  amex: 'American Express',
  discover: 'Discover',
  diners: 'Diners Club',
  jcb: 'JCB',
  unionpay: 'UnionPay',
};

export function brandName(brand: string | null | undefined): string {
  if (!brand) return 'Card';
  return BRANDS[brand] ?? brand.charAt(0).toUpperCase() + brand.slice(1);
}

/** "Visa •••• 4242" */
export function cardLabel(card: SavedCard): string {
  return `${brandName(card.brand)}${card.last4 ? ` •••• ${card.last4}` : ''}`;
}

export function PaymentMethodCard({
  card,
  canManage,
  onChange,
}: {
  card: SavedCard | null;
  canManage: boolean;
  onChange: () => void;
}) {
  return (
    <section className="card wallet-card" aria-labelledby="card-title">
      <div className="card-header">
        <h2 id="card-title">Payment method</h2>
      </div>
      <div className="card-body stack">
        {card ? (
          <div className="saved-card" data-testid="saved-card">
            <span className={`card-brand card-brand-${card.brand ?? 'card'}`} aria-hidden="true">
              {card.brand === 'visa' ? 'VISA' : card.brand === 'mastercard' ? 'MC' : <Icon name="card" size={18} />}
            </span>
            <div className="stack" style={{ gap: 0 }}>
              <strong>{cardLabel(card)}</strong>
              <span className="subtle">Used for top-ups and auto-recharge</span>
            </div>
          </div>
        ) : (
          <div className="saved-card is-empty">
            <span className="card-brand" aria-hidden="true">
              <Icon name="card" size={18} />
            </span>
            <span className="muted">No card saved. Add one to top up the wallet.</span>
          </div>
        )}
        {canManage ? (
          <div>
            <button type="button" className="btn" onClick={onChange}>
              <Icon name="card" />
              {card ? 'Change card' : 'Add a card'}
            </button>
          </div>
        ) : (
          <p className="subtle">Only owners and admins can change the card or add funds.</p>
        )}
      </div>
    </section>
  );
}

// Live card entry needs Stripe.js Elements and a publishable key, which the
// app does not load yet. Until then the sandbox offers Stripe's own test
// PaymentMethod ids, which the API passes to Stripe unchanged.
const TEST_CARDS = [
  { id: 'pm_card_visa', label: 'Visa 4242', hint: 'Succeeds' },
  { id: 'pm_card_mastercard', label: 'Mastercard 4444', hint: 'Succeeds' },
  { id: 'pm_card_chargeCustomerFail', label: 'Visa 0341', hint: 'Saves, then declines every charge' },
  { id: 'pm_card_chargeDeclined', label: 'Visa 0002', hint: 'Declined' },
  { id: 'pm_card_authenticationRequired', label: 'Visa 3184', hint: 'Needs 3-D Secure' },
] as const;

export function ChangeCardDialog({
  open,
  onClose,
  current,
  onSaved,
}: {
  open: boolean;
  onClose: () => void;
  current: SavedCard | null;
  onSaved: (card: SavedCard) => void;
}) {
  const toast = useToast();
  const [choice, setChoice] = useState<string>(TEST_CARDS[0].id);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const close = () => {
    setChoice(TEST_CARDS[0].id);
    setError(null);
    onClose();
  };

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const card = await walletApi.savePaymentMethod(choice);
      onSaved(card);
      toast.success(`${cardLabel(card)} saved`);
      close();
    } catch (err) {
      if (err instanceof ApiError) setError(err);
      else toast.error(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={open}
      onClose={close}
      title={current ? 'Change card' : 'Add a card'}
      description={current ? `Replaces ${cardLabel(current)} for top-ups and auto-recharge.` : 'Top-ups and auto-recharge are charged to this card.'}
      onSubmit={submit}
      footer={
        <>
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy && <Spinner />}
            Save card
          </button>
        </>
      }
    >
      <div className="stack">
        {error && (
          <div className="alert" role="alert">
            <Icon name="alert" />
            <span>
              {error.status === 402 ? 'The card was not saved: ' : ''}
              {error.message}
            </span>
          </div>
        )}
        <fieldset className="test-cards">
          <legend>
            <span className="field-label">Sandbox test cards</span>
            <span className="field-hint">
              Entering a real card is not available yet. In sandbox mode, pick one of Stripe's test cards; no real money
              moves.
            </span>
          </legend>
          {TEST_CARDS.map((c) => (
            <label key={c.id} className="test-card">
              <input type="radio" name="test-card" value={c.id} checked={choice === c.id} onChange={() => setChoice(c.id)} />
              <span className="test-card-text">
                <span className="test-card-label">{c.label}</span>
                <span className="subtle">{c.hint}</span>
              </span>
              <code className="test-card-id">{c.id}</code>
            </label>
          ))}
        </fieldset>
      </div>
    </Dialog>
  );
}
