// Settings tabs: custom fields, tags, pipelines, team and API keys, each
// checked through the UI and then against the API.
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

const confirmDialog = (page, button) => page.getByRole('dialog').getByRole('button', { name: button });

test('custom fields and tags: create, rename, delete', async () => {
  const owner = await signUpViaApi(app.url);
  const page = await newPage(browser, { session: owner });
  await page.goto(`${app.url}/settings`);
  await page.getByRole('heading', { name: 'Custom fields', level: 2 }).waitFor();
  await page.getByText('No custom fields yet').waitFor();

  await page.getByRole('button', { name: 'New field' }).click();
  const dialog = page.getByRole('dialog', { name: 'New custom field' });
  await dialog.getByLabel('Field name').fill('Plan tier');
  await dialog.getByLabel('Type').selectOption('single_option');
  await dialog.getByLabel('Options').fill('Starter\nGrowth\nScale');
  await dialog.getByRole('button', { name: 'Create field' }).click();
  const row = page.getByRole('row', { name: /Plan tier/ });
  await row.waitFor();
  assert.match(await row.innerText(), /plan_tier/);
  assert.match(await row.innerText(), /Starter, Growth, Scale/);
  await screenshot(page, 'settings-custom-fields');
  const [field] = (await owner.call('GET', '/api/custom-fields')).data;
  assert.deepEqual(field.options, ['Starter', 'Growth', 'Scale']);

  await page.getByRole('button', { name: 'Delete field Plan tier' }).click();
  await confirmDialog(page, 'Delete field').click();
  await page.getByText('No custom fields yet').waitFor();

  // Tags.
  await page.getByRole('link', { name: 'Tags', exact: true }).click();
  await page.waitForURL(/\/settings\/tags$/);
  await page.getByLabel('Tag name').fill('Partner');
  await page.getByRole('button', { name: 'Create tag' }).click();
  await page.getByRole('row', { name: /Partner/ }).waitFor();
  await page.getByRole('button', { name: 'Rename tag Partner' }).click();
  await page
    .getByRole('row', { name: /Partner/ })
    .getByLabel('Tag name')
    .fill('Key partner');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('row', { name: /Key partner/ }).waitFor();
  await screenshot(page, 'settings-tags');
  assert.deepEqual(
    (await owner.call('GET', '/api/tags')).data.map((t) => t.name),
    ['Key partner'],
  );

  await page.getByRole('button', { name: 'Delete tag Key partner' }).click();
  await confirmDialog(page, 'Delete tag').click();
  await page.getByText('No tags yet').waitFor();
  assert.deepEqual(page.pageErrors, []);
});

test('pipelines: create with stages, rename, reorder, add and remove stages', async () => {
  const owner = await signUpViaApi(app.url);
  const page = await newPage(browser, { session: owner });
  await page.goto(`${app.url}/settings/pipelines`);
  await page.getByText('No pipelines yet').waitFor();

  await page.getByRole('button', { name: 'New pipeline' }).click();
  const dialog = page.getByRole('dialog', { name: 'New pipeline' });
  await dialog.getByLabel('Pipeline name').fill('Onboarding');
  const stages = dialog.getByRole('list', { name: 'New pipeline stages' });
  // Start from the suggested stages; keep three.
  await stages.getByRole('button', { name: 'Remove Negotiation' }).click();
  await stages.getByRole('button', { name: 'Remove Closed' }).click();
  await dialog.getByRole('button', { name: 'Create pipeline' }).click();

  const card = page.getByRole('form', { name: 'Pipeline Onboarding' });
  await card.waitFor();
  const editor = card.getByRole('list', { name: 'Stages of Onboarding' });
  await editor.getByLabel('Stage 1 name').fill('Kick-off');
  await editor.getByRole('button', { name: 'Move Proposal sent up' }).click();
  await card.getByRole('button', { name: 'Add stage' }).click();
  await editor.getByLabel('Stage 4 name').fill('Live');
  await card.getByRole('button', { name: 'Save pipeline' }).click();
  await page.getByRole('status').filter({ hasText: 'Saved Onboarding' }).waitFor();
  await screenshot(page, 'settings-pipelines');

  const [saved] = (await owner.call('GET', '/api/pipelines')).data;
  const names = [...saved.stages].sort((a, b) => a.position - b.position).map((s) => s.name);
  assert.deepEqual(names, ['Kick-off', 'Proposal sent', 'Contacted', 'Live']);

  // The board uses the new stages.
  await page.getByRole('link', { name: 'Opportunities' }).click();
  for (const name of names) await page.getByRole('region', { name, exact: true }).waitFor();
  assert.deepEqual(page.pageErrors, []);
});

test('team and API keys: invite, change role, remove; create a key shown once, use it, revoke it', async () => {
  const owner = await signUpViaApi(app.url, { name: 'Owner Person' });
  const page = await newPage(browser, { session: owner });
  await page.goto(`${app.url}/settings/team`);
  await page.getByRole('row', { name: /Owner Person/ }).waitFor();

  const email = uniqueEmail('teammate');
  await page.getByRole('button', { name: 'Invite user' }).click();
  const invite = page.getByRole('dialog', { name: 'Invite a user' });
  await invite.getByLabel('Name').fill('Jamie Teammate');
  await invite.getByLabel('Email').fill(email);
  await invite.getByLabel('First password (optional)').fill('teammate-password-1');
  await invite.getByRole('button', { name: 'Add user' }).click();
  await page.getByRole('row', { name: /Jamie Teammate/ }).waitFor();

  await page.getByLabel('Role of Jamie Teammate').selectOption('admin');
  await page.getByRole('status').filter({ hasText: 'Jamie Teammate is now an admin' }).waitFor();
  await screenshot(page, 'settings-team');
  const users = (await owner.call('GET', '/api/users')).data;
  assert.equal(users.find((u) => u.email === email).role, 'admin');

  await page.getByRole('button', { name: 'Remove Jamie Teammate' }).click();
  await confirmDialog(page, 'Remove user').click();
  await waitUntil(async () => (await page.getByRole('row', { name: /Jamie Teammate/ }).count()) === 0, { message: 'teammate removed' });

  // API keys.
  await page.getByRole('link', { name: 'API keys' }).click();
  await page.getByText('No API keys').waitFor();
  await page.getByRole('button', { name: 'Create API key' }).click();
  const create = page.getByRole('dialog', { name: 'Create API key' });
  await create.getByLabel('Key name').fill('Website forms');
  await create.getByRole('button', { name: 'Create key' }).click();
  const shown = page.getByRole('dialog', { name: 'Your new API key' });
  const secret = (await shown.getByTestId('new-api-key').innerText()).trim();
  assert.match(secret, /^crm_/);
  await screenshot(page, 'settings-api-key-once');

  // The key works against the API.
  const viaKey = await callApi(app.url, secret, 'GET', '/api/contacts');
  assert.deepEqual(viaKey.data, []);

  await shown.getByRole('button', { name: 'Done' }).click();
  const keyRow = page.getByRole('row', { name: /Website forms/ });
  await keyRow.waitFor();
  // Only the prefix is listed, never the secret again.
  assert.equal((await page.content()).includes(secret), false);

  await keyRow.getByRole('button', { name: 'Revoke' }).click();
  await confirmDialog(page, 'Revoke key').click();
  await page.getByText('No API keys').waitFor();
  await assert.rejects(callApi(app.url, secret, 'GET', '/api/contacts'), /401/);
  assert.deepEqual(page.pageErrors, []);
});

test('team invitations: invite without a password, see them as invited, send it again; the link sets their password and they sign in', async () => {
  const owner = await signUpViaApi(app.url, { name: 'Olive Owner', account_name: 'Olive Studio' });
  const page = await newPage(browser, { session: owner });
  await page.goto(`${app.url}/settings/team`);
  const email = uniqueEmail('invitee');
  await page.getByRole('button', { name: 'Invite user' }).click();
  const invite = page.getByRole('dialog', { name: 'Invite a user' });
  await invite.getByLabel('Name').fill('Ivy Invitee');
  await invite.getByLabel('Email').fill(email);
  await invite.getByLabel('Role').selectOption('admin');
  await invite.getByRole('button', { name: 'Send invitation' }).click();
  await page
    .getByRole('status')
    .filter({ hasText: `Invitation sent to ${email}` })
    .waitFor();
  const row = page.getByRole('row', { name: /Ivy Invitee/ });
  await row.getByText('Invited', { exact: true }).waitFor();
  await screenshot(page, 'settings-team-invited');

  await row.getByRole('button', { name: 'Send the invitation to Ivy Invitee again' }).click();
  await page
    .getByRole('status')
    .filter({ hasText: `Invitation sent again to ${email}` })
    .waitFor();
  const mailbox = `/sandbox/resend/_emulator/emails?to=${encodeURIComponent(email)}`;
  const mails = await waitUntil(
    async () => {
      const { data } = await callApi(app.url, 're_sandbox', 'GET', mailbox);
      return data.length === 2 && data;
    },
    { message: 'two invitation emails' },
  );
  assert.deepEqual(
    mails.map((m) => m.subject),
    ['Olive Owner invited you to Olive Studio on CRM', 'Olive Owner invited you to Olive Studio on CRM'],
  );
  const link = /(\/accept-invite#token=[\w-]+)/.exec(mails[0].text)[1];

  // The invitee opens the link in their own browser.
  const invitee = await newPage(browser);
  await invitee.goto(`${app.url}${link}`);
  await invitee.getByRole('heading', { name: 'Set your password' }).waitFor();
  await screenshot(invitee, 'accept-invite');
  await invitee.getByLabel('Password', { exact: true }).fill('ivy-password-2026');
  await invitee.getByLabel('Password again').fill('ivy-password-2026');
  await invitee.getByRole('button', { name: 'Set password' }).click();
  await invitee.getByText('Your password is set. Sign in to get started.').waitFor();
  await invitee.getByLabel('Password').fill('ivy-password-2026');
  await invitee.getByRole('button', { name: 'Sign in' }).click();
  await invitee.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
  assert.match(await invitee.getByRole('button', { name: /Switch account/ }).innerText(), /Olive Studio/);

  // The owner's list no longer shows the invitation.
  await page.reload();
  await page.getByRole('row', { name: /Ivy Invitee/ }).waitFor();
  assert.equal(
    await page
      .getByRole('row', { name: /Ivy Invitee/ })
      .getByText('Invited', { exact: true })
      .count(),
    0,
  );
  assert.deepEqual(page.pageErrors, []);
  assert.deepEqual(invitee.pageErrors, []);
});
