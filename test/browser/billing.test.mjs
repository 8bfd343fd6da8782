// Billing: the trial and usage a new account starts with, subscribing with a
// sandbox test card, the invoice and its PDF, upgrading, cancelling and
// keeping the plan, the timeline; walking a failed renewal through dunning
// with the sandbox clock until the account is paused, the banner that says
// so on every screen, and paying it from Billing; what members and an
// agency's client account see.
import assert from 'node:assert/strict';
import fs from 'node:fs';
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

const HOUR_MS = 3_600_000;

/** Screenshot with the pointer parked on the page title, so no hover state shows. */
async function shot(page, name) {
  await page.mouse.move(700, 24);
  await screenshot(page, name);
}

async function dismissToasts(page) {
  const dismiss = page.getByRole('button', { name: 'Dismiss notification' });
  while ((await dismiss.count()) > 0) await dismiss.first().click();
}

/** The sandbox Stripe clock (ms). It is shared by every account on the server, so walks are computed from it. */
async function stripeNow() {
  const res = await fetch(`${app.url}/sandbox/stripe/_emulator/clock`, { headers: { authorization: 'Bearer sk_test_sandbox' } });
  assert.equal(res.status, 200);
  return (await res.json()).now * 1000;
}

test('a new account sees its trial and usage, subscribes with a test card, downloads the invoice and upgrades', async () => {
  const owner = await signUpViaApi(app.url, { account_name: 'Billing Studio' });
  await owner.call('POST', '/api/contacts', { first_name: 'Ada', last_name: 'Lovelace' });
  await owner.call('POST', '/api/contacts', { first_name: 'Grace', last_name: 'Hopper' });
  const page = await newPage(browser, { session: owner });
  await page.goto(`${app.url}/contacts`);
  await page.getByRole('link', { name: 'Billing' }).click();
  await page.getByRole('heading', { name: 'Billing', level: 1 }).waitFor();

  // The 14-day Professional trial every business account starts with, and usage against its limits.
  assert.equal(await page.getByTestId('current-plan').innerText(), 'Professional');
  assert.match(await page.getByTestId('plan-source').innerText(), /Free trial · 1[34] days left/);
  assert.equal(await page.getByTestId('account-status').innerText(), 'Active');
  const contacts = page.getByRole('progressbar', { name: 'Contacts' });
  await contacts.waitFor();
  assert.equal(await contacts.getAttribute('aria-valuetext'), '2 of 25,000 contacts');
  assert.equal(await page.getByRole('progressbar', { name: 'Users' }).getAttribute('aria-valuetext'), '1 of 10 users');
  const features = page.getByRole('list', { name: 'Features', exact: true });
  await features.getByRole('listitem').filter({ hasText: 'Workflows' }).getByRole('img', { name: 'Included' }).waitFor();
  assert.match(await features.getByRole('listitem').filter({ hasText: 'White-label' }).innerText(), /on Agency/);
  assert.equal(await page.getByTestId('standing-banner').count(), 0, 'no banner while active');

  // Four paid tiers; the trial's plan is marked; Enterprise goes through sales.
  const tiers = page.getByRole('region', { name: 'Plans' }).getByRole('article');
  assert.deepEqual(await tiers.getByRole('heading', { level: 3 }).allInnerTexts(), ['Starter', 'Professional', 'Agency', 'Enterprise']);
  assert.match(await page.getByTestId('tier-starter').innerText(), /\$97\/month[\s\S]*5,000 contacts[\s\S]*3 users/);
  assert.match(await page.getByTestId('tier-professional').innerText(), /Your trial/);
  assert.match(await page.getByTestId('tier-agency').innerText(), /\$497\/month[\s\S]*Unlimited users[\s\S]*White-label/);
  await page.getByTestId('tier-enterprise').getByRole('link', { name: 'Contact sales' }).waitFor();
  await page.getByText('No invoices yet').waitFor();
  await shot(page, 'billing-trial');

  // Subscribe to Starter; without a saved card the dialog asks for one.
  await page.getByRole('button', { name: 'Subscribe to Starter' }).click();
  const subscribe = page.getByRole('dialog', { name: 'Subscribe to Starter' });
  await subscribe.getByText('$97.00 is charged now').waitFor();
  await subscribe.getByRole('radio', { name: /Visa 4242/ }).check();
  await shot(page, 'billing-subscribe-dialog');
  await subscribe.getByRole('button', { name: 'Subscribe · $97/month' }).click();
  await page.getByRole('status').filter({ hasText: 'Subscribed to Starter' }).waitFor();
  await page.getByTestId('current-plan').filter({ hasText: 'Starter' }).waitFor();
  assert.match(await page.getByTestId('plan-source').innerText(), /^Renews on .+, charged to Visa •••• 4242\.$/);
  await page.getByRole('region', { name: 'Billing card' }).getByTestId('saved-card').filter({ hasText: 'Visa •••• 4242' }).waitFor();
  await page.getByRole('progressbar', { name: 'Contacts' }).and(page.locator('[aria-valuetext="2 of 5,000 contacts"]')).waitFor();

  // The first invoice, paid, with its PDF.
  const invoices = page.getByRole('table', { name: 'Invoices' });
  const row = invoices.getByRole('row').filter({ hasText: 'New subscription' });
  await row.waitFor();
  assert.match(await row.innerText(), /\$97\.00[\s\S]*Paid/);
  const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: /Download PDF/ }).click()]);
  assert.match(download.suggestedFilename(), /^invoice-.+\.pdf$/);
  assert.equal(
    fs
      .readFileSync(await download.path())
      .subarray(0, 5)
      .toString('latin1'),
    '%PDF-',
  );
  await shot(page, 'billing-subscribed');

  // Upgrade to Professional: the prorated difference is charged now.
  await page.getByRole('button', { name: 'Upgrade to Professional' }).click();
  const upgrade = page.getByRole('dialog', { name: 'Upgrade to Professional' });
  await upgrade.getByText('Charged to').waitFor();
  await upgrade.getByRole('button', { name: 'Upgrade to Professional' }).click();
  await page.getByRole('status').filter({ hasText: 'Upgraded to Professional' }).waitFor();
  await page.getByTestId('current-plan').filter({ hasText: 'Professional' }).waitFor();
  assert.match(await page.getByTestId('tier-professional').innerText(), /Current plan/);
  await page.getByRole('button', { name: 'Downgrade to Starter' }).waitFor();
  await invoices.getByRole('row').filter({ hasText: 'Plan change' }).waitFor();

  const timeline = page.getByRole('list', { name: 'Billing timeline' });
  await timeline
    .getByRole('listitem')
    .filter({ hasText: /^Upgraded from Starter to Professional \(\$297\.00\/month\)/ })
    .waitFor();
  await timeline
    .getByRole('listitem')
    .filter({ hasText: /^Subscribed to Starter at \$97\.00\/month/ })
    .waitFor();
  const messages = await timeline.locator('.timeline-message').allInnerTexts();
  assert.ok(messages.findIndex((m) => m.startsWith('Upgraded')) < messages.findIndex((m) => m.startsWith('Subscribed')), 'newest first');

  // Cancel at period end, then keep the plan after all.
  await page.getByRole('button', { name: 'Cancel plan' }).click();
  await page.getByRole('dialog', { name: 'Cancel Professional?' }).getByRole('button', { name: 'Cancel plan' }).click();
  await page
    .getByTestId('plan-source')
    .filter({ hasText: /^Cancels on / })
    .waitFor();
  await timeline.getByRole('listitem').filter({ hasText: 'Cancellation scheduled' }).waitFor();
  await page.getByRole('button', { name: 'Keep my plan' }).click();
  await page
    .getByTestId('plan-source')
    .filter({ hasText: /^Renews on / })
    .waitFor();
  await timeline.getByRole('listitem').filter({ hasText: 'Cancellation withdrawn' }).waitFor();
  // The whole page in one picture, on a desktop and on a phone.
  await dismissToasts(page);
  await page.setViewportSize({ width: 1440, height: 2600 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, 'billing-page');
  await page.setViewportSize({ width: 390, height: 3600 });
  await shot(page, 'billing-page-mobile');

  const billing = await owner.call('GET', '/api/billing');
  assert.equal(billing.plan.id, 'professional');
  assert.equal(billing.plan_source, 'subscription');
  assert.equal(billing.subscription.cancel_at_period_end, false);
  assert.deepEqual(page.pageErrors, []);
});

test('a failed renewal walks through dunning to paused; the banner shows on every screen until it is paid', async () => {
  const owner = await signUpViaApi(app.url, { account_name: 'Dunning Studio' });
  const subscribed = await owner.call('POST', '/api/billing/subscribe', { plan: 'starter', payment_method: 'pm_card_visa' });
  // A card that saves but declines every charge: the next renewal fails.
  await owner.call('POST', '/api/billing/payment-method', { payment_method: 'pm_card_chargeCustomerFail' });

  // To just past the renewal (day 0 of dunning): the first failure, past due.
  const periodEnd = Date.parse(subscribed.subscription.current_period_end);
  const hours = Math.ceil((periodEnd - (await stripeNow())) / HOUR_MS) + 1;
  await owner.call('POST', '/api/billing/sandbox/advance-clock', { hours });
  assert.equal((await owner.call('GET', '/api/billing')).status, 'past_due');

  const page = await newPage(browser, { session: owner });
  await page.goto(`${app.url}/contacts`);
  const banner = page.getByTestId('standing-banner');
  await banner.waitFor();
  assert.equal(await banner.getAttribute('role'), 'status');
  assert.match(await banner.innerText(), /Your last payment failed\. Update your card to avoid interruption\./);
  await banner.getByRole('link', { name: 'Update card' }).click();
  await page.getByRole('heading', { name: 'Billing', level: 1 }).waitFor();
  const alert = page.getByTestId('dunning-alert');
  await alert.getByRole('heading', { name: 'Payment of $97.00 failed' }).waitFor();
  assert.match(await alert.innerText(), /Your card was declined\./);
  assert.match(await page.getByTestId('dunning-next').innerText(), /^The card is retried on /);
  // Plan changes wait until the invoice is paid.
  assert.equal(await page.getByRole('button', { name: 'Upgrade to Professional' }).isDisabled(), true);

  // The sandbox clock, a day at a time: the second attempt fails (warning), then the third (paused).
  const clock = page.getByRole('region', { name: 'Sandbox clock' });
  await clock.getByText('Sandbox', { exact: true }).waitFor();
  const advanceOneDay = async () => {
    const before = (await clock.getByTestId('sandbox-clock-now').count()) ? await clock.getByTestId('sandbox-clock-now').innerText() : '';
    await clock.getByRole('button', { name: '+1 day' }).click();
    await waitUntil(
      async () => (await clock.getByTestId('sandbox-clock-now').count()) && (await clock.getByTestId('sandbox-clock-now').innerText()) !== before,
      {
        timeout: 30_000,
        message: 'the clock to move',
      },
    );
    await waitUntil(async () => clock.getByRole('button', { name: '+1 day' }).isEnabled(), { timeout: 30_000, message: 'the clock to be free' });
  };
  await advanceOneDay();
  await alert.getByRole('heading', { name: 'Payment of $97.00 failed twice' }).waitFor();
  // The warning also went out by email, to the owner, once (the sandbox mailbox keeps it).
  const mailbox = `/sandbox/resend/_emulator/emails?to=${encodeURIComponent(owner.email)}`;
  // (Besides the sign-up email the owner confirmed the account with.)
  const notices = async () => (await callApi(app.url, 're_sandbox', 'GET', mailbox)).data.filter((e) => !e.tags.some((t) => t.value === 'signup_confirm'));
  await waitUntil(async () => (await notices()).length > 0, { message: 'the warning email' });
  const emails = await notices();
  assert.deepEqual(
    emails.map((e) => e.subject),
    ['Payment failed for Dunning Studio: please update your card'],
  );
  // Links point at the server that sent them (APP_URL is the local server's own address).
  assert.match(emails[0].text, new RegExp(`failed twice[\\s\\S]*Update your card: ${app.url.replace(/[.]/g, '\\.')}/billing`));
  // In the app: the sidebar counts it; the notifications page shows it with its email, and reading it clears the count.
  const notificationsLink = page.getByRole('link', { name: /^Notifications/ });
  await page.getByRole('link', { name: 'Contacts' }).click();
  await notificationsLink.getByLabel('1 unread').waitFor();
  await notificationsLink.click();
  const notice = page.getByRole('list', { name: 'Notices' }).getByRole('listitem').first();
  await notice.getByText('Payment failed', { exact: true }).waitFor();
  await notice.getByText(`Emailed to ${owner.email}`).waitFor();
  assert.match(await notice.innerText(), /Your payment of \$97\.00 for Starter failed twice/);
  await shot(page, 'notifications');
  await waitUntil(async () => (await notificationsLink.getByLabel('1 unread').count()) === 0, { message: 'the unread count to clear' });
  await notice.getByRole('link', { name: 'Update card' }).click();
  await page.getByRole('heading', { name: 'Billing', level: 1 }).waitFor();
  await advanceOneDay();
  await advanceOneDay();
  await alert.getByRole('heading', { name: 'Automations are paused: $97.00 is unpaid' }).waitFor();
  assert.equal((await owner.call('GET', '/api/billing')).status, 'paused');
  assert.match(await page.getByTestId('dunning-next').innerText(), /^Last retry on .+\. If it fails, the account moves to Free\.$/);
  assert.equal(await alert.getByRole('listitem').and(page.locator('[aria-current="step"]')).innerText(), 'Automations paused');
  await page.getByTestId('account-status').filter({ hasText: 'Paused' }).waitFor();
  await page
    .getByRole('list', { name: 'Billing timeline' })
    .getByRole('listitem')
    .filter({ hasText: /^Third payment attempt failed/ })
    .waitFor();
  await shot(page, 'billing-dunning-alert');

  // On any other screen the banner says automations are paused and links to paying.
  await page.getByRole('link', { name: 'Contacts' }).click();
  await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
  await banner.filter({ hasText: 'Automations are paused: payment of $97.00 failed.' }).waitFor();
  assert.equal(await banner.getAttribute('role'), 'alert');
  await shot(page, 'billing-paused-banner');
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, 'billing-paused-banner-mobile');
  await page.setViewportSize({ width: 1440, height: 900 });

  // Pay now with a working card: the account is active at once and the banner clears without a reload.
  await banner.getByRole('link', { name: 'Pay now' }).click();
  await alert.getByRole('button', { name: 'Pay now' }).click();
  const pay = page.getByRole('dialog', { name: 'Pay $97.00 now' });
  await pay.getByRole('radio', { name: 'A different card' }).check();
  await pay.getByRole('radio', { name: /Visa 4242/ }).check();
  await shot(page, 'billing-pay-dialog');
  await pay.getByRole('button', { name: 'Pay $97.00' }).click();
  await page.getByRole('status').filter({ hasText: '$97.00 paid. The account is active again.' }).waitFor();
  await banner.waitFor({ state: 'detached' });
  await page.getByTestId('account-status').filter({ hasText: 'Active' }).waitFor();
  await page.getByText(/Paid\. \$97\.00 was received on/).waitFor();
  assert.equal(await alert.count(), 0);
  const after = await owner.call('GET', '/api/billing');
  assert.equal(after.status, 'active');
  assert.equal(after.payment_method.last4, '4242');
  await page.getByRole('link', { name: 'Contacts' }).click();
  await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
  assert.equal(await banner.count(), 0, 'no banner once active');
  assert.deepEqual(page.pageErrors, []);
});

test('members see the plan and usage but cannot change them; an agency client sees its plan is managed by the agency', async () => {
  const owner = await signUpViaApi(app.url, { account_name: 'Member Billing' });
  const email = uniqueEmail('member');
  await owner.call('POST', '/api/users', { email, name: 'Milo Member', role: 'member', password: 'member-password-1' });
  const member = await callApi(app.url, null, 'POST', '/api/auth/login', { email, password: 'member-password-1' });
  const page = await newPage(browser, { session: member });
  await page.goto(`${app.url}/billing`);
  await page.getByTestId('current-plan').filter({ hasText: 'Professional' }).waitFor();
  await page.getByRole('progressbar', { name: 'Users' }).and(page.locator('[aria-valuetext="2 of 10 users"]')).waitFor();
  await page.getByText('Only owners and admins can change the plan.').waitFor();
  assert.equal(await page.getByRole('button', { name: /^(Subscribe|Upgrade|Downgrade) to/ }).count(), 0);
  assert.equal(await page.getByRole('region', { name: 'Invoices' }).count(), 0, 'invoices are for owners and admins');
  assert.equal(await page.getByRole('region', { name: 'Sandbox clock' }).count(), 0);
  await page.getByRole('list', { name: 'Billing timeline' }).or(page.getByText('Nothing yet')).first().waitFor();
  await shot(page, 'billing-member');

  const agency = await signUpViaApi(app.url, { name: 'Olivia Owner', account_name: 'Northstar Agency', agency: true });
  const sub = await agency.call('POST', '/api/agency/sub-accounts', { name: 'Bright Dental' });
  const inside = await agency.call('POST', '/api/auth/token-exchange', { account_id: sub.id });
  const client = await newPage(browser, { session: inside });
  await client.goto(`${app.url}/billing`);
  await client.getByTestId('plan-source').filter({ hasText: 'Through your agency.' }).waitFor();
  assert.equal(await client.getByTestId('current-plan').innerText(), 'Agency');
  assert.equal(await client.getByRole('region', { name: 'Plans' }).count(), 0, 'no plan changes');
  assert.equal(await client.getByRole('button', { name: 'Cancel plan' }).count(), 0);
  assert.equal(await client.getByRole('region', { name: 'Billing card' }).count(), 0);
  await shot(client, 'billing-agency-client');
  assert.deepEqual(page.pageErrors, []);
  assert.deepEqual(client.pageErrors, []);
});
