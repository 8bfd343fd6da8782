import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { auth } from '../api/endpoints';
import { Link, navigate } from '../shell/router';
import { useBranding } from '../ui/branding';
import { ErrorAlert, Field, Spinner } from '../ui/components';
import { usePageTitle } from '../ui/hooks';
import { Icon } from '../ui/icons';
import { AuthCard } from './AuthCard';
import { useSession } from './SessionProvider';
import './auth.css';

const MIN_PASSWORD = 10;

/** The emailed link's token rides in the fragment (`#token=`), which never reaches a server or a Referer. */
const tokenFromLink = () => new URLSearchParams(window.location.hash.slice(1)).get('token') ?? '';

/** Where the emailed link lands: choose a new password, then sign in with it. */
export default function ResetPasswordPage() {
  usePageTitle('Choose a new password');
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
      navigate(`/login?reset=1&email=${encodeURIComponent(email)}`, { replace: true });
    } catch (err) {
      setError(err);
      if (err instanceof ApiError) setErrors(err.fieldErrors);
      setBusy(false);
    }
  };

  if (!token || errors.token) {
    return (
      <AuthCard>
        <h1>This link does not work</h1>
        <div className="alert" role="alert">
          <Icon name="alert" />
          <span>{errors.token ?? 'The link is missing its code. Open the whole link from the email, or ask for a new one.'}</span>
        </div>
        <p className="auth-footer">
          <Link to="/forgot-password">Ask for a new link</Link>
          {' · '}
          <Link to="/login">Back to sign in</Link>
        </p>
      </AuthCard>
    );
  }

  return (
    <AuthCard>
      <h1>Choose a new password</h1>
      <p className="lead">Pick a password for {brand.app_name} that you do not use anywhere else. You will be signed out everywhere else.</p>
      <form onSubmit={onSubmit}>
        {error !== null && Object.keys(errors).length === 0 && <ErrorAlert error={error} />}
        <Field label="New password" error={errors.password} hint={`At least ${MIN_PASSWORD} characters.`}>
          {(p) => <input {...p} className="input" type="password" autoComplete="new-password" required autoFocus value={password} onChange={(e) => setPassword(e.target.value)} />}
        </Field>
        <Field label="New password again" error={errors.repeat}>
          {(p) => <input {...p} className="input" type="password" autoComplete="new-password" required value={repeat} onChange={(e) => setRepeat(e.target.value)} />}
        </Field>
        <button className="btn btn-primary btn-block" type="submit" disabled={busy}>
          {busy && <Spinner />}
          Set new password
        </button>
      </form>
    </AuthCard>
  );
}
