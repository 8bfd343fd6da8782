import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { call, createTenant, type Tenant } from '../factories';
import type {
  ApiKey,
  AuditEntry,
  AuthResult,
  BillingSummary,
  Contact,
  CreatedApiKey,
  CustomField,
  Invoice,
  Note,
  Opportunity,
  Page,
  Pipeline,
  SavedCard,
  SubAccount,
  Tag,
  Task,
  TeamMember,
} from '../api-types';

/** Tables that are not tenant data, and why. */
const NOT_TENANT_TABLES: Record<string, string> = {
  accounts: 'the tenants themselves',
  users: 'global identities; reach accounts only through memberships',
  login_throttle: 'keyed by email/address before anyone is signed in',
  password_resets: 'belong to a global user, before anyone is signed in',
  signup_requests: 'a sign-up waiting for its email to be confirmed; no account exists yet',
  d1_migrations: 'schema bookkeeping',
  stripe_events: 'webhook dedupe by Stripe event id; events reach accounts through the objects they name',
};

describe('schema', () => {
  it('every tenant table has an account_id column', async () => {
    const { results } = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'").all<{
      name: string;
    }>();
    expect(results.length).toBeGreaterThan(10);
    const missing: string[] = [];
    for (const { name } of results) {
      if (name in NOT_TENANT_TABLES) continue;
      const { results: columns } = await env.DB.prepare(`SELECT name FROM pragma_table_info(?)`).bind(name).all<{ name: string }>();
      if (!columns.some((c) => c.name === 'account_id')) missing.push(name);
    }
    expect(missing).toEqual([]);
  });
});

interface Fixture {
  tenant: Tenant;
  ids: Record<string, string>;
}

/** One of every resource in account A. */
async function buildVictim(): Promise<Fixture> {
  const tenant = await createTenant({ name: 'Victim', agency: true });
  const subAccount = (await tenant.api<SubAccount>('POST', '/api/agency/sub-accounts', { name: 'Victim client' })).body;
  const field = (await tenant.api<CustomField>('POST', '/api/custom-fields', { name: 'Tier', type: 'text' })).body;
  const contact = (await tenant.api<Contact>('POST', '/api/contacts', { first_name: 'Secret', email: 'secret@victim.com', tags: ['Private'] })).body;
  const note = (await tenant.api<Note>('POST', `/api/contacts/${contact.id}/notes`, { body: 'confidential' })).body;
  const task = (await tenant.api<Task>('POST', '/api/tasks', { title: 'private task', contact_id: contact.id })).body;
  const pipeline = (await tenant.api<Pipeline>('POST', '/api/pipelines', { name: 'Private', stages: ['S1', 'S2'] })).body;
  const opportunity = (await tenant.api<Opportunity>('POST', '/api/opportunities', { name: 'Private deal', pipeline_id: pipeline.id, contact_id: contact.id }))
    .body;
  const key = (await tenant.api<CreatedApiKey>('POST', '/api/api-keys', { name: 'k' })).body.api_key;
  const member = (
    await tenant.api<TeamMember>('POST', '/api/users', { email: `member.${Date.now()}@victim.com`, name: 'M', role: 'member', password: 'member-password-1' })
  ).body;
  await tenant.api<BillingSummary>('POST', '/api/billing/subscribe', { plan: 'agency', payment_method: 'pm_card_visa' });
  const invoice = (await tenant.api<Page<Invoice>>('GET', '/api/billing/invoices')).body.data[0];
  return {
    tenant,
    ids: {
      contact: contact.id,
      tag: contact.tags[0].id,
      customField: field.id,
      note: note.id,
      task: task.id,
      pipeline: pipeline.id,
      stage: pipeline.stages[1].id,
      opportunity: opportunity.id,
      apiKey: key.id,
      user: member.id,
      invoice: invoice.id,
      subAccount: subAccount.id,
    },
  };
}

/** Which victim id fills each path parameter, by path. A new route with an id must be added here. */
const PATH_IDS: Record<string, Record<string, keyof Fixture['ids']>> = {
  '/api/contacts/{id}': { id: 'contact' },
  '/api/contacts/{id}/tags': { id: 'contact' },
  '/api/contacts/{id}/tags/{tagId}': { id: 'contact', tagId: 'tag' },
  '/api/contacts/{id}/notes': { id: 'contact' },
  '/api/contacts/{id}/activities': { id: 'contact' },
  '/api/contacts/{id}/ai-summary': { id: 'contact' },
  '/api/notes/{id}': { id: 'note' },
  '/api/tasks/{id}': { id: 'task' },
  '/api/tags/{id}': { id: 'tag' },
  '/api/custom-fields/{id}': { id: 'customField' },
  '/api/pipelines/{id}': { id: 'pipeline' },
  '/api/opportunities/{id}': { id: 'opportunity' },
  '/api/users/{id}': { id: 'user' },
  '/api/users/{id}/invitation': { id: 'user' },
  '/api/api-keys/{id}': { id: 'apiKey' },
  '/api/billing/invoices/{id}/download': { id: 'invoice' },
  '/api/agency/sub-accounts/{id}': { id: 'subAccount' },
  '/api/agency/sub-accounts/{id}/users': { id: 'subAccount' },
  '/api/agency/sub-accounts/{id}/subscription': { id: 'subAccount' },
};

/** Templated paths whose parameters name no tenant object (the tenant comes from the token alone), and why. */
const NO_ID_PATHS: Record<string, string> = {
  '/api/agency/branding/assets/{kind}': "kind is logo_light, logo_dark or favicon of the caller's own agency",
};

/** A body each mutating route would accept, so only tenancy can refuse it. */
function validBody(method: string, path: string, ids: Fixture['ids']): unknown {
  const bodies: Record<string, unknown> = {
    'patch /api/contacts/{id}': { company: 'Hijacked' },
    'post /api/contacts/{id}/tags': { tags: ['pwned'] },
    'post /api/contacts/{id}/notes': { body: 'pwned' },
    'patch /api/notes/{id}': { body: 'pwned' },
    'patch /api/tasks/{id}': { completed: true },
    'patch /api/tags/{id}': { name: 'pwned' },
    'patch /api/custom-fields/{id}': { name: 'pwned' },
    'patch /api/pipelines/{id}': { name: 'pwned' },
    'patch /api/opportunities/{id}': { stage_id: ids.stage },
    'patch /api/users/{id}': { role: 'admin' },
    'patch /api/agency/sub-accounts/{id}': { suspended: true },
    'post /api/agency/sub-accounts/{id}/users': {
      email: `intruder.${Date.now()}@attacker.com`,
      name: 'Intruder',
      role: 'owner',
      password: 'intruder-password-1',
    },
    'post /api/agency/sub-accounts/{id}/subscription': { tier: 'Basic', payment_method: 'pm_card_visa' },
  };
  return bodies[`${method} ${path}`];
}

describe('cross-tenant access', () => {
  it("every route with an id answers 404 for another account's id and changes nothing", async () => {
    const victim = await buildVictim();
    // An agency too, so agency routes answer for its own sub-accounts and must refuse the victim's.
    const attacker = await createTenant({ name: 'Attacker', agency: true });
    // The attacker is a Stripe customer too, so an invoice is refused for being someone else's, not for a missing profile.
    await attacker.api<SavedCard>('POST', '/api/billing/payment-method', { payment_method: 'pm_card_visa' });
    const before = await victim.tenant.api<Contact>('GET', `/api/contacts/${victim.ids.contact}`);
    const doc = (await call('GET', '/api/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const tried: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      if (!path.includes('{') || path in NO_ID_PATHS) continue;
      const params = PATH_IDS[path];
      expect(params, `PATH_IDS lacks ${path}: add it so the route is tried with a foreign id`).toBeDefined();
      const concrete = path.replace(/\{(\w+)\}/g, (_, name: string) => victim.ids[params[name]]);
      for (const method of Object.keys(methods)) {
        const res = await call(method.toUpperCase(), concrete, { token: attacker.token, body: validBody(method, path, victim.ids) });
        expect(res.status, `${method.toUpperCase()} ${path}`).toBe(404);
        expect(JSON.stringify(res.body)).not.toContain('Secret');
        tried.push(`${method} ${path}`);
      }
    }
    expect(tried.length).toBeGreaterThanOrEqual(25);

    const after = await victim.tenant.api<Contact>('GET', `/api/contacts/${victim.ids.contact}`);
    expect(after.body).toEqual(before.body);
    const notes = await victim.tenant.api<Page<Note>>('GET', `/api/contacts/${victim.ids.contact}/notes`);
    expect(notes.body.data.map((n: { body: string }) => n.body)).toEqual(['confidential']);
    expect((await victim.tenant.api<Opportunity>('GET', `/api/opportunities/${victim.ids.opportunity}`)).body.name).toBe('Private deal');
    expect((await victim.tenant.api<Page<ApiKey>>('GET', '/api/api-keys')).body.data).toHaveLength(1);
    expect((await victim.tenant.api<Page<TeamMember>>('GET', '/api/users')).body.data).toHaveLength(2);
    expect((await victim.tenant.api<SubAccount>('GET', `/api/agency/sub-accounts/${victim.ids.subAccount}`)).body).toMatchObject({
      name: 'Victim client',
      suspended: false,
    });
    expect((await attacker.api<Page<AuditEntry>>('GET', `/api/agency/audit-log?sub_account_id=${victim.ids.subAccount}`)).status).toBe(404);
  });

  it("lists never show another account's rows, even when filtered by its ids", async () => {
    const victim = await buildVictim();
    const attacker = await createTenant({ name: 'Attacker' });
    expect((await attacker.api<Page<Contact>>('GET', `/api/contacts?tag=${victim.ids.tag}`)).body.data).toEqual([]);
    expect((await attacker.api<Page<Contact>>('GET', '/api/contacts?q=secret')).body.data).toEqual([]);
    expect((await attacker.api<Page<Opportunity>>('GET', `/api/opportunities?pipeline_id=${victim.ids.pipeline}`)).body.data).toEqual([]);
    expect((await attacker.api<Page<Task>>('GET', `/api/tasks?contact_id=${victim.ids.contact}`)).status).toBe(404);
    expect((await attacker.api<Page<Tag>>('GET', '/api/tags')).body.data).toEqual([]);
    expect((await attacker.api<Page<Pipeline>>('GET', '/api/pipelines')).body.data).toEqual([]);
    const createInVictim = await attacker.api<Opportunity>('POST', '/api/opportunities', { name: 'x', pipeline_id: victim.ids.pipeline });
    expect(createInVictim.status).toBe(422);
    const taskOnVictim = await attacker.api<Task>('POST', '/api/tasks', { title: 'x', contact_id: victim.ids.contact });
    expect(taskOnVictim.status).toBe(404);
  });

  it('cannot switch into an account the user has no access to', async () => {
    const victim = await buildVictim();
    const attacker = await createTenant();
    const res = await call<AuthResult>('POST', '/api/auth/token-exchange', { token: attacker.token, body: { account_id: victim.tenant.accountId } });
    expect(res.status).toBe(404);
  });
});

describe('roles', () => {
  it('members cannot manage the team, API keys, fields or pipelines; owners cannot be removed when alone', async () => {
    const owner = await createTenant();
    const email = `member.${Date.now()}@example.com`;
    await owner.api<TeamMember>('POST', '/api/users', { email, name: 'Mem', role: 'member', password: 'member-password-1' });
    const login = await call<AuthResult>('POST', '/api/auth/login', { body: { email, password: 'member-password-1' } });
    const member = (method: string, path: string, body?: unknown) => call(method, path, { token: login.body.token, body });
    expect((await member('POST', '/api/users', { email: 'x@example.com', name: 'X', password: 'xxxxxxxxxxxx' })).status).toBe(403);
    expect((await member('POST', '/api/api-keys', { name: 'k' })).status).toBe(403);
    expect((await member('POST', '/api/custom-fields', { name: 'F', type: 'text' })).status).toBe(403);
    expect((await member('POST', '/api/pipelines', { name: 'P', stages: ['A'] })).status).toBe(403);
    expect((await member('POST', '/api/contacts', { first_name: 'Allowed' })).status).toBe(201);
    expect((await owner.api('DELETE', `/api/users/${owner.userId}`)).status).toBe(409);
    expect((await owner.api<TeamMember>('PATCH', `/api/users/${owner.userId}`, { role: 'member' })).status).toBe(409);
  });
});
