import { useState } from 'react';
import { ApiError } from '../api/client';
import { auth } from '../api/endpoints';
import { Link } from '../shell/router';
import { useBranding } from '../ui/branding';
import { ErrorAlert, Spinner } from '../ui/components';
import { usePageTitle } from '../ui/hooks';
import { AuthCard } from './AuthCard';
import { BrokenLinkCard } from './BrokenLinkCard';
import { useSession } from './SessionProvider';
import './auth.css';

/** The emailed link's token rides in the fragment (`#token=`), which never reaches a server or a Referer. */
const tokenFromLink = () => new URLSearchParams(window.location.hash.slice(1)).get('token') ?? '';

type Joined = { account: { id: string; name: string }; role: string; email: string };

/**
 * Where an invitation to join an account lands, for someone who already has
 * a login: nothing changes for them until they accept here.
 */
export default function JoinAccountPage() {
  usePageTitle('Join an account');
  const brand = useBranding();
  const { signedIn, reloadMe } = useSession();
  const [token] = useState(tokenFromLink);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [joined, setJoined] = useState<Joined | null>(null);
  const linkProblem = error instanceof ApiError ? error.fieldErrors.token : undefined;

  const accept = async () => {
    setBusy(true);
    setError(null);
    try {
      setJoined(await auth.acceptInvitation(token));
      if (signedIn) reloadMe();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (joined) {
    return (
      <AuthCard>
        <h1>You joined {joined.account.name}</h1>
        <p className="lead">
          {signedIn
            ? `${joined.account.name} is in your account menu.`
            : `Sign in with ${joined.email} and your usual password; ${joined.account.name} is in the account menu.`}
        </p>
        <p className="auth-footer">
          {signedIn ? <Link to="/contacts">Back to {brand.app_name}</Link> : <Link to={`/login?email=${encodeURIComponent(joined.email)}`}>Sign in</Link>}
        </p>
      </AuthCard>
    );
  }

  if (!token || linkProblem) {
    return (
      <BrokenLinkCard
        title="This invitation does not work"
        problem={linkProblem}
        missingCode="The link is missing its code. Open the whole link from the email."
      >
        <Link to="/login">Back to sign in</Link>
      </BrokenLinkCard>
    );
  }

  return (
    <AuthCard>
      <h1>Join an account on {brand.app_name}</h1>
      <p className="lead">
        You were invited to join a team's account, named in the email. Accept to add it to the accounts you sign into; until you do, nothing changes for you.
      </p>
      {error !== null && <ErrorAlert error={error} />}
      <button className="btn btn-primary btn-block" type="button" onClick={accept} disabled={busy}>
        {busy && <Spinner />}
        Accept the invitation
      </button>
      <p className="auth-footer">Not for you? Close this page; the invitation lapses in 7 days.</p>
    </AuthCard>
  );
}
