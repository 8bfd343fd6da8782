// Agency → Custom domain: serve the app to clients from the agency's own
// address. Add a hostname, create the DNS records shown (what the DNS holds
// now is beside each), and watch it go pending -> provisioning -> active; the
// page re-reads the status every few seconds until it is live. In the
// sandbox a helper creates the records and moves the certificate clock.
import { useEffect, useState } from 'react';
import { ApiError } from '../../api/client';
import { Link } from '../../shell/router';
import { ErrorAlert, Field, Loading, Spinner } from '../../ui/components';
import { useConfirm, useToast } from '../../ui/feedback';
import { formatDateTime, formatRelative } from '../../ui/format';
import { usePageTitle, useResource } from '../../ui/hooks';
import { Icon } from '../../ui/icons';
import { usePaymentConfig } from '../../wallet/PaymentMethodCard';
import { domain as domainApi, type CustomDomain } from '../agency.api';
import { AdminsOnly, AgencyOnly, useCanManage } from '../AgencyOnly';
import { ClientSignupCard } from './ClientSignupCard';
import { DnsRecordsCard } from './DnsRecordsCard';
import { DomainStatusCard } from './DomainStatusCard';
import { SandboxDnsHelper } from './SandboxDnsHelper';
import '../agency.css';
import './domain.css';

/** How often the status is re-read while the domain is on its way to live. */
const POLL_MS = 4000;
const SETTLED: CustomDomain['status'][] = ['active', 'blocked', 'removing'];

export default function DomainPage() {
  usePageTitle('Custom domain');
  return (
    <AgencyOnly icon="globe" title="Custom domains">
      <AdminsOnly icon="globe" what="the custom domain">
        <Domain />
      </AdminsOnly>
    </AgencyOnly>
  );
}

/** A domain still on its way to settled, so its status is worth reading again. */
function isPending(domain: CustomDomain | null | undefined): boolean {
  return domain !== undefined && domain !== null && !SETTLED.includes(domain.status);
}

function Domain() {
  const canManage = useCanManage();
  const toast = useToast();
  const confirm = useConfirm();
  const config = usePaymentConfig();
  const status = useResource((signal) => domainApi.status(signal), []);
  const [busy, setBusy] = useState<'verify' | 'remove' | null>(null);
  const current = status.data;

  // Poll while the domain is on its way: each answer schedules the next read.
  const { setData } = status;
  const polling = isPending(current);
  useEffect(() => {
    // Each new answer (a new `current`) schedules the next read.
    if (!isPending(current)) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      domainApi.status(controller.signal).then(
        (next) => setData(next),
        () => undefined, // a failed poll is retried by the next answer or the Check now button
      );
    }, POLL_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [current, setData]);

  const verify = async () => {
    setBusy('verify');
    try {
      setData(await domainApi.verify());
    } catch (err) {
      toast.error(err);
    } finally {
      setBusy(null);
    }
  };

  const remove = async () => {
    if (!current) return;
    const ok = await confirm({
      title: `Remove ${current.hostname}?`,
      message: `${current.hostname} stops serving your app at once, and your clients reach it at the platform's own address until you add a domain again. Delete its DNS records at your DNS provider afterwards.`,
      confirmLabel: 'Remove domain',
      danger: true,
    });
    if (!ok) return;
    setBusy('remove');
    try {
      await domainApi.remove();
      setData(null);
      toast.success(`${current.hostname} was removed`);
    } catch (err) {
      toast.error(err);
      status.reload();
    } finally {
      setBusy(null);
    }
  };

  const sandbox = config.data?.mode === 'sandbox';

  return (
    <div className="page agency-page domain-page">
      <div className="page-header">
        <div className="page-title">
          <h1>Custom domain</h1>
          <p>Your clients sign in at your own address, such as app.youragency.com, with your branding and a certificate we look after.</p>
        </div>
      </div>

      {status.error !== undefined && current === undefined ? (
        <ErrorAlert error={status.error} onRetry={status.reload} />
      ) : current === undefined ? (
        <Loading label="Loading your domain…" />
      ) : current === null ? (
        <AddDomainCard canManage={canManage} onAdded={(d) => setData(d)} />
      ) : (
        <div className="domain-layout">
          <DomainStatusCard domain={current} canManage={canManage} busy={busy} polling={polling} onVerify={verify} onRemove={remove} />
          {sandbox && canManage && !SETTLED.includes(current.status) && <SandboxDnsHelper domain={current} onChanged={setData} />}
          <DnsRecordsCard domain={current} />
          {current.live && <ClientSignupCard canManage={canManage} />}
          {current.checked_at && (
            <p className="subtle domain-checked" title={formatDateTime(current.checked_at)}>
              Last checked with Cloudflare {formatRelative(current.checked_at)}
              {polling ? ' · checking again every few seconds' : ''}.
            </p>
          )}
        </div>
      )}
    </div>
  );
}

const STEPS = [
  { title: 'Add your hostname', text: 'A subdomain of a domain you own, like app.youragency.com.' },
  { title: 'Create two DNS records', text: 'A CNAME that points it at us and a TXT record that proves it is yours.' },
  { title: 'It goes live', text: 'We verify the records and issue its certificate, usually within minutes.' },
];

function AddDomainCard({ canManage, onAdded }: { canManage: boolean; onAdded: (d: CustomDomain) => void }) {
  const [hostname, setHostname] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const api = error instanceof ApiError ? error : null;
  const fieldError = api?.fieldErrors.hostname;
  const planLimit = api?.code === 'plan_limit_reached';

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      onAdded(await domainApi.add(hostname.trim()));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card domain-add" aria-labelledby="domain-add-title">
      <div className="card-header">
        <h2 id="domain-add-title">Connect your domain</h2>
      </div>
      <div className="card-body domain-add-body">
        <ol className="domain-how">
          {STEPS.map((s, i) => (
            <li key={s.title}>
              <span className="domain-how-number" aria-hidden="true">
                {i + 1}
              </span>
              <div>
                <strong>{s.title}</strong>
                <p className="muted">{s.text}</p>
              </div>
            </li>
          ))}
        </ol>
        {canManage ? (
          <form
            className="domain-add-form"
            onSubmit={(e) => {
              e.preventDefault();
              void submit();
            }}
          >
            {error !== null && !fieldError && (
              <div className={`alert${planLimit || api?.status === 409 ? ' alert-warning' : ''}`} role="alert">
                <Icon name="alert" />
                <div className="stack" style={{ gap: 6 }}>
                  <span>{error instanceof Error ? error.message : 'Something went wrong.'}</span>
                  {planLimit && (
                    <Link to="/billing" className="alert-link">
                      Go to Billing
                      <Icon name="chevronRight" size={14} />
                    </Link>
                  )}
                </div>
              </div>
            )}
            <Field label="Hostname" error={fieldError} hint="No https:// and no path. One custom domain per agency.">
              {(p) => (
                <div className="domain-input-row">
                  <div className="input-with-icon domain-input">
                    <Icon name="globe" />
                    <input
                      {...p}
                      className="input"
                      placeholder="app.youragency.com"
                      autoComplete="off"
                      spellCheck={false}
                      required
                      value={hostname}
                      onChange={(e) => setHostname(e.target.value)}
                    />
                  </div>
                  <button type="submit" className="btn btn-primary" disabled={busy || !hostname.trim()}>
                    {busy && <Spinner />}
                    Add domain
                  </button>
                </div>
              )}
            </Field>
          </form>
        ) : (
          <p className="muted">Only owners and admins of your agency can connect a domain.</p>
        )}
      </div>
    </section>
  );
}
