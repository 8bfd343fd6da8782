/**
 * Benchmark Worker for the contacts list (`npm run bench`, driven by bench/run.mjs).
 *
 * It imports the real query code (`listContacts`) and times it inside workerd
 * against local D1. Routes (all POST, JSON bodies); each request is kept short
 * (seconds) and run.mjs drives many of them:
 *
 *   /setup    one account, an owner, 5 tags and 2 custom fields
 *   /seed     {accountId, from, count}: contacts [from, from+count) with tags and custom field values
 *   /walk     {accountId, cursor?, pages}: follows next_cursor for `pages` pages, timing each
 *   /measure  {accountId, shape, iterations, offset, cursor?}: raw timings of listContacts for one query shape
 *   /explain  {accountId, shape, cursor?}: EXPLAIN QUERY PLAN + D1 rows_read of every statement the shape runs
 *   /verify   {accountId, total, deepPage, cursor}: every shape's inputs once, each page compared with the
 *             contacts the seed made (computed here from the same generator), so a figure is never one of wrong rows
 *   /sql      {sql, binds}: ad-hoc statement (row counts, PRAGMA optimize)
 *
 * Timing: workerd only advances the clock across I/O, so each sample is
 * `performance.now()` before and after one awaited listContacts call (its D1
 * round trips included). The clock stands still while JS runs, so CPU work
 * after the last D1 response (serializing the page) is not in the figure.
 */
import { listContacts, type ListContactsInput } from '../workers/crm/contacts/contacts.query';
import { phoneSearchPrefixes } from '../workers/crm/contacts/phone';
import type { ServiceDeps } from '../workers/platform/deps';
import type { SqlValue } from '../workers/platform/db';
import { createId } from '../workers/platform/ids';

/* ------------------------------------------------------------------ data */

const TOTAL_CONTACTS = 100_000;
const LIMIT = 50;
/** Contacts are created over three years ending here, in index order. */
const SEED_END = Date.UTC(2026, 3, 1);
const SEED_SPAN = 3 * 365 * 24 * 3600 * 1000;

const FIRST_NAMES = [
  'James',
  'Mary',
  'Robert',
  'Patricia',
  'John',
  'Jennifer',
  'Michael',
  'Linda',
  'David',
  'Elizabeth',
  'William',
  'Barbara',
  'Richard',
  'Susan',
  'Joseph',
  'Jessica',
  'Thomas',
  'Sarah',
  'Christopher',
  'Karen',
  'Charles',
  'Lisa',
  'Daniel',
  'Nancy',
  'Matthew',
  'Betty',
  'Anthony',
  'Sandra',
  'Mark',
  'Margaret',
  'Donald',
  'Ashley',
  'Steven',
  'Kimberly',
  'Andrew',
  'Emily',
  'Paul',
  'Donna',
  'Joshua',
  'Michelle',
  'Kenneth',
  'Carol',
  'Kevin',
  'Amanda',
  'Brian',
  'Melissa',
  'George',
  'Deborah',
  'Timothy',
  'Stephanie',
  'Ronald',
  'Dorothy',
  'Jason',
  'Rebecca',
  'Edward',
  'Sharon',
  'Jeffrey',
  'Laura',
  'Ryan',
  'Cynthia',
  'Jacob',
  'Amy',
  'Gary',
  'Kathleen',
  'Nicholas',
  'Angela',
  'Eric',
  'Shirley',
  'Jonathan',
  'Brenda',
  'Stephen',
  'Emma',
  'Larry',
  'Anna',
  'Justin',
  'Pamela',
  'Scott',
  'Nicole',
  'Brandon',
  'Samantha',
  'Benjamin',
  'Katherine',
  'Samuel',
  'Christine',
  'Gregory',
  'Helen',
  'Alexander',
  'Debra',
  'Patrick',
  'Rachel',
  'Frank',
  'Carolyn',
  'Raymond',
  'Janet',
  'Jack',
  'Maria',
  'Dennis',
  'Olivia',
  'Jerry',
  'Heather',
  'Tyler',
  'Diane',
  'Aaron',
  'Julie',
  'Jose',
  'Joyce',
  'Adam',
  'Victoria',
  'Nathan',
  'Ruth',
  'Henry',
  'Virginia',
  'Zachary',
  'Lauren',
  'Douglas',
  'Kelly',
  'Peter',
  'Christina',
  'Kyle',
  'Joan',
  'Noah',
  'Evelyn',
  'Ethan',
  'Judith',
  'Jeremy',
  'Andrea',
  'Walter',
  'Hannah',
  'Christian',
  'Megan',
  'Keith',
  'Cheryl',
  'Roger',
  'Jacqueline',
  'Terry',
  'Martha',
  'Austin',
  'Madison',
  'Sean',
  'Teresa',
  'Gerald',
  'Gloria',
  'Carl',
  'Sara',
  'Harold',
  'Janice',
  'Dylan',
  'Ann',
  'Arthur',
  'Kathryn',
  'Lawrence',
  'Abigail',
  'Jordan',
  'Sophia',
  'Jesse',
  'Frances',
  'Bryan',
  'Jean',
  'Billy',
  'Alice',
  'Bruce',
  'Judy',
  'Gabriel',
  'Isabella',
  'Joe',
  'Julia',
  'Logan',
  'Grace',
  'Alan',
  'Amber',
  'Juan',
  'Denise',
  'Albert',
  'Danielle',
  'Willie',
  'Marilyn',
  'Elijah',
  'Beverly',
  'Wayne',
  'Charlotte',
  'Randy',
  'Natalie',
  'Vincent',
  'Theresa',
  'Mason',
  'Diana',
  'Roy',
  'Brittany',
  'Ralph',
  'Doris',
  'Bobby',
  'Kayla',
  'Russell',
  'Alexis',
  'Bradley',
  'Lori',
  'Philip',
  'Marie',
  'Eugene',
  'Priya',
  'Wei',
  'Mohammed',
  'Fatima',
  'Hiroshi',
  'Yuki',
  'Carlos',
  'Sofia',
  'Luis',
  'Ana',
  'Ahmed',
  'Chen',
];
const LAST_NAMES = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Rodriguez',
  'Martinez',
  'Hernandez',
  'Lopez',
  'Gonzalez',
  'Wilson',
  'Anderson',
  'Thomas',
  'Taylor',
  'Moore',
  'Jackson',
  'Martin',
  'Lee',
  'Perez',
  'Thompson',
  'White',
  'Harris',
  'Sanchez',
  'Clark',
  'Ramirez',
  'Lewis',
  'Robinson',
  'Walker',
  'Young',
  'Allen',
  'King',
  'Wright',
  'Scott',
  'Torres',
  'Nguyen',
  'Hill',
  'Flores',
  'Green',
  'Adams',
  'Nelson',
  'Baker',
  'Hall',
  'Rivera',
  'Campbell',
  'Mitchell',
  'Carter',
  'Roberts',
  'Gomez',
  'Phillips',
  'Evans',
  'Turner',
  'Diaz',
  'Parker',
  'Cruz',
  'Edwards',
  'Collins',
  'Reyes',
  'Stewart',
  'Morris',
  'Morales',
  'Murphy',
  'Cook',
  'Rogers',
  'Gutierrez',
  'Ortiz',
  'Morgan',
  'Cooper',
  'Peterson',
  'Bailey',
  'Reed',
  'Kelly',
  'Howard',
  'Ramos',
  'Kim',
  'Cox',
  'Ward',
  'Richardson',
  'Watson',
  'Brooks',
  'Chavez',
  'Wood',
  'James',
  'Bennett',
  'Gray',
  'Mendoza',
  'Ruiz',
  'Hughes',
  'Price',
  'Alvarez',
  'Castillo',
  'Sanders',
  'Patel',
  'Myers',
  'Long',
  'Ross',
  'Foster',
  'Jimenez',
  'Powell',
  'Jenkins',
  'Perry',
  'Russell',
  'Sullivan',
  'Bell',
  'Coleman',
  'Butler',
  'Henderson',
  'Barnes',
  'Gonzales',
  'Fisher',
  'Vasquez',
  'Simmons',
  'Romero',
  'Jordan',
  'Patterson',
  'Alexander',
  'Hamilton',
  'Graham',
  'Reynolds',
  'Griffin',
  'Wallace',
  'Moreno',
  'West',
  'Cole',
  'Hayes',
  'Bryant',
  'Herrera',
  'Gibson',
  'Ellis',
  'Tran',
  'Medina',
  'Aguilar',
  'Stevens',
  'Murray',
  'Ford',
  'Castro',
  'Marshall',
  'Owens',
  'Harrison',
  'Fernandez',
  'McDonald',
  'Woods',
  'Washington',
  'Kennedy',
  'Wells',
  'Vargas',
  'Henry',
  'Chen',
  'Freeman',
  'Webb',
  'Tucker',
  'Guzman',
  'Burns',
  'Crawford',
  'Olson',
  'Simpson',
  'Porter',
  'Hunter',
  'Gordon',
  'Mendez',
  'Silva',
  'Shaw',
  'Snyder',
  'Mason',
  'Dixon',
  'Munoz',
  'Hunt',
  'Hicks',
  'Holmes',
  'Palmer',
  'Wagner',
  'Black',
  'Robertson',
  'Boyd',
  'Rose',
  'Stone',
  'Salazar',
  'Fox',
  'Warren',
  'Mills',
  'Meyer',
  'Rice',
  'Schmidt',
  'Garza',
  'Daniels',
  'Ferguson',
  'Nichols',
  'Stephens',
  'Soto',
  'Weaver',
  'Ryan',
  'Gardner',
  'Payne',
  'Grant',
  'Dunn',
  'Kelley',
  'Spencer',
  'Hawkins',
  'Arnold',
  'Pierce',
  'Hansen',
  'Peters',
  'Santos',
  'Hart',
  'Bradley',
  'Knight',
  'Elliott',
  'Cunningham',
  'Duncan',
  'Armstrong',
  'Hudson',
  'Carroll',
  'Lane',
  'Riley',
  'Andrews',
  'Alvarado',
  'Ray',
  'Delgado',
  'Berry',
  'Perkins',
  'Hoffman',
  'Johnston',
  'Matthews',
  'Pena',
  'Richards',
  'Tanaka',
  'Sato',
  'Singh',
  'Kumar',
  'Wang',
  'Li',
  'Zhang',
  'Khan',
  'Ali',
  'Okafor',
  'Novak',
  'Kowalski',
  'Müller',
  "O'Brien",
];
const MAIL_DOMAINS = ['gmail.com', 'gmail.com', 'gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com', 'icloud.com', 'aol.com', 'proton.me'];
const COMPANIES = [
  'Acme Dental',
  'Brightside Roofing',
  'Summit Realty',
  'Blue Harbor Spa',
  'Northwind Fitness',
  'Cedar Law Group',
  'Pinecrest HVAC',
  'Golden Gate Auto',
  'Lakeside Chiropractic',
  'Evergreen Landscaping',
];
const CITIES: Array<[string, string, string]> = [
  ['San Francisco', 'CA', '415'],
  ['New York', 'NY', '212'],
  ['Chicago', 'IL', '312'],
  ['Los Angeles', 'CA', '213'],
  ['Houston', 'TX', '713'],
  ['Phoenix', 'AZ', '602'],
  ['Seattle', 'WA', '206'],
  ['Boston', 'MA', '617'],
  ['Miami', 'FL', '305'],
  ['Denver', 'CO', '303'],
];
const SOURCES = ['Google Ads', 'Facebook', 'Referral', 'Website', 'Event'];
const TAGS = [
  { name: 'Lead', weight: 40, color: '#2563eb' },
  { name: 'Customer', weight: 25, color: '#16a34a' },
  { name: 'Newsletter', weight: 20, color: '#d97706' },
  { name: 'Cold', weight: 10, color: '#64748b' },
  { name: 'VIP', weight: 5, color: '#dc2626' },
];

/** Deterministic per-index pseudo-random stream (mulberry32 seeded by a hash of the index). */
function rng(seed: number): () => number {
  let a = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)];
const slug = (s: string) =>
  s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z]/g, '');

interface SeedContact {
  index: number;
  first_name: string;
  last_name: string;
  email: string;
  phone: string | null;
  company: string | null;
  city: string;
  region: string;
  source: string;
  created_at: number;
  updated_at: number;
  tags: number[];
  lead_source: string | null;
  score: number | null;
}

/**
 * Contact number `i`, the same on every run. Emails end in the index (so they
 * are unique); phones are unique E.164 numbers (+1 <area> <7 digits>).
 */
function seedContact(i: number): SeedContact {
  const r = rng(i + 1);
  const first = pick(r, FIRST_NAMES);
  const last = pick(r, LAST_NAMES);
  const f = slug(first);
  const l = slug(last);
  const local = [`${f}.${l}`, `${f}.${l}`, `${f[0]}${l}`, `${f}_${l}`, `${f}`][Math.floor(r() * 5)];
  const domain = r() < 0.85 ? pick(r, MAIL_DOMAINS) : `${slug(pick(r, COMPANIES))}.com`;
  const [city, region, area] = CITIES[i % CITIES.length];
  // 8e6 and 7919 are coprime, so this is a bijection on [0, 8e6): unique per area code.
  const subscriber = 2_000_000 + ((Math.floor(i / CITIES.length) * 7919) % 8_000_000);
  const hasPhone = r() < 0.92;
  const step = SEED_SPAN / TOTAL_CONTACTS;
  const created = Math.floor(SEED_END - SEED_SPAN + i * step + r() * step);
  const tagCount = (() => {
    const x = r();
    return x < 0.3 ? 0 : x < 0.75 ? 1 : 2;
  })();
  const tags: number[] = [];
  while (tags.length < tagCount) {
    let x = r() * 100;
    let t = 0;
    while (x >= TAGS[t].weight) x -= TAGS[t++].weight;
    if (!tags.includes(t)) tags.push(t);
  }
  return {
    index: i,
    first_name: first,
    last_name: last,
    // The trailing digits are exactly `i`, so no two contacts share an email.
    email: `${local}${i}@${domain}`,
    phone: hasPhone ? `+1${area}${subscriber}` : null,
    company: r() < 0.4 ? pick(r, COMPANIES) : null,
    city,
    region,
    source: pick(r, SOURCES),
    created_at: created,
    updated_at: created + Math.floor(r() * 30 * 24 * 3600 * 1000),
    tags,
    lead_source: r() < 0.85 ? pick(r, SOURCES) : null,
    score: r() < 0.6 ? Math.floor(r() * 101) : null,
  };
}

/* ------------------------------------------------------------------ helpers */

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body, null, 1), { status, headers: { 'content-type': 'application/json' } });
}

function depsFor(env: Env, ctx: ExecutionContext, accountId: string, db: D1Database = env.DB): ServiceDeps {
  return {
    env,
    db,
    auth: { accountId, userId: null, role: 'owner', actorUserId: null, actorAccountId: null, via: 'session', sessionId: null },
    waitUntil: (p) => ctx.waitUntil(p),
  };
}

function baseInput(over: Partial<ListContactsInput> = {}): ListContactsInput {
  return { sort: 'created_at', order: 'desc', limit: LIMIT, customFieldFilters: {}, ...over };
}

/** Inserts many rows through one bound parameter (a JSON array of row arrays), staying under D1's 100-parameter limit. */
function jsonInsert(db: D1Database, table: string, columns: string[], rows: SqlValue[][]): D1PreparedStatement {
  const select = columns.map((_, k) => `json_extract(value, '$[${k}]')`).join(', ');
  return db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) SELECT ${select} FROM json_each(?)`).bind(JSON.stringify(rows));
}

interface Fixture {
  accountId: string;
  tagIds: string[];
  fieldIds: { lead_source: string; score: string };
}

async function loadFixture(db: D1Database, accountId: string): Promise<Fixture> {
  const tags = await db.prepare('SELECT id, name FROM tags WHERE account_id = ?').bind(accountId).all<{ id: string; name: string }>();
  const fields = await db.prepare('SELECT id, key FROM custom_fields WHERE account_id = ?').bind(accountId).all<{ id: string; key: string }>();
  const byName = new Map(tags.results.map((t) => [t.name, t.id]));
  const byKey = new Map(fields.results.map((f) => [f.key, f.id]));
  return {
    accountId,
    tagIds: TAGS.map((t) => byName.get(t.name) as string),
    fieldIds: { lead_source: byKey.get('lead_source') as string, score: byKey.get('score') as string },
  };
}

/* ------------------------------------------------------------------ routes */

async function setup(env: Env): Promise<Response> {
  const now = Date.now();
  const accountId = createId('account');
  const userId = createId('user');
  const db = env.DB;
  const stmts = [
    db.prepare("INSERT INTO accounts (id, name, kind, created_at, updated_at) VALUES (?, 'Bench Account', 'business', ?, ?)").bind(accountId, now, now),
    db
      .prepare("INSERT INTO users (id, email, name, password_hash, created_at, updated_at) VALUES (?, 'bench@example.com', 'Bench Owner', 'x', ?, ?)")
      .bind(userId, now, now),
    db
      .prepare("INSERT INTO memberships (id, account_id, user_id, role, created_at) VALUES (?, ?, ?, 'owner', ?)")
      .bind(createId('membership'), accountId, userId, now),
    ...TAGS.map((t) =>
      db
        .prepare('INSERT INTO tags (id, account_id, name, name_key, color, created_at) VALUES (?, ?, ?, ?, ?, ?)')
        .bind(createId('tag'), accountId, t.name, t.name.toLowerCase(), t.color, now),
    ),
    db
      .prepare(
        "INSERT INTO custom_fields (id, account_id, key, name, type, options, position, created_at) VALUES (?, ?, 'lead_source', 'Lead source', 'single_option', ?, 0, ?)",
      )
      .bind(createId('customField'), accountId, JSON.stringify(SOURCES), now),
    db
      .prepare(
        "INSERT INTO custom_fields (id, account_id, key, name, type, options, position, created_at) VALUES (?, ?, 'score', 'Lead score', 'number', '[]', 1, ?)",
      )
      .bind(createId('customField'), accountId, now),
  ];
  await db.batch(stmts);
  return json(await loadFixture(db, accountId));
}

const CONTACT_COLUMNS = [
  'id',
  'account_id',
  'first_name',
  'last_name',
  'name_key',
  'last_name_key',
  'email',
  'phone',
  'company',
  'city',
  'region',
  'country',
  'source',
  'created_at',
  'updated_at',
];

async function seed(env: Env, body: { accountId: string; from: number; count: number; rowsPerStatement?: number }): Promise<Response> {
  const db = env.DB;
  const fx = await loadFixture(db, body.accountId);
  const perStatement = body.rowsPerStatement ?? 1000;
  const statements: D1PreparedStatement[] = [];
  let tagRows = 0;
  let valueRows = 0;
  for (let start = body.from; start < body.from + body.count; start += perStatement) {
    const contacts: SqlValue[][] = [];
    const contactTags: SqlValue[][] = [];
    const values: SqlValue[][] = [];
    for (let i = start; i < Math.min(start + perStatement, body.from + body.count); i++) {
      const c = seedContact(i);
      const id = createId('contact', c.created_at);
      contacts.push([
        id,
        fx.accountId,
        c.first_name,
        c.last_name,
        `${c.first_name} ${c.last_name}`.toLowerCase(),
        c.last_name.toLowerCase(),
        c.email,
        c.phone,
        c.company,
        c.city,
        c.region,
        'US',
        c.source,
        c.created_at,
        c.updated_at,
      ]);
      for (const t of c.tags) contactTags.push([fx.accountId, id, fx.tagIds[t], c.created_at, c.created_at]);
      if (c.lead_source) values.push([fx.accountId, id, fx.fieldIds.lead_source, JSON.stringify(c.lead_source), c.lead_source, c.updated_at]);
      if (c.score !== null) values.push([fx.accountId, id, fx.fieldIds.score, JSON.stringify(c.score), String(c.score), c.updated_at]);
    }
    statements.push(jsonInsert(db, 'contacts', CONTACT_COLUMNS, contacts));
    if (contactTags.length)
      statements.push(jsonInsert(db, 'contact_tags', ['account_id', 'contact_id', 'tag_id', 'contact_created_at', 'created_at'], contactTags));
    if (values.length)
      statements.push(jsonInsert(db, 'custom_field_values', ['account_id', 'contact_id', 'field_id', 'value', 'value_key', 'updated_at'], values));
    tagRows += contactTags.length;
    valueRows += values.length;
  }
  const t0 = performance.now();
  await db.batch(statements);
  const ms = performance.now() - t0;
  return json({ contacts: body.count, contact_tags: tagRows, custom_field_values: valueRows, statements: statements.length, ms });
}

/**
 * Follows the cursor chain for `pages` pages, starting after `cursor` (or at
 * page 1), timing each page. run.mjs calls this repeatedly to reach page 500
 * in short requests.
 */
async function walk(env: Env, ctx: ExecutionContext, body: { accountId: string; cursor?: string; pages: number }): Promise<Response> {
  const deps = depsFor(env, ctx, body.accountId);
  let cursor = body.cursor;
  const samples: number[] = [];
  let rows = 0;
  for (let page = 0; page < body.pages; page++) {
    const s = performance.now();
    const result = await listContacts(deps, baseInput({ cursor }));
    samples.push(performance.now() - s);
    rows = result.data.length;
    if (!result.next_cursor) return json({ error: `the cursor chain ended after ${page + 1} of ${body.pages} pages` }, 500);
    cursor = result.next_cursor;
  }
  return json({ cursor, samples, last_page_rows: rows });
}

type Shape = 'list_first_page' | 'list_page_500' | 'search_email_prefix' | 'search_phone_prefix' | 'search_name_prefix' | 'filter_tag';

/** Sample contacts whose values the search inputs are drawn from (deterministic), among the `total` seeded. */
function sampleContacts(n: number, total: number): SeedContact[] {
  const r = rng(424242);
  return Array.from({ length: n }, () => seedContact(Math.floor(r() * total)));
}

/**
 * Varied inputs for a shape: what a user types into the search box, at
 * different lengths (shorter prefixes match more rows), drawn from real rows.
 */
function inputsFor(shape: Shape, fx: Fixture, cursor: string | undefined, total = TOTAL_CONTACTS): Array<{ label: string; input: ListContactsInput }> {
  const samples = sampleContacts(60, total);
  switch (shape) {
    case 'list_first_page':
      return [{ label: 'page 1', input: baseInput() }];
    case 'list_page_500':
      return [{ label: 'page 500 (cursor)', input: baseInput({ cursor }) }];
    case 'search_email_prefix':
      return samples.map((c, k) => {
        const at = c.email.indexOf('@');
        const dot = c.email.indexOf('.');
        // "john.sm" (an address-like prefix) or "jsmith123@g" (a full local part).
        const q = dot > 0 && dot < at && /^[a-z]{2}/.test(c.email.slice(dot + 1)) ? c.email.slice(0, dot + 3 + (k % 3)) : c.email.slice(0, at + 1 + (k % 3));
        return { label: q, input: baseInput({ q }) };
      });
    case 'search_phone_prefix':
      return samples
        .filter((c) => c.phone)
        .map((c, k) => {
          const national = (c.phone as string).slice(2); // 10 digits
          const digits = 3 + (k % 6); // 3..8 digits typed
          const typed = national.slice(0, digits);
          const q = [
            `+1${typed}`,
            typed,
            typed.length > 3 ? `(${typed.slice(0, 3)}) ${typed.slice(3)}` : `(${typed})`,
            typed.length > 3 ? `${typed.slice(0, 3)}-${typed.slice(3)}` : typed,
          ][k % 4];
          return { label: q, input: baseInput({ q }) };
        });
    case 'search_name_prefix':
      return samples.map((c, k) => {
        const q = [
          c.first_name.slice(0, 2 + (k % 3)), // "ja", "jam", "jame"
          c.last_name.slice(0, 2 + (k % 4)), // "sm" .. "smit"
          `${c.first_name} ${c.last_name.slice(0, 1 + (k % 2))}`, // "james s"
        ][k % 3];
        return { label: q, input: baseInput({ q }) };
      });
    case 'filter_tag':
      return fx.tagIds.map((tag, k) => ({ label: `tag ${TAGS[k].name} (${TAGS[k].weight}% weight)`, input: baseInput({ tag }) }));
  }
}

/** Times `iterations` calls of one shape, cycling through its inputs from `offset`. Returns raw samples. */
async function measure(
  env: Env,
  ctx: ExecutionContext,
  body: { accountId: string; shape: Shape; iterations: number; offset?: number; cursor?: string; total?: number },
): Promise<Response> {
  const fx = await loadFixture(env.DB, body.accountId);
  const deps = depsFor(env, ctx, body.accountId);
  const inputs = inputsFor(body.shape, fx, body.cursor, body.total);
  const samples: Array<{ input: string; ms: number; rows: number }> = [];
  for (let k = 0; k < body.iterations; k++) {
    const { label, input } = inputs[(k + (body.offset ?? 0)) % inputs.length];
    const t0 = performance.now();
    const page = await listContacts(deps, input);
    samples.push({ input: label, ms: performance.now() - t0, rows: page.data.length });
  }
  return json({ shape: body.shape, distinct_inputs: inputs.length, samples });
}

/* ------------------------------------------------------------------ verify */

const SHAPES: Shape[] = ['list_first_page', 'list_page_500', 'search_email_prefix', 'search_phone_prefix', 'search_name_prefix', 'filter_tag'];

/**
 * Which seeded contacts an input should return, written from what the search box promises
 * (an address-like query matches email prefixes, a phone-like one phone prefixes in any
 * format, a word the full name, last name or email), not from the query code.
 */
function matcher(shape: Shape, input: ListContactsInput, fx: Fixture): (c: SeedContact) => boolean {
  const q = (input.q ?? '').trim().toLowerCase();
  switch (shape) {
    case 'list_first_page':
    case 'list_page_500':
      return () => true;
    case 'search_email_prefix':
      return (c) => c.email.startsWith(q);
    case 'search_phone_prefix': {
      const prefixes = phoneSearchPrefixes(q);
      return (c) => c.phone !== null && prefixes.some((p) => (c.phone as string).startsWith(p));
    }
    case 'search_name_prefix':
      return (c) => `${c.first_name} ${c.last_name}`.toLowerCase().startsWith(q) || c.last_name.toLowerCase().startsWith(q) || c.email.startsWith(q);
    case 'filter_tag':
      return (c) => c.tags.some((t) => fx.tagIds[t] === input.tag);
  }
}

/** Runs every distinct input of every shape once and compares each page's contacts (by email) with the seed's. */
async function verify(env: Env, ctx: ExecutionContext, body: { accountId: string; total: number; deepPage: number; cursor: string }): Promise<Response> {
  const fx = await loadFixture(env.DB, body.accountId);
  const deps = depsFor(env, ctx, body.accountId);
  // Newest first, as the list's default sort (created_at is distinct per contact).
  const seeded = Array.from({ length: body.total }, (_, i) => seedContact(i)).sort((a, b) => b.created_at - a.created_at);
  const mismatches: Array<{ shape: Shape; input: string; expected: string[]; got: string[] }> = [];
  let checked = 0;
  let rows = 0;
  for (const shape of SHAPES) {
    for (const { label, input } of inputsFor(shape, fx, body.cursor, body.total)) {
      const matching = seeded.filter(matcher(shape, input, fx));
      const from = shape === 'list_page_500' ? (body.deepPage - 1) * LIMIT : 0;
      const expected = matching.slice(from, from + LIMIT).map((c) => c.email);
      const got = (await listContacts(deps, input)).data.map((c) => c.email ?? '');
      checked++;
      rows += got.length;
      if (got.length !== expected.length || got.some((email, k) => email !== expected[k]))
        mismatches.push({ shape, input: label, expected: expected.slice(0, 5), got: got.slice(0, 5) });
    }
  }
  return json({ inputs_checked: checked, rows_compared: rows, mismatches });
}

/* ------------------------------------------------------------------ explain */

interface Captured {
  sql: string;
  binds: SqlValue[];
}

/** A D1Database whose prepared statements record their SQL and binds. Used only by /explain, never while timing. */
function recordingDb(db: D1Database, log: Captured[]): D1Database {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'prepare') {
        return (sql: string) => {
          const stmt = target.prepare(sql);
          return new Proxy(stmt, {
            get(s, p) {
              if (p === 'bind') {
                return (...binds: SqlValue[]) => {
                  log.push({ sql, binds });
                  return s.bind(...binds);
                };
              }
              const v = Reflect.get(s, p, s);
              return typeof v === 'function' ? v.bind(s) : v;
            },
          });
        };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

interface PlanRow {
  id: number;
  parent: number;
  detail: string;
}

function planTree(rows: PlanRow[]): string[] {
  const depth = new Map<number, number>([[0, -1]]);
  return rows.map((r) => {
    const d = (depth.get(r.parent) ?? -1) + 1;
    depth.set(r.id, d);
    return `${'  '.repeat(d)}${r.detail}`;
  });
}

const BIG_TABLES = ['c', 'contacts', 'ct', 'contact_tags', 'v', 'custom_field_values'];

/**
 * Plan lines worth a look: full scans of the big tables, index searches
 * bounded only by account_id (they read the whole tenant unless an
 * index-ordered LIMIT stops them), and sorts no index serves.
 */
function planFlags(lines: string[], role: Role): string[] {
  const flags: string[] = [];
  const tempSort = lines.some((l) => /USE TEMP B-TREE/.test(l));
  // "SCAN c" of a subquery's result (a narrow search's matches) reads no table.
  const subqueries = new Set(lines.map((l) => /^(?:CO-ROUTINE|MATERIALIZE) (\w+)/.exec(l.trim())?.[1]).filter(Boolean));
  for (const raw of lines) {
    const line = raw.trim();
    const scan = /^SCAN (\w+)(.*)$/.exec(line);
    if (scan && BIG_TABLES.includes(scan[1]) && !subqueries.has(scan[1])) {
      flags.push(scan[2] ? `FULL INDEX SCAN of ${scan[1]} (no range constraint): "${line}"` : `FULL TABLE SCAN of ${scan[1]}: "${line}"`);
    }
    const search = /^SEARCH (\w+) USING (?:COVERING )?INDEX (\w+) \((.*)\)$/.exec(line);
    if (search && BIG_TABLES.includes(search[1]) && search[3] === 'account_id=?' && (role !== 'main' || tempSort)) {
      flags.push(`TENANT-WIDE INDEX RANGE: only account_id=? bounds ${search[2]}, so it reads every ${search[1]} row of the account: "${line}"`);
    }
    if (/USE TEMP B-TREE/.test(line)) {
      flags.push(
        role === 'main'
          ? `SORT NOT SERVED BY AN INDEX (every match is sorted before LIMIT): "${line}"`
          : `temp b-tree in a per-page query (sorts only this page's rows; minor): "${line}"`,
      );
    }
  }
  return flags;
}

type Role = 'main' | 'details' | 'other';

/** Names a statement listContacts ran, by its SQL (not by position, so the bench survives refactors). */
function classify(sql: string): { role: Role; name: string } {
  if (/FROM contact_tags ct JOIN tags t/i.test(sql)) return { role: 'details', name: 'details: tags of the page' };
  if (/FROM custom_field_values v JOIN custom_fields f/i.test(sql)) return { role: 'details', name: 'details: custom field values of the page' };
  if (/^\s*SELECT c\.\* FROM/i.test(sql) && /\bLIMIT \?/i.test(sql)) return { role: 'main', name: 'list query' };
  return { role: 'other', name: sql.replace(/\s+/g, ' ').slice(0, 60) };
}

interface ExplainedStatement {
  statement: string;
  role: Role;
  sql: string;
  plan: string[];
  flags: string[];
  runs: Array<{ input: string; rows: number; rows_read: number; sql_ms: number }>;
}

/**
 * For one shape: runs listContacts over its first inputs through a recording
 * D1, then for each distinct statement runs EXPLAIN QUERY PLAN and re-runs it
 * to read D1's own rows_read and duration.
 */
async function explain(
  env: Env,
  ctx: ExecutionContext,
  body: { accountId: string; shape: Shape; cursor?: string; inputs?: number; total?: number },
): Promise<Response> {
  const fx = await loadFixture(env.DB, body.accountId);
  const inputs = inputsFor(body.shape, fx, body.cursor, body.total).slice(0, body.inputs ?? 12);
  const seen = new Map<string, ExplainedStatement>();
  for (const { label, input } of inputs) {
    const log: Captured[] = [];
    await listContacts(depsFor(env, ctx, body.accountId, recordingDb(env.DB, log)), input);
    for (const cap of log) {
      const { role, name } = classify(cap.sql);
      // Details queries bind one id per contact on the page (or a JSON list): key them by name.
      const key = role === 'main' ? cap.sql : name;
      let entry = seen.get(key);
      if (!entry) {
        const planRows = await env.DB.prepare(`EXPLAIN QUERY PLAN ${cap.sql}`)
          .bind(...cap.binds)
          .all<PlanRow>();
        const plan = planTree(planRows.results);
        entry = { statement: name, role, sql: cap.sql.replace(/\s+/g, ' ').trim(), plan, flags: planFlags(plan, role), runs: [] };
        seen.set(key, entry);
      }
      const rerun = await env.DB.prepare(cap.sql)
        .bind(...cap.binds)
        .all();
      entry.runs.push({ input: label, rows: rerun.results.length, rows_read: rerun.meta.rows_read ?? -1, sql_ms: rerun.meta.duration });
    }
  }
  for (const entry of seen.values()) {
    const worst = entry.runs.reduce((w, r) => (r.rows_read > w.rows_read ? r : w), entry.runs[0]);
    if (worst && worst.rows_read > Math.max(1000, 20 * Math.max(worst.rows, 1))) {
      entry.flags.push(`READS ${worst.rows_read} ROWS TO RETURN ${worst.rows} (input ${JSON.stringify(worst.input)}, ${worst.sql_ms} ms in SQLite)`);
    }
  }
  return json({ shape: body.shape, statements: [...seen.values()] });
}

/* ------------------------------------------------------------------ entry */

/** The bodies run.mjs sends, one shape for all routes (each route reads its own fields). */
type BenchRequest = Parameters<typeof seed>[1] &
  Parameters<typeof walk>[2] &
  Parameters<typeof measure>[2] &
  Parameters<typeof explain>[2] &
  Parameters<typeof verify>[2] & { sql: string; binds?: SqlValue[] };

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (request.method !== 'POST') return json({ routes: ['/setup', '/seed', '/walk', '/measure', '/explain'] });
    const body = (await request.json().catch(() => ({}))) as BenchRequest;
    try {
      switch (url.pathname) {
        case '/setup':
          return await setup(env);
        case '/seed':
          return await seed(env, body);
        case '/walk':
          return await walk(env, ctx, body);
        case '/measure':
          return await measure(env, ctx, body);
        case '/explain':
          return await explain(env, ctx, body);
        case '/verify':
          return await verify(env, ctx, body);
        case '/sql': {
          // Ad-hoc diagnostics from run.mjs (row counts, ANALYZE).
          const r = await env.DB.prepare(body.sql)
            .bind(...(body.binds ?? []))
            .all();
          return json({ results: r.results, meta: r.meta });
        }
        default:
          return json({ error: 'not found' }, 404);
      }
    } catch (err) {
      const e = err as Error;
      return json({ error: e.message, cause: String((e as { cause?: unknown }).cause ?? ''), stack: e.stack }, 500);
    }
  },
} satisfies ExportedHandler<Env>;
