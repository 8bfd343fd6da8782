import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { auth } from '../api/endpoints';
import { Link, navigate, useLocation } from '../shell/router';
import { useBranding } from '../ui/branding';
import { ErrorAlert, Field, Spinner } from '../ui/components';
import { usePageTitle } from '../ui/hooks';
import { AuthCard } from './AuthCard';
import { BrokenLinkCard } from './BrokenLinkCard';
import { useSession } from './SessionProvider';
import './auth.css';

const MIN_PASSWORD = 10;

/** The emailed link's token rides in the fragment (`#token=`), which never reaches a server or a Referer. */
const tokenFromLink = () => new URLSearchParams(window.location.hash.slice(1)).get('token') ?? '';

const COPY = {
  reset: {
    title: 'Choose a new password',
    lead: (app: string) => `Pick a password for ${app} that you do not use anywhere else. You will be signed out everywhere else.`,
    button: 'Set new password',
    done: 'changed',
  },
  invite: {
    title: 'Set your password',
    lead: (app: string) => `Welcome to ${app}. Choose the password you will sign in with; use one you do not use anywhere else.`,
    button: 'Set password',
    done: 'set',
  },
} as const;

/** Where an emailed link lands (a password reset, or an invitation to a team): choose a password, then sign in with it. */
export default function ResetPasswordPage() {
  const { pathname } = useLocation();
  const copy = COPY[pathname === '/accept-invite' ? 'invite' : 'reset'];
  usePageTitle(copy.title);
  const brand = useBranding();
  const { signedIn, signOut } = useSession();
  const [token] = useState(tokenFromLink);
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (password.length < MIN_PASSWORD) return setErrors({ password: `Use at least ${MIN_PASSWORD} characters.` });
    if (password !== repeat) return setErrors({ repeat: 'The two passwords are not the same.' });
    setBusy(true);
    setError(null);
    setErrors({});
    try {
      const { email } = await auth.resetPassword({ token, password });
      // Every session of this user was signed out, this browser's too.
      if (signedIn) await signOut();
      navigate(`/login?password=${copy.done}&email=${encodeURIComponent(email)}`, { replace: true });
    } catch (err) {
      setError(err);
      if (err instanceof ApiError) setErrors(err.fieldErrors);
      setBusy(false);
    }
  };

  if (!token || errors.token) {
    return (
      <BrokenLinkCard problem={errors.token} missingCode="The link is missing its code. Open the whole link from the email, or ask for a new one.">
        <Link to="/forgot-password">Ask for a new link</Link>
        {' · '}
        <Link to="/login">Back to sign in</Link>
      </BrokenLinkCard>
    );
  }

  return (
    <AuthCard>
      <h1>{copy.title}</h1>
      <p className="lead">{copy.lead(brand.app_name)}</p>
      <form onSubmit={onSubmit}>
        {error !== null && Object.keys(errors).length === 0 && <ErrorAlert error={error} />}
        <Field label="Password" error={errors.password} hint={`At least ${MIN_PASSWORD} characters.`}>
          {(p) => (
            <input
              {...p}
              className="input"
              type="password"
              autoComplete="new-password"
              required
              autoFocus
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        <Field label="Password again" error={errors.repeat}>
          {(p) => (
            <input {...p} className="input" type="password" autoComplete="new-password" required value={repeat} onChange={(e) => setRepeat(e.target.value)} />
          )}
        </Field>
        <button className="btn btn-primary btn-block" type="submit" disabled={busy}>
          {busy && <Spinner />}
          {copy.button}
        </button>
      </form>
    </AuthCard>
  );
}
