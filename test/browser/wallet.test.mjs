// The wallet: saving a sandbox test card, adding funds (credited when Stripe's
// webhook arrives), declines, auto-recharge settings and failures, the
// ledger with filters, paging and CSV export, the usage chart, what members
// may not do, and the agency's usage margins screen.
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

const toMicros = (usd) => {
  const [whole, frac = ''] = usd.replace('-', '').split('.');
  const micros = BigInt(whole) * 1_000_000n + BigInt(`${frac}000000`.slice(0, 6));
  return usd.startsWith('-') ? -micros : micros;
};

/** The page's money format: every significant decimal, at least two ("$0.000378", "$1,250.50"). */
const usdText = (micros) => {
  const sign = micros < 0n ? '-' : '';
  const abs = micros < 0n ? -micros : micros;
  const frac = (abs % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '').padEnd(2, '0');
  return `${sign}$${(abs / 1_000_000n).toLocaleString('en-US')}.${frac}`;
};

/** Saves Stripe's Visa test card and adds funds through the API, then waits for the webhook to credit them. */
async function fundViaApi(session, amount = '20.00') {
  await session.call('POST', '/api/wallet/payment-method', { payment_method: 'pm_card_visa' });
  const before = toMicros((await session.call('GET', '/api/wallet/balance')).available);
  await session.call('POST', '/api/wallet/add-funds', { amount });
  await waitUntil(async () => toMicros((await session.call('GET', '/api/wallet/balance')).available) > before, {
    timeout: 15_000,
    message: 'wallet credited',
  });
}

/** Screenshot with the pointer parked on the page title, so no hover state shows. */
async function shot(page, name) {
  await page.mouse.move(700, 24);
  await screenshot(page, name);
}

async function summarize(session, contactId) {
  return session.call('POST', `/api/contacts/${contactId}/ai-summary`);
}

test('saves a test card, adds funds and sees the balance update; declined cards show why', async () => {
  const owner = await signUpViaApi(app.url, { account_name: 'Wallet Studio' });
  const page = await newPage(browser, { session: owner });
  await page.goto(`${app.url}/wallet`);
  await page.getByRole('heading', { name: 'Wallet', level: 1 }).waitFor();
  assert.equal(await page.getByTestId('available-balance').innerText(), '$0.00');
  await page.getByTestId('low-balance').waitFor();
  assert.match(await page.getByTestId('low-balance').innerText(), /\$0\.00 available, below your \$10\.00 threshold/);

  // No card yet: "Add funds" leads to saving one.
  await page.getByRole('button', { name: 'Add funds' }).first().click();
  const addDialog = page.getByRole('dialog', { name: 'Add funds' });
  await addDialog.getByText('Save a card first').waitFor();
  await addDialog.getByRole('button', { name: 'Add a card' }).click();

  const cardDialog = page.getByRole('dialog', { name: 'Add a card' });
  await cardDialog.getByText('Sandbox test cards').waitFor();
  // A card the bank declines is not saved, and the dialog says why.
  await cardDialog.getByRole('radio', { name: /Visa 0002/ }).check();
  await cardDialog.getByRole('button', { name: 'Save card' }).click();
  await cardDialog.getByRole('alert').filter({ hasText: 'Your card was declined.' }).waitFor();
  // A card that needs 3-D Secure cannot be saved for off-session charges either.
  await cardDialog.getByRole('radio', { name: /Visa 3184/ }).check();
  await cardDialog.getByRole('button', { name: 'Save card' }).click();
  await cardDialog.getByRole('alert').filter({ hasText: 'authentication' }).waitFor();
  await shot(page, 'wallet-card-declined');

  await cardDialog.getByRole('radio', { name: /Visa 4242/ }).check();
  await cardDialog.getByRole('button', { name: 'Save card' }).click();
  await page.getByRole('status').filter({ hasText: 'Visa •••• 4242 saved' }).waitFor();
  await page.getByTestId('saved-card').filter({ hasText: 'Visa •••• 4242' }).waitFor();

  // Below the minimum is caught before anything is charged.
  await page.getByRole('button', { name: 'Add funds' }).first().click();
  await addDialog.getByRole('radio', { name: 'Other' }).check();
  await addDialog.getByLabel('Custom amount').fill('3');
  await addDialog.getByRole('button', { name: 'Add funds' }).click();
  await addDialog.getByText('The minimum is $5.00.').waitFor();

  await addDialog.getByRole('radio', { name: '$50' }).check();
  await shot(page, 'wallet-add-funds');
  await addDialog.getByRole('button', { name: 'Add $50.00' }).click();
  // 202: the card was charged; the wallet is credited when the webhook lands.
  const progress = page.getByRole('dialog', { name: /Adding funds|Funds added/ });
  await progress.waitFor();
  await page.getByRole('dialog', { name: 'Funds added' }).waitFor({ timeout: 20_000 });
  assert.match(await page.getByTestId('new-balance').innerText(), /New available balance: \$50\.00/);
  await page.getByRole('dialog', { name: 'Funds added' }).getByRole('button', { name: 'Done' }).click();
  assert.equal(await page.getByTestId('available-balance').innerText(), '$50.00');
  assert.equal(await page.getByTestId('low-balance').count(), 0, 'no low-balance warning at $50');

  const topUps = page.getByRole('list', { name: 'Top-ups' });
  await topUps.getByRole('listitem').filter({ hasText: '$50.00' }).filter({ hasText: 'Succeeded' }).waitFor();
  const ledger = page.getByRole('region', { name: 'Transactions' });
  await ledger.getByRole('row').filter({ hasText: 'Card top-up' }).filter({ hasText: '+$50.00' }).waitFor();
  await shot(page, 'wallet-funded');

  // A card that saves but declines every charge: the top-up fails and says so.
  await page.getByRole('button', { name: 'Change card' }).click();
  const change = page.getByRole('dialog', { name: 'Change card' });
  await change.getByRole('radio', { name: /Visa 0341/ }).check();
  await change.getByRole('button', { name: 'Save card' }).click();
  await page.getByTestId('saved-card').filter({ hasText: 'Visa •••• 0341' }).waitFor();
  await page.getByRole('button', { name: 'Add funds' }).first().click();
  await addDialog.getByRole('radio', { name: '$25' }).check();
  await addDialog.getByRole('button', { name: 'Add $25.00' }).click();
  await addDialog.getByRole('alert').filter({ hasText: 'Payment failed: Your card was declined.' }).waitFor();
  await topUps.getByRole('listitem').filter({ hasText: '$25.00' }).filter({ hasText: 'Failed' }).waitFor();
  await shot(page, 'wallet-charge-declined');
  await addDialog.getByRole('button', { name: 'Cancel' }).click();
  assert.equal(await page.getByTestId('available-balance').innerText(), '$50.00', 'nothing credited for the decline');

  const balance = await owner.call('GET', '/api/wallet/balance');
  assert.equal(balance.available, '50.0000');
  assert.deepEqual(page.pageErrors, []);
});

test('configures auto-recharge with errors beside the fields, and shows a failed recharge', async () => {
  const owner = await signUpViaApi(app.url, { account_name: 'Recharge Studio' });
  const page = await newPage(browser, { session: owner });
  await page.goto(`${app.url}/wallet`);
  const form = page.getByRole('form', { name: 'Auto-recharge settings' });
  await form.waitFor();
  const toggle = form.getByRole('switch', { name: 'Top up automatically when funds run low' });
  const threshold = form.getByLabel('When available falls below');
  const amount = form.getByLabel('Add this amount');
  assert.equal(await threshold.inputValue(), '10.00');
  assert.equal(await amount.inputValue(), '50.00');

  // Without a card the API refuses to turn it on; the message sits by the switch.
  await toggle.check();
  await form.getByRole('button', { name: 'Save' }).click();
  await form.getByText('Save a card before turning on auto-recharge.').waitFor();
  assert.equal(await toggle.getAttribute('aria-invalid'), 'true');

  await owner.call('POST', '/api/wallet/payment-method', { payment_method: 'pm_card_visa' });
  await owner.call('POST', '/api/wallet/add-funds', { amount: '40.00' });
  await waitUntil(async () => (await owner.call('GET', '/api/wallet/balance')).available === '40.0000', { timeout: 15_000, message: 'funded' });
  await page.reload();
  await form.waitFor();

  // The API's own validation: the amount keeps a top-up's bounds, and the threshold is at most the amount.
  await toggle.check();
  await threshold.fill('15');
  await amount.fill('2');
  await form.getByRole('button', { name: 'Save' }).click();
  await form.getByText('Auto-recharge adds whole cents from $5.00 to $10,000.00, like a top-up.').waitFor();
  await form.getByText('At most the amount added each time: one recharge must lift the balance back over the threshold.').waitFor();
  assert.equal(await amount.getAttribute('aria-invalid'), 'true');
  assert.equal(await threshold.getAttribute('aria-invalid'), 'true');
  // Nonsense is caught before it is sent.
  await threshold.fill('ten');
  await form.getByRole('button', { name: 'Save' }).click();
  await form.getByText('Enter an amount like 10.00.').waitFor();
  await shot(page, 'wallet-auto-recharge-errors');

  await threshold.fill('15');
  await amount.fill('40');
  await form.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').filter({ hasText: 'Auto-recharge is on' }).waitFor();
  const saved = await owner.call('GET', '/api/wallet/balance');
  assert.deepEqual(
    { enabled: saved.auto_recharge.enabled, threshold: saved.auto_recharge.threshold, amount: saved.auto_recharge.amount },
    { enabled: true, threshold: '15.0000', amount: '40.0000' },
  );
  await page.reload();
  await form.waitFor();
  assert.equal(await toggle.isChecked(), true);
  assert.equal(await threshold.inputValue(), '15.00');
  assert.equal(await amount.inputValue(), '40.00');

  // A card that declines every charge, and a threshold above the balance: the
  // recharge is tried at once, fails, and the page says so.
  await owner.call('POST', '/api/wallet/payment-method', { payment_method: 'pm_card_chargeCustomerFail' });
  await threshold.fill('60');
  await amount.fill('60');
  await form.getByRole('button', { name: 'Save' }).click();
  const banner = page.getByTestId('auto-recharge-failure');
  await banner.waitFor({ timeout: 20_000 });
  assert.match(await banner.innerText(), /Auto-recharge failed\. Your card was declined\./);
  await page.getByRole('list', { name: 'Top-ups' }).getByRole('listitem').filter({ hasText: 'Auto-recharge' }).filter({ hasText: 'Failed' }).waitFor();
  await shot(page, 'wallet-auto-recharge-failed');

  // With a working card, "Retry now" recharges and the banner goes away.
  await banner.getByRole('button', { name: 'Change card' }).click();
  const change = page.getByRole('dialog', { name: 'Change card' });
  await change.getByRole('radio', { name: /Mastercard 4444/ }).check();
  await change.getByRole('button', { name: 'Save card' }).click();
  await page.getByTestId('saved-card').filter({ hasText: 'Mastercard •••• 4444' }).waitFor();
  await banner.getByRole('button', { name: 'Retry now' }).click();
  await waitUntil(async () => (await page.getByTestId('available-balance').innerText()) === '$100.00', { timeout: 20_000, message: 'recharged to $100.00' });
  assert.equal(await banner.count(), 0);
  assert.deepEqual(page.pageErrors, []);
});

test('lists transactions with filters and paging, exports CSV and charts usage', async () => {
  const owner = await signUpViaApi(app.url, { account_name: 'Ledger Studio' });
  await fundViaApi(owner, '20.00');
  const contact = await owner.call('POST', '/api/contacts', { first_name: 'Uma', last_name: 'Usage' });
  await owner.call('POST', `/api/contacts/${contact.id}/notes`, { body: 'Asked for a quote on the Growth plan.' });
  // 52 AI summaries: 52 usage debits plus the top-up is more than one page of 50.
  for (let i = 0; i < 52; i += 4) {
    await Promise.all([0, 1, 2, 3].map(() => summarize(owner, contact.id)));
  }
  // The usage report reads a projection that a queue consumer fills: wait until it has caught up with the ledger.
  const spent = 20_000_000n - toMicros((await owner.call('GET', '/api/wallet/balance')).available);
  await waitUntil(async () => toMicros((await owner.call('GET', '/api/wallet/usage?days=30')).totals.ai_tokens ?? '0') === spent, {
    timeout: 15_000,
    message: 'usage report matches what the wallet spent',
  });

  const page = await newPage(browser, { session: owner });
  await page.goto(`${app.url}/wallet`);
  const ledger = page.getByRole('region', { name: 'Transactions' });
  const rows = ledger.locator('tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 50, 'first page holds 50 rows');
  assert.match(await rows.first().innerText(), /AI tokens · \d+ tokens/);

  // Usage chart: one image with a spoken summary, a legend, and a data table.
  const chart = page.getByRole('img', { name: /Spend per day over the last 30 days/ });
  await chart.waitFor();
  assert.match(await chart.getAttribute('aria-label'), /AI tokens \$0\.\d+/);
  assert.ok((await chart.locator('rect[data-resource="ai_tokens"]').count()) >= 1, 'a bar for AI tokens');
  await page.getByRole('list', { name: 'Legend' }).getByText('AI tokens').waitFor();
  assert.equal(await page.getByTestId('usage-total').innerText(), usdText(spent));
  assert.equal(await page.getByRole('table', { name: 'Spend per day by resource' }).locator('tbody tr').count(), 30);
  await shot(page, 'wallet-usage-and-ledger');

  // Paging by cursor: the older page ends with the top-up.
  await ledger.getByRole('button', { name: 'Older' }).click();
  await ledger.getByText('Page 2').waitFor();
  await ledger.getByRole('row').filter({ hasText: 'Card top-up' }).filter({ hasText: '+$20.00' }).waitFor();
  assert.equal(await rows.count(), 3);
  await ledger.getByRole('button', { name: 'Newer' }).click();
  await ledger.getByText('Page 1').waitFor();

  // Filters: by resource, then by a date range with nothing in it.
  await ledger.getByLabel('Resource').selectOption('ai_tokens');
  await page.waitForURL(/resource=ai_tokens/);
  await waitUntil(async () => (await ledger.getByRole('row').filter({ hasText: 'Card top-up' }).count()) === 0, { message: 'top-up filtered out' });
  await ledger.getByRole('heading', { name: 'Transactions' }).evaluate((el) => el.scrollIntoView());
  await shot(page, 'wallet-transactions-filtered');
  const tomorrow = new Date(Date.now() + 86_400_000);
  const ymd = `${tomorrow.getFullYear()}-${String(tomorrow.getMonth() + 1).padStart(2, '0')}-${String(tomorrow.getDate()).padStart(2, '0')}`;
  await ledger.getByLabel('From').fill(ymd);
  await ledger.getByText('No transactions match').waitFor();
  await ledger.getByRole('button', { name: 'Clear filters' }).click();
  await waitUntil(async () => (await rows.count()) === 50, { message: 'unfiltered again' });

  // CSV export downloads the whole ledger with a header row.
  const [download] = await Promise.all([page.waitForEvent('download'), ledger.getByRole('button', { name: 'Export CSV' }).click()]);
  assert.match(download.suggestedFilename(), /^wallet-transactions.*\.csv$/);
  const csv = fs.readFileSync(await download.path(), 'utf8');
  const lines = csv.trim().split(/\r?\n/);
  assert.equal(lines[0], 'id,created_at,type,amount,balance_after,resource_type,resource_id,quantity,description');
  assert.equal(lines.length, 1 + 53, 'header plus every transaction');
  assert.ok(
    lines.some((l) => /,credit,20\.0000,/.test(l)),
    'the top-up is in the file',
  );
  assert.deepEqual(page.pageErrors, []);
});

test('members see the wallet but cannot change the card, add funds or configure auto-recharge', async () => {
  const owner = await signUpViaApi(app.url, { account_name: 'Member Studio' });
  await fundViaApi(owner, '15.00');
  const email = uniqueEmail('member');
  await owner.call('POST', '/api/users', { email, name: 'Milo Member', role: 'member', password: 'member-password-1' });
  const member = await callApi(app.url, null, 'POST', '/api/auth/login', { email, password: 'member-password-1' });
  const page = await newPage(browser, { session: member });
  await page.goto(`${app.url}/wallet`);
  await page.getByTestId('available-balance').filter({ hasText: '$15.00' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Add funds' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Change card' }).count(), 0);
  await page.getByText('Only owners and admins can change the card or add funds.').waitFor();
  const form = page.getByRole('form', { name: 'Auto-recharge settings' });
  assert.equal(await form.getByRole('switch').isDisabled(), true);
  assert.equal(await form.getByRole('button', { name: 'Save' }).count(), 0);
  // The agency-only screen is not offered to a business account.
  assert.equal(await page.getByRole('link', { name: 'Usage margins' }).count(), 0);
  await shot(page, 'wallet-member');
  assert.deepEqual(page.pageErrors, []);
});

test('an agency sees usage margins per client account', async () => {
  const agency = await signUpViaApi(app.url, { name: 'Olivia Owner', account_name: 'Northstar Agency', agency: true });
  await agency.call('PUT', '/api/agency/usage-markup', { ai_tokens: '3.0' });
  const sub = await agency.call('POST', '/api/agency/sub-accounts', { name: 'Bright Dental' });
  await agency.call('POST', '/api/agency/sub-accounts', { name: 'Quiet Client' });
  await fundViaApi(agency, '25.00');
  const inside = await agency.call('POST', '/api/auth/token-exchange', { account_id: sub.id });
  const client = { call: (method, path, body) => callApi(app.url, inside.token, method, path, body) };
  await fundViaApi(client, '10.00');
  const contact = await client.call('POST', '/api/contacts', { first_name: 'Pat', last_name: 'Patient', company: 'Bright Dental' });
  for (let i = 0; i < 3; i++) await summarize(client, contact.id);

  const page = await newPage(browser, { session: agency });
  await page.goto(`${app.url}/contacts`);
  await page.getByRole('link', { name: 'Usage margins' }).click();
  await page.getByRole('heading', { name: 'Usage margins', level: 1 }).waitFor();
  const table = page.getByRole('table');
  const toggle = table.getByRole('button', { name: /Bright Dental/ });
  await toggle.waitFor();
  // A client with no usage is listed at zero, so the agency sees every client it serves.
  await table.getByText('Quiet Client').waitFor();

  const report = await agency.call('GET', '/api/agency/wallet/margins');
  assert.deepEqual(report.sub_accounts.map((s) => s.name).sort(), ['Bright Dental', 'Quiet Client']);
  const quiet = report.sub_accounts.find((s) => s.name === 'Quiet Client');
  assert.deepEqual(
    [quiet.charged, quiet.cost, quiet.margin].map((v) => toMicros(v)),
    [0n, 0n, 0n],
  );
  const line = report.sub_accounts.find((s) => s.name === 'Bright Dental');
  assert.ok(toMicros(line.margin) > 0n, 'a 3.0 multiplier over the platform 2.0 leaves a margin');
  const usd = (v) => usdText(toMicros(v));
  assert.equal(await page.getByTestId('total-charged').innerText(), usd(report.totals.charged));
  assert.equal(await page.getByTestId('total-cost').innerText(), usd(report.totals.cost));
  assert.equal(await page.getByTestId('total-margin').innerText(), usd(report.totals.margin));

  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
  const resourceRow = table.getByRole('row').filter({ hasText: 'AI tokens' });
  await resourceRow.waitFor();
  assert.match(await resourceRow.innerText(), new RegExp(`${line.resources[0].quantity} tokens`));
  await shot(page, 'agency-usage-margins');

  // A period with no usage.
  await page.getByRole('button', { name: 'Custom' }).click();
  await page.getByLabel('From').fill('2020-01-01');
  await page.getByLabel('To').fill('2020-01-31');
  await page.getByText('No client usage in this period').waitFor();

  // Inside the client account the screen is not offered, and says why if visited.
  const clientPage = await newPage(browser, { session: inside });
  await clientPage.goto(`${app.url}/agency/margins`);
  await clientPage.getByText('Usage margins are for agency accounts').waitFor();
  assert.equal(await clientPage.getByRole('link', { name: 'Usage margins' }).count(), 0);
  assert.deepEqual(page.pageErrors, []);
  assert.deepEqual(clientPage.pageErrors, []);
});
