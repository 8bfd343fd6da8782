// Agency accounts: create a client sub-account from the switcher, switch into
// it (impersonation bar), see only its data, and return to the agency.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, newPage, screenshot, signUpViaApi, startApp, waitUntil } from './helpers.mjs';

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

test('an agency creates a client account, views it with the impersonation bar and returns', async () => {
  const agency = await signUpViaApi(app.url, { name: 'Olivia Owner', account_name: 'Northstar Agency', agency: true });
  await agency.call('POST', '/api/contacts', { first_name: 'Agency', last_name: 'Prospect' });
  const page = await newPage(browser, { session: agency });
  await page.goto(`${app.url}/contacts`);
  await page.getByRole('link', { name: 'Agency Prospect' }).waitFor();

  const switcher = page.getByRole('button', { name: /Switch account/ });
  await switcher.click();
  await page.getByRole('button', { name: 'New client account' }).click();
  const dialog = page.getByRole('dialog', { name: 'New client account' });
  await dialog.getByLabel('Client business name').fill('Bright Dental');
  await dialog.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('status').filter({ hasText: 'Created Bright Dental' }).waitFor();

  await switcher.click();
  await page.getByRole('button', { name: /Bright Dental/ }).waitFor();
  await screenshot(page, 'account-switcher');
  await page.getByRole('button', { name: /Bright Dental/ }).click();

  // Inside the client account: the bar says whose account and who is acting.
  const bar = page.getByRole('status').filter({ hasText: 'You are viewing' });
  await bar.waitFor();
  assert.match(await bar.innerText(), /You are viewing Bright Dental as Olivia Owner/);
  await waitUntil(async () => /Bright Dental/.test(await switcher.innerText()), { message: 'switcher shows the client' });
  // The client's data is its own: the agency's contact is not here.
  await page.getByText('No contacts yet').waitFor();
  await screenshot(page, 'impersonation-bar');

  // Work done inside stays inside.
  await page.getByRole('button', { name: 'New contact' }).click();
  const newContact = page.getByRole('dialog', { name: 'New contact' });
  await newContact.getByLabel('First name').fill('Dental');
  await newContact.getByLabel('Last name').fill('Patient');
  await newContact.getByRole('button', { name: 'Create contact' }).click();
  await page.getByRole('link', { name: 'Dental Patient' }).waitFor();

  await bar.getByRole('button', { name: 'Return' }).click();
  await waitUntil(async () => /Northstar Agency/.test(await switcher.innerText()), { message: 'back in the agency' });
  await page.getByRole('link', { name: 'Agency Prospect' }).waitFor();
  assert.equal(await page.getByText('You are viewing').count(), 0);
  assert.equal(await page.getByRole('link', { name: 'Dental Patient' }).count(), 0);

  // The agency session survives a reload after returning.
  await page.reload();
  await page.getByRole('link', { name: 'Agency Prospect' }).waitFor();
  assert.deepEqual(page.pageErrors, []);
});

test('with many clients the account menu lists the first ones and finds the rest by name', async () => {
  const agency = await signUpViaApi(app.url, { name: 'Mona Many', account_name: 'Many Clients Agency', agency: true });
  for (let i = 1; i <= 24; i++) await agency.call('POST', '/api/agency/sub-accounts', { name: `Client ${String(i).padStart(2, '0')}` });
  await agency.call('POST', '/api/agency/sub-accounts', { name: 'Zenith Dental' });
  const page = await newPage(browser, { session: agency });
  await page.goto(`${app.url}/contacts`);
  await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();

  const switcher = page.getByRole('button', { name: /Switch account/ });
  const menu = page.getByRole('list', { name: 'Accounts' });
  const names = () => menu.locator('.account-name').allInnerTexts();
  await switcher.click();
  const find = page.getByRole('searchbox', { name: 'Find an account' });
  await find.waitFor();
  assert.equal((await names()).length, 20);
  assert.equal((await names()).includes('Zenith Dental'), false);
  await page.getByText('Type to find the other accounts.').waitFor();
  await screenshot(page, 'account-switcher-many');

  // The search reaches a client past the first 20.
  await find.fill('zen');
  await waitUntil(async () => (await names()).join() === 'Zenith Dental', { message: 'Zenith Dental found' });
  await find.fill('no such client');
  await page.getByText('No account matches “no such client”.').waitFor();
  await find.fill('zenith');
  await menu.getByRole('button', { name: /Zenith Dental/ }).click();
  await page.getByRole('status').filter({ hasText: 'You are viewing Zenith Dental' }).waitFor();

  // Inside it, the menu still shows it as the current account.
  await switcher.click();
  await waitUntil(async () => (await names())[0] === 'Zenith Dental', { message: 'current account listed first' });
  assert.equal(await menu.locator('[aria-current="true"] .account-name').innerText(), 'Zenith Dental');
  assert.deepEqual(page.pageErrors, []);
});
