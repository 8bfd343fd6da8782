// Client sign-up on the agency's domain: off, visitors sign in with accounts
// the agency made; on, whoever signs up there gets a new client account of
// the agency's, listed under Clients.
import { useState } from 'react';
import { ApiError } from '../../api/client';
import { ErrorAlert, Loading } from '../../ui/components';
import { useToast } from '../../ui/feedback';
import { useResource } from '../../ui/hooks';
import { clientSignup } from '../agency.api';

export function ClientSignupCard({ canManage }: { canManage: boolean }) {
  const setting = useResource((signal) => clientSignup.get(signal), []);
  const toast = useToast();
  /** The value being saved, shown at once; null when nothing is in flight. */
  const [saving, setSaving] = useState<boolean | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const current = setting.data;

  const change = async (enabled: boolean) => {
    setSaving(enabled);
    setProblem(null);
    try {
      setting.setData(await clientSignup.set(enabled));
      toast.success(enabled ? 'Clients can now sign up on your domain.' : 'Sign-up on your domain is closed.');
    } catch (err) {
      setProblem(err instanceof ApiError ? err.message : 'Could not reach the server. Try again.');
    } finally {
      setSaving(null);
    }
  };

  return (
    <section className="card" aria-labelledby="client-signup-title">
      <div className="card-header">
        <h2 id="client-signup-title">Client sign-up</h2>
      </div>
      <div className="card-body stack">
        {setting.error !== undefined && !current ? (
          <ErrorAlert error={setting.error} onRetry={setting.reload} />
        ) : !current ? (
          <Loading label="Loading…" />
        ) : (
          <>
            <label className="switch">
              <input
                type="checkbox"
                role="switch"
                checked={saving ?? current.enabled}
                aria-checked={saving ?? current.enabled}
                disabled={!canManage || saving !== null}
                onChange={(e) => change(e.target.checked)}
              />
              Let new clients sign up on your domain
            </label>
            <p className="subtle">
              {current.enabled
                ? 'Each sign-up gets its own client account, listed under Clients, on the plan you choose for it there.'
                : 'Closed: the sign-in page offers no sign-up, and visitors are told accounts are by invitation. You add clients under Clients.'}
              {current.enabled && current.signup_url && (
                <>
                  {' '}
                  Share <a href={current.signup_url}>{current.signup_url}</a>.
                </>
              )}
            </p>
            {problem && (
              <div className="alert" role="alert">
                {problem}
              </div>
            )}
          </>
        )}
      </div>
    </section>
  );
}
