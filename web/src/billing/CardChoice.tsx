// Which card a charge goes to: the saved one, or a card picked here (saved
// first by the API, then charged). Without a saved card the picker is the
// only choice.
import type { PaymentConfig, SavedCard } from '../api/types';
import type { Resource } from '../ui/hooks';
import { cardLabel, TestCardPicker } from '../wallet/PaymentMethodCard';

/** `null` means "charge the saved card". */
export type CardSelection = string | null;

export function CardChoice({
  saved,
  config,
  value,
  onChange,
  fallback,
}: {
  saved: SavedCard | null;
  config: Resource<PaymentConfig>;
  value: CardSelection;
  onChange: (next: CardSelection) => void;
  /** The test card to pick when switching away from the saved card. */
  fallback: string;
}) {
  if (!saved) return <TestCardPicker config={config} value={value ?? fallback} onChange={onChange} legend="Card to charge" />;
  return (
    <div className="stack card-choice">
      <fieldset className="card-choice-options">
        <legend className="field-label">Pay with</legend>
        <label className="check">
          <input type="radio" name="card-choice" checked={value === null} onChange={() => onChange(null)} />
          <span>
            Saved card <strong>{cardLabel(saved)}</strong>
          </span>
        </label>
        <label className="check">
          <input type="radio" name="card-choice" checked={value !== null} onChange={() => onChange(fallback)} />
          <span>A different card</span>
        </label>
      </fieldset>
      {value !== null && <TestCardPicker config={config} value={value} onChange={onChange} />}
    </div>
  );
}
