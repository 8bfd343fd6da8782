// The DNS records to create, exactly as the API gives them, each part with a
// copy button, and what the DNS shows at that name right now.
import { useEffect, useState } from 'react';
import { useToast } from '../../ui/feedback';
import { Icon } from '../../ui/icons';
import type { CustomDomain, DnsRecord } from '../agency.api';

const FOUND: Record<DnsRecord['status'], { label: string; tone: string }> = {
  ok: { label: 'Found', tone: 'ok' },
  missing: { label: 'Not found', tone: 'pending' },
  wrong: { label: 'Different value', tone: 'danger' },
  unknown: { label: 'Lookup failed', tone: 'pending' },
};

function CopyButton({ text, what }: { text: string; what: string }) {
  const toast = useToast();
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const t = setTimeout(() => setCopied(false), 1800);
    return () => clearTimeout(t);
  }, [copied]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      toast.error('Copy failed. Select the text and copy it manually.');
    }
  };
  return (
    <button
      type="button"
      className="btn btn-ghost btn-icon btn-sm copy-button"
      onClick={copy}
      aria-label={`Copy ${what}`}
      title={copied ? 'Copied' : `Copy ${what}`}
    >
      <Icon name={copied ? 'check' : 'copy'} />
    </button>
  );
}

function CopyValue({ text, what }: { text: string; what: string }) {
  return (
    <div className="dns-value">
      <code>{text}</code>
      <CopyButton text={text} what={what} />
    </div>
  );
}

export function DnsRecordsCard({ domain }: { domain: CustomDomain }) {
  return (
    <section className="card" aria-labelledby="dns-title">
      <div className="card-header">
        <h2 id="dns-title">{domain.live ? 'DNS records' : 'DNS records to create'}</h2>
        <span className="subtle">At the DNS provider of {domain.hostname}</span>
      </div>
      <div className="table-wrap">
        <table className="table dns-table" aria-labelledby="dns-title">
          <thead>
            <tr>
              <th scope="col">Type</th>
              <th scope="col">Name</th>
              <th scope="col">Value</th>
              <th scope="col">What DNS shows now</th>
            </tr>
          </thead>
          <tbody>
            {domain.dns_records.map((r) => {
              const found = FOUND[r.status];
              return (
                <tr key={`${r.type}-${r.name}`} data-testid={`dns-${r.type}`}>
                  <td>
                    <span className="dns-type">{r.type}</span>
                  </td>
                  <td data-label="Name">
                    <CopyValue text={r.name} what={`${r.type} name`} />
                    <div className="subtle dns-purpose">{r.purpose}</div>
                  </td>
                  <td data-label="Value">
                    <CopyValue text={r.value} what={`${r.type} value`} />
                  </td>
                  <td data-label="DNS now">
                    <span className={`badge badge-${found.tone}`}>{found.label}</span>
                    {r.status !== 'ok' && r.found.length > 0 && (
                      <div className="dns-found">
                        <span className="subtle">Found:</span> <code>{r.found.join(', ')}</code>
                      </div>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <div className="card-footer dns-hint">
        <Icon name="alert" size={14} />
        <span className="subtle">
          Some DNS providers add your domain to the name on their own: then enter only the part before it. Changes can take a few minutes to show.
        </span>
      </div>
    </section>
  );
}
