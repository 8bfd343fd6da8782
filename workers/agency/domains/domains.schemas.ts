import { z } from '@hono/zod-openapi';
import { hostnameProblem, normalizeHostname } from './hostname';

export const DOMAIN_STATUSES = ['pending', 'provisioning', 'active', 'moved', 'blocked', 'removing'] as const;
export type DomainStatus = (typeof DOMAIN_STATUSES)[number];

export const addDomainBodySchema = z
  .object({
    hostname: z
      .string()
      .max(300)
      .overwrite(normalizeHostname)
      .superRefine((value, ctx) => {
        const problem = hostnameProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .openapi({
        example: 'app.youragency.com',
        description: 'A subdomain of a domain the agency owns; no scheme, path or port. Stored lowercase, internationalized names in punycode.',
      }),
  })
  .strict()
  .openapi('AddCustomDomainBody');

export const DnsRecordSchema = z
  .object({
    type: z.enum(['CNAME', 'TXT']),
    name: z.string().openapi({ example: 'app.youragency.com' }),
    value: z.string().openapi({ example: 'edge.edge-crm.dev' }),
    purpose: z.string(),
    status: z
      .enum(['ok', 'missing', 'wrong', 'unknown'])
      .openapi({ description: 'What the DNS shows now: ok, missing, wrong (something else is there), unknown (the lookup failed)' }),
    found: z.array(z.string()).openapi({ description: 'What the DNS holds at this name now' }),
  })
  .openapi('CustomDomainDnsRecord');

export const CustomDomainSchema = z
  .object({
    hostname: z.string(),
    status: z.enum(DOMAIN_STATUSES).openapi({
      description:
        'pending: waiting for the DNS records; provisioning: verified, the TLS certificate is being issued; active: live; moved: the CNAME no longer points at the platform; blocked: refused by Cloudflare; removing: a removal did not finish',
    }),
    live: z.boolean().openapi({ description: "Whether the platform serves the agency's app at this hostname now" }),
    cloudflare_status: z.string().nullable().openapi({ description: "Cloudflare's custom hostname status (pending, active, moved, blocked, ...)" }),
    ssl_status: z
      .string()
      .nullable()
      .openapi({ description: "Cloudflare's certificate status (initializing, pending_validation, pending_issuance, pending_deployment, active, ...)" }),
    dns_records: z.array(DnsRecordSchema).openapi({ description: "The records to create at the domain's DNS provider, and what the DNS shows for each now" }),
    errors: z.array(z.string()).openapi({ description: 'What stands between the domain and going live, in plain words' }),
    checked_at: z.string().nullable(),
    activated_at: z.string().nullable(),
    expires_at: z.string().nullable().openapi({
      description:
        'While the domain is not verified: when this claim lapses and the hostname is released for whoever proves it (72 hours after adding it). null once verified.',
    }),
    created_at: z.string(),
  })
  .openapi('CustomDomain');
