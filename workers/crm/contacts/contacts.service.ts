import type { ServiceDeps } from '../../platform/deps';
import { AppError, type FieldError } from '../../platform/errors';
import { createId } from '../../platform/ids';
import { isUniqueViolation, queryAll, queryFirst, statement, toIso } from '../../platform/db';
import { commitWithEvents, newEvent } from '../../events/events.outbox';
import type { DomainEvent } from '../../events/events.types';
import { customFieldsByKey } from '../custom-fields/custom-fields.service';
import { fromStoredValue, validateCustomFields } from '../custom-fields/custom-field-values';
import { insertTagStatement, resolveTagNames, type TagRow } from '../tags/tags.service';
import { memberFieldError } from '../../tenancy/team.service';
import { assertWithinPlanLimit, isPlanLimitGuardFailure, planLimitGuard, refuseAfterLimitRace } from '../../billing/entitlements';
import { toE164 } from './phone';

export interface ContactRow {
  id: string;
  account_id: string;
  first_name: string | null;
  last_name: string | null;
  name_key: string;
  last_name_key: string;
  email: string | null;
  phone: string | null;
  company: string | null;
  address_line1: string | null;
  address_line2: string | null;
  city: string | null;
  region: string | null;
  postal_code: string | null;
  country: string | null;
  source: string | null;
  assigned_user_id: string | null;
  dnd_sms: number;
  dnd_email: number;
  dnd_calls: number;
  created_at: number;
  updated_at: number;
}

export interface ContactInput {
  first_name?: string | null;
  last_name?: string | null;
  email?: string | null;
  phone?: string | null;
  company?: string | null;
  address?: {
    line1?: string | null;
    line2?: string | null;
    city?: string | null;
    region?: string | null;
    postal_code?: string | null;
    country?: string | null;
  };
  source?: string | null;
  assigned_user_id?: string | null;
  dnd?: { sms?: boolean; email?: boolean; calls?: boolean };
  tags?: string[];
  custom_fields?: Record<string, unknown>;
}

export interface ContactDetails {
  tags: Array<{ id: string; name: string; color: string }>;
  customFields: Record<string, unknown>;
}

export function displayName(row: Pick<ContactRow, 'first_name' | 'last_name' | 'email' | 'phone'>): string {
  const name = [row.first_name, row.last_name].filter(Boolean).join(' ');
  return name || row.email || row.phone || 'Unnamed contact';
}

export function serializeContact(row: ContactRow, details: ContactDetails | undefined) {
  return {
    id: row.id,
    first_name: row.first_name,
    last_name: row.last_name,
    name: displayName(row),
    email: row.email,
    phone: row.phone,
    company: row.company,
    address: { line1: row.address_line1, line2: row.address_line2, city: row.city, region: row.region, postal_code: row.postal_code, country: row.country },
    source: row.source,
    assigned_user_id: row.assigned_user_id,
    dnd: { sms: row.dnd_sms === 1, email: row.dnd_email === 1, calls: row.dnd_calls === 1 },
    tags: details?.tags ?? [],
    custom_fields: details?.customFields ?? {},
    created_at: toIso(row.created_at) as string,
    updated_at: toIso(row.updated_at) as string,
  };
}

export type ContactView = ReturnType<typeof serializeContact>;

/** Tags and custom field values for a page of contacts, in one round trip. */
export async function loadContactDetails(db: D1Database, accountId: string, contactIds: string[]): Promise<Map<string, ContactDetails>> {
  const details = new Map<string, ContactDetails>(contactIds.map((id) => [id, { tags: [], customFields: {} }]));
  if (contactIds.length === 0) return details;
  // One JSON array parameter: D1 allows at most 100 bound parameters a query.
  // `+account_id` keeps the tenant check as a filter so SQLite looks rows up by
  // contact (primary key) instead of walking the whole account's index.
  const ids = JSON.stringify(contactIds);
  const [tags, values] = await db.batch<Record<string, string>>([
    db
      .prepare(
        `SELECT ct.contact_id, t.id, t.name, t.color FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id
          WHERE +ct.account_id = ? AND ct.contact_id IN (SELECT value FROM json_each(?)) ORDER BY t.name_key`,
      )
      .bind(accountId, ids),
    db
      .prepare(
        `SELECT v.contact_id, f.key, f.type, v.value FROM custom_field_values v JOIN custom_fields f ON f.id = v.field_id
          WHERE +v.account_id = ? AND v.contact_id IN (SELECT value FROM json_each(?)) ORDER BY f.position`,
      )
      .bind(accountId, ids),
  ]);
  for (const t of tags.results) details.get(t.contact_id)?.tags.push({ id: t.id, name: t.name, color: t.color });
  for (const v of values.results) {
    const entry = details.get(v.contact_id);
    if (entry) entry.customFields[v.key] = fromStoredValue(v.type, v.value);
  }
  return details;
}

export async function getContactOrThrow(deps: ServiceDeps, id: string): Promise<ContactRow> {
  const row = await queryFirst<ContactRow>(deps.db, 'SELECT * FROM contacts WHERE id = ? AND account_id = ?', id, deps.auth.accountId);
  if (!row) throw new AppError('not_found', `Contact ${id} was not found.`);
  return row;
}

export async function getContactView(deps: ServiceDeps, id: string): Promise<ContactView> {
  const row = await getContactOrThrow(deps, id);
  const details = await loadContactDetails(deps.db, deps.auth.accountId, [row.id]);
  return serializeContact(row, details.get(row.id));
}

/** Applies input over a row (or a blank one), normalizing phone and names. Collects field errors instead of throwing. */
function applyInput(base: ContactRow, input: ContactInput, errors: FieldError[]): ContactRow {
  const row = { ...base };
  const set = <K extends keyof ContactRow>(key: K, value: ContactRow[K] | undefined) => {
    if (value !== undefined) row[key] = value;
  };
  set('first_name', input.first_name === '' ? null : input.first_name);
  set('last_name', input.last_name === '' ? null : input.last_name);
  set('email', input.email);
  set('company', input.company);
  set('source', input.source);
  set('assigned_user_id', input.assigned_user_id);
  if (input.phone !== undefined) {
    if (input.phone === null || input.phone === '') row.phone = null;
    else {
      const e164 = toE164(input.phone);
      if (!e164) errors.push({ field: 'phone', message: 'Enter a valid phone number, with the country code if it is not a US number.', code: 'invalid_phone' });
      else row.phone = e164;
    }
  }
  if (input.address) {
    set('address_line1', input.address.line1);
    set('address_line2', input.address.line2);
    set('city', input.address.city);
    set('region', input.address.region);
    set('postal_code', input.address.postal_code);
    set('country', input.address.country?.toUpperCase() ?? input.address.country);
  }
  if (input.dnd) {
    if (input.dnd.sms !== undefined) row.dnd_sms = input.dnd.sms ? 1 : 0;
    if (input.dnd.email !== undefined) row.dnd_email = input.dnd.email ? 1 : 0;
    if (input.dnd.calls !== undefined) row.dnd_calls = input.dnd.calls ? 1 : 0;
  }
  row.name_key = [row.first_name, row.last_name].filter(Boolean).join(' ').toLowerCase();
  row.last_name_key = (row.last_name ?? '').toLowerCase();
  return row;
}

/** Refuses a second contact with the same email or phone in the account, naming the existing one. */
async function assertNoDuplicate(deps: ServiceDeps, row: ContactRow): Promise<void> {
  if (!row.email && !row.phone) return;
  const existing = await queryFirst<{ id: string; email: string | null; phone: string | null }>(
    deps.db,
    `SELECT id, email, phone FROM contacts WHERE account_id = ? AND id != ? AND ((email IS NOT NULL AND email = ?) OR (phone IS NOT NULL AND phone = ?)) LIMIT 1`,
    deps.auth.accountId,
    row.id,
    row.email,
    row.phone,
  );
  if (existing) throw duplicateContact(existing.email !== null && existing.email === row.email ? 'email' : 'phone', existing.id);
}

function duplicateContact(field: 'email' | 'phone', existingId: string | null): AppError {
  return new AppError('duplicate_contact', `Another contact already has this ${field}.`, {
    errors: [{ field, message: `A contact with this ${field} already exists.`, code: 'duplicate' }],
    extensions: existingId ? { existing_contact_id: existingId } : {},
  });
}

function contactColumns(row: ContactRow) {
  return [
    row.first_name,
    row.last_name,
    row.name_key,
    row.last_name_key,
    row.email,
    row.phone,
    row.company,
    row.address_line1,
    row.address_line2,
    row.city,
    row.region,
    row.postal_code,
    row.country,
    row.source,
    row.assigned_user_id,
    row.dnd_sms,
    row.dnd_email,
    row.dnd_calls,
  ] as const;
}

interface Plan {
  row: ContactRow;
  statements: D1PreparedStatement[];
  events: DomainEvent[];
}

/** Statements that put the contact's tag set to `tags`, with events for each tag added or removed. */
function tagStatements(
  deps: ServiceDeps,
  row: ContactRow,
  resolved: { tags: TagRow[]; created: TagRow[] },
  current: TagRow[] | null,
): Pick<Plan, 'statements' | 'events'> {
  const statements = resolved.created.map((t) => insertTagStatement(deps.db, t));
  const events: DomainEvent[] = [];
  const currentIds = new Set((current ?? []).map((t) => t.id));
  const nextIds = new Set(resolved.tags.map((t) => t.id));
  for (const tag of resolved.tags) {
    if (currentIds.has(tag.id)) continue;
    statements.push(
      statement(
        deps.db,
        'INSERT INTO contact_tags (account_id, contact_id, tag_id, contact_created_at, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
        deps.auth.accountId,
        row.id,
        tag.id,
        row.created_at,
        row.updated_at,
      ),
    );
    events.push(newEvent(deps.auth, 'contact.tag_added', row.id, { contact_id: row.id, tag_id: tag.id, tag_name: tag.name }));
  }
  if (current) {
    for (const tag of current) {
      if (nextIds.has(tag.id)) continue;
      statements.push(
        statement(deps.db, 'DELETE FROM contact_tags WHERE account_id = ? AND contact_id = ? AND tag_id = ?', deps.auth.accountId, row.id, tag.id),
      );
      events.push(newEvent(deps.auth, 'contact.tag_removed', row.id, { contact_id: row.id, tag_id: tag.id, tag_name: tag.name }));
    }
  }
  return { statements, events };
}

async function customFieldStatements(
  deps: ServiceDeps,
  row: ContactRow,
  input: Record<string, unknown> | undefined,
  errors: FieldError[],
): Promise<D1PreparedStatement[]> {
  if (!input || Object.keys(input).length === 0) return [];
  const definitions = await customFieldsByKey(deps.db, deps.auth.accountId);
  const { writes, errors: fieldErrors } = validateCustomFields(definitions, input);
  errors.push(...fieldErrors);
  return writes.map(({ field, stored }) =>
    stored
      ? statement(
          deps.db,
          `INSERT INTO custom_field_values (account_id, contact_id, field_id, value, value_key, updated_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (contact_id, field_id) DO UPDATE SET value = excluded.value, value_key = excluded.value_key, updated_at = excluded.updated_at`,
          deps.auth.accountId,
          row.id,
          field.id,
          stored.value,
          stored.valueKey,
          row.updated_at,
        )
      : statement(deps.db, 'DELETE FROM custom_field_values WHERE account_id = ? AND contact_id = ? AND field_id = ?', deps.auth.accountId, row.id, field.id),
  );
}

function throwIfErrors(errors: FieldError[]): void {
  if (errors.length > 0) {
    throw new AppError('validation_failed', `The request body has invalid fields: ${errors.map((e) => e.field).join(', ')}.`, { errors });
  }
}

/**
 * Commits a plan in one D1 transaction and publishes its events after commit.
 * A duplicate email/phone raced in by another request becomes a 409; a tag
 * created concurrently under the same name makes the caller retry once.
 */
async function commit(deps: ServiceDeps, plan: Plan): Promise<'ok' | 'tag_race'> {
  try {
    await commitWithEvents(deps, plan.statements, plan.events);
  } catch (err) {
    if (isUniqueViolation(err, 'contacts.email')) throw duplicateContact('email', null);
    if (isUniqueViolation(err, 'contacts.phone')) throw duplicateContact('phone', null);
    if (isUniqueViolation(err, 'tags.')) return 'tag_race';
    throw err;
  }
  return 'ok';
}

async function withTagRetry(run: () => Promise<'ok' | 'tag_race'>): Promise<void> {
  if ((await run()) === 'tag_race' && (await run()) === 'tag_race') {
    throw new AppError('conflict', 'Tags were being changed at the same moment; try again.');
  }
}

export async function createContact(deps: ServiceDeps, input: ContactInput): Promise<ContactView> {
  const limit = await assertWithinPlanLimit(deps.db, deps.auth.accountId, 'contacts');
  const guard = limit === null ? [] : [planLimitGuard(deps.db, deps.auth.accountId, 'contacts', limit)];
  const now = Date.now();
  const blank: ContactRow = {
    id: createId('contact'),
    account_id: deps.auth.accountId,
    first_name: null,
    last_name: null,
    name_key: '',
    last_name_key: '',
    email: null,
    phone: null,
    company: null,
    address_line1: null,
    address_line2: null,
    city: null,
    region: null,
    postal_code: null,
    country: null,
    source: null,
    assigned_user_id: null,
    dnd_sms: 0,
    dnd_email: 0,
    dnd_calls: 0,
    created_at: now,
    updated_at: now,
  };
  try {
    await withTagRetry(() => insertContact(deps, blank, input, guard));
  } catch (err) {
    if (isPlanLimitGuardFailure(err)) await refuseAfterLimitRace(deps.db, deps.auth.accountId, 'contacts');
    throw err;
  }
  return getContactView(deps, blank.id);
}

/** One attempt at the insert batch (see withTagRetry); `guard` holds the plan limit under races. */
async function insertContact(deps: ServiceDeps, blank: ContactRow, input: ContactInput, guard: D1PreparedStatement[]): Promise<'ok' | 'tag_race'> {
  const errors: FieldError[] = [];
  const row = applyInput(blank, input, errors);
  const assigneeError = await memberFieldError(deps, input.assigned_user_id, 'assigned_user_id');
  if (assigneeError) errors.push(assigneeError);
  const fieldStatements = await customFieldStatements(deps, row, input.custom_fields, errors);
  throwIfErrors(errors);
  await assertNoDuplicate(deps, row);
  const created = newEvent(deps.auth, 'contact.created', row.id, { contact_id: row.id, name: displayName(row), source: row.source });
  const tags = tagStatements(deps, row, await resolveTagNames(deps, input.tags ?? []), null);
  const insert = statement(
    deps.db,
    `INSERT INTO contacts (id, account_id, first_name, last_name, name_key, last_name_key, email, phone, company, address_line1, address_line2,
       city, region, postal_code, country, source, assigned_user_id, dnd_sms, dnd_email, dnd_calls, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    row.id,
    row.account_id,
    ...contactColumns(row),
    row.created_at,
    row.updated_at,
  );
  return commit(deps, { row, statements: [insert, ...tags.statements, ...fieldStatements, ...guard], events: [created, ...tags.events] });
}

const TRACKED_FIELDS: Array<[keyof ContactRow, string]> = [
  ['first_name', 'first name'],
  ['last_name', 'last name'],
  ['email', 'email'],
  ['phone', 'phone'],
  ['company', 'company'],
  ['address_line1', 'address'],
  ['address_line2', 'address'],
  ['city', 'address'],
  ['region', 'address'],
  ['postal_code', 'address'],
  ['country', 'address'],
  ['source', 'source'],
  ['assigned_user_id', 'owner'],
  ['dnd_sms', 'SMS opt-out'],
  ['dnd_email', 'email opt-out'],
  ['dnd_calls', 'call opt-out'],
];

async function currentTags(deps: ServiceDeps, contactId: string): Promise<TagRow[]> {
  return queryAll<TagRow>(
    deps.db,
    'SELECT t.* FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id WHERE ct.account_id = ? AND ct.contact_id = ?',
    deps.auth.accountId,
    contactId,
  );
}

export async function updateContact(deps: ServiceDeps, id: string, input: ContactInput): Promise<ContactView> {
  await withTagRetry(async () => {
    const existing = await getContactOrThrow(deps, id);
    const errors: FieldError[] = [];
    const row = applyInput({ ...existing, updated_at: Date.now() }, input, errors);
    if (!row.first_name && !row.last_name && !row.email && !row.phone) {
      errors.push({ field: 'first_name', message: 'A contact needs at least a name, an email or a phone number.' });
    }
    const assigneeError = await memberFieldError(deps, input.assigned_user_id, 'assigned_user_id');
    if (assigneeError) errors.push(assigneeError);
    const fieldStatements = await customFieldStatements(deps, row, input.custom_fields, errors);
    throwIfErrors(errors);
    await assertNoDuplicate(deps, row);
    const tags = input.tags ? tagStatements(deps, row, await resolveTagNames(deps, input.tags), await currentTags(deps, id)) : { statements: [], events: [] };
    const changed = [...new Set(TRACKED_FIELDS.filter(([key]) => existing[key] !== row[key]).map(([, label]) => label))];
    if (fieldStatements.length > 0) changed.push('custom fields');
    const events: DomainEvent[] = changed.length > 0 ? [newEvent(deps.auth, 'contact.updated', id, { contact_id: id, name: displayName(row), changed })] : [];
    const update = statement(
      deps.db,
      `UPDATE contacts SET first_name = ?, last_name = ?, name_key = ?, last_name_key = ?, email = ?, phone = ?, company = ?, address_line1 = ?,
         address_line2 = ?, city = ?, region = ?, postal_code = ?, country = ?, source = ?, assigned_user_id = ?, dnd_sms = ?, dnd_email = ?,
         dnd_calls = ?, updated_at = ? WHERE id = ? AND account_id = ?`,
      ...contactColumns(row),
      row.updated_at,
      id,
      deps.auth.accountId,
    );
    return commit(deps, { row, statements: [update, ...tags.statements, ...fieldStatements], events: [...events, ...tags.events] });
  });
  return getContactView(deps, id);
}

export async function deleteContact(deps: ServiceDeps, id: string): Promise<void> {
  const row = await getContactOrThrow(deps, id);
  const event = newEvent(deps.auth, 'contact.deleted', id, { contact_id: id, name: displayName(row) });
  await commit(deps, {
    row,
    statements: [statement(deps.db, 'DELETE FROM contacts WHERE id = ? AND account_id = ?', id, deps.auth.accountId)],
    events: [event],
  });
}

export async function addTagsToContact(deps: ServiceDeps, id: string, names: string[]): Promise<ContactView> {
  await withTagRetry(async () => {
    const row = await getContactOrThrow(deps, id);
    const current = await currentTags(deps, id);
    const resolved = await resolveTagNames(deps, names);
    const tags = tagStatements(
      deps,
      row,
      { tags: [...current, ...resolved.tags.filter((t) => !current.some((c) => c.id === t.id))], created: resolved.created },
      current,
    );
    return commit(deps, { row, ...tags });
  });
  return getContactView(deps, id);
}

export async function removeTagFromContact(deps: ServiceDeps, id: string, tagId: string): Promise<ContactView> {
  const row = await getContactOrThrow(deps, id);
  const current = await currentTags(deps, id);
  if (!current.some((t) => t.id === tagId)) throw new AppError('not_found', `Contact ${id} has no tag ${tagId}.`);
  const tags = tagStatements(deps, row, { tags: current.filter((t) => t.id !== tagId), created: [] }, current);
  await commit(deps, { row, ...tags });
  return getContactView(deps, id);
}
