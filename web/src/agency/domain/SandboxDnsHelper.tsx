// Sandbox only: stands in for the agency's DNS provider and for the time a
// certificate takes. It writes the two records into the sandbox's public DNS
// and asks for a check, then moves the sandbox Cloudflare zone's clock so the
// certificate is issued and deployed, and the domain goes live.
import { useState } from 'react';
import { Spinner } from '../../ui/components';
import { useToast } from '../../ui/feedback';
import { Icon } from '../../ui/icons';
import { domain as domainApi, sandboxDns, type CustomDomain } from '../agency.api';

/** Issuance plus deployment take 15 s each on the emulator's clock (cloudflare.constants.ts). */
const CERTIFICATE_SECONDS = 30;

export function SandboxDnsHelper({ domain, onChanged }: { domain: CustomDomain; onChanged: (d: CustomDomain) => void }) {
  const toast = useToast();
  const [busy, setBusy] = useState<'records' | 'clock' | null>(null);
  const recordsInPlace = domain.dns_records.every((r) => r.status === 'ok');
  const provisioning = domain.status === 'provisioning';

  const createRecords = async () => {
    setBusy('records');
    try {
      for (const r of domain.dns_records) await sandboxDns.put({ name: r.name, type: r.type, content: r.value });
      onChanged(await domainApi.verify());
      toast.success('Both records are in the sandbox DNS');
    } catch (err) {
      toast.error(err);
    } finally {
      setBusy(null);
    }
  };

  const advance = async () => {
    setBusy('clock');
    try {
      await sandboxDns.advanceClock(CERTIFICATE_SECONDS);
      const next = await domainApi.status();
      if (next) onChanged(next);
    } catch (err) {
      toast.error(err);
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="sandbox-panel" aria-labelledby="sandbox-dns-title">
      <div className="sandbox-panel-head">
        <span className="sandbox-tag">Sandbox</span>
        <h2 id="sandbox-dns-title">
          <Icon name="globe" />
          Sandbox DNS
        </h2>
      </div>
      <p>
        Nothing here reaches a real DNS provider. The sandbox keeps its own DNS and a test Cloudflare: create the two records there, then move the certificate
        clock forward to watch the domain go live. The clock is shared by everyone on this server.
      </p>
      <div className="sandbox-steps">
        <button type="button" className="btn btn-sm" onClick={createRecords} disabled={busy !== null || (recordsInPlace && domain.status !== 'pending')}>
          {busy === 'records' ? <Spinner /> : <Icon name="plus" />}
          1. Create both records
        </button>
        {recordsInPlace && (
          <span className="sandbox-step-done">
            <Icon name="check" size={14} />
            Records in place
          </span>
        )}
        <Icon name="chevronRight" className="sandbox-arrow" />
        <button type="button" className="btn btn-sm" onClick={advance} disabled={busy !== null || !provisioning}>
          {busy === 'clock' ? <Spinner /> : <Icon name="clock" />}
          2. Advance certificate clock {CERTIFICATE_SECONDS} s
        </button>
        {!provisioning && !recordsInPlace && <span className="sandbox-step-done">after the records are verified</span>}
      </div>
    </section>
  );
}
