import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { forgetBranding } from '../../workers/agency/branding/branding.service';
import type { BrandAssetKind } from '../../workers/agency/branding/branding.schemas';
import { compileCustomCss, CustomCssError } from '../../workers/agency/branding/css-sanitizer';
import { sanitizeSvg } from '../../workers/agency/branding/svg-sanitizer';
import { advanceCloudflareClock, setSandboxDnsRecord } from '../../workers/sandbox/cloudflare/cloudflare.controls';
import { icoOf, JPEG_48x32, PNG_32x32, PNG_48x32, pngHeader, WEBP_48x32 } from './brand-fixtures';
import { call, createTenant, ORIGIN, present, uniqueEmail, type ApiReply, type Tenant } from '../factories';
import type {
  AgencyBranding,
  AuthResult,
  CustomDomain,
  InvalidInput,
  Problem,
  PublicBranding,
  SavedBranding,
  SubAccount,
  TeamMember,
  UploadedBrandAsset,
} from '../api-types';

const TARGET = 'edge.edge-crm.dev';
const uniqueHost = (label = 'app') => `${label}.brand-${crypto.randomUUID().slice(0, 8)}.com`;

/** POSTs raw bytes as an upload of `kind`. */
async function upload<T = UploadedBrandAsset>(token: string, kind: string, bytes: Uint8Array | string, contentType: string): Promise<ApiReply<T>> {
  const res = await exports.default.fetch(`${ORIGIN}/api/agency/branding/assets/${kind}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
    body: bytes,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

async function fetchRaw(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; text: string; bytes: Uint8Array }> {
  const res = await exports.default.fetch(url.startsWith('http') ? url : `${ORIGIN}${url}`, { headers });
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, text: new TextDecoder().decode(bytes), bytes };
}

/** The same image with a few trailing bytes decoders ignore: a file (and hash) no other test uses. */
function variant(image: Uint8Array): Uint8Array {
  const out = new Uint8Array(image.length + 8);
  out.set(image);
  out.set(crypto.getRandomValues(new Uint8Array(8)), image.length);
  return out;
}

async function storedObjects(): Promise<string[]> {
  return (await env.ASSETS_BUCKET.list({ prefix: 'brand-assets/' })).objects.map((o) => o.key);
}

async function sha256(bytes: Uint8Array): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function teammate(owner: Tenant, role: 'admin' | 'member'): Promise<string> {
  const email = uniqueEmail(role);
  expect((await owner.api<TeamMember>('POST', '/api/users', { email, name: `A ${role}`, role, password: 'member-password-1' })).status).toBe(201);
  return (await call<AuthResult>('POST', '/api/auth/login', { body: { email, password: 'member-password-1' } })).body.token as string;
}

/** Connects and verifies a custom domain in the sandbox (Cloudflare for SaaS + sandbox DNS) until it is live. */
async function liveDomain(agency: Tenant, host = uniqueHost()): Promise<string> {
  const added = await agency.api<CustomDomain>('POST', '/api/agency/domain/add', { hostname: host });
  expect(added.status, JSON.stringify(added.body)).toBe(201);
  await setSandboxDnsRecord(env, { name: host, type: 'CNAME', content: TARGET });
  await setSandboxDnsRecord(env, { name: added.body.dns_records[1].name, type: 'TXT', content: added.body.dns_records[1].value });
  await agency.api<CustomDomain>('POST', '/api/agency/domain/verify');
  await advanceCloudflareClock(env, { seconds: 30 });
  expect((await agency.api<CustomDomain>('GET', '/api/agency/domain/status')).body).toMatchObject({ status: 'active', live: true });
  return host;
}

const BRAND = { app_name: 'Bright CRM', primary_color: '#0F766E', secondary_color: '#f59e0b', support_email: 'help@brightagency.com' };

describe('branding: who may', () => {
  const routes = (): [string, string, unknown?][] => [
    ['GET', '/api/agency/branding'],
    ['PUT', '/api/agency/branding', BRAND],
    ['DELETE', '/api/agency/branding/assets/logo_light'],
  ];
  async function expectForbidden(token: string, detail: RegExp): Promise<void> {
    for (const [method, path, body] of routes()) {
      const res = await call<Problem>(method, path, { token, body });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.detail, `${method} ${path}`).toMatch(detail);
    }
    const up = await upload<Problem>(token, 'logo_light', PNG_48x32, 'image/png');
    expect(up.status).toBe(403);
    expect(up.body.detail).toMatch(detail);
  }

  it('needs a token', async () => {
    expect((await call<AgencyBranding>('GET', '/api/agency/branding')).status).toBe(401);
    expect((await call<SavedBranding>('PUT', '/api/agency/branding', { body: BRAND })).status).toBe(401);
  });

  it('a business account, an agency member, and sub-account users (impersonating or their own) get a 403 saying why; nothing is stored', async () => {
    const before = await storedObjects();
    await expectForbidden((await createTenant()).token, /business account/);
    const agency = await createTenant({ agency: true });
    await expectForbidden(await teammate(agency, 'member'), /Only an account admin or above can manage the agency's branding/);
    const sub = await agency.api<SubAccount>('POST', '/api/agency/sub-accounts', { name: 'Client Co' });
    const inside = await call<AuthResult>('POST', '/api/auth/token-exchange', { token: agency.token, body: { account_id: sub.body.id } });
    await expectForbidden(inside.body.token, /switch back to the agency account/);
    const subOwner = { token: inside.body.token, api: (m: string, p: string, b?: unknown) => call(m, p, { token: inside.body.token, body: b }) } as Tenant;
    await expectForbidden(await teammate(subOwner, 'admin'), /set by the agency that manages this account/);
    expect(await storedObjects()).toEqual(before);
  });

  it('an agency admin may; an agency on a plan without white-label is told which plan has it', async () => {
    const agency = await createTenant({ agency: true });
    const admin = await teammate(agency, 'admin');
    expect((await call<SavedBranding>('PUT', '/api/agency/branding', { token: admin, body: BRAND })).status).toBe(200);

    const downgraded = await createTenant({ agency: true });
    const now = Date.now();
    await env.DB.prepare("INSERT INTO subscriptions (account_id, plan, created_at, updated_at) VALUES (?, 'professional', ?, ?)")
      .bind(downgraded.accountId, now, now)
      .run();
    const res = await downgraded.api<SavedBranding>('PUT', '/api/agency/branding', BRAND);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({
      feature: 'white_label',
      upgrade: { plan: 'agency' },
      detail: expect.stringContaining('White-label is not included in the Professional plan'),
    });
  });
});

describe('branding: settings', () => {
  it('saves app name, colours (normalized) and support email; PUT replaces, so a field left out goes back to the default', async () => {
    const agency = await createTenant({ agency: true });
    const empty = await agency.api<AgencyBranding>('GET', '/api/agency/branding');
    expect(empty.body).toMatchObject({
      app_name: null,
      primary_color: null,
      logo_light_url: null,
      assets: { logo_light: null, logo_dark: null, favicon: null },
      updated_at: null,
    });

    const saved = await agency.api<SavedBranding>('PUT', '/api/agency/branding', { ...BRAND, secondary_color: '#AbC' });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({
      app_name: 'Bright CRM',
      primary_color: '#0f766e',
      secondary_color: '#aabbcc',
      support_email: 'help@brightagency.com',
      warnings: [],
    });
    expect((await agency.api<AgencyBranding>('GET', '/api/agency/branding')).body).toMatchObject({ app_name: 'Bright CRM', primary_color: '#0f766e' });

    const replaced = await agency.api<SavedBranding>('PUT', '/api/agency/branding', { app_name: 'Bright' });
    expect(replaced.body).toMatchObject({ app_name: 'Bright', primary_color: null, secondary_color: null, support_email: null });
  });

  it('refuses bad input with field errors and changes nothing', async () => {
    const agency = await createTenant({ agency: true });
    await agency.api<SavedBranding>('PUT', '/api/agency/branding', BRAND);
    const cases: [Record<string, unknown>, string][] = [
      [{ primary_color: 'teal' }, 'primary_color'],
      [{ primary_color: '#12345' }, 'primary_color'],
      [{ secondary_color: 'rgb(0,0,0)' }, 'secondary_color'],
      [{ support_email: 'not-an-email' }, 'support_email'],
      [{ app_name: '' }, 'app_name'],
      [{ app_name: 'x'.repeat(61) }, 'app_name'],
      [{ app_name: '<b>Bold</b>' }, 'app_name'],
      [{ logo_light_url: 'https://evil.example/x.png' }, 'logo_light_url'],
    ];
    for (const [body, field] of cases) {
      const res = await agency.api<InvalidInput>('PUT', '/api/agency/branding', body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const raw = await call<SavedBranding>('PUT', '/api/agency/branding', { token: agency.token, raw: 'app_name=x', headers: { 'content-type': 'text/plain' } });
    expect(raw.status).toBe(415);
    expect((await agency.api<AgencyBranding>('GET', '/api/agency/branding')).body).toMatchObject({ app_name: 'Bright CRM', primary_color: '#0f766e' });
  });

  it('custom CSS that imports, fetches, runs script or breaks out is refused with a field error naming the line, and nothing is saved', async () => {
    const agency = await createTenant({ agency: true });
    await agency.api<SavedBranding>('PUT', '/api/agency/branding', { ...BRAND, custom_css: '.btn-primary { border-radius: 20px; }' });
    const refused: [string, RegExp, string][] = [
      ['@import url(https://evil.example/x.css);', /@import is not allowed/, 'css_import'],
      ['@import "https://evil.example/x.css";\n.a{color:red}', /@import is not allowed/, 'css_import'],
      ['.hero {\n  background: url(https://evil.example/track.png);\n}', /Line 2: url\(https:\/\/evil\.example\/track\.png\) is not allowed/, 'css_url'],
      ['.hero { background: url("//evil.example/a.png") }', /not allowed/, 'css_url'],
      ['.hero { background: \\75 rl(https://evil.example/a.png) }', /not allowed/, 'css_url'],
      ['.hero { background-image: image-set("https://evil.example/a.png" 1x) }', /image-set\(\) is not allowed/, 'css_url'],
      ['.x { width: expression(alert(1)) }', /expression\(\) is not allowed/, 'css_expression'],
      ['.x { behavior: url(#default#VML) }', /behavior is not allowed/, 'css_behavior'],
      ['.x { -moz-binding: url(#x) }', /-moz-binding is not allowed/, 'css_behavior'],
      ['.x { background: url(javascript:alert(1)) }', /javascript: URLs are not allowed/, 'css_javascript'],
      ['.x { color: red } </style><script>alert(1)</script>', /cannot contain "<\/"/, 'css_breakout'],
      ['@font-face { font-family: X; src: url(https://evil.example/x.woff2) }', /only use local\(\) fonts/, 'css_remote_font'],
      ['~ .impersonation-bar { display: none }', /cannot start with "~"/, 'css_selector'],
      ['.a { .b { color: red } }', /Nested rules are not supported/, 'css_nesting'],
      ['& .a { color: red }', /nesting selector/, 'css_selector'],
      ['@layer brand { .a { color: red } }', /@layer is not supported/, 'css_at_rule'],
      ['color: red;', /declaration outside any rule/, 'css_syntax'],
      ['.a { color: "unclosed }', /string runs past the end of its line|not closed/, 'css_syntax'],
      [`.a{color:red}\n${'/* pad */'.repeat(2400)}`, /limited to 20 KB/, 'css_too_large'],
    ];
    for (const [css, message, code] of refused) {
      const res = await agency.api<InvalidInput>('PUT', '/api/agency/branding', { ...BRAND, custom_css: css });
      expect(res.status, css).toBe(422);
      const error = present(res.body.errors.find((e: { field: string }) => e.field === 'custom_css'));
      expect(error, css).toBeDefined();
      expect(error.message, css).toMatch(message);
      expect(error.code, css).toBe(code);
      expect(res.body.detail).toMatch(/^The custom CSS was not saved/);
    }
    expect((await agency.api<AgencyBranding>('GET', '/api/agency/branding')).body.custom_css).toBe('.btn-primary { border-radius: 20px; }');
  });

  it('keeps what the agency wrote (minus !important, with a warning) and lets url() use its own uploaded assets', async () => {
    const agency = await createTenant({ agency: true });
    const saved = await agency.api<SavedBranding>('PUT', '/api/agency/branding', {
      custom_css: '/* buttons */\n.btn-primary { border-radius: 20px !important; }\n@media (max-width: 600px) { .page { padding: 8px } }',
    });
    expect(saved.status).toBe(200);
    expect(saved.body.custom_css).toBe('/* buttons */\n.btn-primary { border-radius: 20px; }\n@media (max-width: 600px) { .page { padding: 8px } }');
    expect(saved.body.warnings).toEqual([expect.stringContaining('!important was removed from 1 declaration')]);

    const logo = await upload(agency.token, 'logo_light', PNG_48x32, 'image/png');
    const url = logo.body.asset.url as string;
    const withAsset = await agency.api<SavedBranding>('PUT', '/api/agency/branding', { custom_css: `.hero { background: url(${url}) no-repeat; }` });
    expect(withAsset.status, JSON.stringify(withAsset.body)).toBe(200);
    const other = await createTenant({ agency: true });
    const foreign = await other.api<InvalidInput>('PUT', '/api/agency/branding', { custom_css: `.hero { background: url(${url}) }` });
    expect(foreign.status).toBe(422);
    expect(foreign.body.errors[0].message).toMatch(/only use this agency's own uploaded brand assets/);
  });
});

describe('branding: custom CSS compiler', () => {
  const compile = (css: string) => compileCustomCss(css, { allowedUrls: new Set() }).scoped;

  it('puts every selector under the scope, so nothing outside the branded app (the impersonation bar) can be matched', () => {
    expect(compile('.impersonation-bar { display: none }')).toBe('.brand-scope .impersonation-bar{display:none}');
    expect(compile('.a, .b > .c:is(.d, .e) { color: red }')).toBe('.brand-scope .a,.brand-scope .b > .c:is(.d, .e){color:red}');
    expect(compile('body { font-family: Georgia } html body .x { color: red } :root { --r: 4px }')).toBe(
      '.brand-scope{font-family:Georgia}\n.brand-scope .x{color:red}\n.brand-scope{--r:4px}',
    );
    expect(compile('@media (width < 600px) { .a::before { content: "<b>" } }')).toBe('@media (width < 600px){.brand-scope .a::before{content:"\\3c b\\3e "}}');
    expect(compile('@keyframes pulse { from { opacity: 1 } to { opacity: .5 } }')).toBe('@keyframes pulse{from{opacity:1}to{opacity:.5}}');
    expect(compile('@font-face { font-family: Brand; src: local("Georgia") }')).toBe('@font-face{font-family:Brand;src:local("Georgia")}');
    expect(compile('.a { color: red !important }')).toBe('.brand-scope .a{color:red}');
  });
});

describe('branding: custom CSS bypass attempts', () => {
  const ASSET = `/brand-assets/${'ab'.repeat(32)}.png`;
  const issuesOf = (css: string): string[] => {
    try {
      compileCustomCss(css, { allowedUrls: new Set([ASSET]) });
      return [];
    } catch (err) {
      if (!(err instanceof CustomCssError)) throw err;
      return err.issues.map((i) => i.code);
    }
  };

  it('refuses url() in every spelling: escaped, upper case, quoted, spaced, commented, inside other functions, in selectors and at-rule conditions', () => {
    const attempts: [string, string][] = [
      ['.a { background: u\\72 l(https://evil.example/a.png) }', 'css_url'],
      ['.a { background: \\55 RL(https://evil.example/a.png) }', 'css_url'],
      ['.a { background: URL(https://evil.example/a.png) }', 'css_url'],
      ['.a { background: url(  "https://evil.example/a.png"  ) }', 'css_url'],
      [".a { background: url('//evil.example/a.png') }", 'css_url'],
      ['.a { background: url(https\\3a //evil.example/a.png) }', 'css_url'],
      ['.a { background: url(/**/https://evil.example/a.png) }', 'css_url'],
      [`.a { background: url(${ASSET}/../../evil.png) }`, 'css_url'],
      ['.a { background: url(https://evil.example/a.png }', 'css_syntax'],
      ['.a { --bg: url(https://evil.example/a.png) }', 'css_url'],
      ['.a { background: var(--x, url(https://evil.example/a.png)) }', 'css_url'],
      [':is(url(https://evil.example/a.png)) { color: red }', 'css_url'],
      ['@supports (background: url(https://evil.example/probe.png)) { .a { color: red } }', 'css_url'],
      ['@media screen { @supports (display: grid) { .a { background: url(https://evil.example/a.png) } } }', 'css_url'],
      ['@keyframes k { from { background: url(https://evil.example/a.png) } }', 'css_url'],
    ];
    for (const [css, code] of attempts) expect(issuesOf(css), css).toContain(code);
  });

  it('refuses image functions, expression(), binding properties and javascript: however they are written', () => {
    const attempts: [string, string][] = [
      ['.a { background: -webkit-image-set(url(x.png) 1x) }', 'css_url'],
      ['.a { --bg: image-set("https://evil.example/a.png" 1x) }', 'css_url'],
      ['.a { background: image("https://evil.example/a.png") }', 'css_url'],
      ['.a { background: cross-fade(url(a.png), url(b.png)) }', 'css_url'],
      ['.a { background: element(#secret) }', 'css_url'],
      ['.a { background-image: paint(tracker) }', 'css_url'],
      ['.a { background: src("https://evil.example/a.png") }', 'css_url'],
      ['.a { width: e\\78 pression(alert(1)) }', 'css_expression'],
      ['.a { width: EXPRESSION(alert(1)) }', 'css_expression'],
      ['.a { -\\6d oz-binding: url(#x) }', 'css_behavior'],
      ['.a { BEHAVIOR: url(x.htc) }', 'css_behavior'],
      ['.a { -webkit-binding: none }', 'css_behavior'],
      ['.a { background: url(java\\73 cript:void0) }', 'css_javascript'],
      ['.a { background: url("java\\9 script:alert(1)") }', 'css_javascript'],
      ['a[href="\\6a avascript:alert(1)"] { color: red }', 'css_javascript'],
    ];
    for (const [css, code] of attempts) expect(issuesOf(css), css).toContain(code);
  });

  it('refuses @import and remote fonts however they are hidden: escaped, upper case, nested, behind comments or stray braces', () => {
    const attempts: [string, string][] = [
      ['@\\69 mport "https://evil.example/x.css";', 'css_import'],
      ['@IMPORT url(https://evil.example/x.css);', 'css_import'],
      ['@charset "utf-8"; @import "https://evil.example/x.css";', 'css_import'],
      ['<!-- @import "https://evil.example/x.css"; -->', 'css_import'],
      ['/* } */ @import "https://evil.example/x.css";', 'css_import'],
      ['@media screen { @import url(https://evil.example/x.css); }', 'css_import'],
      ['.a { color: red } } @import "https://evil.example/x.css";', 'css_syntax'],
      ['.a { x: foo( ; } @import "https://evil.example/x.css";', 'css_syntax'],
      ['@font-face { font-family: X; src: local(Arial), url(https://evil.example/x.woff2) format("woff2") }', 'css_remote_font'],
      ['@font-face { src: \\75 rl(https://evil.example/x.woff) }', 'css_remote_font'],
      ['@media (min-width: 1px) { @font-face { src: url(https://evil.example/x.woff) } }', 'css_remote_font'],
      ['@namespace svg url(http://www.w3.org/2000/svg);', 'css_at_rule'],
      ['@-moz-document url-prefix() { .a { color: red } }', 'css_at_rule'],
      [`${'@media screen {'.repeat(7)} .a { color: red } ${'}'.repeat(7)}`, 'css_syntax'],
      ['.a { .b { background: url(https://evil.example/a.png) } }', 'css_nesting'],
      ['.a { color: red; @media screen { color: blue } }', 'css_nesting'],
    ];
    for (const [css, code] of attempts) expect(issuesOf(css), css).toContain(code);
  });

  it('keeps what only looks dangerous, written so it stays text: url text in attribute selectors and strings, escaped "</", its own asset behind an escape', () => {
    const compile = (css: string) => compileCustomCss(css, { allowedUrls: new Set([ASSET]) }).scoped;
    expect(compile('a[href*="url(https://evil.example/x.png)"] { color: red }')).toBe('.brand-scope a[href*="url(https://evil.example/x.png)"]{color:red}');
    expect(compile('.a::before { content: "\\3c /style><script>alert(1)\\3c /script>" }')).toBe(
      '.brand-scope .a::before{content:"\\3c /style\\3e \\3c script\\3e alert(1)\\3c /script\\3e "}',
    );
    expect(compile(`.a { background: \\75 rl(${ASSET}) no-repeat }`)).toBe(`.brand-scope .a{background:url("${ASSET}") no-repeat}`);
    expect(compile(`.a { background: url( '${ASSET}' ) }`)).toBe(`.brand-scope .a{background:url("${ASSET}")}`);
    expect(compile('.\\31 0 { font-family: "Zoë Sans", sans-serif }')).toBe('.brand-scope .\\31 0{font-family:"Zoë Sans", sans-serif}');
  });
});

describe('branding: logo and favicon uploads', () => {
  it('stores PNG, JPEG, WebP and ICO (SVG: below) by what the bytes are, under their SHA-256, and serves them immutable with the sniffed type', async () => {
    const agency = await createTenant({ agency: true });
    const [png, webp, favicon] = [variant(PNG_48x32), variant(WEBP_48x32), variant(PNG_32x32)];
    const cases: [BrandAssetKind, Uint8Array, string, string, number, number][] = [
      ['logo_light', png, 'image/png', 'png', 48, 32],
      ['logo_dark', variant(JPEG_48x32), 'image/jpeg', 'jpg', 48, 32],
      ['logo_light', webp, 'image/webp', 'webp', 48, 32],
      ['favicon', icoOf(PNG_32x32), 'image/x-icon', 'ico', 32, 32],
      ['favicon', favicon, 'image/png', 'png', 32, 32],
    ];
    for (const [kind, bytes, type, ext, width, height] of cases) {
      const res = await upload(agency.token, kind, bytes, type);
      expect(res.status, `${kind} ${type}: ${JSON.stringify(res.body)}`).toBe(201);
      const hash = await sha256(bytes);
      expect(res.body.asset).toMatchObject({ url: `/brand-assets/${hash}.${ext}`, content_type: type, bytes: bytes.length, width, height, sha256: hash });
      expect(res.body.branding[`${kind}_url`]).toBe(res.body.asset.url);
      const served = await fetchRaw(res.body.asset.url);
      expect(served.status).toBe(200);
      expect(served.headers.get('content-type')).toBe(type);
      expect(served.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(served.headers.get('x-content-type-options')).toBe('nosniff');
      expect(served.headers.get('etag')).toBe(`"${hash}"`);
      expect(served.bytes).toEqual(bytes);
      expect((await fetchRaw(res.body.asset.url, { 'if-none-match': `"${hash}"` })).status).toBe(304);
    }
    // Replacing released the files no agency uses any more.
    const keys = await storedObjects();
    expect(keys).not.toContain(`brand-assets/${await sha256(png)}.png`);
    expect(keys).toContain(`brand-assets/${await sha256(webp)}.webp`);
    expect(keys).toContain(`brand-assets/${await sha256(favicon)}.png`);
    expect((await fetchRaw('/brand-assets/nothing.png')).status).toBe(404);
    expect((await fetchRaw(`/brand-assets/${'0'.repeat(64)}.png`)).status).toBe(404);
  });

  it('a 50 MB body gets a clean 413 before anything is read, and nothing is stored; a favicon over 256 KB too', async () => {
    const agency = await createTenant({ agency: true });
    const before = await storedObjects();
    const big = new Uint8Array(50 * 1024 * 1024);
    big.set(PNG_48x32);
    const res = await upload<Problem>(agency.token, 'logo_light', big, 'image/png');
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.detail).toMatch(/limited to 1024 KB/);

    const favicon = new Uint8Array(300 * 1024);
    favicon.set(PNG_32x32);
    const tooBig = await upload<Problem>(agency.token, 'favicon', favicon, 'image/png');
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.detail).toBe('The favicon is limited to 256 KB; this file is 300 KB. Nothing was stored.');
    expect(await storedObjects()).toEqual(before);
    expect((await agency.api<AgencyBranding>('GET', '/api/agency/branding')).body.assets).toEqual({ logo_light: null, logo_dark: null, favicon: null });
  });

  it('refuses files whose bytes are not what they claim, or not an image it takes, saying what they are', async () => {
    const agency = await createTenant({ agency: true });
    const before = await storedObjects();
    const refused: [string, Uint8Array | string, string, number, RegExp][] = [
      [
        'logo_light',
        PNG_48x32,
        'image/svg+xml',
        415,
        /The file is a PNG image but was sent as image\/svg\+xml \(is its file extension wrong\?\)\. Send it as image\/png\./,
      ],
      ['logo_light', 'just some text, not a picture', 'image/png', 415, /sent as image\/png, but its bytes are text, not a PNG image/],
      ['logo_light', new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), 'image/png', 415, /its bytes are not a PNG image \(nor any image type accepted here\)/],
      [
        'logo_light',
        PNG_48x32,
        'application/octet-stream',
        415,
        /Content-Type image\/png, image\/jpeg, image\/webp, image\/svg\+xml or image\/x-icon, not application\/octet-stream/,
      ],
      [
        'logo_light',
        new TextEncoder().encode('GIF89a\x01\x00\x01\x00'),
        'image/png',
        415,
        /The file is a GIF image; the light logo must be PNG, JPEG, WebP, SVG/,
      ],
      ['logo_dark', icoOf(PNG_32x32), 'image/x-icon', 415, /The dark logo must be PNG, JPEG, WebP, SVG; this file is ICO/],
      ['favicon', JPEG_48x32, 'image/jpeg', 415, /The favicon must be PNG, ICO, SVG/],
      ['logo_light', pngHeader(5000, 200), 'image/png', 422, /between 16 and 4096 pixels on each side; this image is 5000×200 px/],
      ['favicon', pngHeader(8, 8), 'image/png', 422, /between 16 and 512 pixels/],
      ['logo_light', '', 'image/png', 422, /The upload is empty/],
    ];
    for (const [kind, bytes, type, status, detail] of refused) {
      const res = await upload<Problem>(agency.token, kind, bytes, type);
      expect(res.status, String(detail)).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.detail).toMatch(detail);
    }
    expect((await upload(agency.token, 'banner', PNG_48x32, 'image/png')).status).toBe(422);
    expect(await storedObjects()).toEqual(before);
  });

  it('an SVG with script, event handlers, javascript: links, foreignObject and outside references is stored without any of them, under a CSP', async () => {
    const agency = await createTenant({ agency: true });
    const evil = `<?xml version="1.0"?>
<?xml-stylesheet href="https://evil.example/x.css"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="120" height="40" viewBox="0 0 120 40" onload="alert(1)">
  <script>alert(document.cookie)</script>
  <SCRIPT>alert(2)</SCRIPT>
  <style>@import url(https://evil.example/a.css); rect { fill: red }</style>
  <style>.ok { fill: #0f766e }</style>
  <foreignObject width="100" height="100"><body xmlns="http://www.w3.org/1999/xhtml"><iframe src="https://evil.example"></iframe></body></foreignObject>
  <a href="javascript:alert(3)"><rect class="ok" width="120" height="40" rx="8" onclick="alert(4)" OnMouseOver="alert(5)"/></a>
  <a xlink:href="&#106;avascript:alert(6)"><circle cx="20" cy="20" r="10"/></a>
  <image href="https://evil.example/pixel.png" width="1" height="1"/>
  <image href="data:text/html;base64,PHNjcmlwdD5hbGVydCg3KTwvc2NyaXB0Pg==" width="1" height="1"/>
  <use href="https://evil.example/sprite.svg#icon"/>
  <animate attributeName="href" to="javascript:alert(8)"/>
  <set attributeName="onmouseover" to="alert(9)"/>
  <rect width="10" height="10" fill="url(https://evil.example/#p)" style="background:url(https://evil.example/bg.png)"/>
  <text x="40" y="26" font-family="Georgia">Bright</text>
</svg>`;
    const res = await upload(agency.token, 'logo_light', evil, 'image/svg+xml');
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.asset).toMatchObject({ content_type: 'image/svg+xml', width: 120, height: 40 });
    expect(res.body.removed).toEqual(
      expect.arrayContaining([
        'onload attribute',
        '<script> element',
        '<SCRIPT> element',
        '<style> with @import',
        '<foreignObject> element',
        '<a> link',
        'onclick attribute',
        'OnMouseOver attribute',
        'external reference',
        'data: URL that is not a PNG, JPEG, GIF or WebP image',
        '<animate> element',
        '<set> element',
        'fill attribute with an external reference',
        'style attribute with an external url()',
      ]),
    );
    const served = await fetchRaw(res.body.asset.url);
    expect(served.headers.get('content-type')).toBe('image/svg+xml');
    expect(served.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    for (const banned of [
      /script/i,
      /onload|onclick|onmouseover/i,
      /javascript/i,
      /foreignObject/i,
      /evil\.example/,
      /iframe/i,
      /@import/,
      /data:text/,
      /<animate|<set/,
    ]) {
      expect(served.text).not.toMatch(banned);
    }
    expect(served.text).toContain('<rect class="ok" width="120" height="40" rx="8"/>');
    expect(served.text).toContain('<text x="40" y="26" font-family="Georgia">Bright</text>');
    expect(served.text).toContain('<style>.ok { fill: #0f766e }</style>');
    expect(res.body.asset.sha256).toBe(await sha256(served.bytes));
  });

  it('refuses an SVG it cannot make safe: DTD entities, markup that is not XML, no <svg> root, nothing left to draw', async () => {
    const agency = await createTenant({ agency: true });
    const before = await storedObjects();
    const cases: [string, RegExp][] = [
      [
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><svg xmlns="http://www.w3.org/2000/svg"><text>&lol2;</text></svg>',
        /declares a DTD with entities/,
      ],
      ['<svg xmlns="http://www.w3.org/2000/svg"><rect width="4" height="4"></svg>', /not well-formed XML/],
      ['<svg xmlns="http://www.w3.org/2000/svg"><rect width=4 height=4/></svg>', /not quoted/],
      ['<svg xmlns="http://www.w3.org/2000/svg"><text>&nbsp;</text></svg>', /entity &nbsp;/],
      ['<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', /Nothing drawable is left/],
    ];
    for (const [svg, detail] of cases) {
      const res = await upload<InvalidInput>(agency.token, 'logo_light', svg, 'image/svg+xml');
      expect(res.status, svg).toBe(422);
      expect(res.body.detail).toMatch(detail);
      expect(res.body.errors[0]).toMatchObject({ field: 'file', code: 'unsafe_svg' });
    }
    const html = await upload(agency.token, 'logo_light', '<html><body><svg></svg></body></html>', 'image/svg+xml');
    expect(html.status).toBe(415);
    expect(await storedObjects()).toEqual(before);
  });

  it('removing a logo goes back to the default and deletes the file unless another agency uses the same one', async () => {
    const first = await createTenant({ agency: true });
    const second = await createTenant({ agency: true });
    const shared = variant(JPEG_48x32);
    const a = await upload(first.token, 'logo_dark', shared, 'image/jpeg');
    await upload(second.token, 'logo_light', shared, 'image/jpeg');
    const key = a.body.asset.url.slice(1);

    const removed = await first.api<AgencyBranding>('DELETE', '/api/agency/branding/assets/logo_dark');
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ logo_dark_url: null, assets: { logo_dark: null } });
    expect(await storedObjects()).toContain(key); // still the second agency's logo
    expect((await first.api<AgencyBranding>('DELETE', '/api/agency/branding/assets/logo_dark')).status).toBe(404);

    expect((await second.api<AgencyBranding>('DELETE', '/api/agency/branding/assets/logo_light')).status).toBe(200);
    expect(await storedObjects()).not.toContain(key);
    expect((await fetchRaw(`/${key}`)).status).toBe(404);
  });

  it('the sanitizer keeps ordinary drawing markup as it was', () => {
    const out = sanitizeSvg(
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 32"><defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs><path d="M0 0h64v32H0z" fill="url(#g)"/><use href="#g"/></svg>',
    );
    expect(out.svg).toBe(
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 32"><defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs><path d="M0 0h64v32H0z" fill="url(#g)"/><use href="#g"/></svg>',
    );
    expect(out).toMatchObject({ removed: [], width: 64, height: 32 });
  });
});

describe('branding at the edge', () => {
  async function page(host: string, path = '/', headers: Record<string, string> = {}) {
    return fetchRaw(`http://${host}${path}`, headers);
  }
  const brandJson = (html: string) => {
    const m = /<script type="application\/json" id="brand">(.*?)<\/script>/s.exec(html);
    return m ? JSON.parse(m[1]) : null;
  };

  it("index.html on an agency's domain is branded from the first byte: title, favicon, colour variables, scoped custom CSS and the boot JSON", async () => {
    const agency = await createTenant({ agency: true, name: 'Bright' });
    const logo = await upload(agency.token, 'logo_light', PNG_48x32, 'image/png');
    const dark = await upload(agency.token, 'logo_dark', WEBP_48x32, 'image/webp');
    const favicon = await upload(agency.token, 'favicon', icoOf(PNG_32x32), 'image/x-icon');
    await agency.api<SavedBranding>('PUT', '/api/agency/branding', {
      ...BRAND,
      app_name: 'Bright CRM & Co',
      custom_css: '.impersonation-bar { display: none }\n.btn-primary { border-radius: 20px }',
    });
    const host = await liveDomain(agency);

    for (const path of ['/', '/login', '/contacts/ctc_123']) {
      const res = await page(host, path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('etag')).toBeNull();
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.text).toContain('<title>Bright CRM &amp; Co</title>');
      expect(res.text).toContain(`<link rel="icon" href="${favicon.body.asset.url}" type="image/x-icon"`);
      expect(res.text).toContain('<style id="brand-style">:root{--color-primary:#0f766e;--color-secondary:#f59e0b}');
      expect(res.text).toContain('.brand-scope .impersonation-bar{display:none}\n.brand-scope .btn-primary{border-radius:20px}</style>');
      expect(brandJson(res.text)).toEqual({
        source: 'agency',
        app_name: 'Bright CRM & Co',
        primary_color: '#0f766e',
        secondary_color: '#f59e0b',
        support_email: 'help@brightagency.com',
        logo_light_url: logo.body.asset.url,
        logo_dark_url: dark.body.asset.url,
        favicon_url: favicon.body.asset.url,
        client_signup: false,
      });
    }
    // A conditional request still gets the branded page, never a 304 for the unbranded file.
    expect((await page(host, '/', { 'if-none-match': '"anything"' })).status).toBe(200);
    // The logo is served on the agency's domain too.
    expect((await page(host, logo.body.asset.url)).status).toBe(200);

    const publicBranding = await fetchRaw(`http://${host}/api/branding`);
    expect(JSON.parse(publicBranding.text)).toMatchObject({
      source: 'agency',
      app_name: 'Bright CRM & Co',
      logo_light_url: logo.body.asset.url,
      css: expect.stringContaining('.brand-scope .btn-primary'),
    });
  });

  it("a save shows on the next page load (this isolate's cache is dropped); a plan without white-label shows the platform's branding", async () => {
    const agency = await createTenant({ agency: true });
    await agency.api<SavedBranding>('PUT', '/api/agency/branding', BRAND);
    const host = await liveDomain(agency);
    expect((await page(host)).text).toContain('<title>Bright CRM</title>');
    await agency.api<SavedBranding>('PUT', '/api/agency/branding', { ...BRAND, app_name: 'Brighter' });
    expect((await page(host)).text).toContain('<title>Brighter</title>');
    await upload(agency.token, 'logo_light', PNG_48x32, 'image/png');
    expect(brandJson((await page(host)).text).logo_light_url).toMatch(/^\/brand-assets\/[0-9a-f]{64}\.png$/);

    const now = Date.now();
    await env.DB.prepare("INSERT INTO subscriptions (account_id, plan, created_at, updated_at) VALUES (?, 'professional', ?, ?)")
      .bind(agency.accountId, now, now)
      .run();
    // Plans change through billing, which does not touch branding: the isolate cache lets go within its TTL.
    forgetBranding(present(await env.DB.prepare('SELECT id FROM agencies WHERE account_id = ?').bind(agency.accountId).first<{ id: string }>(), 'agency').id);
    const unbranded = await page(host);
    expect(unbranded.text).toContain('<title>CRM</title>');
    expect(brandJson(unbranded.text)).toMatchObject({ source: 'platform', app_name: 'CRM' });
  });

  it("platform hosts get the default page; GET /api/branding answers the platform's defaults, or the signed-in account's agency; unknown hosts get the neutral 404", async () => {
    const agency = await createTenant({ agency: true });
    await agency.api<SavedBranding>('PUT', '/api/agency/branding', BRAND);
    const platform = await fetchRaw('/');
    expect(platform.status).toBe(200);
    expect(platform.text).toContain('<title>CRM</title>');
    expect(platform.text).not.toContain('id="brand"');
    expect(platform.text).not.toContain('--color-primary:#0f766e');

    const anonymous = await call<PublicBranding>('GET', '/api/branding');
    expect(anonymous.status).toBe(200);
    expect(anonymous.body).toEqual({
      source: 'platform',
      app_name: 'CRM',
      primary_color: null,
      secondary_color: null,
      support_email: null,
      logo_light_url: null,
      logo_dark_url: null,
      favicon_url: null,
      css: '',
    });
    expect((await call<PublicBranding>('GET', '/api/branding', { token: agency.token })).body).toMatchObject({
      source: 'agency',
      app_name: 'Bright CRM',
      primary_color: '#0f766e',
    });

    // A client account's own user sees the agency's branding on the platform's address too.
    const sub = await agency.api<SubAccount>('POST', '/api/agency/sub-accounts', { name: 'Harbor Dental' });
    const email = uniqueEmail('client');
    await agency.api<TeamMember>('POST', `/api/agency/sub-accounts/${sub.body.id}/users`, {
      email,
      name: 'Client',
      role: 'owner',
      password: 'client-password-1',
    });
    const client = await call<AuthResult>('POST', '/api/auth/login', { body: { email, password: 'client-password-1' } });
    expect((await call<PublicBranding>('GET', '/api/branding', { token: client.body.token })).body).toMatchObject({ source: 'agency', app_name: 'Bright CRM' });
    expect((await call<PublicBranding>('GET', '/api/branding', { token: (await createTenant()).token })).body).toMatchObject({ source: 'platform' });
    expect((await call<PublicBranding>('GET', '/api/branding', { token: 'not-a-token' })).status).toBe(401);

    const unknown = await page(uniqueHost('unknown'));
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('This address is not set up');
    expect(unknown.text).not.toMatch(/Bright|agy_|acc_|brand/);
  });
});
