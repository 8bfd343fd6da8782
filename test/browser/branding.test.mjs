// White-label end to end: an agency brands its app in Settings (with a live
// preview while it types), connects its custom domain, and its clients see
// that brand from the sign-in page on; custom CSS cannot hide the
// impersonation bar. The custom domain is opened in Chromium mapped to the
// local server (--host-resolver-rules).
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { callApi, launchBrowser, newPage, screenshot, signUpViaApi, startApp, uniqueEmail, waitUntil, signupLinkPath } from './helpers.mjs';

// The domain API takes only names that resolve on the public internet, so
// not .test; Chromium sends this one to 127.0.0.1 and nothing leaves the machine.
const DOMAIN = 'app.brightagency.com';
/** A second agency's domain, for client sign-up. */
const SIGNUP_DOMAIN = 'join.harborpartners.com';
const TEAL = '#0f766e';
// The sandbox Cloudflare's API token (workers/sandbox/cloudflare/cloudflare.constants.ts): a fixture, not a secret.
const SANDBOX_CF_TOKEN = 'edgecrm-sandbox-cf-token-ssl-edit-000001';

let app;
let browser;
let domainUrl;

before(async () => {
  app = await startApp();
  browser = await launchBrowser({ hosts: [DOMAIN, SIGNUP_DOMAIN] });
  domainUrl = `http://${DOMAIN}:${new URL(app.url).port}`;
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

/** A PNG drawn in the browser: a wordmark on a transparent background. */
async function drawLogo(page, { text, color, width = 240, height = 64 }) {
  const dataUrl = await page.evaluate(
    ([t, c, w, h]) => {
      const canvas = document.createElement('canvas');
      canvas.width = w;
      canvas.height = h;
      const g = canvas.getContext('2d');
      g.fillStyle = c;
      g.beginPath();
      g.roundRect(4, 10, 44, 44, 12);
      g.fill();
      g.fillStyle = '#fff';
      g.beginPath();
      g.arc(26, 32, 9, 0, Math.PI * 2);
      g.fill();
      g.fillStyle = c;
      g.font = 'bold 30px sans-serif';
      g.textBaseline = 'middle';
      g.fillText(t, 60, 33);
      return canvas.toDataURL('image/png');
    },
    [text, color, width, height],
  );
  return Buffer.from(dataUrl.split(',')[1], 'base64');
}

const cf = (method, path, body) =>
  fetch(`${app.url}/sandbox/cloudflare/_emulator${path}`, {
    method,
    headers: { authorization: `Bearer ${SANDBOX_CF_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then(async (res) => {
    if (!res.ok) throw new Error(`${method} ${path} -> ${res.status}: ${await res.text()}`);
    return res.json();
  });

/** Adds the agency's custom domain and walks it to live in the sandbox: DNS records, verification, certificate. */
async function connectDomain(agency, hostname = DOMAIN) {
  const added = await agency.call('POST', '/api/agency/domain/add', { hostname });
  const [cname, txt] = added.dns_records;
  await cf('POST', '/dns', { name: cname.name, type: 'CNAME', content: cname.value });
  await cf('POST', '/dns', { name: txt.name, type: 'TXT', content: txt.value });
  await agency.call('POST', '/api/agency/domain/verify');
  await cf('POST', '/clock/advance', { seconds: 30 });
  const status = await agency.call('GET', '/api/agency/domain/status');
  assert.equal(status.status, 'active', JSON.stringify(status));
}

/** The HTML the server answers on the agency domain, before any script runs. */
function htmlAt(path) {
  const { port } = new URL(app.url);
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, headers: { host: `${DOMAIN}:${port}` } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

const cssColor = (locator, property) => locator.evaluate((el, p) => getComputedStyle(el).getPropertyValue(p), property);

/** Waits for a computed style (buttons fade their colours, so a read right after a change can be mid-transition). */
async function expectStyle(locator, property, value) {
  let last;
  const settled = async () => {
    last = await cssColor(locator, property);
    return last === value;
  };
  await waitUntil(settled, { message: `${property} to be ${value}` }).catch(() => {
    assert.equal(last, value, `${property}`);
  });
}

test('an agency brands its app; its clients see the brand on the agency domain from the sign-in page on; custom CSS cannot hide the impersonation bar', async () => {
  const agency = await signUpViaApi(app.url, { name: 'Avery Bright', account_name: 'Bright Agency', agency: true });
  const client = await agency.call('POST', '/api/agency/sub-accounts', { name: 'Harbor Dental' });
  const clientEmail = uniqueEmail('client');
  await agency.call('POST', `/api/agency/sub-accounts/${client.id}/users`, {
    email: clientEmail,
    name: 'Casey Client',
    role: 'owner',
    password: 'client-password-2026',
  });

  // ---- Settings → Branding, on the platform's address.
  const page = await newPage(browser, { session: agency });
  await page.goto(`${app.url}/settings/custom-fields`);
  await page.getByRole('link', { name: 'Branding', exact: true }).click();
  await page.waitForURL(/\/settings\/branding$/);
  await page.getByRole('heading', { name: 'Branding', level: 2 }).waitFor();
  const preview = page.getByTestId('brand-preview');

  // The preview follows the form while typing, before anything is saved.
  await page.getByLabel('App name').fill('Bright CRM');
  await waitUntil(async () => (await preview.getByTestId('preview-app-name').innerText()) === 'Bright CRM', { message: 'preview app name' });
  const primary = page.getByRole('textbox', { name: 'Primary colour', exact: true });
  await primary.fill('#fbbf24');
  await page.getByTestId('contrast-warning').waitFor();
  assert.match(await page.getByTestId('contrast-warning').innerText(), /contrast of 1\.\d:1/);
  await primary.fill(TEAL);
  await waitUntil(async () => (await page.getByTestId('contrast-warning').count()) === 0, { message: 'warning gone for a dark enough colour' });
  await expectStyle(preview.getByRole('button', { name: 'Add contact' }), 'background-color', 'rgb(15, 118, 110)');
  await expectStyle(preview.getByRole('link', { name: 'View them' }), 'color', 'rgb(15, 118, 110)');
  await page.getByRole('textbox', { name: 'Secondary colour', exact: true }).fill('#f59e0b');
  await page.getByLabel('Support email').fill('help@brightagency.com');
  // Nothing is saved yet, so the app around the form still has the platform's colour.
  await expectStyle(page.getByRole('button', { name: 'Save branding' }), 'background-color', 'rgb(79, 70, 229)');

  // Logos: the server's refusal is shown where the file was chosen.
  const lightLogo = await drawLogo(page, { text: 'Bright', color: TEAL });
  const darkLogo = await drawLogo(page, { text: 'Bright', color: '#5eead4' });
  const lightInput = page.getByLabel('Logo for light backgrounds file');
  await lightInput.setInputFiles({ name: 'logo.svg', mimeType: 'image/svg+xml', buffer: lightLogo });
  await page.getByRole('alert').filter({ hasText: 'is a PNG image but was sent as image/svg+xml' }).waitFor();
  await lightInput.setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: lightLogo });
  await page.getByRole('img', { name: 'Current logo for light backgrounds' }).waitFor();
  await page.getByLabel('Logo for dark backgrounds file').setInputFiles({ name: 'logo-dark.png', mimeType: 'image/png', buffer: darkLogo });
  await page.getByRole('img', { name: 'Current logo for dark backgrounds' }).waitFor();
  await waitUntil(async () => (await preview.locator('img.preview-logo').count()) >= 2, { message: 'logos in the preview' });

  // Custom CSS: an @import is refused next to the field and nothing is saved.
  const css = page.getByLabel('Custom CSS');
  await css.fill('@import url(https://evil.example/x.css);\n.btn-primary { border-radius: 999px; }');
  await page.getByRole('button', { name: 'Save branding' }).click();
  await page.getByText('Line 1: @import is not allowed').first().waitFor();
  assert.equal((await agency.call('GET', '/api/agency/branding')).app_name, null);

  // A rule that tries to hide the impersonation bar is accepted, scoped, and (below) has no effect.
  await css.fill('.impersonation-bar { display: none !important; }\n.btn-primary { border-radius: 999px; }');
  await page.getByRole('button', { name: 'Save branding' }).click();
  await page.getByRole('status').filter({ hasText: 'Branding saved' }).waitFor();
  await page.getByText('!important was removed from 1 declaration').waitFor();
  const saved = await agency.call('GET', '/api/agency/branding');
  assert.equal(saved.app_name, 'Bright CRM');
  assert.equal(saved.primary_color, TEAL);
  // Saving re-brands the open app at once.
  await expectStyle(page.getByRole('button', { name: 'Save branding' }), 'background-color', 'rgb(15, 118, 110)');
  assert.equal(await page.title(), 'Branding · Settings · Bright CRM');
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, 'branding-settings');
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();

  // The same screen on a phone: one column, the preview under the form.
  const phone = await newPage(browser, { session: agency, viewport: { width: 390, height: 844 } });
  await phone.goto(`${app.url}/settings/branding`);
  await phone.getByRole('img', { name: 'Current logo for light backgrounds' }).waitFor();
  await screenshot(phone, 'branding-settings-mobile');
  await phone.getByTestId('brand-preview').scrollIntoViewIfNeeded();
  await screenshot(phone, 'branding-settings-mobile-preview');
  assert.deepEqual(phone.pageErrors, []);
  await phone.context().close();

  // ---- The agency's own domain.
  await connectDomain(agency);
  const visitor = await newPage(browser);
  await visitor.goto(`${domainUrl}/login`);
  await visitor.getByRole('heading', { name: 'Welcome back' }).waitFor();
  assert.equal(await visitor.title(), 'Sign in · Bright CRM');
  const logo = visitor.getByRole('img', { name: 'Bright CRM' });
  await logo.waitFor();
  assert.equal(await logo.evaluate((img) => new URL(img.currentSrc).pathname), saved.logo_light_url);
  assert.equal(await logo.evaluate((img) => img.naturalWidth), 240);
  assert.match(await visitor.getByText(/Sign in to Bright CRM/).innerText(), /Sign in to Bright CRM/);
  await expectStyle(visitor.getByRole('button', { name: 'Sign in' }), 'background-color', 'rgb(15, 118, 110)');
  // No favicon uploaded: the tab shows the glyph in the agency's colour, not the platform's icon.
  assert.match(await visitor.locator('link[rel="icon"]').getAttribute('href'), /^data:image\/svg\+xml,.*%230f766e/);
  await visitor.getByRole('link', { name: 'help@brightagency.com' }).waitFor();
  // The agency takes no sign-ups here (the default): the page offers none.
  assert.equal(await visitor.getByRole('link', { name: 'Create an account' }).count(), 0);
  // Branded from the first byte: the HTML itself carries the title and the colours.
  const html = await htmlAt(`/login`);
  assert.match(html, /<title>Bright CRM<\/title>/);
  assert.match(html, /--color-primary:#0f766e/);
  await screenshot(visitor, 'branding-login-agency-domain');

  // Dark mode picks the dark logo.
  const night = await newPage(browser, { colorScheme: 'dark' });
  await night.goto(`${domainUrl}/login`);
  const nightLogo = night.getByRole('img', { name: 'Bright CRM' });
  await nightLogo.waitFor();
  await waitUntil(async () => (await nightLogo.evaluate((img) => img.complete && new URL(img.currentSrc).pathname)) === saved.logo_dark_url, {
    message: 'dark logo in dark mode',
  });
  await screenshot(night, 'branding-login-agency-domain-dark');
  await night.context().close();

  // A client's own user signs in there and sees the brand inside the app.
  await visitor.getByLabel('Email').fill(clientEmail);
  await visitor.getByLabel('Password').fill('client-password-2026');
  await visitor.getByRole('button', { name: 'Sign in' }).click();
  await visitor.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
  const sidebar = visitor.getByRole('complementary', { name: 'Main' });
  await sidebar.getByRole('img', { name: 'Bright CRM' }).waitFor();
  await waitUntil(async () => (await visitor.title()) === 'Contacts · Bright CRM', { message: 'title uses the app name' });
  await expectStyle(visitor.getByRole('button', { name: 'New contact' }), 'background-color', 'rgb(15, 118, 110)');
  // The agency's custom CSS applies inside the app.
  await expectStyle(visitor.getByRole('button', { name: 'New contact' }), 'border-top-left-radius', '999px');
  await sidebar.getByRole('link', { name: 'Support' }).waitFor();
  await screenshot(visitor, 'branding-client-app');
  assert.deepEqual(visitor.pageErrors, []);
  await visitor.context().close();

  // ---- Agency staff inside the client account, on the agency domain: the bar stays visible and on top,
  // even with rules that try to hide it or to cover it.
  await agency.call('PUT', '/api/agency/branding', {
    app_name: saved.app_name,
    primary_color: saved.primary_color,
    secondary_color: saved.secondary_color,
    support_email: saved.support_email,
    custom_css: `${saved.custom_css}\n.sidebar-user::after { content: ""; position: fixed; inset: 0 0 auto 0; height: 56px; z-index: 2147483647; background: rgba(15, 118, 110, 0.35); }`,
  });
  const staff = await newPage(browser);
  await staff.goto(`${domainUrl}/login`);
  await staff.getByLabel('Email').fill(agency.email);
  await staff.getByLabel('Password').fill(agency.password);
  await staff.getByRole('button', { name: 'Sign in' }).click();
  await staff.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
  const switcher = staff.getByRole('button', { name: /Switch account/ });
  await switcher.click();
  await staff.getByRole('button', { name: /Harbor Dental/ }).click();
  const bar = staff.getByTestId('impersonation-bar');
  await bar.waitFor();
  assert.match(await bar.innerText(), /You are viewing Harbor Dental as Avery Bright/);
  assert.ok(await bar.isVisible());
  await expectStyle(bar, 'display', 'flex');
  const styleText = await staff.evaluate(() => document.getElementById('brand-style')?.textContent ?? '');
  assert.match(styleText, /\.brand-scope \.impersonation-bar\{display:none\}/, 'the hiding rule is in the page, scoped');
  // Nothing painted over the bar: the element at its centre is the bar (or inside it).
  const onTop = await bar.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return el.contains(hit);
  });
  assert.ok(onTop, 'the impersonation bar is painted above the branded content');
  await screenshot(staff, 'branding-impersonation-bar');
  assert.deepEqual(staff.pageErrors, []);
  await staff.context().close();
});

test("on the platform address a client user sees its agency's brand; a business account sees the platform's", async () => {
  const agency = await signUpViaApi(app.url, { name: 'Avery Bright', account_name: 'Bright Agency', agency: true });
  await agency.call('PUT', '/api/agency/branding', { app_name: 'Bright CRM', primary_color: TEAL });
  const client = await agency.call('POST', '/api/agency/sub-accounts', { name: 'Harbor Dental' });
  const email = uniqueEmail('client');
  await agency.call('POST', `/api/agency/sub-accounts/${client.id}/users`, { email, name: 'Casey Client', role: 'owner', password: 'client-password-2026' });
  const session = await callApi(app.url, null, 'POST', '/api/auth/login', { email, password: 'client-password-2026' });

  const page = await newPage(browser, { session });
  await page.goto(`${app.url}/contacts`);
  await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
  await waitUntil(async () => (await page.title()) === 'Contacts · Bright CRM', { message: 'agency app name on the platform address' });
  await expectStyle(page.getByRole('button', { name: 'New contact' }), 'background-color', 'rgb(15, 118, 110)');
  assert.match(await page.getByRole('complementary', { name: 'Main' }).innerText(), /Bright CRM/);
  // Settings has no Branding tab for a client account.
  await page.goto(`${app.url}/settings/custom-fields`);
  await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Branding', exact: true }).count(), 0);
  await page.context().close();

  const business = await signUpViaApi(app.url);
  const plain = await newPage(browser, { session: business });
  await plain.goto(`${app.url}/contacts`);
  await plain.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
  assert.equal(await plain.title(), 'Contacts · CRM');
  await expectStyle(plain.getByRole('button', { name: 'New contact' }), 'background-color', 'rgb(79, 70, 229)');
  assert.deepEqual(plain.pageErrors, []);
  await plain.context().close();
});

test('an agency opens client sign-up on its domain; a visitor signs up there and becomes one of its clients', async () => {
  const agency = await signUpViaApi(app.url, { name: 'Harper Lane', account_name: 'Harbor Partners', agency: true });
  await agency.call('PUT', '/api/agency/branding', { app_name: 'Harbor Hub', primary_color: TEAL, support_email: 'hello@harborpartners.com' });
  await connectDomain(agency, SIGNUP_DOMAIN);
  const signupUrl = `http://${SIGNUP_DOMAIN}:${new URL(app.url).port}/signup`;

  // Closed by default: the sign-up address says accounts are by invitation.
  const early = await newPage(browser);
  await early.goto(signupUrl);
  await early.getByRole('heading', { name: 'Accounts are by invitation' }).waitFor();
  await early.getByRole('link', { name: 'hello@harborpartners.com' }).first().waitFor();
  assert.equal(await early.getByRole('button', { name: 'Create account' }).count(), 0);
  await screenshot(early, 'client-signup-closed');
  await early.context().close();

  // The agency switches it on from its Custom domain page.
  const owner = await newPage(browser, { session: agency });
  await owner.goto(`${app.url}/agency/domain`);
  const toggle = owner.getByRole('switch', { name: 'Let new clients sign up on your domain' });
  await toggle.check();
  await owner.getByText(`Share ${signupUrl.replace(/^http:/, 'https:').replace(/:\d+\//, '/')}`).waitFor();
  await owner.getByRole('heading', { name: 'Client sign-up' }).scrollIntoViewIfNeeded();
  await screenshot(owner, 'client-signup-setting');
  assert.equal((await agency.call('GET', '/api/agency/client-signup')).enabled, true);
  await owner.context().close();

  // A visitor finds the way from the sign-in page, signs up, and is in the app with the agency's brand.
  const visitor = await newPage(browser);
  await visitor.goto(signupUrl.replace('/signup', '/login'));
  await visitor.getByRole('link', { name: 'Create an account' }).click();
  await visitor.getByRole('heading', { name: 'Create your account' }).waitFor();
  assert.equal(await visitor.getByText("I'm an agency").count(), 0);
  await visitor.getByLabel('Your name').fill('Casey Coastal');
  const visitorEmail = uniqueEmail('coastal');
  await visitor.getByLabel('Work email').fill(visitorEmail);
  await visitor.getByLabel('Password').fill('coastal-password-2026');
  await visitor.getByLabel('Business name').fill('Coastal Dental');
  await visitor.getByRole('button', { name: 'Create account' }).click();
  // The account is made when the emailed link is opened (on the agency's domain).
  await visitor.getByRole('heading', { name: 'Check your email' }).waitFor();
  await visitor.goto(`${signupUrl.replace('/signup', '')}${await signupLinkPath(app.url, visitorEmail)}`);
  await visitor.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
  await waitUntil(async () => (await visitor.title()) === 'Contacts · Harbor Hub', { message: 'the agency brand inside the app' });
  assert.deepEqual(visitor.pageErrors, []);
  await visitor.context().close();

  const clients = await agency.call('GET', '/api/agency/sub-accounts');
  assert.deepEqual(
    clients.data.map((c) => c.name),
    ['Coastal Dental'],
  );
});
