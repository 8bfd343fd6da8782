// The agency screens work only in an agency's own account: inside a client
// account (or a plain business) they say where to go instead of failing.
import type { ReactNode } from 'react';
import { useSession } from '../auth/SessionProvider';
import { EmptyState } from '../ui/components';
import type { IconName } from '../ui/icons';

export function AgencyOnly({ icon, title, children }: { icon: IconName; title: string; children: ReactNode }) {
  const { me, returnToOwnAccount } = useSession();
  if (me?.account.kind === 'agency') return <>{children}</>;
  const inClient = Boolean(me?.acting_user);
  return (
    <div className="page">
      <EmptyState
        icon={icon}
        title={`${title} are managed from your agency account`}
        action={
          inClient ? (
            <button type="button" className="btn btn-primary" onClick={() => void returnToOwnAccount()}>
              Return to your agency
            </button>
          ) : undefined
        }
      >
        {inClient
          ? `You are working inside ${me?.account.name ?? 'a client account'}. Return to your agency account to manage this.`
          : 'This page is for agency accounts, which resell the app to their clients.'}
      </EmptyState>
    </div>
  );
}

/** For screens the API keeps to owners and admins (the audit log, the custom domain, plans and pricing, usage margins). */
export function AdminsOnly({ icon, what, children }: { icon: IconName; what: string; children: ReactNode }) {
  if (useCanManage()) return <>{children}</>;
  return (
    <div className="page">
      <EmptyState icon={icon} title={`Only owners and admins of your agency see ${what}`}>
        Ask one of them if you need access.
      </EmptyState>
    </div>
  );
}

/** Owners and admins manage; members of the agency read. */
export function useCanManage(): boolean {
  const { me } = useSession();
  return me?.role === 'owner' || me?.role === 'admin';
}
