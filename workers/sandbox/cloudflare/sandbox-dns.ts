/**
 * The sandbox's public DNS: the records a test or a sandbox user puts in
 * place of the real internet's, and how a recursive resolver answers from
 * them (CNAME chains followed, NXDOMAIN versus NODATA). Pure rules; the
 * SandboxDns Durable Object stores the records and applies these.
 */

export const DNS_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'TXT'] as const;
export type DnsRecordType = (typeof DNS_RECORD_TYPES)[number];

/** RFC 1035 / 3596 type numbers, as DNS-over-HTTPS JSON answers carry them. */
export const DNS_TYPE_CODES: Record<DnsRecordType, number> = { A: 1, CNAME: 5, TXT: 16, AAAA: 28 };

export interface SandboxDnsRecord {
  id: string;
  name: string;
  type: DnsRecordType;
  content: string;
  ttl: number;
  created_at: string;
}

export interface DnsRecordInput {
  name: string;
  type: string;
  content: string;
  ttl?: number;
}

/** One answer in the `application/dns-json` shape (1.1.1.1's JSON API). */
export interface DnsAnswer {
  name: string;
  type: number;
  TTL: number;
  data: string;
}

/** DNS RCODEs the sandbox answers: 0 NOERROR, 3 NXDOMAIN. */
export interface DnsResolution {
  Status: 0 | 3;
  Answer: DnsAnswer[];
}

/** A resolver gives up on chains longer than this, as real ones do. */
export const MAX_CNAME_CHAIN = 8;

/** `App.Example.COM.` -> `app.example.com`. */
export function normalizeDnsName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

const DNS_LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

function isDnsName(name: string): boolean {
  return name.length > 0 && name.length <= 253 && name.split('.').every((label) => DNS_LABEL.test(label));
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9a-f:]+$/i;

/**
 * Checks and normalizes one record; answers the record's fields or what is wrong with it.
 *
 * @example validateDnsRecord({ name: 'App.Acme.com.', type: 'cname', content: 'edge.edge-crm.dev.' })
 * // { ok: true, record: { name: 'app.acme.com', type: 'CNAME', content: 'edge.edge-crm.dev', ttl: 300 } }
 */
export function validateDnsRecord(input: DnsRecordInput): { ok: true; record: Omit<SandboxDnsRecord, 'id' | 'created_at'> } | { ok: false; error: string } {
  const name = normalizeDnsName(String(input.name ?? ''));
  if (!isDnsName(name)) return { ok: false, error: `"${input.name}" is not a DNS name.` };
  const type = String(input.type ?? '').toUpperCase();
  if (!(DNS_RECORD_TYPES as readonly string[]).includes(type))
    return { ok: false, error: `The sandbox DNS holds ${DNS_RECORD_TYPES.join(', ')} records, not "${input.type}".` };
  const ttl = input.ttl ?? 300;
  if (!Number.isInteger(ttl) || ttl < 60 || ttl > 86_400) return { ok: false, error: 'ttl is whole seconds between 60 and 86400.' };
  let content = String(input.content ?? '');
  switch (type as DnsRecordType) {
    case 'CNAME':
      content = normalizeDnsName(content);
      if (!isDnsName(content)) return { ok: false, error: `A CNAME points at a hostname; "${input.content}" is not one.` };
      if (content === name) return { ok: false, error: 'A CNAME cannot point at itself.' };
      break;
    case 'A':
      content = content.trim();
      if (!IPV4.test(content)) return { ok: false, error: `An A record holds an IPv4 address; "${input.content}" is not one.` };
      break;
    case 'AAAA':
      content = content.trim().toLowerCase();
      if (!IPV6.test(content) || !content.includes(':')) return { ok: false, error: `An AAAA record holds an IPv6 address; "${input.content}" is not one.` };
      break;
    case 'TXT':
      if (content.length === 0 || content.length > 2048) return { ok: false, error: 'A TXT record holds 1 to 2048 characters.' };
      break;
  }
  return { ok: true, record: { name, type: type as DnsRecordType, content, ttl } };
}

/** TXT data on the wire: quoted character-strings of at most 255 bytes each. */
function txtData(content: string): string {
  const chunks: string[] = [];
  for (let i = 0; i < content.length; i += 255) chunks.push(content.slice(i, i + 255));
  return chunks.map((c) => `"${c.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(' ');
}

function answerOf(record: Pick<SandboxDnsRecord, 'name' | 'type' | 'content' | 'ttl'>): DnsAnswer {
  const data = record.type === 'CNAME' ? `${record.content}.` : record.type === 'TXT' ? txtData(record.content) : record.content;
  return { name: record.name, type: DNS_TYPE_CODES[record.type], TTL: record.ttl, data };
}

export interface ZoneFileView {
  /** Every record at exactly this name. */
  at(name: string): Pick<SandboxDnsRecord, 'name' | 'type' | 'content' | 'ttl'>[];
  /** True when some record exists at this name or below it (so the name is not NXDOMAIN). */
  exists(name: string): boolean;
}

/**
 * Answers a query the way a recursive resolver does: a CNAME at the name is
 * returned and, for any other type, followed to its target (up to 8 hops);
 * a name with no records at or below it is NXDOMAIN; a name that exists
 * without the asked type is NOERROR with no answer.
 */
export function resolveDns(zone: ZoneFileView, name: string, type: DnsRecordType): DnsResolution {
  const answers: DnsAnswer[] = [];
  let current = normalizeDnsName(name);
  for (let hop = 0; hop <= MAX_CNAME_CHAIN; hop++) {
    const records = zone.at(current);
    const cname = records.find((r) => r.type === 'CNAME');
    if (type === 'CNAME' || !cname) {
      for (const r of records.filter((r) => r.type === type)) answers.push(answerOf(r));
      break;
    }
    answers.push(answerOf(cname));
    current = cname.content;
  }
  const Status = answers.length === 0 && !zone.exists(normalizeDnsName(name)) ? 3 : 0;
  return { Status, Answer: answers };
}

/** Records that cannot sit together: a CNAME owns its name alone (RFC 1034 3.6.2). */
export function cnameConflict(existing: Pick<SandboxDnsRecord, 'type'>[], adding: DnsRecordType): string | null {
  if (adding === 'CNAME' && existing.some((r) => r.type !== 'CNAME')) return 'A CNAME record cannot share its name with other records; remove them first.';
  if (adding !== 'CNAME' && existing.some((r) => r.type === 'CNAME'))
    return `This name already has a CNAME record, which cannot share its name with a ${adding} record; remove the CNAME first.`;
  return null;
}

/** The text of a TXT answer's data: its quoted character-strings, unescaped and joined. */
export function txtValueOf(data: string): string {
  const strings = [...data.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\(.)/g, '$1'));
  return strings.length > 0 ? strings.join('') : data;
}

/** `edge.edge-crm.dev.` -> `edge.edge-crm.dev`. */
export function cnameTargetOf(data: string): string {
  return normalizeDnsName(data);
}
