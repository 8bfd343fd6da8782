import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../../platform/context';
import { brandingForAgency, type ResolvedBranding } from './branding.service';
import { clientSignupOpen } from '../client-signup/client-signup.service';

/**
 * The web app's index.html, branded at the edge for an agency's domain, so
 * the very first paint already carries the agency's name, favicon and
 * colours: <title>, the icon link, a <style id="brand-style"> with the colour
 * variables and the scoped custom CSS, and <script type="application/json"
 * id="brand"> that the SPA reads at boot (app name, logos, support email).
 * Platform hosts get the file untouched; the SPA brands itself there from
 * GET /api/branding once it knows who is signed in.
 */

/** JSON that is safe inside <script>: no "</script>", no line separators that old parsers choke on. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function rewriteIndexHtml(response: Response, brand: ResolvedBranding, domain: { client_signup: boolean } = { client_signup: false }): Response {
  const { branding, headCss, favicon } = brand;
  // Everything but the CSS (already in the <style>) goes to the SPA, with
  // whether this domain takes client sign-ups (the login page offers it then).
  const { css: _css, ...rest } = branding;
  const boot = { ...rest, ...domain };
  const head = [
    headCss ? `<style id="brand-style">${headCss}</style>` : '',
    branding.logo_light_url ? `<link rel="preload" as="image" href="${branding.logo_light_url}">` : '',
    `<script type="application/json" id="brand">${scriptJson(boot)}</script>`,
  ].join('');
  const rewritten = new HTMLRewriter()
    .on('title', {
      element(el) {
        el.setInnerContent(branding.app_name);
      },
    })
    .on('link[rel~="icon"]', {
      element(el) {
        if (!favicon) return;
        el.setAttribute('href', favicon.href);
        el.setAttribute('type', favicon.type);
      },
    })
    .on('meta[name="apple-mobile-web-app-title"], meta[name="application-name"]', {
      element(el) {
        el.setAttribute('content', branding.app_name);
      },
    })
    .on('head', {
      element(el) {
        el.append(head, { html: true });
      },
    })
    .transform(response);
  const out = new Response(rewritten.body, rewritten);
  // The bytes differ from the file's: its validators no longer describe them,
  // and a branding change must show on the next load.
  out.headers.delete('etag');
  out.headers.delete('last-modified');
  out.headers.delete('content-length');
  out.headers.set('cache-control', 'no-cache');
  return out;
}

const SKIPPED_PREFIXES = ['/api/', '/sandbox/', '/brand-assets/'];

/** Brands the HTML the asset handler answers for an agency's Host. */
export function brandedIndexHtml() {
  return createMiddleware<AppEnv>(async function brandedIndexHtml(c, next) {
    const agencyId = c.var.host?.agencyId;
    if (!agencyId || c.req.method !== 'GET' || SKIPPED_PREFIXES.some((p) => c.req.path.startsWith(p))) return next();
    // Never let the asset handler answer 304 for a page whose branded bytes it does not know.
    if (c.req.raw.headers.has('if-none-match') || c.req.raw.headers.has('if-modified-since')) {
      const headers = new Headers(c.req.raw.headers);
      headers.delete('if-none-match');
      headers.delete('if-modified-since');
      c.req.raw = new Request(c.req.raw, { headers });
    }
    await next();
    const res = c.res;
    if (res.status !== 200 || !(res.headers.get('content-type') ?? '').toLowerCase().startsWith('text/html')) return;
    const [brand, clientSignup] = await Promise.all([brandingForAgency(c.env, agencyId), clientSignupOpen(c.env.DB, agencyId)]);
    c.res = undefined;
    c.res = rewriteIndexHtml(res, brand, { client_signup: clientSignup });
  });
}
