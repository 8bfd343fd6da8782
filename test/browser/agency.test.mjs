// The agency's own screens: Clients (create, search, rename, add a user,
// suspend and reactivate, open with the impersonation bar), the audit log of
// what happened inside, the custom domain taken live with the sandbox DNS
// helper, and Plans & pricing (Stripe Connect in the sandbox, two tiers, a
// client put on one, a usage markup and its margin). Each test builds its
// own agency through the API.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { callApi, launchBrowser, newPage, screenshot, signUpViaApi, startApp, uniqueEmail, waitUntil } from './helpers.mjs';

let app;
let browser;

before(async () => {
  app = await startApp();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

/** Screenshot with the pointer parked on the page title and no toasts, so no hover or notification shows. */
async function shot(page, name) {
  // Toasts sit behind an open dialog (the page is inert), so they are dismissed only without one.
  const dismiss = page.getByRole('button', { name: 'Dismiss notification' });
  if ((await page.locator('dialog[open]').count()) === 0) while ((await dismiss.count()) > 0) await dismiss.first().click();
  await page.mouse.move(700, 24);
  await screenshot(page, name);
}

async function newAgency(name = 'Olivia Owner', accountName = 'Northstar Agency') {
  return signUpViaApi(app.url, { name, account_name: accountName, agency: true });
}

const uniqueHost = (label) => `${label}.${Date.now().toString(36)}${process.pid}.brightagency.com`;

test('Clients: create, search, rename, add a user, suspend and reactivate, open it, and read it in the audit log', async () => {
  const agency = await newAgency();
  await agency.call('POST', '/api/agency/sub-accounts', { name: 'Harbor Law' });
  const page = await newPage(browser, { session: agency });
  await page.goto(`${app.url}/contacts`);
  await page.getByRole('link', { name: 'Clients' }).click();
  await page.getByRole('heading', { name: 'Clients', level: 1 }).waitFor();
  const table = page.getByRole('table', { name: 'Clients' });
  await table.getByRole('row').filter({ hasText: 'Harbor Law' }).waitFor();

  // A plan without sub-accounts is refused with the way to Billing (answer stubbed: every new agency starts on the Agency trial).
  await page.route('**/api/agency/sub-accounts', (route) =>
    route.request().method() === 'POST'
      ? route.fulfill({
          status: 403,
          contentType: 'application/problem+json',
          body: JSON.stringify({
            type: 'https://docs.edge-crm.dev/problems/plan-limit-reached',
            title: 'Plan limit reached',
            status: 403,
            detail: 'Sub-accounts are not included in the Free plan. Upgrade to Agency ($497.00/month) for sub-accounts.',
            feature: 'sub_accounts',
            upgrade: { plan: 'agency', name: 'Agency', price_per_month: '497.0000', how: 'Billing in the app.' },
          }),
        })
      : route.continue(),
  );
  await page.getByRole('button', { name: 'New client' }).click();
  const create = page.getByRole('dialog', { name: 'New client' });
  await create.getByLabel('Client business name').fill('Bright Dental');
  await create.getByRole('button', { name: 'Create client' }).click();
  await create.getByRole('alert').filter({ hasText: 'Sub-accounts are not included in the Free plan.' }).waitFor();
  assert.equal(await create.getByRole('link', { name: 'Move to Agency ($497/month) on Billing' }).getAttribute('href'), '/billing');
  await page.unroute('**/api/agency/sub-accounts');

  // The real thing.
  await create.getByRole('button', { name: 'Create client' }).click();
  await page.getByRole('status').filter({ hasText: 'Bright Dental is ready' }).waitFor();
  const row = (name) => table.getByRole('row').filter({ has: page.getByText(name, { exact: true }) });
  await row('Bright Dental').waitFor();
  assert.deepEqual(await table.locator('.client-name').allInnerTexts(), ['Bright Dental', 'Harbor Law']);

  // Search narrows the list.
  await page.getByRole('searchbox', { name: 'Search clients' }).fill('harb');
  await waitUntil(async () => (await table.locator('.client-name').allInnerTexts()).join() === 'Harbor Law', { message: 'search to narrow' });
  await page.getByRole('searchbox', { name: 'Search clients' }).fill('');
  await row('Bright Dental').waitFor();

  // Rename.
  await page.getByRole('button', { name: 'More actions for Bright Dental' }).click();
  await page.getByRole('menuitem', { name: 'Rename' }).click();
  const rename = page.getByRole('dialog', { name: 'Rename Bright Dental' });
  await rename.getByLabel('Client business name').fill('Bright Dental Care');
  await rename.getByRole('button', { name: 'Rename' }).click();
  await row('Bright Dental Care').waitFor();
  const client = (await agency.call('GET', '/api/agency/sub-accounts')).data.find((c) => c.name === 'Bright Dental Care');
  assert.ok(client, 'renamed through the API');

  // Add the client's owner; the API's field errors show beside the fields.
  await page.getByRole('button', { name: 'More actions for Bright Dental Care' }).click();
  await page.getByRole('menuitem', { name: 'Add user' }).click();
  const addUser = page.getByRole('dialog', { name: 'Add a user to Bright Dental Care' });
  const clientEmail = uniqueEmail('dentist');
  await addUser.getByLabel('Name').fill('Dana Dentist');
  await addUser.getByLabel('Email').fill(clientEmail);
  assert.equal(await addUser.getByLabel('Role').inputValue(), 'owner');
  // Without a password the dialog sends an invitation; with one, it adds the user.
  await addUser.getByRole('button', { name: 'Send invitation' }).waitFor();
  await addUser.getByLabel('First password (optional)').fill('short');
  await addUser.getByRole('button', { name: 'Add user' }).click();
  await addUser.locator('.field-error').filter({ hasText: 'Use at least 10 characters.' }).waitFor();
  assert.equal(await addUser.getByLabel('First password (optional)').getAttribute('aria-invalid'), 'true');
  await shot(page, 'agency-clients-add-user');
  await addUser.getByLabel('First password (optional)').fill('dentist-password-1');
  await addUser.getByRole('button', { name: 'Add user' }).click();
  await page.getByRole('status').filter({ hasText: 'Dana Dentist can now sign in to Bright Dental Care as owner' }).waitFor();
  const login = await callApi(app.url, null, 'POST', '/api/auth/login', { email: clientEmail, password: 'dentist-password-1' });
  assert.equal(login.account.id, client.id);

  // The plan: Stripe is not connected yet, and the dialog says where to do it.
  await row('Bright Dental Care')
    .getByRole('button', { name: /^Plan of Bright Dental Care: Included/ })
    .click();
  const planDialog = page.getByRole('dialog', { name: 'Plan for Bright Dental Care' });
  await planDialog.getByTestId('client-plan-now').filter({ hasText: 'Included (Agency)' }).waitFor();
  assert.equal(await planDialog.getByRole('link', { name: 'Connect Stripe on Plans & pricing' }).getAttribute('href'), '/agency/plans');
  await planDialog.getByRole('button', { name: 'Close', exact: true }).click();

  // Suspend, with a confirmation that explains it; the row is marked and the client's people are refused.
  await page.getByRole('button', { name: 'More actions for Bright Dental Care' }).click();
  await page.getByRole('menuitem', { name: 'Suspend' }).click();
  const confirmSuspend = page.getByRole('dialog', { name: 'Suspend Bright Dental Care?' });
  await confirmSuspend.getByText('Its users are signed out at once').waitFor();
  await shot(page, 'agency-clients-suspend-confirm');
  await confirmSuspend.getByRole('button', { name: 'Suspend account' }).click();
  await page.getByRole('status').filter({ hasText: 'Bright Dental Care is suspended' }).waitFor();
  await row('Bright Dental Care').getByText('Suspended', { exact: true }).waitFor();
  assert.match(await row('Bright Dental Care').getAttribute('class'), /is-suspended/);
  await assert.rejects(callApi(app.url, null, 'POST', '/api/auth/login', { email: clientEmail, password: 'dentist-password-1' }), /403/);
  await shot(page, 'agency-clients');

  await page.getByRole('button', { name: 'More actions for Bright Dental Care' }).click();
  await page.getByRole('menuitem', { name: 'Reactivate' }).click();
  await page.getByRole('dialog', { name: 'Reactivate Bright Dental Care?' }).getByRole('button', { name: 'Reactivate account' }).click();
  await page.getByRole('status').filter({ hasText: 'Bright Dental Care is active again' }).waitFor();
  await waitUntil(async () => (await row('Bright Dental Care').getByText('Suspended', { exact: true }).count()) === 0, { message: 'the mark to go' });
  await waitUntil(
    async () => (await callApi(app.url, null, 'POST', '/api/auth/login', { email: clientEmail, password: 'dentist-password-1' })).account.id === client.id,
    { timeout: 15_000, message: 'the client user to sign in again' },
  );

  // Open it in one click: the impersonation bar shows; a change made inside is on record.
  await row('Bright Dental Care').getByRole('button', { name: 'Open Bright Dental Care' }).click();
  const bar = page.getByTestId('impersonation-bar');
  await bar.waitFor();
  assert.match(await bar.innerText(), /You are viewing Bright Dental Care as Olivia Owner/);
  await page.getByRole('button', { name: 'New contact' }).click();
  const newContact = page.getByRole('dialog', { name: 'New contact' });
  await newContact.getByLabel('First name').fill('Pat');
  await newContact.getByLabel('Last name').fill('Patient');
  await newContact.getByRole('button', { name: 'Create contact' }).click();
  await page.getByRole('link', { name: 'Pat Patient' }).waitFor();
  await bar.getByRole('button', { name: 'Return' }).click();
  await waitUntil(async () => (await page.getByTestId('impersonation-bar').count()) === 0, { message: 'back in the agency' });
  // A refused attempt from inside (through the API) is on record too.
  const inside = await agency.call('POST', '/api/auth/token-exchange', { account_id: client.id });
  await assert.rejects(callApi(app.url, inside.token, 'POST', '/api/contacts', { email: 'not-an-email' }), /422/);

  // The audit log: who opened which client and what they did there.
  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
  const log = page.getByRole('table', { name: 'Audit log' });
  const opened = log.getByRole('row').filter({ hasText: 'Opened the account' });
  await opened.first().waitFor();
  assert.match(await opened.last().innerText(), /Olivia Owner[\s\S]*Bright Dental Care[\s\S]*Opened the account/);
  const rows = await log.locator('tbody tr').allInnerTexts();
  assert.equal(rows.length, 4);
  // Newest first: the refused attempt, its opening, the contact created in the app, the first opening.
  assert.match(rows[0], /Bright Dental Care[\s\S]*POST \/api\/contacts[\s\S]*Refused · 422/);
  assert.match(rows[1], /Opened the account/);
  assert.match(rows[2], /Bright Dental Care[\s\S]*POST \/api\/contacts[\s\S]*201/);
  assert.doesNotMatch(rows[2], /Refused/);
  assert.match(rows[3], /Opened the account/);
  await shot(page, 'agency-audit-log');

  // Filtered by client.
  await page.getByLabel('Client', { exact: true }).selectOption({ label: 'Harbor Law' });
  await page.getByText('Nothing recorded for this client yet').waitFor();
  assert.match(page.url(), /client=/);
  await page.getByLabel('Client', { exact: true }).selectOption({ label: 'All clients' });
  await opened.first().waitFor();

  // On a phone.
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, 'agency-audit-log-mobile');
  await page.getByRole('button', { name: 'Open navigation' }).click();
  await page.getByRole('link', { name: 'Clients' }).click();
  await table.getByRole('row').filter({ hasText: 'Harbor Law' }).waitFor();
  await shot(page, 'agency-clients-mobile');
  assert.deepEqual(page.pageErrors, []);
});

test('Clients: a large agency reads its clients a page at a time, and search finds one not loaded yet', async () => {
  const agency = await newAgency('Paula Pager', 'Many Clients Agency');
  // 60 clients, "Client 01" to "Client 60", plus one whose name sorts last.
  for (let i = 1; i <= 60; i++) await agency.call('POST', '/api/agency/sub-accounts', { name: `Client ${String(i).padStart(2, '0')}` });
  const last = await agency.call('POST', '/api/agency/sub-accounts', { name: 'Zephyr Roofing' });
  await agency.call('PATCH', `/api/agency/sub-accounts/${last.id}`, { suspended: true });

  const page = await newPage(browser, { session: agency });
  await page.goto(`${app.url}/agency/clients`);
  const table = page.getByRole('table', { name: 'Clients' });
  const names = () => table.locator('.client-name').allInnerTexts();
  await waitUntil(async () => (await names()).length === 50, { message: 'the first page of 50' });
  assert.equal((await names())[0], 'Client 01');
  await page.locator('.clients-count').filter({ hasText: '61 clients · 1 suspended' }).waitFor();

  // Search asks the server, so a client beyond the loaded page is found.
  const search = page.getByRole('searchbox', { name: 'Search clients' });
  await search.fill('zephyr');
  await waitUntil(async () => (await names()).join() === 'Zephyr Roofing', { message: 'search reaches the unloaded client' });
  await table.getByText('Suspended', { exact: true }).waitFor();
  await search.fill('');
  await waitUntil(async () => (await names()).length === 50, { message: 'the first page again' });

  await page.getByRole('button', { name: 'Show more' }).click();
  await waitUntil(async () => (await names()).length === 61, { message: 'the second page appended' });
  const all = await names();
  assert.deepEqual(all.slice(48, 52), ['Client 49', 'Client 50', 'Client 51', 'Client 52']);
  assert.equal(all.at(-1), 'Zephyr Roofing');
  assert.equal(await page.getByRole('button', { name: 'Show more' }).count(), 0);
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, 'agency-clients-paged');
  assert.deepEqual(page.pageErrors, []);
});

test('Custom domain: add it, see the exact DNS records, let the sandbox DNS create them and watch it go live, then remove it', async () => {
  const agency = await newAgency('Avery Admin', 'Brightside Agency');
  const host = uniqueHost('app');
  const page = await newPage(browser, { session: agency });
  await page.goto(`${app.url}/contacts`);
  await page.getByRole('link', { name: 'Custom domain' }).click();
  await page.getByRole('heading', { name: 'Custom domain', level: 1 }).waitFor();
  await page.getByRole('heading', { name: 'Connect your domain' }).waitFor();
  await shot(page, 'agency-domain-empty');

  // A hostname the API refuses: its words beside the field.
  const hostname = page.getByLabel('Hostname');
  await hostname.fill('https://app.brightside.com/login');
  await page.getByRole('button', { name: 'Add domain' }).click();
  await page.locator('.field-error').first().waitFor();
  assert.equal(await hostname.getAttribute('aria-invalid'), 'true');

  await hostname.fill(host);
  await page.getByRole('button', { name: 'Add domain' }).click();
  const status = page.getByTestId('domain-status');
  await status.filter({ hasText: 'Waiting for DNS' }).waitFor();
  await page.getByRole('heading', { name: host }).waitFor();

  // The records to create, exactly as the API gives them, with what DNS shows now.
  const api = await agency.call('GET', '/api/agency/domain/status');
  assert.equal(api.status, 'pending');
  const cname = page.getByTestId('dns-CNAME');
  const txt = page.getByTestId('dns-TXT');
  for (const [rowLocator, record] of [
    [cname, api.dns_records[0]],
    [txt, api.dns_records[1]],
  ]) {
    const codes = await rowLocator.locator('code').allInnerTexts();
    assert.deepEqual(codes.slice(0, 2), [record.name, record.value]);
    await rowLocator.getByText('Not found').waitFor();
    await rowLocator.getByRole('button', { name: `Copy ${record.type} value` }).waitFor();
  }
  await page.getByTestId('domain-errors').getByText(`No CNAME record found for ${host}`).waitFor();

  // Copy puts the exact value on the clipboard.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
  await txt.getByRole('button', { name: 'Copy TXT value' }).click();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), api.dns_records[1].value);

  const helper = page.getByRole('region', { name: 'Sandbox DNS' });
  await helper.getByText('Sandbox', { exact: true }).waitFor();
  await shot(page, 'agency-domain-pending');

  // Another agency cannot take the hostname while the claim holds; it is told how to prove the domain is its own.
  const rival = await newAgency('Riley Rival', 'Rival Agency');
  const rivalPage = await newPage(browser, { session: rival });
  await rivalPage.goto(`${app.url}/agency/domain`);
  await rivalPage.getByLabel('Hostname').fill(host);
  await rivalPage.getByRole('button', { name: 'Add domain' }).click();
  await rivalPage
    .getByRole('alert')
    .filter({ hasText: `${host} is claimed by another account on this platform, but that claim is not verified` })
    .filter({ hasText: `TXT _edge-crm-claim.${host}` })
    .waitFor();
  await shot(rivalPage, 'agency-domain-proof-required');
  await rivalPage.context().close();

  // The sandbox helper creates both records and asks for a check: ownership verified, certificate on its way.
  await helper.getByRole('button', { name: '1. Create both records' }).click();
  await status.filter({ hasText: 'Issuing certificate' }).waitFor();
  await cname.getByText('Found').waitFor();
  await txt.getByText('Found').waitFor();
  await page.getByTestId('domain-errors').getByText('Cloudflare is issuing its TLS certificate').waitFor();
  await shot(page, 'agency-domain-provisioning');

  // The certificate clock moves; the domain goes live.
  await helper.getByRole('button', { name: /2\. Advance certificate clock/ }).click();
  await status.filter({ hasText: 'Live' }).waitFor({ timeout: 15_000 });
  assert.match(await page.getByTestId('domain-ssl').innerText(), /Certificate: Active/);
  assert.equal(await page.getByRole('link', { name: 'Open' }).getAttribute('href'), `https://${host}`);
  assert.equal(await page.getByRole('region', { name: 'Sandbox DNS' }).count(), 0, 'the helper is done');
  assert.equal((await agency.call('GET', '/api/agency/domain/status')).live, true);
  await shot(page, 'agency-domain-live');
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, 'agency-domain-live-mobile');
  await page.setViewportSize({ width: 1440, height: 900 });

  // Check now, then remove with a confirmation.
  await page.getByRole('button', { name: 'Check now' }).click();
  await status.filter({ hasText: 'Live' }).waitFor();
  await page.getByRole('button', { name: 'Remove' }).click();
  const confirmRemove = page.getByRole('dialog', { name: `Remove ${host}?` });
  await confirmRemove.getByText('stops serving your app at once').waitFor();
  await confirmRemove.getByRole('button', { name: 'Remove domain' }).click();
  await page.getByRole('heading', { name: 'Connect your domain' }).waitFor();
  await assert.rejects(agency.call('GET', '/api/agency/domain/status'), /404/);
  assert.deepEqual(page.pageErrors, []);
});

test('Plans & pricing: connect Stripe in the sandbox, define two tiers, put a client on one, and set a usage markup with its margin', async () => {
  const agency = await newAgency('Morgan Owner', 'Summit Agency');
  await agency.call('POST', '/api/billing/subscribe', { plan: 'agency', payment_method: 'pm_card_visa' });
  await agency.call('POST', '/api/agency/sub-accounts', { name: 'Bright Dental' });
  const page = await newPage(browser, { session: agency });
  await page.goto(`${app.url}/contacts`);
  await page.getByRole('link', { name: 'Plans & pricing' }).click();
  await page.getByRole('heading', { name: 'Plans & pricing', level: 1 }).waitFor();
  const stripeState = page.getByTestId('stripe-state');
  await stripeState.filter({ hasText: 'Not connected' }).waitFor();
  await page.getByText('No tiers yet').waitFor();
  await page.getByRole('table', { name: 'Usage prices' }).waitFor();
  await shot(page, 'agency-plans-empty');

  // Connect Stripe: the sandbox completes onboarding and sends the browser back to the app.
  await page.getByRole('button', { name: 'Connect Stripe' }).click();
  await stripeState.filter({ hasText: 'Connected' }).waitFor({ timeout: 15_000 });
  await page.getByRole('status').filter({ hasText: 'Stripe is connected' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/agency/plans');
  assert.equal(new URL(page.url()).search, '');
  const connection = await agency.call('GET', '/api/agency/stripe/status');
  assert.equal(connection.onboarding_complete, true);
  await page.getByText(connection.stripe_account_id).waitFor();

  // Two tiers; a limit above the agency plan's is refused on its own row.
  await page.getByRole('button', { name: 'Add a tier' }).click();
  await page.getByLabel('Tier 1 name').fill('Basic');
  await page.getByLabel('Tier 1 price per month').fill('149');
  await page.getByLabel('Tier 1 contacts').fill('2,500');
  await page.getByRole('button', { name: 'Add tier' }).click();
  await page.getByLabel('Tier 2 name').fill('Pro');
  await page.getByLabel('Tier 2 price per month').fill('299.50');
  await page.getByLabel('Tier 2 contacts').fill('250000');
  await page.getByLabel('Tier 2 users').fill('5');
  await page.getByRole('button', { name: 'Save tiers' }).click();
  const tierError = page.getByTestId('tier-row-2').locator('.field-error');
  await tierError.filter({ hasText: /^At most 100,000/ }).waitFor();
  assert.equal(await page.getByLabel('Tier 2 contacts').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.getByTestId('tier-row-1').locator('.field-error').count(), 0);
  await shot(page, 'agency-plans-tier-error');
  await page.getByLabel('Tier 2 contacts').fill('10000');
  await page.getByRole('button', { name: 'Save tiers' }).click();
  await page.getByRole('status').filter({ hasText: '2 tiers on sale' }).waitFor();
  const saved = await agency.call('GET', '/api/agency/pricing/tiers');
  assert.deepEqual(
    saved.tiers.map((t) => [t.name, t.price, t.contacts, t.users]),
    [
      ['Basic', '149.0000', 2500, null],
      ['Pro', '299.5000', 10000, 5],
    ],
  );

  // Usage markup: the margin per unit is exact, and a price under the platform's is flagged.
  const sms = page.getByTestId('markup-sms_outbound');
  await page.getByLabel('SMS sent multiplier').fill('2.0');
  assert.match(await page.getByTestId('markup-sms_outbound-margin').innerText(), /^\+\$0\.00395\n/);
  assert.match(await sms.innerText(), /\$0\.01185[\s\S]*\$0\.0158/);
  await page.getByLabel('Email multiplier').fill('1.2');
  await page.getByText('Below the platform price: you would lose $0.00008 on every email.').waitFor();
  assert.match(await page.getByTestId('markup-email-margin').innerText(), /^-\$0\.00008/);
  await page.getByLabel('Voice multiplier').fill('0.5');
  await page.getByText('Below 1.0 sells under cost').waitFor();
  await page.getByRole('button', { name: 'Save prices' }).click();
  // The API refuses a multiplier under 1.0 and says so on its row.
  await page.getByRole('alert').filter({ hasText: 'A multiplier below 1.0 would sell under cost.' }).waitFor();
  await shot(page, 'agency-plans-markup-error');
  await page.getByLabel('Voice multiplier').fill('1.75');
  await page.getByRole('button', { name: 'Save prices' }).click();
  await page.getByRole('status').filter({ hasText: 'Usage prices saved' }).waitFor();
  const prices = await agency.call('GET', '/api/agency/usage-markup');
  const price = (type) => prices.data.find((p) => p.resource_type === type);
  assert.deepEqual([price('sms_outbound').multiplier, price('sms_outbound').margin], ['2.0', '0.00395']);
  assert.deepEqual([price('email').multiplier, price('email').margin], ['1.2', '-0.00008']);
  assert.equal(price('voice_minute').margin, '0.0035');
  assert.match(await page.getByTestId('markup-voice_minute-margin').innerText(), /^\+\$0\.0035/);
  // The negative margin stays flagged after saving.
  await page.getByText('Below the platform price: you would lose $0.00008 on every email.').waitFor();
  await page.setViewportSize({ width: 1440, height: 1700 });
  await shot(page, 'agency-plans');
  await page.setViewportSize({ width: 1440, height: 900 });

  // Put the client on a tier with a sandbox test card.
  await page.getByRole('link', { name: 'Clients' }).click();
  const row = page.getByRole('table', { name: 'Clients' }).getByRole('row').filter({ hasText: 'Bright Dental' });
  await row.getByRole('button', { name: /^Plan of Bright Dental: Included/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Plan for Bright Dental' });
  await dialog.getByRole('radio', { name: /Pro/ }).check();
  await dialog.getByRole('radio', { name: /Visa 4242/ }).check();
  await shot(page, 'agency-client-plan-dialog');
  await dialog.getByRole('button', { name: 'Subscribe · $299.50/month' }).click();
  await page.getByRole('status').filter({ hasText: 'Bright Dental is on Pro' }).waitFor();
  await dialog
    .getByTestId('client-plan-now')
    .filter({ hasText: /Pro[\s\S]*\$299\.50\/month, renews/ })
    .waitFor();
  await shot(page, 'agency-client-plan-subscribed');
  // Cancel at the end of the paid period, then keep it after all.
  await dialog.getByRole('button', { name: 'Cancel plan' }).click();
  const confirmCancel = page.getByRole('dialog', { name: 'Cancel Pro for Bright Dental?' });
  await confirmCancel.getByText('moves to Free and keeps all its data').waitFor();
  await confirmCancel.getByRole('button', { name: 'Cancel plan' }).click();
  await dialog
    .getByTestId('client-plan-now')
    .filter({ hasText: /Cancelled: Pro stays until/ })
    .waitFor();
  await dialog.getByRole('button', { name: 'Keep Pro' }).click();
  await page.getByRole('status').filter({ hasText: 'Bright Dental keeps Pro' }).waitFor();
  await dialog
    .getByTestId('client-plan-now')
    .filter({ hasText: /renews/ })
    .waitFor();
  await dialog.getByRole('button', { name: 'Close', exact: true }).click();
  await row.getByRole('button', { name: /^Plan of Bright Dental: Pro/ }).waitFor();
  const sub = (await agency.call('GET', '/api/agency/sub-accounts')).data[0];
  const plan = await agency.call('GET', `/api/agency/sub-accounts/${sub.id}/subscription`);
  assert.equal(plan.plan_source, 'agency_tier');
  assert.equal(plan.tier.name, 'Pro');
  await shot(page, 'agency-clients-with-plan');
  assert.deepEqual(page.pageErrors, []);
});

test('the agency screens are read-only for an agency member, and point a client account back to the agency', async () => {
  const agency = await newAgency('Quinn Owner', 'Lakeside Agency');
  const client = await agency.call('POST', '/api/agency/sub-accounts', { name: 'Cedar Bakery' });
  const memberEmail = uniqueEmail('member');
  await agency.call('POST', '/api/users', { email: memberEmail, name: 'Mel Member', role: 'member', password: 'member-password-1' });
  const member = await callApi(app.url, null, 'POST', '/api/auth/login', { email: memberEmail, password: 'member-password-1' });

  const page = await newPage(browser, { session: member });
  await page.goto(`${app.url}/agency/clients`);
  await page.getByRole('table', { name: 'Clients' }).getByText('Cedar Bakery').waitFor();
  assert.equal(await page.getByRole('button', { name: 'New client' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Open Cedar Bakery' }).count(), 0);
  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.getByText('Only owners and admins of your agency see the audit log').waitFor();
  await page.getByRole('link', { name: 'Custom domain' }).click();
  await page.getByText('Only owners and admins of your agency see the custom domain').waitFor();
  // What clients pay and what the agency earns on them are for owners and admins.
  assert.equal(await page.getByRole('columnheader', { name: 'Plan' }).count(), 0, 'no client plans for a member');
  await page.getByRole('link', { name: 'Plans & pricing' }).click();
  await page.getByText('Only owners and admins of your agency see plans and pricing').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Connect Stripe' }).count(), 0);
  await page.getByRole('link', { name: 'Usage margins' }).click();
  await page.getByText('Only owners and admins of your agency see usage margins').waitFor();
  await page.context().close();

  // Inside the client account, the agency screens say where to go.
  const inside = await agency.call('POST', '/api/auth/token-exchange', { account_id: client.id });
  const clientPage = await newPage(browser, { session: inside });
  await clientPage.goto(`${app.url}/agency/clients`);
  await clientPage.getByRole('heading', { name: 'Clients are managed from your agency account' }).waitFor();
  assert.equal(await clientPage.getByRole('link', { name: 'Clients' }).count(), 0, 'no agency navigation inside a client');
  await shot(clientPage, 'agency-clients-inside-client');
  assert.deepEqual([...page.pageErrors, ...clientPage.pageErrors], []);
});
