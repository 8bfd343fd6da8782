import { useEffect, useState } from 'react';
import { ApiError } from '../api/client';
import { auth } from '../api/endpoints';
import { Link, navigate } from '../shell/router';
import { ErrorAlert, Spinner } from '../ui/components';
import { usePageTitle } from '../ui/hooks';
import { AuthCard } from './AuthCard';
import { BrokenLinkCard } from './BrokenLinkCard';
import { useSession } from './SessionProvider';
import './auth.css';

/** The emailed link's token rides in the fragment (`#token=`), which never reaches a server or a Referer. */
const tokenFromLink = () => new URLSearchParams(window.location.hash.slice(1)).get('token') ?? '';

/** One confirmation per link per page load, even if the effect runs twice (the link works once). */
const confirming = new Map<string, ReturnType<typeof auth.confirmSignup>>();

/** Where the sign-up email's link lands: creates the account, signs in, and opens the app. */
export default function ConfirmSignupPage() {
  usePageTitle('Creating your account');
  const { signIn } = useSession();
  const [token] = useState(tokenFromLink);
  const [error, setError] = useState<unknown>(null);
  const linkProblem = error instanceof ApiError ? error.fieldErrors.token : undefined;

  useEffect(() => {
    if (!token) return;
    let cancelled = false;
    if (!confirming.has(token)) confirming.set(token, auth.confirmSignup(token));
    (confirming.get(token) as ReturnType<typeof auth.confirmSignup>)
      .then((res) => {
        if (cancelled) return;
        signIn(res);
        navigate('/contacts', { replace: true });
      })
      .catch((err: unknown) => !cancelled && setError(err));
    return () => {
      cancelled = true;
    };
  }, [token, signIn]);

  if (!token || linkProblem) {
    return (
      <BrokenLinkCard problem={linkProblem} missingCode="The link is missing its code. Open the whole link from the email.">
        <Link to="/login">Sign in</Link>
        {' · '}
        <Link to="/signup">Sign up again</Link>
      </BrokenLinkCard>
    );
  }

  return (
    <AuthCard>
      <h1>Creating your account</h1>
      {error !== null ? (
        <ErrorAlert error={error} />
      ) : (
        <p className="lead">
          <Spinner /> One moment…
        </p>
      )}
    </AuthCard>
  );
}
