import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { auth } from '../api/endpoints';
import { Link, useLocation } from '../shell/router';
import { useBranding } from '../ui/branding';
import { ErrorAlert, Field, Spinner } from '../ui/components';
import { usePageTitle } from '../ui/hooks';
import { AuthCard } from './AuthCard';
import './auth.css';

/** "Forgot password?": asks for a one-time link by email. The answer never says whether the email has an account. */
export default function ForgotPasswordPage() {
  usePageTitle('Reset your password');
  const brand = useBranding();
  const { search } = useLocation();
  const [email, setEmail] = useState(search.get('email') ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const fieldErrors = error instanceof ApiError ? error.fieldErrors : {};

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await auth.requestPasswordReset(email.trim());
      setSentTo(email.trim());
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (sentTo) {
    return (
      <AuthCard>
        <h1>Check your email</h1>
        <p className="lead">
          If <strong>{sentTo}</strong> has a {brand.app_name} account, a link to choose a new password is on its way. It works once, for the next hour.
        </p>
        <p className="auth-note">Nothing after a few minutes? Check your spam folder, or make sure this is the address you sign in with.</p>
        <p className="auth-footer">
          <button type="button" className="auth-link-button" onClick={() => setSentTo(null)}>
            Use another email
          </button>
          {' · '}
          <Link to="/login">Back to sign in</Link>
        </p>
      </AuthCard>
    );
  }

  return (
    <AuthCard>
      <h1>Reset your password</h1>
      <p className="lead">Enter the email you sign in to {brand.app_name} with, and we will email you a link to choose a new password.</p>
      <form onSubmit={onSubmit}>
        {error !== null && Object.keys(fieldErrors).length === 0 && <ErrorAlert error={error} />}
        <Field label="Email" error={fieldErrors.email}>
          {(p) => (
            <input {...p} className="input" type="email" autoComplete="email" required autoFocus value={email} onChange={(e) => setEmail(e.target.value)} />
          )}
        </Field>
        <button className="btn btn-primary btn-block" type="submit" disabled={busy}>
          {busy && <Spinner />}
          Email me a link
        </button>
      </form>
      <p className="auth-footer">
        Remembered it? <Link to="/login">Sign in</Link>
      </p>
    </AuthCard>
  );
}
