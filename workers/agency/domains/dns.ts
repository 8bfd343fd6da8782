import { z } from 'zod';
import { sandboxProviders } from '../../platform/providers';

/**
 * DNS lookups for custom-domain checks, over DNS-over-HTTPS with the JSON
 * API (`Accept: application/dns-json`): live, Cloudflare's public resolver
 * (1.1.1.1, as https://cloudflare-dns.com/dns-query); sandbox, the same
 * client against the emulator's resolver at /sandbox/cloudflare/dns-query,
 * which answers from the sandbox DNS that tests and sandbox users fill.
 * One code path, so the sandbox proves the parsing the live mode relies on.
 *
 * These lookups explain to a person what is missing; whether a domain goes
 * live is Cloudflare's verdict on the custom hostname, never this check.
 */

export const LIVE_DOH_URL = 'https://cloudflare-dns.com/dns-query';
export const SANDBOX_DOH_URL = 'http://sandbox.internal/cloudflare/dns-query';

/** How long one lookup may take before the check reports DNS as unknown. */
export const DNS_TIMEOUT_MS = 5_000;
/** Chains longer than this are not followed (resolvers give up around here too). */
const MAX_CHAIN = 8;

const TYPE_CODES = { A: 1, CNAME: 5, TXT: 16, AAAA: 28 } as const;
export type LookupType = keyof typeof TYPE_CODES;

const dohResponseSchema = z.object({
  Status: z.number().int(),
  Answer: z.array(z.object({ name: z.string(), type: z.number().int(), TTL: z.number().optional(), data: z.string() })).optional(),
});

export interface DnsAnswerSet {
  /** DNS RCODE: 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN. */
  status: number;
  /** Answers of the asked type only, decoded (CNAME targets without the trailing dot, TXT text unquoted). */
  values: string[];
}

export interface DnsResolver {
  mode: 'live' | 'sandbox';
  lookup(name: string, type: LookupType): Promise<DnsAnswerSet>;
}

export class DnsLookupError extends Error {}

/** The text of a TXT answer: its quoted character-strings, unescaped and joined (long records come split). */
export function decodeTxt(data: string): string {
  const parts = [...data.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\(.)/g, '$1'));
  return parts.length > 0 ? parts.join('') : data;
}

export const normalizeName = (name: string) => name.trim().toLowerCase().replace(/\.$/, '');

/**
 * A resolver speaking the DoH JSON API at `url` through `fetchImpl`.
 *
 * @example const txt = await dohResolver(LIVE_DOH_URL, fetch).lookup('_cf-custom-hostname.app.acme.com', 'TXT')
 */
export function dohResolver(url: string, fetchImpl: typeof fetch, mode: DnsResolver['mode'] = 'live'): DnsResolver {
  return {
    mode,
    async lookup(name, type) {
      const target = new URL(url);
      target.searchParams.set('name', name);
      target.searchParams.set('type', type);
      let res: Response;
      try {
        res = await fetchImpl(target.toString(), { headers: { accept: 'application/dns-json' }, signal: AbortSignal.timeout(DNS_TIMEOUT_MS) });
      } catch (err) {
        throw new DnsLookupError(`the DNS resolver did not answer (${err instanceof Error ? err.message : String(err)})`);
      }
      if (!res.ok) throw new DnsLookupError(`the DNS resolver answered HTTP ${res.status}`);
      const parsed = dohResponseSchema.safeParse(await res.json().catch(() => null));
      if (!parsed.success) throw new DnsLookupError('the DNS resolver gave an answer that is not DNS JSON');
      const code = TYPE_CODES[type];
      const values = (parsed.data.Answer ?? []).filter((a) => a.type === code).map((a) => (type === 'TXT' ? decodeTxt(a.data) : normalizeName(a.data)));
      return { status: parsed.data.Status, values };
    },
  };
}

/** The resolver for this environment: 1.1.1.1 live, the sandbox DNS otherwise. */
export function dnsResolver(env: Env): DnsResolver {
  if (env.PROVIDER_MODE === 'live') return dohResolver(LIVE_DOH_URL, globalThis.fetch.bind(globalThis), 'live');
  return dohResolver(SANDBOX_DOH_URL, sandboxProviders().fetch(env), 'sandbox');
}

// ---------------------------------------------------------------- the custom-domain check

export type RecordState = 'ok' | 'missing' | 'wrong' | 'unknown';

export interface CnameCheck {
  state: RecordState;
  /** The hostnames the CNAME chain passes through, first hop first. */
  chain: string[];
  /** A/AAAA addresses found where a CNAME was expected. */
  addresses: string[];
  error: string | null;
}

export interface TxtCheck {
  state: RecordState;
  values: string[];
  error: string | null;
}

export interface DomainDnsCheck {
  cname: CnameCheck;
  txt: TxtCheck;
}

/**
 * Follows `hostname`'s CNAME chain, one lookup per hop (so it reads the same
 * from any resolver), and says whether it reaches `target`. With no CNAME it
 * looks for A/AAAA records so the answer can say what is there instead.
 */
export async function checkCname(resolver: DnsResolver, hostname: string, target: string): Promise<CnameCheck> {
  const chain: string[] = [];
  try {
    let current = hostname;
    for (let hop = 0; hop < MAX_CHAIN; hop++) {
      const next = (await resolver.lookup(current, 'CNAME')).values[0];
      if (!next || chain.includes(next)) break;
      chain.push(next);
      if (next === target) return { state: 'ok', chain, addresses: [], error: null };
      current = next;
    }
    if (chain.length > 0) return { state: 'wrong', chain, addresses: [], error: null };
    const [a, aaaa] = await Promise.all([resolver.lookup(hostname, 'A'), resolver.lookup(hostname, 'AAAA')]);
    return { state: 'missing', chain, addresses: [...a.values, ...aaaa.values], error: null };
  } catch (err) {
    return { state: 'unknown', chain, addresses: [], error: err instanceof Error ? err.message : String(err) };
  }
}

/** Whether the TXT record at `name` holds `expected` (among any others there). */
export async function checkTxt(resolver: DnsResolver, name: string, expected: string): Promise<TxtCheck> {
  try {
    const { values } = await resolver.lookup(name, 'TXT');
    return { state: values.includes(expected) ? 'ok' : values.length > 0 ? 'wrong' : 'missing', values, error: null };
  } catch (err) {
    return { state: 'unknown', values: [], error: err instanceof Error ? err.message : String(err) };
  }
}

/** Both records a custom domain needs: the CNAME to the platform, and the ownership TXT. */
export async function checkDomainDns(
  resolver: DnsResolver,
  input: { hostname: string; target: string; txtName: string; txtValue: string },
): Promise<DomainDnsCheck> {
  const [cname, txt] = await Promise.all([checkCname(resolver, input.hostname, input.target), checkTxt(resolver, input.txtName, input.txtValue)]);
  return { cname, txt };
}
