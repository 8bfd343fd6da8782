// The pipeline board: drag and drop between stages (persisted), the keyboard
// "Move to stage" alternative, rollback when the API refuses, status changes
// and the "New opportunity" dialog.
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

/** A fresh account with one pipeline and three opportunities. */
async function boardFixture() {
  const owner = await signUpViaApi(app.url, { account_name: 'Board Agency' });
  const pipeline = await owner.call('POST', '/api/pipelines', { name: 'Sales', stages: ['Lead', 'Proposal', 'Negotiation'] });
  const [lead, proposal, negotiation] = pipeline.stages;
  const contact = await owner.call('POST', '/api/contacts', { first_name: 'Avery', last_name: 'Acme', email: 'avery@acme.example' });
  const acme = await owner.call('POST', '/api/opportunities', {
    name: 'Acme retainer',
    pipeline_id: pipeline.id,
    stage_id: lead.id,
    contact_id: contact.id,
    value: '1000.00',
  });
  const bolt = await owner.call('POST', '/api/opportunities', { name: 'Bolt audit', pipeline_id: pipeline.id, stage_id: lead.id, value: '250.50' });
  const cobalt = await owner.call('POST', '/api/opportunities', { name: 'Cobalt ads', pipeline_id: pipeline.id, stage_id: proposal.id, value: '4000.00' });
  return { owner, pipeline, stages: { lead, proposal, negotiation }, opps: { acme, bolt, cobalt } };
}

const column = (page, name) => page.getByRole('region', { name, exact: true });
const card = (page, opp) => page.locator(`li[data-opportunity-id="${opp.id}"]`);
const total = (page, name) => column(page, name).getByTestId('column-total').innerText();

async function openBoard(page) {
  await page.goto(`${app.url}/pipelines`);
  await page.getByRole('heading', { name: 'Opportunities', level: 1 }).waitFor();
  await column(page, 'Lead').getByText('Acme retainer', { exact: true }).waitFor();
}

test('dragging a card to another stage moves it, updates totals and persists', async () => {
  const { owner, stages, opps } = await boardFixture();
  const page = await newPage(browser, { session: owner });
  await openBoard(page);
  assert.equal(await total(page, 'Lead'), '$1,250.50');
  assert.equal(await total(page, 'Proposal'), '$4,000');
  assert.match(await card(page, opps.acme).innerText(), /Avery Acme/);
  assert.match(await card(page, opps.acme).innerText(), /\$1,000/);
  await screenshot(page, 'board-before-drag');

  await card(page, opps.acme).dragTo(column(page, 'Proposal'));
  await column(page, 'Proposal').getByText('Acme retainer', { exact: true }).waitFor();
  assert.equal(await column(page, 'Lead').getByText('Acme retainer', { exact: true }).count(), 0);
  await waitUntil(async () => (await total(page, 'Proposal')) === '$5,000', { message: 'Proposal total' });
  assert.equal(await total(page, 'Lead'), '$250.50');
  await screenshot(page, 'board-after-drag');

  // The move reached the API...
  await waitUntil(async () => (await owner.call('GET', `/api/opportunities/${opps.acme.id}`)).stage_id === stages.proposal.id, {
    message: 'stage saved',
  });
  // ...and the board shows it after a reload.
  await page.reload();
  await column(page, 'Proposal').getByText('Acme retainer', { exact: true }).waitFor();
  assert.equal(await column(page, 'Lead').getByText('Acme retainer', { exact: true }).count(), 0);
  assert.deepEqual(page.pageErrors, []);
});

test('moves a card with the keyboard, rolls back a refused move and marks a deal won', async () => {
  const { owner, stages, opps } = await boardFixture();
  const page = await newPage(browser, { session: owner });
  await openBoard(page);

  // Keyboard alternative: the card's "Move to stage" select.
  const move = page.getByLabel('Move Bolt audit to stage');
  await move.focus();
  await move.selectOption({ label: 'Negotiation' });
  await column(page, 'Negotiation').getByText('Bolt audit', { exact: true }).waitFor();
  await waitUntil(async () => (await owner.call('GET', `/api/opportunities/${opps.bolt.id}`)).stage_id === stages.negotiation.id, {
    message: 'keyboard move saved',
  });

  // When the API refuses a move, the card goes back and the problem is shown.
  await page.route(`**/api/opportunities/${opps.cobalt.id}`, (route) =>
    route.request().method() === 'PATCH'
      ? route.fulfill({
          status: 409,
          contentType: 'application/problem+json',
          body: JSON.stringify({ type: 'about:blank', title: 'Conflict', status: 409, detail: 'This stage is locked for review.' }),
        })
      : route.continue(),
  );
  await page.getByLabel('Move Cobalt ads to stage').selectOption({ label: 'Lead' });
  await page.getByRole('alert').filter({ hasText: 'This stage is locked for review.' }).waitFor();
  await column(page, 'Proposal').getByText('Cobalt ads', { exact: true }).waitFor();
  assert.equal(await column(page, 'Lead').getByText('Cobalt ads', { exact: true }).count(), 0);
  assert.equal(await total(page, 'Proposal'), '$4,000');
  await screenshot(page, 'board-rollback');
  await page.unroute(`**/api/opportunities/${opps.cobalt.id}`);

  // Status from the card menu.
  await page.getByRole('button', { name: 'Actions for Cobalt ads' }).click();
  await page.getByRole('menuitem', { name: 'Mark won' }).click();
  await card(page, opps.cobalt).getByText('won', { exact: true }).waitFor();
  await waitUntil(async () => (await owner.call('GET', `/api/opportunities/${opps.cobalt.id}`)).status === 'won', {
    message: 'status saved',
  });
  await page.reload();
  await card(page, opps.cobalt).getByText('won', { exact: true }).waitFor();
  await column(page, 'Negotiation').getByText('Bolt audit', { exact: true }).waitFor();
  assert.deepEqual(page.pageErrors, []);
});

test('creates an opportunity for a contact found by search', async () => {
  const { owner } = await boardFixture();
  await owner.call('POST', '/api/contacts', { first_name: 'Dana', last_name: 'Dealmaker', email: 'dana@deals.example' });
  const page = await newPage(browser, { session: owner });
  await openBoard(page);

  await page.getByRole('button', { name: 'New opportunity' }).click();
  const dialog = page.getByRole('dialog', { name: 'New opportunity' });
  await dialog.getByLabel('Opportunity name').fill('Dana website build');
  await dialog.getByLabel('Value (USD)').fill('1,500');
  await dialog.getByLabel('Stage').selectOption({ label: 'Proposal' });
  await dialog.getByLabel('Contact').fill('dan');
  await dialog.getByRole('option', { name: /Dana Dealmaker/ }).click();
  await dialog.getByText('dana@deals.example').waitFor();
  await screenshot(page, 'board-new-opportunity');
  await dialog.getByRole('button', { name: 'Create opportunity' }).click();

  const created = column(page, 'Proposal').locator('li', { hasText: 'Dana website build' });
  await created.waitFor();
  assert.match(await created.innerText(), /Dana Dealmaker/);
  assert.match(await created.innerText(), /\$1,500/);
  await waitUntil(async () => (await total(page, 'Proposal')) === '$5,500', { message: 'Proposal total with new deal' });

  await page.reload();
  await column(page, 'Proposal').getByText('Dana website build', { exact: true }).waitFor();
  assert.deepEqual(page.pageErrors, []);
});
