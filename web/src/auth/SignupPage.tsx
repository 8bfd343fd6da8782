import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { auth } from '../api/endpoints';
import { Link } from '../shell/router';
import { AuthCard } from './AuthCard';
import { brandedByHost, signupOpenHere, useBranding } from '../ui/branding';
import { Field, Spinner } from '../ui/components';
import { usePageTitle } from '../ui/hooks';
import { Icon } from '../ui/icons';
import './auth.css';

const MIN_PASSWORD = 10;

export default function SignupPage() {
  return signupOpenHere ? <SignupForm /> : <InvitationOnly />;
}

/** An agency's domain that takes no sign-ups: accounts there are made by the agency. */
function InvitationOnly() {
  usePageTitle('Create your account');
  const brand = useBranding();
  return (
    <AuthCard>
      <h1>Accounts are by invitation</h1>
      <p className="lead">
        {brand.app_name} accounts are set up for you by the team that runs it.{' '}
        {brand.support_email ? (
          <>
            Ask <a href={`mailto:${brand.support_email}`}>{brand.support_email}</a> for an invitation.
          </>
        ) : (
          'Ask the team that gave you this address for an invitation.'
        )}
      </p>
      <p className="auth-footer">
        Already have an account? <Link to="/login">Sign in</Link>
      </p>
    </AuthCard>
  );
}

/** The answer is the same for every email (it never says whether one is registered); what happens next comes by email. */
function CheckYourEmail({ email, onBack }: { email: string; onBack: () => void }) {
  const brand = useBranding();
  return (
    <AuthCard>
      <h1>Check your email</h1>
      <p className="lead">
        We sent a link to <strong>{email}</strong> to finish creating your {brand.app_name} account. It works once, for the next 24 hours.
      </p>
      <p className="auth-note">
        Already have an account with this email? The email says how to sign in instead. Nothing after a few minutes? Check your spam folder.
      </p>
      <p className="auth-footer">
        <button type="button" className="auth-link-button" onClick={onBack}>
          Use another email
        </button>
        {' · '}
        <Link to="/login">Back to sign in</Link>
      </p>
    </AuthCard>
  );
}

function SignupForm() {
  usePageTitle('Create your account');
  const brand = useBranding();
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [form, setForm] = useState({ name: '', email: '', password: '', account_name: '', agency: false });
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});

  const set = <K extends keyof typeof form>(key: K, value: (typeof form)[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    if (errors[key]) setErrors(({ [key]: _, ...rest }) => rest);
  };

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (form.password.length < MIN_PASSWORD) {
      setErrors({ password: `Use at least ${MIN_PASSWORD} characters.` });
      return;
    }
    setBusy(true);
    setProblem(null);
    setErrors({});
    try {
      await auth.signup({
        name: form.name.trim(),
        email: form.email.trim(),
        password: form.password,
        account_name: form.account_name.trim() || undefined,
        agency: form.agency,
      });
      setSentTo(form.email.trim());
      setBusy(false);
    } catch (err) {
      if (err instanceof ApiError) {
        setErrors(err.fieldErrors);
        setProblem(err.message);
      } else {
        setProblem('Could not reach the server. Check your connection and try again.');
      }
      setBusy(false);
    }
  };

  if (sentTo) return <CheckYourEmail email={sentTo} onBack={() => setSentTo(null)} />;

  return (
    <AuthCard>
      <h1>Create your account</h1>
      <p className="lead">Start organising your contacts and deals in {brand.app_name} in minutes.</p>
      <form onSubmit={onSubmit}>
        {problem && (
          <div className="alert" role="alert">
            <Icon name="alert" />
            <span>{problem}</span>
          </div>
        )}
        <Field label="Your name" error={errors.name}>
          {(p) => <input {...p} className="input" autoComplete="name" required autoFocus value={form.name} onChange={(e) => set('name', e.target.value)} />}
        </Field>
        <Field label="Work email" error={errors.email}>
          {(p) => (
            <input {...p} className="input" type="email" autoComplete="email" required value={form.email} onChange={(e) => set('email', e.target.value)} />
          )}
        </Field>
        <Field label="Password" error={errors.password} hint={`At least ${MIN_PASSWORD} characters.`}>
          {(p) => (
            <input
              {...p}
              className="input"
              type="password"
              autoComplete="new-password"
              required
              value={form.password}
              onChange={(e) => set('password', e.target.value)}
            />
          )}
        </Field>
        <Field label="Business name" error={errors.account_name}>
          {(p) => (
            <input {...p} className="input" autoComplete="organization" value={form.account_name} onChange={(e) => set('account_name', e.target.value)} />
          )}
        </Field>
        {/* An agency's clients sign up on its domain: reselling is not offered there. */}
        {!brandedByHost && (
          <label className="agency-option">
            <input type="checkbox" checked={form.agency} onChange={(e) => set('agency', e.target.checked)} />
            <div>
              <strong>I'm an agency</strong>
              <span>Manage client sub-accounts under your own brand.</span>
            </div>
          </label>
        )}
        <button className="btn btn-primary btn-block" type="submit" disabled={busy}>
          {busy && <Spinner />}
          Create account
        </button>
      </form>
      <p className="auth-footer">
        Already have an account? <Link to="/login">Sign in</Link>
      </p>
      {brand.support_email && (
        <p className="auth-support">
          Need help? <a href={`mailto:${brand.support_email}`}>{brand.support_email}</a>
        </p>
      )}
    </AuthCard>
  );
}
