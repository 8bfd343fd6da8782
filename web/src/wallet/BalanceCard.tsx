import type { WalletBalance } from '../api/types';
import { Spinner } from '../ui/components';
import { Icon } from '../ui/icons';
import type { TopUpTracking } from './AddFundsDialog';
import { formatUsd } from './money';

/** "$19.98" large with any sub-cent digits ("0344") small, so usage-priced balances stay exact but readable. */
function BigAmount({ value }: { value: string }) {
  const full = formatUsd(value);
  const m = /^(-?\$[\d,]+\.\d{2})(\d*)$/.exec(full);
  if (!m?.[2]) return <>{full}</>;
  return (
    <>
      {m[1]}
      <span className="balance-subcent">{m[2]}</span>
    </>
  );
}

export function BalanceCard({ balance: b, tracking }: { balance: WalletBalance; tracking: TopUpTracking | null }) {
  return (
    <section className="card wallet-card" aria-labelledby="balance-title">
      <div className="card-header">
        <h2 id="balance-title">Balance</h2>
      </div>
      <div className="card-body">
        <div className="balance-label" id="available-label">
          Available
        </div>
        <div className="balance-amount" data-testid="available-balance">
          <BigAmount value={b.available} />
        </div>
        <dl className="balance-split">
          <div>
            <dt>Balance</dt>
            <dd data-testid="settled-balance">{formatUsd(b.balance)}</dd>
          </div>
          <div>
            <dt title="Set aside for work in progress, such as messages being sent">Held</dt>
            <dd>{formatUsd(b.held)}</dd>
          </div>
        </dl>
        {tracking?.phase === 'crediting' && (
          <p className="balance-note" role="status">
            <Spinner />
            Crediting {formatUsd(tracking.topUp.amount)}…
          </p>
        )}
        {tracking?.phase === 'done' && (
          <p className="balance-note balance-note-success" role="status">
            <Icon name="check" />
            {formatUsd(tracking.topUp.amount)} added
          </p>
        )}
      </div>
    </section>
  );
}
