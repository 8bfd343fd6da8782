import { describe, expect, it } from 'vitest';
import { call, createTenant, uniqueEmail, type ApiReply, type Tenant } from '../factories';
import type { Contact, CreatedApiKey, CustomField, Note, Page, SignupRequested, SubAccount, Tag, Task, TeamMember } from '../api-types';

interface Problem {
  type: string;
  status: number;
  detail: string;
  errors?: { field: string; message: string; code?: string }[];
}

interface ContactBody {
  id: string;
  tags: { id: string; name: string }[];
}

/** The reply is a problem with `status`, naming `field` among its field errors. */
function expectFieldProblem(res: ApiReply, status: number, field: string, label = field): void {
  expect(res.status, label).toBe(status);
  expect(res.headers.get('content-type'), label).toContain('application/problem+json');
  expect(
    (res.body as Problem).errors?.map((e) => e.field),
    label,
  ).toContain(field);
}

/** Nothing about tables, columns or SQL reaches the caller. */
function expectNoSqlLeak(res: ApiReply): void {
  expect(JSON.stringify(res.body)).not.toMatch(/SQLITE|constraint|D1_|INSERT|UPDATE |\bFROM\b/i);
}

async function newContact(tenant: Tenant, body: Record<string, unknown> = { first_name: 'Zoë' }): Promise<ContactBody> {
  const res = await tenant.api<ContactBody>('POST', '/api/contacts', body);
  expect(res.status).toBe(201);
  return res.body;
}

describe('tags a contact already has', () => {
  it('adding the same tag twice (or VIP after vip) answers 200 with the tag once, not a 500', async () => {
    const tenant = await createTenant();
    const contact = await newContact(tenant);
    const first = await tenant.api<ContactBody>('POST', `/api/contacts/${contact.id}/tags`, { tags: ['vip'] });
    expect(first.status).toBe(200);
    const again = await tenant.api<ContactBody>('POST', `/api/contacts/${contact.id}/tags`, { tags: ['vip'] });
    expect(again.status).toBe(200);
    expect(again.body.tags.map((t) => t.name)).toEqual(['vip']);
    const mixed = await tenant.api<ContactBody>('POST', `/api/contacts/${contact.id}/tags`, { tags: ['vip', 'VIP'] });
    expect(mixed.status).toBe(200);
    expect(mixed.body.tags.map((t) => t.name)).toEqual(['vip']);

    // The same holds for a PATCH that sets the tags the contact already has.
    const same = await tenant.api<ContactBody>('PATCH', `/api/contacts/${contact.id}`, { tags: ['VIP'] });
    expect(same.status).toBe(200);
    expect(same.body.tags.map((t) => t.name)).toEqual(['vip']);
  });
});

describe('empty-string ids', () => {
  it('are refused with 422 naming the field on tasks, contacts and opportunities, instead of a 500', async () => {
    const tenant = await createTenant();
    const contact = await newContact(tenant);
    const pipeline = await tenant.api<{ id: string }>('POST', '/api/pipelines', { name: 'Sales', stages: ['New', 'Won'] });
    const task = await tenant.api<{ id: string }>('POST', '/api/tasks', { title: 'Call back' });
    const opportunity = await tenant.api<{ id: string }>('POST', '/api/opportunities', { name: 'Deal', pipeline_id: pipeline.body.id });
    expect([pipeline.status, task.status, opportunity.status]).toEqual([201, 201, 201]);

    const cases: [string, string, Record<string, unknown>, string][] = [
      ['POST', '/api/tasks', { title: 'T', contact_id: '' }, 'contact_id'],
      ['POST', '/api/tasks', { title: 'T', assignee_user_id: '' }, 'assignee_user_id'],
      ['PATCH', `/api/tasks/${task.body.id}`, { assignee_user_id: '' }, 'assignee_user_id'],
      ['POST', '/api/contacts', { first_name: 'A', assigned_user_id: '' }, 'assigned_user_id'],
      ['PATCH', `/api/contacts/${contact.id}`, { assigned_user_id: '' }, 'assigned_user_id'],
      ['POST', '/api/opportunities', { name: 'D', pipeline_id: pipeline.body.id, contact_id: '' }, 'contact_id'],
      ['POST', '/api/opportunities', { name: 'D', pipeline_id: pipeline.body.id, assignee_user_id: '' }, 'assignee_user_id'],
      ['POST', '/api/opportunities', { name: 'D', pipeline_id: '' }, 'pipeline_id'],
      ['PATCH', `/api/opportunities/${opportunity.body.id}`, { contact_id: '' }, 'contact_id'],
      ['PATCH', `/api/opportunities/${opportunity.body.id}`, { assignee_user_id: '' }, 'assignee_user_id'],
    ];
    for (const [method, path, body, field] of cases) {
      expectFieldProblem(await tenant.api(method, path, body), 422, field, `${method} ${path} ${field}`);
    }
    // null still clears a link.
    expect((await tenant.api<Task>('PATCH', `/api/tasks/${task.body.id}`, { assignee_user_id: null })).status).toBe(200);
  });
});

describe('unique and foreign-key violations', () => {
  it('six parallel POST /api/users with the same new email: no 5xx, one person added, the others told it conflicts (no SQL in the reply)', async () => {
    const tenant = await createTenant();
    const email = uniqueEmail('race');
    const replies = await Promise.all(
      Array.from({ length: 6 }, () =>
        tenant.api<TeamMember>('POST', '/api/users', { email, name: 'Racing Person', role: 'member', password: 'racing-password-1' }),
      ),
    );
    for (const res of replies) {
      expect(res.status).toBeLessThan(500);
      expectNoSqlLeak(res);
      if (res.status !== 201) {
        expect(res.status).toBe(409);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
      }
    }
    expect(replies.filter((r) => r.status === 201).length).toBeGreaterThanOrEqual(1);
    const members = await tenant.api<{ data: { email: string }[] }>('GET', '/api/users');
    expect(members.body.data.filter((m) => m.email === email)).toHaveLength(1);
  });
});

describe('free text: control characters, lone surrogates, Unicode forms', () => {
  const NUL = 'Bad\u0000name';
  const LONE = 'Bad\ud800name';
  const BELL = 'Bad\u0007name';

  it('refuses NUL, other control characters and lone surrogates in names (422, the field named), and stores nothing', async () => {
    const tenant = await createTenant({ agency: true });
    const contact = await newContact(tenant);
    for (const bad of [NUL, LONE, BELL, 'Two\nlines', 'C1\u0085control']) {
      const label = JSON.stringify(bad);
      expectFieldProblem(await tenant.api<Tag>('POST', '/api/tags', { name: bad }), 422, 'name', `tag ${label}`);
      expectFieldProblem(await tenant.api<Contact>('POST', `/api/contacts/${contact.id}/tags`, { tags: [bad] }), 422, 'tags.0', `contact tag ${label}`);
      expectFieldProblem(await tenant.api<CreatedApiKey>('POST', '/api/api-keys', { name: bad }), 422, 'name', `api key ${label}`);
      expectFieldProblem(await tenant.api<SubAccount>('POST', '/api/agency/sub-accounts', { name: bad }), 422, 'name', `sub-account ${label}`);
      expectFieldProblem(
        await tenant.api<TeamMember>('POST', '/api/users', { email: uniqueEmail('named'), name: bad, password: 'member-password-1' }),
        422,
        'name',
        `user ${label}`,
      );
      expectFieldProblem(await tenant.api<Contact>('POST', '/api/contacts', { first_name: bad }), 422, 'first_name', `contact ${label}`);
      expectFieldProblem(
        await call<SignupRequested>('POST', '/api/auth/signup', { body: { email: uniqueEmail('signup'), password: 'correct-horse-battery', name: bad } }),
        422,
        'name',
        `signup ${label}`,
      );
    }
    const problem = (await tenant.api<Problem>('POST', '/api/tags', { name: NUL })).body;
    expect(problem.errors?.[0]).toMatchObject({ field: 'name', code: 'invalid_text', message: expect.stringContaining('U+0000') });
    expect((await tenant.api<{ data: unknown[] }>('GET', '/api/tags')).body.data).toEqual([]);
    expect((await tenant.api<{ data: { name: string }[] }>('GET', '/api/api-keys')).body.data).toEqual([]);
  });

  it('notes and task bodies keep tabs and newlines but refuse NUL and lone surrogates', async () => {
    const tenant = await createTenant();
    const contact = await newContact(tenant);
    const note = await tenant.api<{ id: string; body: string }>('POST', `/api/contacts/${contact.id}/notes`, { body: 'Line one\n\tindented\r\nline three' });
    expect(note.status).toBe(201);
    expect(note.body.body).toBe('Line one\n\tindented\r\nline three');
    expectFieldProblem(await tenant.api<Note>('POST', `/api/contacts/${contact.id}/notes`, { body: 'a\u0000b' }), 422, 'body');
    expectFieldProblem(await tenant.api<Note>('PATCH', `/api/notes/${note.body.id}`, { body: 'emoji half \udc00' }), 422, 'body');
    const task = await tenant.api<Task>('POST', '/api/tasks', { title: 'Prepare', body: 'Steps:\n1.\tcall' });
    expect(task.status).toBe(201);
    expectFieldProblem(await tenant.api<Task>('POST', '/api/tasks', { title: 'Prepare', body: 'x\u001by' }), 422, 'body');
  });

  it('stores text in NFC: a decomposed "Zoë" and a precomposed one are the same tag', async () => {
    const tenant = await createTenant();
    const decomposed = 'Zoe\u0308';
    const created = await tenant.api<{ name: string }>('POST', '/api/tags', { name: decomposed });
    expect(created.status).toBe(201);
    expect(created.body.name).toBe('Zo\u00eb');
    const twin = await tenant.api<Tag>('POST', '/api/tags', { name: 'Zo\u00eb' });
    expect(twin.status).toBe(409);
    const contact = await newContact(tenant, { first_name: 'Mu\u0308ller' });
    const withTag = await tenant.api<ContactBody>('POST', `/api/contacts/${contact.id}/tags`, { tags: ['Zo\u00eb', decomposed] });
    expect(withTag.body.tags.map((t) => t.name)).toEqual(['Zo\u00eb']);
    const read = await tenant.api<{ first_name: string }>('GET', `/api/contacts/${contact.id}`);
    expect(read.body.first_name).toBe('M\u00fcller');
  });

  it('a text custom field refuses NUL, and a value with an emoji at the 200-character filter edge is still found by its exact value', async () => {
    const tenant = await createTenant();
    const field = await tenant.api<CustomField>('POST', '/api/custom-fields', { name: 'Remarks', key: 'remarks', type: 'text' });
    expect(field.status).toBe(201);
    expectFieldProblem(
      await tenant.api<Contact>('POST', '/api/contacts', { first_name: 'A', custom_fields: { remarks: 'x\u0000y' } }),
      422,
      'custom_fields.remarks',
    );
    const edge = `${'a'.repeat(199)}😀 and more`;
    const contact = await newContact(tenant, { first_name: 'B', custom_fields: { remarks: edge } });
    // Filtering by the exact value finds it (the filter key is cut the same way as the stored key).
    const found = await tenant.api<{ data: { id: string }[] }>('GET', `/api/contacts?cf.remarks=${encodeURIComponent(edge)}`);
    expect(found.status).toBe(200);
    expect(found.body.data.map((c) => c.id)).toEqual([contact.id]);
  });
});

describe('pages that end on a name outside Latin-1', () => {
  it('contacts sorted by name and sub-accounts page past 山田 and emoji instead of answering 500', async () => {
    const agency = await createTenant({ agency: true });
    for (const first_name of ['山田', 'Zoë 😀', 'Ana']) await newContact(agency, { first_name });
    const names: (string | null)[] = [];
    let cursor: string | null = null;
    do {
      const page: ApiReply<Page<Contact>> = await agency.api<Page<Contact>>(
        'GET',
        `/api/contacts?sort=name&order=asc&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      names.push(...page.body.data.map((c) => c.first_name));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(names).toEqual(['Ana', 'Zoë 😀', '山田']);

    for (const name of ['山田商店', 'Café 😀']) expect((await agency.api<SubAccount>('POST', '/api/agency/sub-accounts', { name })).status).toBe(201);
    const first = await agency.api<{ data: { name: string }[]; next_cursor: string }>('GET', '/api/agency/sub-accounts?limit=1');
    expect(first.status).toBe(200);
    const second = await agency.api<{ data: { name: string }[] }>('GET', `/api/agency/sub-accounts?limit=1&cursor=${first.body.next_cursor}`);
    expect(second.status).toBe(200);
    expect([...first.body.data, ...second.body.data].map((s) => s.name).sort()).toEqual(['Café 😀', '山田商店']);
  });
});
