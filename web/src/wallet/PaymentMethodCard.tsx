import { useState } from 'react';
import { ApiError } from '../api/client';
import { wallet as walletApi } from '../api/endpoints';
import type { PaymentConfig, SavedCard } from '../api/types';
import { ErrorAlert, Loading, Spinner } from '../ui/components';
import { Dialog } from '../ui/Dialog';
import { useToast } from '../ui/feedback';
import { useResource, type Resource } from '../ui/hooks';
import { Icon } from '../ui/icons';
import './payment-method.css';

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

/** The saved card as a brand badge and label, or what to do when there is none. */
export function SavedCardLine({ card, note, empty }: { card: SavedCard | null; note: string; empty: string }) {
  if (!card) {
    return (
      <div className="saved-card is-empty">
        <span className="card-brand" aria-hidden="true">
          <Icon name="card" size={18} />
        </span>
        <span className="muted">{empty}</span>
      </div>
    );
  }
  return (
    <div className="saved-card" data-testid="saved-card">
      <span className={`card-brand card-brand-${card.brand ?? 'card'}`} aria-hidden="true">
        {card.brand === 'visa' ? 'VISA' : card.brand === 'mastercard' ? 'MC' : <Icon name="card" size={18} />}
      </span>
      <div className="stack" style={{ gap: 0 }}>
        <strong>{cardLabel(card)}</strong>
        <span className="subtle">{note}</span>
      </div>
    </div>
  );
}

export function PaymentMethodCard({ card, canManage, onChange }: { card: SavedCard | null; canManage: boolean; onChange: () => void }) {
  return (
    <section className="card wallet-card" aria-labelledby="card-title">
      <div className="card-header">
        <h2 id="card-title">Payment method</h2>
      </div>
      <div className="card-body stack">
        <SavedCardLine card={card} note="Used for top-ups and auto-recharge" empty="No card saved. Add one to top up the wallet." />
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
// PaymentMethod ids (listed by GET /api/wallet/payment-config), which the API
// passes to Stripe unchanged.
export const DEFAULT_TEST_CARD = 'pm_card_visa';

let configRequest: Promise<PaymentConfig> | null = null;

/** The card-entry configuration, fetched once per page load (a failed fetch is retried next time). */
export function usePaymentConfig() {
  return useResource(() => {
    configRequest ??= walletApi.paymentConfig().catch((err: unknown) => {
      configRequest = null;
      throw err;
    });
    return configRequest;
  }, []);
}

/** True when cards can be chosen here (sandbox test cards). */
export function canPickCard(config: PaymentConfig | undefined): boolean {
  return Boolean(config?.test_cards?.length);
}

/** Radio list of the sandbox test cards; shared by the wallet's and billing's card dialogs. */
export function TestCardPicker({
  config,
  value,
  onChange,
  legend = 'Sandbox test cards',
}: {
  config: Resource<PaymentConfig>;
  value: string;
  onChange: (paymentMethod: string) => void;
  legend?: string;
}) {
  if (config.error !== undefined && !config.data) return <ErrorAlert error={config.error} onRetry={config.reload} />;
  if (!config.data) return <Loading label="Loading cards…" />;
  const cards = config.data.test_cards;
  if (!cards?.length) {
    return <p className="muted">Card entry with Stripe is not available in the app yet. Save a card with POST /api/wallet/payment-method.</p>;
  }
  return (
    <fieldset className="test-cards">
      <legend>
        <span className="field-label">{legend}</span>
        <span className="field-hint">Entering a real card is not available yet. In sandbox mode, pick one of Stripe's test cards; no real money moves.</span>
      </legend>
      {cards.map((c) => (
        <label key={c.payment_method} className="test-card">
          <input type="radio" name="test-card" value={c.payment_method} checked={value === c.payment_method} onChange={() => onChange(c.payment_method)} />
          <span className="test-card-text">
            <span className="test-card-label">{c.label}</span>
            <span className="subtle">{c.behaviour}</span>
          </span>
          <code className="test-card-id">{c.payment_method}</code>
        </label>
      ))}
    </fieldset>
  );
}

export function ChangeCardDialog({
  open,
  onClose,
  current,
  onSaved,
  save = walletApi.savePaymentMethod,
  description,
}: {
  open: boolean;
  onClose: () => void;
  current: SavedCard | null;
  onSaved: (card: SavedCard) => void;
  /** Where the card is saved (the wallet's route by default; billing has its own, which also logs it). */
  save?: (paymentMethod: string) => Promise<SavedCard>;
  description?: string;
}) {
  const toast = useToast();
  const config = usePaymentConfig();
  const [choice, setChoice] = useState<string>(DEFAULT_TEST_CARD);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const close = () => {
    setChoice(DEFAULT_TEST_CARD);
    setError(null);
    onClose();
  };

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const card = await save(choice);
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
      description={
        description ?? (current ? `Replaces ${cardLabel(current)} for top-ups and auto-recharge.` : 'Top-ups and auto-recharge are charged to this card.')
      }
      onSubmit={submit}
      footer={
        <>
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy || !canPickCard(config.data)}>
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
        <TestCardPicker config={config} value={choice} onChange={setChoice} />
      </div>
    </Dialog>
  );
}
