/**
 * Fixed facts of the Cloudflare sandbox, shared by the emulator, its
 * controls and the product's custom-hostnames client. None of these open
 * anything outside this machine, so they are not secrets worth hiding.
 */

/** The zone the product uses in sandbox mode: the platform's "Cloudflare for SaaS" zone. */
export const SANDBOX_CLOUDFLARE_ZONE_ID = '5a7d0c0ffee0000000000000000000a1';

/** An API token with `#ssl:read` and `#ssl:edit` on every sandbox zone (Cloudflare tokens are 40 characters). */
export const SANDBOX_CLOUDFLARE_API_TOKEN = 'edgecrm-sandbox-cf-token-ssl-edit-000001';

/** An API token with `#ssl:read` only: writes with it are refused, as Cloudflare refuses them. */
export const SANDBOX_CLOUDFLARE_READ_ONLY_TOKEN = 'edgecrm-sandbox-cf-token-ssl-read-000002';

/** The legacy global-key pair (`X-Auth-Email` + `X-Auth-Key`) the 2024 spec lists for these operations. */
export const SANDBOX_CLOUDFLARE_EMAIL = 'sandbox@edge-crm.dev';
export const SANDBOX_CLOUDFLARE_GLOBAL_KEY = '0123456789abcdef0123456789abcdef01234';

/** Custom hostnames a sandbox zone may hold; Cloudflare for SaaS includes 100 on every plan. */
export const SANDBOX_HOSTNAME_QUOTA = 100;

/**
 * How long certificate issuance and deployment take on the emulator's clock
 * once domain control is validated. Real Cloudflare takes minutes; the
 * sandbox keeps the steps visible but short.
 */
export const SSL_ISSUANCE_SECONDS = 15;
export const SSL_DEPLOYMENT_SECONDS = 15;

/** Cloudflare keeps checking a pending hostname for 7 days, then stops (`validation_timed_out`) until it is edited. */
export const VALIDATION_WINDOW_SECONDS = 7 * 86_400;

/** Seconds between re-checks of a pending hostname: quick at first, then hourly. */
export const RECHECK_BACKOFF_SECONDS = [60, 60, 120, 300, 600, 1_800, 3_600] as const;

/** The sandbox's public DNS: one Durable Object instance holds every record. */
export const SANDBOX_DNS_INSTANCE = 'sandbox-dns:public';
