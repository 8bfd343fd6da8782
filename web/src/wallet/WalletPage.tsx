// The prepaid wallet that pays for usage (SMS, calls, email, AI): balance and
// warnings, adding funds by card, the saved card, auto-recharge, a 30-day
// usage chart, the transaction ledger and recent top-ups.
import { useEffect, useRef, useState } from 'react';
import { wallet as walletApi } from '../api/endpoints';
import type { TopUp, WalletBalance } from '../api/types';
import { useSession } from '../auth/SessionProvider';
import { ErrorAlert, Loading, Spinner } from '../ui/components';
import { useToast } from '../ui/feedback';
import { moneyToInput, toMicros } from '../ui/format';
import { usePageTitle, useResource } from '../ui/hooks';
import { Icon } from '../ui/icons';
import { AddFundsDialog, type TopUpTracking } from './AddFundsDialog';
import { AutoRechargeCard } from './AutoRechargeCard';
import { BalanceCard } from './BalanceCard';
import { ChangeCardDialog, PaymentMethodCard } from './PaymentMethodCard';
import { TopUpsCard } from './TopUpsCard';
import { TransactionsCard } from './TransactionsCard';
import { UsageCard } from './UsageCard';
import { formatUsd } from './money';
import './wallet.css';

const POLL_MS = 700;
const POLL_FOR_MS = 15_000;

export default function WalletPage() {
  usePageTitle('Wallet');
  const { me } = useSession();
  const canManage = me?.role === 'owner' || me?.role === 'admin';
  const balance = useResource((signal) => walletApi.balance(signal), []);
  const topUps = useResource((signal) => walletApi.topUps(signal), []);
  // Both setters are stable (useCallback in useResource): the polls below may depend on them.
  const { setData: setBalance } = balance;
  const { setData: setTopUps } = topUps;
  const [addOpen, setAddOpen] = useState(false);
  const [cardOpen, setCardOpen] = useState(false);
  const [tracking, setTracking] = useState<TopUpTracking | null>(null);
  // Bumped when new money lands, so the ledger refetches.
  const [ledgerVersion, setLedgerVersion] = useState(0);

  // After add-funds answers 202 the card has been charged; the wallet is
  // credited when Stripe's webhook arrives. Poll until the top-up settles.
  const trackingRef = useRef(tracking);
  trackingRef.current = tracking;
  const trackedId = tracking?.phase === 'crediting' ? tracking.topUp.id : null;
  useEffect(() => {
    if (!trackedId) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const started = Date.now();
    const finish = (next: Partial<TopUpTracking>) => {
      const current = trackingRef.current;
      if (current && current.topUp.id === trackedId) setTracking({ ...current, ...next });
    };
    const tick = async () => {
      try {
        const [b, list] = await Promise.all([walletApi.balance(), walletApi.topUps()]);
        if (stopped) return;
        setBalance(b);
        setTopUps(list);
        const topUp = list.data.find((t) => t.id === trackedId);
        if (topUp?.status === 'succeeded') {
          setLedgerVersion((v) => v + 1);
          return finish({ phase: 'done', topUp, balance: b });
        }
        if (topUp && (topUp.status === 'failed' || topUp.status === 'requires_action')) {
          return finish({ phase: 'failed', topUp });
        }
      } catch {
        // A dropped poll is retried on the next tick.
      }
      if (stopped) return;
      if (Date.now() - started > POLL_FOR_MS) return finish({ phase: 'slow' });
      timer = setTimeout(tick, POLL_MS);
    };
    timer = setTimeout(tick, POLL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [trackedId, setBalance, setTopUps]);

  // While an auto-recharge is being charged, follow it until it settles.
  const recharging = Boolean(balance.data?.auto_recharge.in_progress);
  const [rechargePolls, setRechargePolls] = useState(0);
  useEffect(() => {
    if (!recharging) {
      setRechargePolls(0);
      return;
    }
    if (rechargePolls > 40) return;
    const timer = setTimeout(async () => {
      try {
        const [next, list] = await Promise.all([walletApi.balance(), walletApi.topUps()]);
        setBalance(next);
        setTopUps(list);
        if (!next.auto_recharge.in_progress) setLedgerVersion((v) => v + 1);
      } catch {
        // Try again on the next tick.
      }
      setRechargePolls((n) => n + 1);
    }, 1500);
    return () => clearTimeout(timer);
  }, [recharging, rechargePolls, setBalance, setTopUps]);

  const b = balance.data;
  const openAddFunds = () => {
    // A finished top-up's result is not shown again; one still crediting is.
    if (tracking && tracking.phase !== 'crediting') setTracking(null);
    setAddOpen(true);
  };

  const onCardSaved = (card: WalletBalance['payment_method']) => {
    if (balance.data) balance.setData({ ...balance.data, payment_method: card });
  };

  return (
    <div className="page wallet-page">
      <div className="page-header">
        <div className="page-title">
          <h1>Wallet</h1>
          <p>Prepaid funds that pay for SMS, calls, email and AI usage in this account.</p>
        </div>
        {canManage && b && (
          <button type="button" className="btn btn-primary" onClick={openAddFunds}>
            <Icon name="plus" />
            Add funds
          </button>
        )}
      </div>

      {balance.error !== undefined && !b ? (
        <ErrorAlert error={balance.error} onRetry={balance.reload} />
      ) : !b ? (
        <Loading label="Loading wallet…" />
      ) : (
        <>
          <WalletAlerts
            balance={b}
            canManage={canManage}
            onAddFunds={openAddFunds}
            onChangeCard={() => setCardOpen(true)}
            onRetried={(next) => balance.setData(next)}
          />
          <div className="wallet-top">
            <BalanceCard balance={b} tracking={tracking} />
            <PaymentMethodCard card={b.payment_method} canManage={canManage} onChange={() => setCardOpen(true)} />
            <AutoRechargeCard balance={b} canManage={canManage} onSaved={(next) => balance.setData(next)} />
          </div>
          <div className="wallet-middle">
            <UsageCard />
            <TopUpsCard topUps={topUps} />
          </div>
          <TransactionsCard version={ledgerVersion} />
          <AddFundsDialog
            open={addOpen}
            onClose={() => {
              setAddOpen(false);
              if (tracking && tracking.phase !== 'crediting') setTracking(null);
            }}
            card={b.payment_method}
            tracking={tracking}
            onStarted={(topUp: TopUp) => {
              setTracking({ phase: 'crediting', topUp, balance: null, before: b.available });
              topUps.setData((prev) => ({ data: [topUp, ...(prev?.data ?? []).filter((t) => t.id !== topUp.id)], next_cursor: null }));
            }}
            onFailed={() => topUps.reload()}
            onAddCard={() => {
              setAddOpen(false);
              setCardOpen(true);
            }}
          />
          <ChangeCardDialog open={cardOpen} onClose={() => setCardOpen(false)} current={b.payment_method} onSaved={onCardSaved} />
        </>
      )}
    </div>
  );
}

function WalletAlerts({
  balance: b,
  canManage,
  onAddFunds,
  onChangeCard,
  onRetried,
}: {
  balance: WalletBalance;
  canManage: boolean;
  onAddFunds: () => void;
  onChangeCard: () => void;
  onRetried: (b: WalletBalance) => void;
}) {
  const toast = useToast();
  const [retrying, setRetrying] = useState(false);
  const failure = b.auto_recharge.failure;
  // Saving the same settings again clears the failure and makes the API try
  // the (possibly new) card once more.
  const retry = async () => {
    setRetrying(true);
    try {
      onRetried(
        await walletApi.configureAutoRecharge({
          enabled: true,
          threshold: moneyToInput(b.auto_recharge.threshold),
          amount: moneyToInput(b.auto_recharge.amount),
        }),
      );
      toast.info('Retrying auto-recharge…');
    } catch (err) {
      toast.error(err);
    } finally {
      setRetrying(false);
    }
  };
  const low = toMicros(b.available) < toMicros(b.low_balance_threshold);
  const paused = b.auto_recharge.enabled && !failure ? b.auto_recharge.paused_until : null;
  if (!failure && !low && !paused) return null;
  return (
    <div className="wallet-alerts">
      {paused && (
        <div className="alert alert-warning" role="status" data-testid="auto-recharge-paused">
          <Icon name="alert" />
          <div className="spacer">
            <strong>Auto-recharge paused until {new Date(paused).toUTCString().replace(/:00 GMT$/, ' UTC')}.</strong> It has added its daily limit of{' '}
            {formatUsd(b.auto_recharge.daily_limit)} today.{canManage ? ' Add funds by hand to keep usage running until then.' : ''}
          </div>
        </div>
      )}
      {failure && (
        <div className="alert" role="alert" data-testid="auto-recharge-failure">
          <Icon name="alert" />
          <div className="spacer">
            <strong>Auto-recharge failed.</strong> {failure}{' '}
            {canManage ? 'Change the card and retry, or add funds by hand to keep usage running.' : 'Ask an owner or admin to update the card.'}
          </div>
          {canManage && (
            <div className="row">
              <button type="button" className="btn btn-sm" onClick={onChangeCard}>
                Change card
              </button>
              {b.auto_recharge.enabled && b.payment_method && (
                <button type="button" className="btn btn-sm" onClick={retry} disabled={retrying}>
                  {retrying && <Spinner />}
                  Retry now
                </button>
              )}
            </div>
          )}
        </div>
      )}
      {low && (
        <div className="alert alert-warning" role="status" data-testid="low-balance">
          <Icon name="alert" />
          <div className="spacer">
            <strong>Low balance.</strong> {formatUsd(b.available)} available, below your {formatUsd(b.low_balance_threshold)} threshold. SMS, calls, email and
            AI features stop when the wallet runs out.
            {b.auto_recharge.enabled &&
              !failure &&
              !paused &&
              ` Auto-recharge adds ${formatUsd(b.auto_recharge.amount)} when it drops below ${formatUsd(b.auto_recharge.threshold)}.`}
          </div>
          {canManage && (
            <button type="button" className="btn btn-sm" onClick={onAddFunds}>
              Add funds
            </button>
          )}
        </div>
      )}
    </div>
  );
}
