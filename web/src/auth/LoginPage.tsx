import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { auth } from '../api/endpoints';
import { Link, navigate, useLocation } from '../shell/router';
import { AuthCard } from './AuthCard';
import { signupOpenHere, useBranding } from '../ui/branding';
import { ErrorAlert, Field, Spinner } from '../ui/components';
import { usePageTitle } from '../ui/hooks';
import { Icon } from '../ui/icons';
import { useSession } from './SessionProvider';
import './auth.css';

/** Only same-app paths are accepted as a post-login destination. */
export function safeNext(next: string | null): string {
  return next?.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/contacts';
}

/** What the sign-in page says after an emailed link was used (`?password=`). */
const PASSWORD_NEWS: Record<string, string> = {
  changed: 'Your password is changed. Sign in with the new one.',
  set: 'Your password is set. Sign in to get started.',
};

export default function LoginPage() {
  usePageTitle('Sign in');
  const { signIn } = useSession();
  const brand = useBranding();
  const { search } = useLocation();
  const passwordNews = PASSWORD_NEWS[search.get('password') ?? ''];
  const [email, setEmail] = useState(search.get('email') ?? '');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fieldErrors = error instanceof ApiError ? error.fieldErrors : {};

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await auth.login({ email: email.trim(), password });
      signIn(res);
      navigate(safeNext(search.get('next')), { replace: true });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <AuthCard>
      <h1>Welcome back</h1>
      <p className="lead">Sign in to {brand.app_name} to manage your contacts and pipeline.</p>
      <form onSubmit={onSubmit}>
        {passwordNews && error === null && (
          <div className="alert alert-success" role="status">
            <Icon name="check" />
            <span>{passwordNews}</span>
          </div>
        )}
        <ErrorAlert error={error} />
        <Field label="Email" error={fieldErrors.email}>
          {(p) => (
            <input
              {...p}
              className="input"
              type="email"
              autoComplete="email"
              required
              autoFocus={!email}
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          )}
        </Field>
        <Field label="Password" error={fieldErrors.password}>
          {(p) => (
            <input
              {...p}
              className="input"
              type="password"
              autoComplete="current-password"
              required
              autoFocus={Boolean(email)}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        <p className="auth-forgot">
          <Link to={email.trim() ? `/forgot-password?email=${encodeURIComponent(email.trim())}` : '/forgot-password'}>Forgot password?</Link>
        </p>
        <button className="btn btn-primary btn-block" type="submit" disabled={busy}>
          {busy && <Spinner />}
          Sign in
        </button>
      </form>
      {signupOpenHere && (
        <p className="auth-footer">
          New here? <Link to="/signup">Create an account</Link>
        </p>
      )}
      {brand.support_email && (
        <p className="auth-support">
          Need help? <a href={`mailto:${brand.support_email}`}>{brand.support_email}</a>
        </p>
      )}
    </AuthCard>
  );
}
