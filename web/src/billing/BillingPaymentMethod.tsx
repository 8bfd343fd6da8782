// The card subscriptions, renewals and dunning retries charge (the same card
// the wallet tops up from).
import type { SavedCard } from '../api/types';
import { Icon } from '../ui/icons';
import { SavedCardLine } from '../wallet/PaymentMethodCard';

export function BillingPaymentMethod({ card, canManage, onChange }: { card: SavedCard | null; canManage: boolean; onChange: () => void }) {
  return (
    <section className="card billing-card" aria-labelledby="billing-card-title">
      <div className="card-header">
        <h2 id="billing-card-title">Billing card</h2>
      </div>
      <div className="card-body stack">
        <SavedCardLine
          card={card}
          note="Charged for the plan, renewals and retries; wallet top-ups use it too"
          empty="No card saved. Subscribing asks for one."
        />
        {canManage ? (
          <div>
            <button type="button" className="btn" onClick={onChange}>
              <Icon name="card" />
              {card ? 'Change card' : 'Add a card'}
            </button>
          </div>
        ) : (
          <p className="subtle">Only owners and admins can change the card.</p>
        )}
      </div>
    </section>
  );
}
