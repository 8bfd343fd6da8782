import type { ReactNode } from 'react';
import { Icon } from '../ui/icons';
import { AuthCard } from './AuthCard';

/**
 * What an emailed link (sign-up, invitation, password reset) opens when it
 * cannot be used: why, in the API's words or because its code is missing, and
 * where to go instead.
 */
export function BrokenLinkCard({
  title = 'This link does not work',
  problem,
  missingCode,
  children,
}: {
  title?: string;
  /** The API's reason, when it refused the link. */
  problem: string | null | undefined;
  /** What to say when the URL carries no code at all. */
  missingCode: string;
  /** Links to go on with. */
  children: ReactNode;
}) {
  return (
    <AuthCard>
      <h1>{title}</h1>
      <div className="alert" role="alert">
        <Icon name="alert" />
        <span>{problem ?? missingCode}</span>
      </div>
      <p className="auth-footer">{children}</p>
    </AuthCard>
  );
}
