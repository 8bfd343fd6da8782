import { SANDBOX_CLOUDFLARE_ZONE_ID, SANDBOX_DNS_INSTANCE } from './cloudflare.constants';
import type { CloudflareEmulator } from './cloudflare.do';
import type { DnsRecordInput, DnsRecordType, DnsResolution, SandboxDnsRecord } from './sandbox-dns';
import type { PutDnsRecordResult, SandboxDns } from './sandbox-dns.do';

/**
 * Test and dev controls of the Cloudflare sandbox: the sandbox's public DNS
 * (the records an agency would create at its DNS provider) and each zone's
 * clock. Also reachable over HTTP under /sandbox/cloudflare/_emulator for
 * curl and outside tools.
 */

/** The Durable Object holding one emulated zone's custom hostnames. */
export function cloudflareZoneStub(env: Env, zoneId: string = SANDBOX_CLOUDFLARE_ZONE_ID): DurableObjectStub<CloudflareEmulator> {
  return env.CLOUDFLARE_EMULATOR.get(env.CLOUDFLARE_EMULATOR.idFromName(`cloudflare-zone:${zoneId}`));
}

/** The Durable Object holding the sandbox's public DNS records. */
export function sandboxDnsStub(env: Env): DurableObjectStub<SandboxDns> {
  return env.SANDBOX_DNS.get(env.SANDBOX_DNS.idFromName(SANDBOX_DNS_INSTANCE));
}

/**
 * Creates a record in the sandbox DNS, as an agency would at its DNS
 * provider. A CNAME replaces the name's previous CNAME. Throws with the
 * reason when the record is malformed or conflicts (a CNAME shares its name
 * with nothing else).
 *
 * @example await setSandboxDnsRecord(env, { name: 'app.acme-agency.com', type: 'CNAME', content: 'edge.edge-crm.dev' })
 * @example await setSandboxDnsRecord(env, { name: '_cf-custom-hostname.app.acme-agency.com', type: 'TXT', content: status.dns_records[1].value })
 */
export async function setSandboxDnsRecord(env: Env, record: DnsRecordInput): Promise<SandboxDnsRecord> {
  const result: PutDnsRecordResult = await sandboxDnsStub(env).put(record);
  if (!result.ok) throw new Error(result.error);
  return result.record;
}

/** Removes records at `name` (all, one type, or one exact record); answers how many were removed. */
export async function removeSandboxDnsRecords(env: Env, filter: { name: string; type?: DnsRecordType; content?: string }): Promise<number> {
  return sandboxDnsStub(env).remove(filter);
}

/** Every record in the sandbox DNS, or those at one name. */
export async function listSandboxDnsRecords(env: Env, name?: string): Promise<SandboxDnsRecord[]> {
  return sandboxDnsStub(env).list(name);
}

/** What a recursive resolver answers from the sandbox DNS for one query. */
export async function resolveSandboxDns(env: Env, name: string, type: DnsRecordType): Promise<DnsResolution> {
  return sandboxDnsStub(env).resolve(name, type);
}

/** The zone clock (unix seconds). */
export async function cloudflareClockNow(env: Env, zoneId: string = SANDBOX_CLOUDFLARE_ZONE_ID): Promise<number> {
  return cloudflareZoneStub(env, zoneId).now();
}

/**
 * Moves a zone's clock forward and runs what came due on the way:
 * re-checks of pending hostnames against the sandbox DNS, certificate
 * issuance and deployment, 7-day validation timeouts.
 *
 * @example await advanceCloudflareClock(env, { seconds: 30 }) // a validated certificate is issued and deployed
 */
export async function advanceCloudflareClock(env: Env, input: { seconds?: number; days?: number; zoneId?: string }): Promise<{ now: number }> {
  const seconds = (input.seconds ?? 0) + (input.days ?? 0) * 86_400;
  return cloudflareZoneStub(env, input.zoneId).advanceClock(seconds);
}
