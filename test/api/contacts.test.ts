import { describe, expect, it } from 'vitest';
import { call, createTenant, type Tenant } from '../factories';
import type { Contact, CustomField, InvalidInput, Page, Problem, Tag } from '../api-types';

async function addContacts(tenant: Tenant, contacts: Array<Record<string, unknown>>) {
  const created = [];
  for (const contact of contacts) {
    const res = await tenant.api<Contact>('POST', '/api/contacts', contact);
    if (res.status !== 201) throw new Error(`create failed: ${JSON.stringify(res.body)}`);
    created.push(res.body);
  }
  return created;
}

describe('creating contacts', () => {
  it('normalizes phone to E.164 and email to lower case, and creates tags by name', async () => {
    const tenant = await createTenant();
    const res = await tenant.api<Contact>('POST', '/api/contacts', {
      first_name: 'Maria',
      last_name: 'Lopez',
      email: 'Maria.Lopez@Example.COM',
      phone: '(415) 555-2671',
      company: 'Lopez Dental',
      source: 'Website form',
      tags: ['VIP', 'Newsletter'],
      dnd: { sms: true },
      address: { line1: '1 Market St', city: 'San Francisco', region: 'CA', postal_code: '94105', country: 'us' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'Maria Lopez',
      email: 'maria.lopez@example.com',
      phone: '+14155552671',
      dnd: { sms: true, email: false, calls: false },
      address: { country: 'US', city: 'San Francisco' },
    });
    expect(res.body.id).toMatch(/^ctc_/);
    expect(res.body.tags.map((t: { name: string }) => t.name)).toEqual(['Newsletter', 'VIP']);
    const tags = await tenant.api<Page<Tag>>('GET', '/api/tags');
    expect(tags.body.data.map((t) => [t.name, t.contact_count])).toEqual([
      ['Newsletter', 1],
      ['VIP', 1],
    ]);
  });

  it('refuses a duplicate email (any case) or phone (any format), naming the existing contact', async () => {
    const tenant = await createTenant();
    const [first] = await addContacts(tenant, [{ first_name: 'A', email: 'dup@example.com', phone: '+44 20 7946 0958' }]);
    const byEmail = await tenant.api<Contact>('POST', '/api/contacts', { first_name: 'B', email: 'DUP@example.com' });
    expect(byEmail.status).toBe(409);
    expect(byEmail.body).toMatchObject({ existing_contact_id: first.id, errors: [{ field: 'email' }] });
    const byPhone = await tenant.api<InvalidInput>('POST', '/api/contacts', { first_name: 'C', phone: '+442079460958' });
    expect(byPhone.status).toBe(409);
    expect(byPhone.body.errors[0].field).toBe('phone');
    const list = await tenant.api<Page<Contact>>('GET', '/api/contacts');
    expect(list.body.data).toHaveLength(1);
  });

  it('lets two accounts hold the same email', async () => {
    const [a, b] = [await createTenant(), await createTenant()];
    expect((await a.api<Contact>('POST', '/api/contacts', { email: 'shared@example.com' })).status).toBe(201);
    expect((await b.api<Contact>('POST', '/api/contacts', { email: 'shared@example.com' })).status).toBe(201);
  });

  it('answers bad input with problem+json field errors and writes nothing', async () => {
    const tenant = await createTenant();
    const cases: Array<[unknown, number, string]> = [
      [{ first_name: 'X', phone: '12' }, 422, 'phone'],
      [{ first_name: 'X', email: 'nope' }, 422, 'email'],
      [{ first_name: 'X', favourite_color: 'red' }, 422, 'favourite_color'],
      [{ first_name: 42 }, 422, 'first_name'],
      [{}, 422, 'first_name'],
      [{ first_name: 'X', custom_fields: { nope: 1 } }, 422, 'custom_fields.nope'],
      [{ first_name: 'X', tags: [''] }, 422, 'tags.0'],
    ];
    for (const [body, status, field] of cases) {
      const res = await tenant.api<InvalidInput>('POST', '/api/contacts', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.errors.map((e: { field: string }) => e.field).join(',')).toContain(field);
    }
    expect((await tenant.api<Page<Contact>>('GET', '/api/contacts')).body.data).toEqual([]);
    expect((await tenant.api<Page<Tag>>('GET', '/api/tags')).body.data).toEqual([]);
  });

  it('answers malformed JSON with 400, a non-JSON body with 415, and an oversized body with 413', async () => {
    const tenant = await createTenant();
    const malformed = await call<Problem>('POST', '/api/contacts', { token: tenant.token, raw: '{"first_name": ' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.type).toMatch(/invalid-json/);
    const textBody = await call<Problem>('POST', '/api/contacts', { token: tenant.token, raw: 'first_name=x', headers: { 'content-type': 'text/plain' } });
    expect(textBody.status).toBe(415);
    expect(textBody.body.detail).toMatch(/application\/json/);
    const huge = await call<Contact>('POST', '/api/contacts', { token: tenant.token, raw: JSON.stringify({ first_name: 'x'.repeat(2 * 1024 * 1024) }) });
    expect(huge.status).toBe(413);
    expect((await tenant.api<Page<Contact>>('GET', '/api/contacts')).body.data).toEqual([]);
  });
});

describe('custom fields on contacts', () => {
  it('validates values by field type and returns them by key', async () => {
    const tenant = await createTenant();
    const define = (body: unknown) => tenant.api<CustomField>('POST', '/api/custom-fields', body);
    expect((await define({ name: 'Lead score', type: 'number' })).body.key).toBe('lead_score');
    await define({ name: 'Industry', type: 'single_option', options: ['Dental', 'Legal'] });
    await define({ name: 'Services', type: 'multi_option', options: ['SEO', 'Ads', 'Email'] });
    await define({ name: 'Contract value', type: 'monetary' });
    await define({ name: 'Renewal', type: 'date' });
    await define({ name: 'Newsletter', type: 'checkbox' });
    await define({ name: 'Office phone', type: 'phone' });

    const bad = await tenant.api<InvalidInput>('POST', '/api/contacts', {
      first_name: 'Bad',
      custom_fields: {
        lead_score: 'high',
        industry: 'Plumbing',
        services: ['SEO', 'TV'],
        contract_value: 12.5,
        renewal: '2026-02-30',
        newsletter: 'yes',
        office_phone: '123',
      },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(
      ['contract_value', 'industry', 'lead_score', 'newsletter', 'office_phone', 'renewal', 'services'].map((k) => `custom_fields.${k}`),
    );

    const good = await tenant.api<Contact>('POST', '/api/contacts', {
      first_name: 'Good',
      custom_fields: {
        lead_score: 87,
        industry: 'Dental',
        services: ['SEO', 'Ads', 'SEO'],
        contract_value: '1250.5',
        renewal: '2027-01-31',
        newsletter: true,
        office_phone: '212 555 0188',
      },
    });
    expect(good.status).toBe(201);
    expect(good.body.custom_fields).toEqual({
      lead_score: 87,
      industry: 'Dental',
      services: ['SEO', 'Ads'],
      contract_value: '1250.5000',
      renewal: '2027-01-31',
      newsletter: true,
      office_phone: '+12125550188',
    });

    const cleared = await tenant.api<Contact>('PATCH', `/api/contacts/${good.body.id}`, { custom_fields: { lead_score: null } });
    expect(cleared.body.custom_fields.lead_score).toBeUndefined();
  });

  it('refuses to remove an option that contacts still hold', async () => {
    const tenant = await createTenant();
    const field = (await tenant.api<CustomField>('POST', '/api/custom-fields', { name: 'Tier', type: 'single_option', options: ['Gold', 'Silver'] })).body;
    await tenant.api<Contact>('POST', '/api/contacts', { first_name: 'G', custom_fields: { tier: 'Gold' } });
    expect((await tenant.api<CustomField>('PATCH', `/api/custom-fields/${field.id}`, { options: ['Silver'] })).status).toBe(409);
    expect((await tenant.api<CustomField>('PATCH', `/api/custom-fields/${field.id}`, { options: ['Gold', 'Bronze'] })).body.options).toEqual([
      'Gold',
      'Bronze',
    ]);
  });
});

describe('listing contacts', () => {
  async function seed() {
    const tenant = await createTenant();
    await tenant.api<CustomField>('POST', '/api/custom-fields', { name: 'Industry', type: 'single_option', options: ['Dental', 'Legal'] });
    await tenant.api<CustomField>('POST', '/api/custom-fields', { name: 'Services', type: 'multi_option', options: ['SEO', 'Ads'] });
    const people = [
      {
        first_name: 'John',
        last_name: 'Smith',
        email: 'john@smith.io',
        phone: '+1 415 555 0101',
        tags: ['VIP'],
        custom_fields: { industry: 'Dental', services: ['SEO'] },
      },
      {
        first_name: 'Johanna',
        last_name: 'Berg',
        email: 'jo@berg.se',
        phone: '+1 212 555 0102',
        tags: ['Lead'],
        custom_fields: { industry: 'Legal', services: ['SEO', 'Ads'] },
      },
      {
        first_name: 'Alice',
        last_name: 'Johnson',
        email: 'alice@wonder.land',
        phone: '+1 415 555 0103',
        tags: ['VIP', 'Lead'],
        custom_fields: { industry: 'Dental' },
      },
      { first_name: 'Bob', last_name: 'Stone', email: 'bob@stone.com', phone: '+44 20 7946 0000' },
      { first_name: 'Zoe', last_name: 'Adams', email: 'zoe@adams.org' },
    ];
    const contacts = await addContacts(tenant, people);
    const tags = (await tenant.api<Page<Tag>>('GET', '/api/tags')).body.data as Array<{ id: string; name: string }>;
    return { tenant, contacts, tagId: (name: string) => tags.find((t) => t.name === name)?.id as string };
  }
  const names = (res: { body: { data: Array<{ name: string }> } }) => res.body.data.map((c) => c.name);

  it('searches by name prefix (first or last), email prefix and phone prefix', async () => {
    const { tenant } = await seed();
    expect(names(await tenant.api<Page<Contact>>('GET', '/api/contacts?q=joh&sort=name&order=asc'))).toEqual(['Alice Johnson', 'Johanna Berg', 'John Smith']);
    expect(names(await tenant.api<Page<Contact>>('GET', '/api/contacts?q=bob@'))).toEqual(['Bob Stone']);
    expect(names(await tenant.api<Page<Contact>>('GET', '/api/contacts?q=zoe@ad'))).toEqual(['Zoe Adams']);
    expect(names(await tenant.api<Page<Contact>>('GET', '/api/contacts?q=415%20555&sort=name&order=asc'))).toEqual(['Alice Johnson', 'John Smith']);
    expect(names(await tenant.api<Page<Contact>>('GET', '/api/contacts?q=%2B4420'))).toEqual(['Bob Stone']);
    expect(names(await tenant.api<Page<Contact>>('GET', '/api/contacts?q=nobody'))).toEqual([]);
  });

  it('filters by tag and by custom field, alone and together', async () => {
    const { tenant, tagId } = await seed();
    expect(names(await tenant.api('GET', `/api/contacts?tag=${tagId('VIP')}`))).toEqual(['Alice Johnson', 'John Smith']);
    expect(names(await tenant.api('GET', `/api/contacts?tag=${tagId('Lead')}&sort=name&order=asc`))).toEqual(['Alice Johnson', 'Johanna Berg']);
    expect(names(await tenant.api<Page<Contact>>('GET', '/api/contacts?cf.industry=Dental&sort=name&order=asc'))).toEqual(['Alice Johnson', 'John Smith']);
    expect(names(await tenant.api<Page<Contact>>('GET', '/api/contacts?cf.services=Ads'))).toEqual(['Johanna Berg']);
    expect(names(await tenant.api('GET', `/api/contacts?cf.industry=Dental&tag=${tagId('Lead')}`))).toEqual(['Alice Johnson']);
    const bad = await tenant.api<InvalidInput>('GET', '/api/contacts?cf.unknown=1');
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('cf.unknown');
  });

  it('sorts and pages with a cursor without skipping or repeating anyone', async () => {
    const { tenant } = await seed();
    for (const [sort, order, expected] of [
      ['name', 'asc', ['Alice Johnson', 'Bob Stone', 'Johanna Berg', 'John Smith', 'Zoe Adams']],
      ['name', 'desc', ['Zoe Adams', 'John Smith', 'Johanna Berg', 'Bob Stone', 'Alice Johnson']],
      ['email', 'asc', ['Alice Johnson', 'Bob Stone', 'Johanna Berg', 'John Smith', 'Zoe Adams']],
      ['created_at', 'desc', ['Zoe Adams', 'Bob Stone', 'Alice Johnson', 'Johanna Berg', 'John Smith']],
    ] as const) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { body: { data: Array<{ name: string }>; next_cursor: string | null } } = await tenant.api<Page<Contact>>(
          'GET',
          `/api/contacts?sort=${sort}&order=${order}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        seen.push(...names(res));
        cursor = res.body.next_cursor;
      } while (cursor);
      expect(seen, `${sort} ${order}`).toEqual(expected);
    }
  });

  it('combines a search with tag and custom field filters and pages it in every sort, listing a contact matched twice once', async () => {
    const { tenant, tagId } = await seed();
    const walk = async (query: string) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { body: { data: Array<{ name: string }>; next_cursor: string | null } } = await tenant.api<Page<Contact>>(
          'GET',
          `/api/contacts?${query}&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        );
        seen.push(...names(res));
        cursor = res.body.next_cursor;
      } while (cursor);
      return seen;
    };
    // "jo" matches John Smith by name and by email (john@), Johanna Berg likewise, Alice Johnson by last name.
    expect(await walk('q=jo&sort=name&order=asc')).toEqual(['Alice Johnson', 'Johanna Berg', 'John Smith']);
    expect(await walk('q=jo&sort=created_at&order=desc')).toEqual(['Alice Johnson', 'Johanna Berg', 'John Smith']);
    expect(await walk('q=jo&sort=email&order=desc')).toEqual(['John Smith', 'Johanna Berg', 'Alice Johnson']);
    expect(await walk('q=jo&sort=created_at&order=asc')).toEqual(['John Smith', 'Johanna Berg', 'Alice Johnson']);
    expect(await walk(`q=jo&tag=${tagId('Lead')}&sort=name&order=desc`)).toEqual(['Johanna Berg', 'Alice Johnson']);
    expect(await walk(`q=jo&tag=${tagId('Lead')}`)).toEqual(['Alice Johnson', 'Johanna Berg']);
    expect(await walk('q=jo&cf.industry=Dental&sort=name&order=asc')).toEqual(['Alice Johnson', 'John Smith']);
    expect(await walk(`q=jo&cf.industry=Dental&tag=${tagId('VIP')}&sort=email&order=asc`)).toEqual(['Alice Johnson', 'John Smith']);
  });
  it('refuses a tampered cursor and out-of-range limits', async () => {
    const { tenant } = await seed();
    expect((await tenant.api<Page<Contact>>('GET', '/api/contacts?cursor=%%%')).status).toBe(422);
    expect((await tenant.api<Page<Contact>>('GET', '/api/contacts?limit=0')).status).toBe(422);
    expect((await tenant.api<Page<Contact>>('GET', '/api/contacts?limit=10000')).status).toBe(422);
    expect((await tenant.api<Page<Contact>>('GET', '/api/contacts?sort=password_hash')).status).toBe(422);
  });
});

describe('updating contacts', () => {
  it("patches fields, replaces tags, and refuses to take a neighbour's email", async () => {
    const tenant = await createTenant();
    const [a, b] = await addContacts(tenant, [
      { first_name: 'Ann', email: 'ann@example.com', tags: ['Old'] },
      { first_name: 'Ben', email: 'ben@example.com' },
    ]);
    const patched = await tenant.api<Contact>('PATCH', `/api/contacts/${a.id}`, { last_name: 'Lee', tags: ['New', 'Hot'], dnd: { email: true } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Ann Lee', dnd: { email: true } });
    expect(patched.body.tags.map((t: { name: string }) => t.name)).toEqual(['Hot', 'New']);
    const clash = await tenant.api<Contact>('PATCH', `/api/contacts/${b.id}`, { email: 'ANN@example.com' });
    expect(clash.status).toBe(409);
    expect((await tenant.api<Contact>('GET', `/api/contacts/${b.id}`)).body.email).toBe('ben@example.com');
  });

  it('adds and removes single tags and deletes contacts', async () => {
    const tenant = await createTenant();
    const [c] = await addContacts(tenant, [{ first_name: 'Cy' }]);
    const tagged = await tenant.api<Contact>('POST', `/api/contacts/${c.id}/tags`, { tags: ['one', 'ONE', 'two'] });
    expect(tagged.body.tags.map((t: { name: string }) => t.name)).toEqual(['one', 'two']);
    const untagged = await tenant.api<Contact>('DELETE', `/api/contacts/${c.id}/tags/${tagged.body.tags[0].id}`);
    expect(untagged.body.tags.map((t: { name: string }) => t.name)).toEqual(['two']);
    expect((await tenant.api('DELETE', `/api/contacts/${c.id}`)).status).toBe(204);
    expect((await tenant.api<Contact>('GET', `/api/contacts/${c.id}`)).status).toBe(404);
  });
});

describe('large pages', () => {
  it('serves the largest page (200) with tags and custom fields on every row', async () => {
    const tenant = await createTenant();
    await tenant.api<CustomField>('POST', '/api/custom-fields', { name: 'Score', type: 'number' });
    const { env } = await import('cloudflare:workers');
    // Insert 201 contacts straight into D1 (the API path is covered above); each with a tag and a value.
    const tag = (await tenant.api<Tag>('POST', '/api/tags', { name: 'Bulk' })).body;
    const field = (await tenant.api<Page<CustomField>>('GET', '/api/custom-fields')).body.data[0];
    const now = Date.now();
    const statements = [];
    for (let i = 0; i < 201; i++) {
      const id = `ctc_bulk${String(i).padStart(4, '0')}`;
      statements.push(
        env.DB.prepare('INSERT INTO contacts (id, account_id, first_name, name_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)').bind(
          id,
          tenant.accountId,
          `P${i}`,
          `p${i}`,
          now + i,
          now + i,
        ),
        env.DB.prepare('INSERT INTO contact_tags (account_id, contact_id, tag_id, contact_created_at, created_at) VALUES (?, ?, ?, ?, ?)').bind(
          tenant.accountId,
          id,
          tag.id,
          now + i,
          now,
        ),
        env.DB.prepare('INSERT INTO custom_field_values (account_id, contact_id, field_id, value, value_key, updated_at) VALUES (?, ?, ?, ?, ?, ?)').bind(
          tenant.accountId,
          id,
          field.id,
          String(i),
          String(i),
          now,
        ),
      );
    }
    await env.DB.batch(statements);
    const page = await tenant.api<Page<Contact>>('GET', '/api/contacts?limit=200');
    expect(page.status).toBe(200);
    expect(page.body.data).toHaveLength(200);
    expect(
      page.body.data.every((c: { tags: unknown[]; custom_fields: { score?: number } }) => c.tags.length === 1 && typeof c.custom_fields.score === 'number'),
    ).toBe(true);
    expect(page.body.next_cursor).not.toBeNull();
  });
});

describe('broad and narrow searches', () => {
  it('page through the same way whether a search matches a few or thousands of contacts', async () => {
    const tenant = await createTenant();
    const { env } = await import('cloudflare:workers');
    const now = Date.now();
    const statements = [];
    for (let i = 0; i < 1_100; i++) {
      const id = `ctc_broad${String(i).padStart(5, '0')}`;
      statements.push(
        env.DB.prepare(
          'INSERT INTO contacts (id, account_id, first_name, last_name, name_key, last_name_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        ).bind(id, tenant.accountId, 'Broad', String(i), `broad ${i}`, String(i), now + i, now + i),
      );
    }
    for (let i = 0; i < statements.length; i += 200) await env.DB.batch(statements.slice(i, i + 200));
    const walk = async (q: string) => {
      const names: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { body: { data: Array<{ name: string }>; next_cursor: string | null } } = await tenant.api<Page<Contact>>(
          'GET',
          `/api/contacts?q=${encodeURIComponent(q)}&limit=200${cursor ? `&cursor=${cursor}` : ''}`,
        );
        names.push(...res.body.data.map((c) => c.name));
        cursor = res.body.next_cursor;
      } while (cursor);
      return names;
    };
    const everyone = Array.from({ length: 1_100 }, (_, i) => `Broad ${1_099 - i}`);
    expect(await walk('bro')).toEqual(everyone);
    expect(await walk('broad 10')).toEqual(everyone.filter((n) => n.startsWith('Broad 10')));
    expect(await walk('broad 1099')).toEqual(['Broad 1099']);
  });
});
