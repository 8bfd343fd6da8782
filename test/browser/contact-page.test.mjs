// One contact's page: edit the record and custom fields, tags with
// autocomplete, notes, tasks, the activity timeline and the AI summary.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, newPage, screenshot, signUpViaApi, startApp, waitUntil } from './helpers.mjs';

let app;
let browser;
let owner;

before(async () => {
  app = await startApp();
  browser = await launchBrowser();
  owner = await signUpViaApi(app.url, { account_name: 'Detail Studio' });
  await owner.call('POST', '/api/custom-fields', { name: 'Budget', type: 'monetary' });
  await owner.call('POST', '/api/custom-fields', { name: 'Industry', type: 'single_option', options: ['Dental', 'Legal', 'Fitness'] });
  await owner.call('POST', '/api/custom-fields', { name: 'Services', type: 'multi_option', options: ['SEO', 'Ads', 'Email'] });
  await owner.call('POST', '/api/custom-fields', { name: 'Employees', type: 'number' });
  await owner.call('POST', '/api/custom-fields', { name: 'Renewal date', type: 'date' });
  await owner.call('POST', '/api/custom-fields', { name: 'Signed contract', type: 'checkbox' });
  await owner.call('POST', '/api/tags', { name: 'Warm lead', color: '#f97316' });
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

test('edits details, DND and custom fields, and the changes survive a reload', async () => {
  const contact = await owner.call('POST', '/api/contacts', {
    first_name: 'Casey',
    last_name: 'Client',
    email: 'casey@client.example',
    phone: '+14155550142',
  });
  const page = await newPage(browser, { session: owner });
  await page.goto(`${app.url}/contacts/${contact.id}`);
  await page.getByRole('heading', { name: 'Casey Client', level: 1 }).waitFor();
  const details = page.getByRole('form', { name: 'Details' });
  await details.getByLabel('Budget').waitFor();

  const save = details.getByRole('button', { name: 'Save changes' });
  assert.equal(await save.isDisabled(), true, 'nothing to save yet');

  await details.getByLabel('Last name').fill('Clientele');
  await details.getByLabel('Company').fill('Clientele Dental');
  await details.getByLabel('City').fill('Austin');
  await details.getByLabel('Country').fill('us');
  await details.getByRole('switch', { name: 'Block SMS' }).check();
  await details.getByLabel('Budget').fill('1234.5');
  await details.getByLabel('Industry').selectOption('Dental');
  await details.getByRole('checkbox', { name: 'SEO' }).check();
  await details.getByRole('checkbox', { name: 'Email' }).check();
  await details.getByLabel('Employees').fill('12');
  await details.getByLabel('Renewal date').fill('2027-03-31');
  await details.getByRole('checkbox', { name: 'Signed contract' }).check();
  await save.click();
  await page.getByRole('status').filter({ hasText: 'Contact saved' }).waitFor();
  await page.getByRole('heading', { name: 'Casey Clientele', level: 1 }).waitFor();
  await screenshot(page, 'contact-saved');

  await page.reload();
  await page.getByRole('heading', { name: 'Casey Clientele', level: 1 }).waitFor();
  await details.getByLabel('Budget').waitFor();
  assert.equal(await details.getByLabel('Company').inputValue(), 'Clientele Dental');
  assert.equal(await details.getByLabel('City').inputValue(), 'Austin');
  assert.equal(await details.getByLabel('Country').inputValue(), 'US');
  assert.equal(await details.getByRole('switch', { name: 'Block SMS' }).isChecked(), true);
  assert.equal(await details.getByRole('switch', { name: 'Block email' }).isChecked(), false);
  assert.equal(await details.getByLabel('Budget').inputValue(), '1234.50');
  assert.equal(await details.getByLabel('Industry').inputValue(), 'Dental');
  assert.equal(await details.getByRole('checkbox', { name: 'SEO' }).isChecked(), true);
  assert.equal(await details.getByRole('checkbox', { name: 'Ads' }).isChecked(), false);
  assert.equal(await details.getByLabel('Employees').inputValue(), '12');
  assert.equal(await details.getByLabel('Renewal date').inputValue(), '2027-03-31');
  assert.equal(await details.getByRole('checkbox', { name: 'Signed contract' }).isChecked(), true);

  // An invalid amount is caught beside the field; nothing is sent.
  await details.getByLabel('Budget').fill('12.345');
  await save.click();
  await details.getByText('Enter an amount like 123.45.').waitFor();

  // The API's own validation errors land next to the field too.
  await details.getByLabel('Budget').fill('99');
  const email = details.getByRole('textbox', { name: 'Email', exact: true });
  await email.fill('not-an-email');
  // Native validation is bypassed on purpose to show the server's message.
  await details.evaluate((form) => form.setAttribute('novalidate', ''));
  await save.click();
  await waitUntil(async () => (await email.getAttribute('aria-invalid')) === 'true', {
    message: 'email marked invalid by the API',
  });
  assert.deepEqual(page.pageErrors, []);
});

test('adds and removes tags, adds a note and a task, completes the task and reads the timeline', async () => {
  const contact = await owner.call('POST', '/api/contacts', { first_name: 'Robin', last_name: 'Reyes', tags: ['Newsletter'] });
  const page = await newPage(browser, { session: owner });
  await page.goto(`${app.url}/contacts/${contact.id}`);
  await page.getByRole('heading', { name: 'Robin Reyes', level: 1 }).waitFor();

  // Tags: autocomplete offers the existing "Warm lead"; Enter creates a new tag.
  const tags = page.getByRole('region', { name: 'Tags' });
  const applied = tags.getByRole('list', { name: 'Applied tags' });
  await tags.getByLabel('Add tag').fill('warm');
  await tags.getByRole('option', { name: 'Warm lead' }).click();
  await applied.getByText('Warm lead').waitFor();
  await tags.getByLabel('Add tag').fill('Board member');
  await tags.getByLabel('Add tag').press('Enter');
  await applied.getByText('Board member').waitFor();
  await tags.getByRole('button', { name: 'Remove tag Newsletter' }).click();
  await waitUntil(async () => (await applied.getByText('Newsletter').count()) === 0, { message: 'Newsletter removed' });

  // Notes.
  const notes = page.getByRole('region', { name: 'Notes' });
  await notes.getByLabel('New note').fill('Called Robin: wants a proposal for local SEO by Friday.');
  await notes.getByRole('button', { name: 'Add note' }).click();
  await notes.getByRole('list', { name: 'Notes' }).getByText('wants a proposal for local SEO').waitFor();

  // Tasks: add with a due date, tick it off.
  const tasks = page.getByRole('region', { name: 'Tasks' });
  await tasks.getByLabel('Task title').fill('Send SEO proposal');
  await tasks.getByLabel('Due date').fill('2030-01-15');
  await tasks.getByRole('button', { name: 'Add task' }).click();
  const task = tasks.getByRole('checkbox', { name: 'Send SEO proposal' });
  await task.waitFor();
  await tasks.getByText('Due Jan 15, 2030').waitFor();
  await task.check();
  await waitUntil(() => task.isChecked(), { message: 'task ticked' });

  // The timeline records what happened (written by a queue consumer, so it
  // appears a moment later without a reload).
  const timeline = page.getByRole('list', { name: 'Activity timeline' });
  await timeline.getByText('Note added').waitFor({ timeout: 15_000 });
  await timeline.getByText('Task "Send SEO proposal" completed').waitFor({ timeout: 15_000 });
  await timeline.getByText('Tag "Board member" added').waitFor();
  await screenshot(page, 'contact-tags-notes-tasks');

  await page.reload();
  await page.getByRole('heading', { name: 'Robin Reyes', level: 1 }).waitFor();
  await applied.getByText('Board member').waitFor();
  assert.equal(await applied.getByText('Newsletter').count(), 0);
  await notes.getByText('wants a proposal for local SEO').waitFor();
  await waitUntil(() => tasks.getByRole('checkbox', { name: 'Send SEO proposal' }).isChecked(), { message: 'task still done' });

  // Deleting the note asks first.
  await notes.getByRole('button', { name: 'Delete note' }).click();
  await page.getByRole('dialog', { name: 'Delete note?' }).getByRole('button', { name: 'Delete note' }).click();
  await notes.getByText('No notes yet').waitFor();
  assert.deepEqual(page.pageErrors, []);
});

/** AI usage is billed to the wallet: save Stripe's Visa test card, add funds, wait for the webhook to credit them. */
async function fundWallet(session, amount = '10.00') {
  await session.call('POST', '/api/wallet/payment-method', { payment_method: 'pm_card_visa' });
  await session.call('POST', '/api/wallet/add-funds', { amount });
  await waitUntil(async () => Number((await session.call('GET', '/api/wallet/balance')).available) > 0, {
    timeout: 15_000,
    message: 'wallet credited by the Stripe webhook',
  });
}

test('summarises the contact with AI and deletes the contact after confirming', async () => {
  const contact = await owner.call('POST', '/api/contacts', { first_name: 'Sasha', last_name: 'Summary', email: 'sasha@example.com' });
  await owner.call('POST', `/api/contacts/${contact.id}/notes`, { body: 'Interested in the Growth plan; budget approved for Q3.' });
  const page = await newPage(browser, { session: owner });
  await page.goto(`${app.url}/contacts/${contact.id}`);
  await page.getByRole('heading', { name: 'Sasha Summary', level: 1 }).waitFor();

  // An empty wallet: the API refuses (409 insufficient_funds) and the card says how to fix it.
  assert.equal((await owner.call('GET', '/api/wallet/balance')).available, '0.0000');
  await page.getByRole('button', { name: 'Summarize' }).click();
  const noFunds = page.getByTestId('ai-insufficient-funds');
  await noFunds.waitFor();
  assert.match(await noFunds.innerText(), /Not enough funds for AI usage/);
  assert.match(await noFunds.innerText(), /Add funds to the wallet/);
  const walletLink = noFunds.getByRole('link', { name: 'Go to Wallet to add funds' });
  assert.equal(await walletLink.getAttribute('href'), '/wallet');
  assert.equal(await page.getByTestId('ai-summary').count(), 0);
  await screenshot(page, 'contact-ai-insufficient-funds');
  await walletLink.click();
  await page.getByRole('heading', { name: 'Wallet', level: 1 }).waitFor();
  await page.goBack();
  await page.getByRole('heading', { name: 'Sasha Summary', level: 1 }).waitFor();

  await fundWallet(owner);
  await page.getByRole('button', { name: 'Summarize' }).click();
  const summary = page.getByTestId('ai-summary');
  await summary.waitFor({ timeout: 20_000 });
  assert.ok((await summary.innerText()).trim().length > 0, 'summary text shown');
  assert.equal(await noFunds.count(), 0, 'the funds message is gone');
  await screenshot(page, 'contact-ai-summary');

  await page.getByRole('button', { name: 'Delete contact' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete Sasha Summary?' });
  await confirm.getByRole('button', { name: 'Delete contact' }).click();
  await page.waitForURL(/\/contacts$/);
  await page.getByRole('status').filter({ hasText: 'Sasha Summary deleted' }).waitFor();

  await page.goto(`${app.url}/contacts/${contact.id}`);
  await page.getByText('Contact not found').waitFor();
  assert.deepEqual(page.pageErrors, []);
});
