/**
 * What the product accepts as an agency's custom domain, as pure rules:
 * one fully qualified hostname on the public internet, below the domain the
 * agency registered (a subdomain such as app.agencydomain.com), because the
 * setup is a CNAME record and a CNAME cannot sit at a zone's apex at most
 * DNS providers. Checks that need configuration (the platform's own hosts)
 * live in the service.
 */

/**
 * Public suffixes of more than one label that people register under, so
 * `agency.co.uk` counts as a bare domain and `app.agency.co.uk` as a
 * subdomain. A short list of the common ones, not the whole Public Suffix
 * List: a domain under a rarer suffix is treated by its last two labels,
 * which at worst lets an apex through to Cloudflare's own checks.
 */
const MULTI_LABEL_SUFFIXES = new Set([
  'co.uk',
  'org.uk',
  'me.uk',
  'ltd.uk',
  'plc.uk',
  'ac.uk',
  'gov.uk',
  'net.uk',
  'com.au',
  'net.au',
  'org.au',
  'edu.au',
  'co.nz',
  'net.nz',
  'org.nz',
  'co.jp',
  'ne.jp',
  'or.jp',
  'com.br',
  'net.br',
  'com.mx',
  'com.ar',
  'com.co',
  'com.pe',
  'co.za',
  'com.cn',
  'net.cn',
  'com.hk',
  'com.sg',
  'com.tr',
  'co.in',
  'net.in',
  'co.il',
  'co.kr',
  'com.tw',
  'com.my',
  'com.ph',
  'com.pk',
  'com.ng',
  'co.id',
  'com.vn',
  'com.ua',
  'com.es',
]);

/** Top-level names that never resolve on the public internet (RFC 2606, RFC 6761, RFC 6762 and names ICANN will not delegate). */
const NON_PUBLIC_TLDS = new Set([
  'test',
  'example',
  'invalid',
  'localhost',
  'local',
  'internal',
  'localdomain',
  'lan',
  'home',
  'corp',
  'intranet',
  'onion',
  'arpa',
]);
const DOCUMENTATION_DOMAINS = ['example.com', 'example.net', 'example.org'];

const LABEL = /^[a-z0-9-]+$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * Trims, lowercases, drops one trailing dot and turns an internationalized
 * name into its ASCII (punycode) form; anything else is left for
 * `hostnameProblem` to explain.
 *
 * @example normalizeHostname(' App.Agency.com. ') // "app.agency.com"
 * @example normalizeHostname('app.bücher.de')     // "app.xn--bcher-kva.de"
 */
export function normalizeHostname(input: string): string {
  let host = input.trim().toLowerCase();
  if (host.endsWith('.') && !host.endsWith('..')) host = host.slice(0, -1);
  if (/[^\x00-\x7f]/.test(host) && !/[/:@?#\s\\]/.test(host)) {
    try {
      host = new URL(`http://${host}`).hostname;
    } catch {
      // left as typed: hostnameProblem says what is wrong
    }
  }
  return host;
}

/** The domain a person registers: the last two labels, or three under a suffix such as co.uk. */
export function registrableDomain(hostname: string): string {
  const labels = hostname.split('.');
  const lastTwo = labels.slice(-2).join('.');
  return MULTI_LABEL_SUFFIXES.has(lastTwo) ? labels.slice(-3).join('.') : lastTwo;
}

/**
 * Why `host` (already normalized) cannot be a custom domain, in words for
 * the person who typed it, or null when it can.
 *
 * @example hostnameProblem('https://app.agency.com') // "Enter only the hostname, without https:// ..."
 * @example hostnameProblem('agency.com')             // "agency.com is a bare domain ... such as app.agency.com."
 */
export function hostnameProblem(host: string): string | null {
  if (host === '') return 'Enter the hostname your clients will use, such as app.youragency.com.';
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//.exec(host);
  if (scheme)
    return `Enter only the hostname, without ${scheme[1]}:// (for example ${host.slice(scheme[0].length).split(/[/:?#]/)[0] || 'app.youragency.com'}).`;
  if (/[/?#]/.test(host)) return `Enter only the hostname, without a path or query (for example ${host.split(/[/?#]/)[0] || 'app.youragency.com'}).`;
  if (host.includes('@')) return 'Enter a hostname, not an email address (for example app.youragency.com).';
  if (/\s/.test(host)) return 'A hostname cannot contain spaces.';
  if (host.startsWith('[') || (host.match(/:/g) ?? []).length > 1) return 'An IP address cannot be a custom domain; use a hostname such as app.youragency.com.';
  if (host.includes(':')) return `Enter the hostname without a port (for example ${host.split(':')[0]}); custom domains are served on the standard HTTPS port.`;
  if (host.startsWith('*')) return 'Wildcard domains are not supported; enter the one hostname your clients will use, such as app.youragency.com.';
  if (IPV4.test(host)) return 'An IP address cannot be a custom domain; use a hostname such as app.youragency.com.';
  if (/[^\x00-\x7f]/.test(host)) return 'This hostname has characters that cannot be turned into a DNS name.';
  if (host.length > 253) return 'A hostname is at most 253 characters long.';
  const labels = host.split('.');
  if (labels.some((l) => l === '')) return `"${host}" has an empty part between dots.`;
  const badLabel = labels.find((l) => l.length > 63);
  if (badLabel) return `Each part of a hostname between dots is at most 63 characters; "${badLabel.slice(0, 20)}..." is ${badLabel.length}.`;
  if (labels.some((l) => !LABEL.test(l))) {
    return host.includes('_')
      ? 'A hostname cannot contain underscores; use hyphens instead.'
      : 'A hostname may contain only letters, digits, hyphens and dots.';
  }
  if (labels.some((l) => l.startsWith('-') || l.endsWith('-'))) return 'A part of a hostname cannot start or end with a hyphen.';
  if (labels.length < 2) return `"${host}" is not a full hostname; enter it with its domain, such as app.youragency.com.`;
  const tld = labels[labels.length - 1];
  if (/^\d+$/.test(tld) || tld.length < 2) return `"${host}" does not end in a real top-level domain (such as .com).`;
  if (NON_PUBLIC_TLDS.has(tld)) return `.${tld} names cannot be reached on the public internet, so they cannot be custom domains.`;
  if (DOCUMENTATION_DOMAINS.some((d) => host === d || host.endsWith(`.${d}`)))
    return `${registrableDomain(host)} is reserved for documentation and cannot be a custom domain.`;
  if (MULTI_LABEL_SUFFIXES.has(host)) return `${host} is a public suffix, not a domain; enter a hostname under your own domain.`;
  if (host === registrableDomain(host)) {
    return `${host} is a bare domain. Use a subdomain such as app.${host}: the setup is a CNAME record, and a CNAME cannot be placed on a bare domain at most DNS providers.`;
  }
  return null;
}
