// The contacts list: prefix search, tag filter, sorting, cursor paging and the
// "New contact" dialog, against 60 contacts created through the API.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, newPage, screenshot, signUpViaApi, startApp, waitForCount, waitUntil } from './helpers.mjs';

let app;
let browser;
let owner;
let vipTag;

const FIRST = ['Avery', 'Blake', 'Casey', 'Devon', 'Emerson', 'Finley', 'Harper', 'Jordan', 'Kendall', 'Logan'];
const LAST = ['Anders', 'Brooks', 'Carter', 'Dalton', 'Ellis', 'Fraser'];

before(async () => {
  app = await startApp();
  browser = await launchBrowser();
  owner = await signUpViaApi(app.url, { account_name: 'Paging Agency' });
  vipTag = await owner.call('POST', '/api/tags', { name: 'VIP', color: '#a855f7' });
  // 57 ordinary contacts, then three that search and the tag filter single out.
  for (let i = 0; i < 57; i++) {
    await owner.call('POST', '/api/contacts', {
      first_name: FIRST[i % FIRST.length],
      last_name: `${LAST[i % LAST.length]}${String(i).padStart(2, '0')}`,
      email: `person${i}@example.com`,
      company: i % 2 ? 'Northwind' : 'Contoso',
    });
  }
  for (const [first_name, last_name, tags] of [
    ['Zelda', 'Quinlan', ['VIP']],
    ['Zeke', 'Morrow', ['VIP']],
    ['Yara', 'Zelnick', ['VIP']],
  ]) {
    await owner.call('POST', '/api/contacts', { first_name, last_name, email: `${first_name.toLowerCase()}@example.com`, tags });
  }
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

const rows = (page) => page.locator('table.contacts-table tbody tr');
const firstRowName = (page) => rows(page).first().locator('.contact-link').innerText();
// The table keeps the previous page on screen (marked busy) while the next one loads.
const settled = (page) => page.locator('.table-wrap[aria-busy="false"]').waitFor();

test('pages through contacts with Next/Previous and keeps the order', async () => {
  const page = await newPage(browser, { session: owner });
  await page.goto(`${app.url}/contacts`);
  await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
  await waitForCount(rows(page), 25);
  // Newest first: the last contact created leads.
  assert.equal(await firstRowName(page), 'Yara Zelnick');
  await page.getByText('Page 1').waitFor();
  await screenshot(page, 'contacts-page-1');

  const previous = page.getByRole('button', { name: 'Previous page' });
  const next = page.getByRole('button', { name: 'Next page' });
  assert.equal(await previous.isDisabled(), true);

  await next.click();
  await page.getByText('Page 2').waitFor();
  await settled(page);
  await waitForCount(rows(page), 25);
  await waitUntil(async () => (await firstRowName(page)) !== 'Yara Zelnick', { message: 'page 2 replaces page 1' });
  const page2First = await firstRowName(page);

  await next.click();
  await page.getByText('Page 3').waitFor();
  await settled(page);
  await waitForCount(rows(page), 10);
  await waitUntil(() => next.isDisabled(), { message: 'Next page disabled on the last page' });

  await previous.click();
  await page.getByText('Page 2').waitFor();
  await waitUntil(async () => (await firstRowName(page)) === page2First, { message: 'page 2 again' });
  assert.deepEqual(page.pageErrors, []);
});

test('searches by name prefix, filters by tag and sorts by name', async () => {
  const page = await newPage(browser, { session: owner });
  await page.goto(`${app.url}/contacts`);
  await waitForCount(rows(page), 25);

  // Prefix search matches first or last names (debounced; the URL keeps the query).
  await page.getByLabel('Search contacts').fill('ze');
  await waitForCount(rows(page), 3);
  const names = await rows(page).locator('.contact-link').allInnerTexts();
  assert.deepEqual(names.sort(), ['Yara Zelnick', 'Zeke Morrow', 'Zelda Quinlan']);
  await page.waitForURL(/[?&]q=ze/);
  await screenshot(page, 'contacts-search');

  // Email prefix.
  await page.getByLabel('Search contacts').fill('person5');
  await waitUntil(
    async () => {
      const emails = await rows(page).locator('.contact-cell-text .subtle').allInnerTexts();
      return emails.length > 0 && emails.every((e) => e.startsWith('person5'));
    },
    { message: 'only person5* emails' },
  );

  // A search with no match shows an empty state, not an empty table.
  await page.getByLabel('Search contacts').fill('nobody-matches-this');
  await page.getByText('No contacts match').waitFor();

  await page.getByLabel('Search contacts').fill('');
  await waitForCount(rows(page), 25);

  // Tag filter.
  await page.getByLabel('Tag').selectOption({ label: 'VIP' });
  await waitForCount(rows(page), 3);
  await page.waitForURL(new RegExp(`[?&]tag=${vipTag.id}`));
  // Every row shown carries the tag (a row without chips would slip through a loop over the chips).
  assert.equal(
    await rows(page)
      .filter({ has: page.locator('.chip', { hasText: 'VIP' }) })
      .count(),
    3,
  );
  await screenshot(page, 'contacts-tag-filter');

  // Sort within the filter: Name A–Z, then Z–A.
  await page.getByLabel('Sort').selectOption({ label: 'Name A–Z' });
  await waitUntil(async () => (await firstRowName(page)) === 'Zeke Morrow' || (await firstRowName(page)) === 'Yara Zelnick', {
    message: 'sorted by name',
  });
  const asc = await rows(page).locator('.contact-link').allInnerTexts();
  await page.getByLabel('Sort').selectOption({ label: 'Name Z–A' });
  await waitUntil(async () => (await rows(page).locator('.contact-link').allInnerTexts()).join() === [...asc].reverse().join(), {
    message: 'reverse order',
  });

  // Filters survive a reload because they live in the URL.
  await page.reload();
  await waitForCount(rows(page), 3);
  assert.equal(await page.getByLabel('Sort').inputValue(), 'name_desc');
  assert.deepEqual(page.pageErrors, []);
});

test('creates a contact from the dialog and shows a duplicate email as an error', async () => {
  const page = await newPage(browser, { session: owner });
  await page.goto(`${app.url}/contacts`);
  await waitForCount(rows(page), 25);

  await page.getByRole('button', { name: 'New contact' }).click();
  const dialog = page.getByRole('dialog', { name: 'New contact' });
  await dialog.waitFor();
  await dialog.getByLabel('First name').fill('Nina');
  await dialog.getByLabel('Last name').fill('Newcombe');
  await dialog.getByLabel('Email').fill('zelda@example.com');
  await dialog.getByLabel('Company').fill('Initech');
  await dialog.getByLabel('Tags').fill('VI');
  await dialog.getByRole('option', { name: 'VIP' }).click();
  await dialog.getByLabel('Tags').fill('Referral');
  await dialog.getByLabel('Tags').press('Enter');
  await dialog.getByText('Referral').waitFor();
  await dialog.getByRole('button', { name: 'Create contact' }).click();

  // zelda@example.com belongs to another contact: the API answers 409 and the
  // dialog links to the existing record.
  await dialog.getByRole('link', { name: 'Open the existing contact' }).waitFor();
  assert.equal(await dialog.getByLabel('Email').getAttribute('aria-invalid'), 'true');
  await screenshot(page, 'contacts-new-duplicate');

  await dialog.getByLabel('Email').fill('nina@example.com');
  await dialog.getByRole('button', { name: 'Create contact' }).click();
  await page.getByRole('status').filter({ hasText: 'Nina Newcombe added' }).waitFor();
  await waitUntil(async () => (await firstRowName(page)) === 'Nina Newcombe', { message: 'new contact on top' });
  const chips = await rows(page).first().locator('.chip').allInnerTexts();
  assert.deepEqual(chips.sort(), ['Referral', 'VIP']);

  await rows(page).first().getByRole('link', { name: 'Nina Newcombe' }).click();
  await page.getByRole('heading', { name: 'Nina Newcombe', level: 1 }).waitFor();
  assert.deepEqual(page.pageErrors, []);
});
