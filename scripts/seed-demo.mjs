// Seeds a demo agency through the public HTTP API, so every value goes through
// the same validation as user input. Deterministic: a fixed PRNG seed draws
// all names, numbers and choices, so every run sends the same data (dates are
// relative to `today`, which defaults to the current UTC day).
//
//   node scripts/seed-demo.mjs [baseUrl]      # seeds, or finishes a seed that stopped, unless it completed
//   node scripts/seed-demo.mjs [baseUrl] --force                 # runs every step again (creating only what is missing)
//   node scripts/seed-demo.mjs [baseUrl] --progress=<file>       # the progress record (default .wrangler/state/demo-seed.json)
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  AGENCY_NOTES,
  AGENCY_SOURCES,
  AGENCY_TAGS,
  AGENCY_TASKS,
  AGENCY_TEAM,
  COMPANY_PATTERNS,
  createRandom,
  DENTAL_NOTES,
  DENTAL_OPPORTUNITIES,
  DENTAL_SOURCES,
  DENTAL_STAGES,
  DENTAL_TAGS,
  DENTAL_TASKS,
  FIRST_NAMES,
  INDUSTRIES,
  INSURERS,
  LAST_NAMES,
  ONBOARDING_STAGES,
  PERSONAL_EMAIL_DOMAINS,
  SALES_STAGES,
  SERVICES,
  STREET_KINDS,
  STREETS,
  TREATMENTS,
  US_CITIES,
} from './seed-data.mjs';

export const DEMO_EMAIL = 'demo@northwind.agency';
export const DEMO_PASSWORD = 'demo-password-2026';
export const DEMO_NAME = 'Dana Whitfield';
export const DEMO_ACCOUNT_NAME = 'Northwind Growth Agency';
export const DEMO_SUB_ACCOUNT_NAME = 'Bright Smile Dental';
export const DEMO_CREDENTIALS = Object.freeze({ email: DEMO_EMAIL, password: DEMO_PASSWORD });
/** Team members the seed adds get the same password as the demo owner. */
export const DEMO_TEAM_PASSWORD = DEMO_PASSWORD;

const SEED = 20260501;
const AGENCY_CONTACTS = 300;
const DENTAL_CONTACTS = 80;

// ---------------------------------------------------------------------------
// HTTP

/** Fields whose values never appear in an error message or a log. */
const SECRET_FIELDS = /pass(word)?|token|secret/i;

/** A copy of a request body with its secrets replaced, for error messages. */
export function redactSecrets(value) {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_FIELDS.test(k) ? '[redacted]' : redactSecrets(v)]));
}

/** A non-2xx answer from the API, with the problem+json body it sent (request secrets redacted). */
export class SeedRequestError extends Error {
  constructor(method, path, status, responseText, requestBody) {
    const sent = requestBody === undefined ? '' : `\nRequest body: ${JSON.stringify(redactSecrets(requestBody)).slice(0, 2000)}`;
    super(`${method} ${path} answered ${status}\nResponse: ${responseText.slice(0, 4000)}${sent}`);
    this.name = 'SeedRequestError';
    this.status = status;
    this.responseText = responseText;
    try {
      this.problem = JSON.parse(responseText);
    } catch {
      this.problem = null;
    }
  }
}

/**
 * What the seed presents itself as, the way a browser on this machine would:
 * one stable user agent, and the cookies the API sets (kept in the progress
 * record, so a restart is the same device to the login throttle). Its
 * address is the machine's own, like every local client's.
 */
const SEED_USER_AGENT = 'edge-crm-demo-seed/1 (scripts/seed-demo.mjs)';

function createDevice(cookies = {}) {
  return {
    cookies,
    header() {
      const pairs = Object.entries(this.cookies).map(([k, v]) => `${k}=${v}`);
      return pairs.length ? pairs.join('; ') : null;
    },
    remember(res) {
      for (const line of res.headers.getSetCookie?.() ?? []) {
        const [pair] = line.split(';');
        const eq = pair.indexOf('=');
        if (eq > 0) this.cookies[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
      }
    },
  };
}

async function request(baseUrl, method, path, { token, body, headers: extra = {}, device } = {}) {
  const headers = { accept: 'application/json', 'user-agent': SEED_USER_AGENT, ...extra };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const cookie = device?.header();
  if (cookie) headers.cookie = cookie;
  let res;
  try {
    res = await fetch(new URL(path, baseUrl), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new Error(`${method} ${path} did not get an answer from ${baseUrl}: ${err.message}`);
  }
  device?.remember(res);
  const text = await res.text();
  if (!res.ok) throw new SeedRequestError(method, path, res.status, text, body);
  return text ? JSON.parse(text) : null;
}

function client(baseUrl, token, device) {
  return {
    get: (path) => request(baseUrl, 'GET', path, { token, device }),
    post: (path, body, headers) => request(baseUrl, 'POST', path, { token, body, headers, device }),
    patch: (path, body) => request(baseUrl, 'PATCH', path, { token, body, device }),
    put: (path, body) => request(baseUrl, 'PUT', path, { token, body, device }),
  };
}

/** Every item of a cursor-paginated list. */
async function listAll(api, path) {
  const items = [];
  let cursor = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page = await api.get(`${path}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.data);
    cursor = page.next_cursor ?? null;
  } while (cursor);
  return items;
}

/** Runs fn over items with at most `concurrency` in flight; results keep the input order. Stops starting new work after the first failure. */
async function pool(items, concurrency, fn) {
  const results = new Array(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index], index);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/** True when the demo owner can log in; false on 401; throws on anything else (a 429 from the login throttle, say). */
export async function demoUserCanLogIn(baseUrl, credentials = DEMO_CREDENTIALS, device) {
  try {
    await request(baseUrl, 'POST', '/api/auth/login', { body: { email: credentials.email, password: credentials.password }, device });
    return true;
  } catch (err) {
    if (err instanceof SeedRequestError && err.status === 401) return false;
    throw err;
  }
}

// ---------------------------------------------------------------------------
// Progress: which steps finished, so a seed stopped half-way resumes instead
// of being taken for done (or creating everything twice).

/**
 * The seed's progress record (a JSON file in the state dir): `complete` once
 * every step finished; each step `started` or `done`.
 */
export async function seedProgress(file) {
  try {
    const record = JSON.parse(await readFile(file, 'utf8'));
    return {
      complete: record.complete === true,
      steps: record.steps ?? {},
      cookies: record.cookies ?? {},
      briefs: record.briefs ?? {},
      completed_at: record.completed_at ?? null,
    };
  } catch (err) {
    if (err.code === 'ENOENT') return { complete: false, steps: {}, cookies: {}, briefs: {}, completed_at: null, missing: true };
    throw err;
  }
}

function progressRecorder(file, initial) {
  const record = { ...initial };
  let writing = Promise.resolve();
  const save = () => {
    if (!file) return Promise.resolve();
    const text = `${JSON.stringify({ complete: record.complete, completed_at: record.completed_at, steps: record.steps, briefs: record.briefs, cookies: record.cookies }, null, 2)}\n`;
    writing = writing.then(async () => {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(`${file}.tmp`, text);
      await rename(`${file}.tmp`, file);
    });
    return writing;
  };
  return { record, save };
}

/** Waits (up to 30 s) until the server answers its health check again, after a restart under a request. */
async function serverAnswers(baseUrl) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const ok = await fetch(new URL('/api/health', baseUrl), { signal: AbortSignal.timeout(2000) }).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Seeding stopped at `step`; the message says what was done and what failed (never a password). */
export class SeedError extends Error {
  constructor(step, cause) {
    super(`Seeding stopped at step "${step}": ${cause.message}`);
    this.name = 'SeedError';
    this.step = step;
    this.cause = cause;
    // A 5xx (wrangler answers 503 when its runtime restarts mid-request) or no answer: worth checking what is there and going on.
    this.transient = cause instanceof SeedRequestError ? cause.status >= 500 : !(cause instanceof TypeError) && /did not get an answer/.test(cause.message);
  }
}

// ---------------------------------------------------------------------------
// Generators

const asciiSlug = (s) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');

function addDays(isoDay, days) {
  const d = new Date(`${isoDay}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
const at = (isoDay, days, hour, minute = 0) => `${addDays(isoDay, days)}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00Z`;
const usd = (dollars) => `${dollars}.00`;

/** Names, emails and phones unique within one account. */
function identityFactory(r) {
  const names = new Set();
  const emails = new Set();
  const phones = new Set();
  return {
    name() {
      for (;;) {
        const first = r.pick(FIRST_NAMES);
        const last = r.pick(LAST_NAMES);
        if (!names.has(`${first} ${last}`)) {
          names.add(`${first} ${last}`);
          return { first, last };
        }
      }
    },
    email(local, domain) {
      let candidate = `${local}@${domain}`;
      for (let n = 2; emails.has(candidate); n++) candidate = `${local}${n}@${domain}`;
      emails.add(candidate);
      return candidate;
    },
    /** A US number on a fictional 555-01xx line, unique in the account, typed in one of the ways people type numbers. */
    usPhone(areas, fallbackAreas) {
      for (let attempt = 0; ; attempt++) {
        const area = attempt < 40 ? r.pick(areas) : r.pick(fallbackAreas);
        const line = `01${String(r.int(0, 99)).padStart(2, '0')}`;
        const e164 = `+1${area}555${line}`;
        if (phones.has(e164)) continue;
        phones.add(e164);
        return r.weighted([
          [`(${area}) 555-${line}`, 30],
          [`${area}-555-${line}`, 25],
          [`${area}.555.${line}`, 10],
          [`${area}555${line}`, 10],
          [`+1 ${area} 555 ${line}`, 10],
          [`+1${area}555${line}`, 8],
          [`1-${area}-555-${line}`, 7],
        ]);
      }
    },
    raw(phone, e164) {
      phones.add(e164);
      return phone;
    },
  };
}

function streetAddress(r) {
  return `${r.int(12, 9890)} ${r.pick(STREETS)} ${r.pick(STREET_KINDS)}`;
}

const ALL_US_AREAS = US_CITIES.flatMap((c) => c.areas);

/** A few contacts outside the US, to show numbers with country codes. */
const INTERNATIONAL = [
  { at: 47, city: 'Toronto', region: 'ON', country: 'CA', postal: 'M5V 2T6', phone: '416-555-0142', e164: '+14165550142' },
  { at: 133, city: 'London', region: null, country: 'GB', postal: 'EC1A 1BB', phone: '+44 20 7946 0123', e164: '+442079460123' },
  { at: 211, city: 'Vancouver', region: 'BC', country: 'CA', postal: 'V6B 1A1', phone: '+1 (604) 555-0187', e164: '+16045550187' },
];

function planAgency(r, today) {
  const ids = identityFactory(r);
  const companies = [];
  const contacts = [];
  for (let i = 0; i < AGENCY_CONTACTS; i++) {
    const { first, last } = ids.name();
    const abroad = INTERNATIONAL.find((x) => x.at === i);
    const city = abroad ? null : r.pick(US_CITIES);

    let company;
    if (companies.length > 10 && r.chance(0.12)) company = r.pick(companies);
    else {
      const industry = r.pick(INDUSTRIES);
      const name = r.pick(COMPANY_PATTERNS[industry])(r, last, r.pick(LAST_NAMES));
      company = companies.find((c) => c.name === name) ?? { name, industry, domain: `${asciiSlug(name)}.com` };
      if (!companies.includes(company)) companies.push(company);
    }

    const status = r.chance(0.22)
      ? 'customer'
      : r.weighted([
          ['hot', 20],
          ['warm', 40],
          ['cold', 40],
        ]);
    const hasPhone = abroad ? true : r.chance(0.9);
    const hasEmail = !hasPhone || r.chance(0.95);
    const personal = r.chance(0.15);
    const local = r.weighted([
      [`${asciiSlug(first)}.${asciiSlug(last)}`, 50],
      [asciiSlug(first), 30],
      [`${asciiSlug(first)[0]}${asciiSlug(last)}`, 20],
    ]);
    const email = hasEmail
      ? ids.email(personal ? `${asciiSlug(first)}.${asciiSlug(last)}` : local, personal ? r.pick(PERSONAL_EMAIL_DOMAINS) : company.domain)
      : undefined;
    const phone = abroad ? ids.raw(abroad.phone, abroad.e164) : hasPhone ? ids.usPhone(city.areas, ALL_US_AREAS) : undefined;

    const address = abroad
      ? { line1: streetAddress(r), city: abroad.city, region: abroad.region, postal_code: abroad.postal, country: abroad.country }
      : r.chance(0.75)
        ? {
            line1: streetAddress(r),
            ...(r.chance(0.2) ? { line2: `Suite ${r.int(1, 9)}${r.pick(['00', '10', '20', '50'])}` } : {}),
            city: city.city,
            region: city.region,
            postal_code: `${city.zip}${String(r.int(1, 99)).padStart(2, '0')}`,
            country: 'US',
          }
        : { city: city.city, region: city.region, country: 'US' };

    const tags = [status === 'customer' ? 'Customer' : { hot: 'Hot lead', warm: 'Warm lead', cold: 'Cold lead' }[status]];
    if (status === 'customer' && r.chance(0.3)) tags.push('VIP');
    if (r.chance(0.12)) tags.push('Webinar attendee');
    if (r.chance(0.05)) tags.push('Referral partner');
    if (status !== 'customer' && r.chance(0.15)) tags.push('Needs follow-up');
    if (r.chance(0.08)) tags.push('Trade show 2026');

    const scoreRange = { customer: [60, 100], hot: [70, 98], warm: [40, 75], cold: [5, 45] }[status];
    const custom = {};
    if (r.chance(0.92)) custom.lead_score = r.int(scoreRange[0], scoreRange[1]);
    if (r.chance(0.9)) custom.industry = company.industry;
    if (r.chance(0.65)) custom.services_interested = r.sample(SERVICES, r.int(1, 3));
    if (status === 'customer') {
      custom.contract_value = usd(r.int(6, 38) * 250 * 12);
      custom.next_renewal = addDays(today, r.int(10, 340));
    }
    if (r.chance(0.6)) custom.newsletter = r.chance(0.7);

    const dnd = {};
    if (r.chance(0.05)) dnd.sms = true;
    if (r.chance(0.03)) dnd.email = true;

    contacts.push({
      status,
      meta: {
        first,
        company: company.name,
        industry: company.industry,
        city: abroad ? abroad.city : city.city,
        service: custom.services_interested?.[0] ?? r.pick(SERVICES),
      },
      assignee: r.chance(0.8) ? r.int(0, AGENCY_TEAM.length) : null,
      body: {
        first_name: first,
        last_name: last,
        ...(email ? { email } : {}),
        ...(phone ? { phone } : {}),
        company: company.name,
        address,
        source: r.weighted(AGENCY_SOURCES),
        tags,
        custom_fields: custom,
        ...(Object.keys(dnd).length ? { dnd } : {}),
      },
    });
  }

  // Notes and tasks on 40 contacts.
  const notes = [];
  const tasks = [];
  for (const index of r.sample([...contacts.keys()], 40)) {
    const c = { ...contacts[index].meta, adSpend: r.int(2, 25) };
    for (const template of r.sample(AGENCY_NOTES, r.int(1, 3))) notes.push({ contact: index, body: template(c) });
    if (r.chance(0.8)) {
      const completed = r.chance(0.25);
      tasks.push({
        contact: index,
        title: r.pick(AGENCY_TASKS)(c),
        completed,
        due_at: completed ? at(today, -r.int(1, 10), r.int(14, 21)) : at(today, r.int(-3, 21), r.int(14, 22), r.pick([0, 30])),
        assignee: contacts[index].assignee ?? r.int(0, AGENCY_TEAM.length),
        body: r.chance(0.4) ? 'Check the latest notes before calling.' : undefined,
      });
    }
  }
  for (const title of ['Review ad spend across all client accounts', 'Prepare the monthly agency newsletter', 'Renew the call-tracking subscription']) {
    tasks.push({ contact: null, title, completed: false, due_at: at(today, r.int(1, 14), 15), assignee: 0 });
  }

  // 30 Sales opportunities + 10 Onboarding ones.
  const byStatus = (s) => [...contacts.keys()].filter((i) => contacts[i].status === s);
  const openLeads = r.sample([...byStatus('hot'), ...byStatus('warm')], 24);
  const lostLeads = r.sample(
    byStatus('cold').filter((i) => !openLeads.includes(i)),
    2,
  );
  const customers = r.shuffle(byStatus('customer'));
  const opportunities = [];
  const stageCounts = [7, 7, 6, 4];
  let cursor = 0;
  stageCounts.forEach((count, stage) => {
    for (const contact of openLeads.slice(cursor, cursor + count)) opportunities.push({ pipeline: 'sales', stage, contact, status: 'open' });
    cursor += count;
  });
  for (const contact of customers.slice(0, 4)) opportunities.push({ pipeline: 'sales', stage: 4, contact, status: 'won' });
  for (const contact of lostLeads) opportunities.push({ pipeline: 'sales', stage: 4, contact, status: 'lost' });
  [3, 3, 2, 2].forEach((count, stage) => {
    for (let k = 0; k < count; k++)
      opportunities.push({
        pipeline: 'onboarding',
        stage,
        contact: customers[4 + opportunities.filter((o) => o.pipeline === 'onboarding').length],
        status: 'open',
      });
  });
  for (const o of opportunities) {
    const c = contacts[o.contact];
    const service = c.meta.service;
    o.name =
      o.pipeline === 'onboarding' ? `${c.meta.company} – ${service} onboarding` : `${c.meta.company} – ${service}${o.status === 'won' ? ' retainer' : ''}`;
    o.value = o.pipeline === 'onboarding' && c.body.custom_fields.contract_value ? c.body.custom_fields.contract_value : usd(r.int(6, 96) * 250);
    o.assignee = c.assignee ?? r.int(0, AGENCY_TEAM.length);
  }
  return { contacts, notes, tasks, opportunities };
}

const DENTAL_CITIES = [
  { city: 'Austin', region: 'TX', zip: '787', weight: 70 },
  { city: 'Round Rock', region: 'TX', zip: '786', weight: 12 },
  { city: 'Cedar Park', region: 'TX', zip: '786', weight: 10 },
  { city: 'Pflugerville', region: 'TX', zip: '786', weight: 8 },
];

function planDental(r, today) {
  const ids = identityFactory(r);
  const contacts = [];
  for (let i = 0; i < DENTAL_CONTACTS; i++) {
    const { first, last } = ids.name();
    const city = r.weighted(DENTAL_CITIES.map((c) => [c, c.weight]));
    const hasPhone = r.chance(0.92);
    const email =
      !hasPhone || r.chance(0.9)
        ? ids.email(
            r.weighted([
              [`${asciiSlug(first)}.${asciiSlug(last)}`, 60],
              [`${asciiSlug(first)}${asciiSlug(last)}${r.int(1, 99)}`, 40],
            ]),
            r.pick(PERSONAL_EMAIL_DOMAINS),
          )
        : undefined;
    const custom = {};
    if (r.chance(0.85)) custom.insurance_provider = r.pick(INSURERS);
    const lastVisitDaysAgo = r.chance(0.8) ? r.int(10, 420) : null;
    if (lastVisitDaysAgo !== null) custom.last_visit = addDays(today, -lastVisitDaysAgo);
    if (r.chance(0.5)) custom.preferred_contact_time = r.pick(['Morning', 'Afternoon', 'Evening']);
    if (r.chance(0.45)) custom.treatment_interest = r.sample(TREATMENTS, r.int(1, 2));
    const tags = [];
    if (lastVisitDaysAgo === null || r.chance(0.15)) tags.push('New patient');
    if (lastVisitDaysAgo !== null && lastVisitDaysAgo > 180) tags.push('Recall due');
    if (custom.treatment_interest?.includes('Invisalign')) tags.push('Invisalign lead');
    if (r.chance(0.2)) tags.push('Review request sent');
    if (r.chance(0.15)) tags.push('Family plan');
    contacts.push({
      meta: {
        first,
        last,
        insurer: custom.insurance_provider ?? 'Self-pay',
        treatment: custom.treatment_interest?.[0] ?? r.pick(TREATMENTS),
        remaining: r.int(3, 15) * 100,
      },
      body: {
        first_name: first,
        last_name: last,
        ...(email ? { email } : {}),
        ...(hasPhone ? { phone: ids.usPhone(['512', '737'], ['512', '737']) } : {}),
        address: r.chance(0.7)
          ? { line1: streetAddress(r), city: city.city, region: city.region, postal_code: `${city.zip}${String(r.int(1, 99)).padStart(2, '0')}`, country: 'US' }
          : { city: city.city, region: city.region, country: 'US' },
        source: r.weighted(DENTAL_SOURCES),
        tags,
        custom_fields: custom,
      },
    });
  }
  const notes = [];
  const tasks = [];
  for (const index of r.sample([...contacts.keys()], 8)) {
    for (const template of r.sample(DENTAL_NOTES, r.int(1, 2))) notes.push({ contact: index, body: template(contacts[index].meta) });
    if (r.chance(0.75))
      tasks.push({
        contact: index,
        title: r.pick(DENTAL_TASKS)(contacts[index].meta),
        completed: false,
        due_at: at(today, r.int(0, 10), r.int(14, 22)),
        assignee: r.int(0, 2),
      });
  }
  const opportunities = [];
  const plan = [
    [0, 4, 'open'],
    [1, 4, 'open'],
    [2, 3, 'open'],
    [2, 1, 'lost'],
    [3, 2, 'open'],
    [4, 3, 'won'],
  ];
  const chosen = r.sample(
    [...contacts.keys()],
    plan.reduce((n, [, count]) => n + count, 0),
  );
  for (const [stage, count, status] of plan) {
    for (let k = 0; k < count; k++) {
      const contact = chosen[opportunities.length];
      const kind = r.pick(DENTAL_OPPORTUNITIES);
      const { first, last } = contacts[contact].meta;
      opportunities.push({
        pipeline: 'treatment',
        stage,
        contact,
        status,
        name: `${kind.treatment} – ${first} ${last}`,
        value: usd(Math.round(r.int(kind.min, kind.max) / 50) * 50),
        assignee: null,
      });
    }
  }
  return { contacts, notes, tasks, opportunities };
}

// ---------------------------------------------------------------------------
// Sending

/**
 * Creates what `items` describes unless it is there already: `existing()` is
 * consulted only when the step was started before (a resumed seed), so a
 * first run sends each item once and nothing more. Answers the objects in
 * the order of `items`, and how many were created and found.
 */
async function ensureAll(items, { resume, concurrency, key, existing, create }) {
  const found = resume ? new Map((await existing()).map((o) => [key(o), o])) : new Map();
  let created = 0;
  const results = await pool(items, concurrency, async (item) => {
    const have = found.get(key(item));
    if (have) return have;
    created++;
    return create(item);
  });
  return { results, created, found: items.length - created };
}

const counted = (what, { created, found }) => (found ? `${what}: created ${created}, ${found} already there` : `${what}: created ${created}`);

/** Waits until the wallet shows money: the sandbox Stripe confirms a top-up by webhook a moment later. */
async function awaitCredit(api, label, amount) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const wallet = await api.get('/api/wallet/balance');
    if (wallet.balance !== '0.0000') return;
    if (Date.now() > deadline) throw new Error(`${label}: the $${amount} top-up was not credited within 60 s (is the Stripe webhook queue running?)`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

/**
 * Creates (or, resumed, completes) the demo agency (owner demo@northwind.agency),
 * its team, fields, tags, 300 contacts, notes, tasks, two pipelines and 40
 * opportunities, then the "Bright Smile Dental" sub-account with 80 contacts
 * of its own. Both wallets are funded from a sandbox test card and show some
 * AI usage; the agency subscribes to the Agency plan with the same card.
 *
 * Resumable: with `progressFile`, each step is recorded when it starts and
 * when it is done, and a later run skips what is done and completes what was
 * started, creating only what is not there yet. Without a record but with a
 * demo owner who can log in (a state seeded before records were kept), every
 * step checks what exists. Throws SeedError naming the step on failure.
 */
export async function seedDemo(
  baseUrl,
  { today = new Date().toISOString().slice(0, 10), concurrency = 8, log = () => {}, progressFile, recheck = false, retries = 2 } = {},
) {
  const started = Date.now();
  const r = createRandom(SEED);
  const agencyPlan = planAgency(r, today);
  const dentalPlan = planDental(r, today);

  const previous = progressFile ? await seedProgress(progressFile) : { complete: false, steps: {}, cookies: {}, briefs: {}, missing: true };
  const { record, save } = progressRecorder(progressFile, {
    complete: false,
    completed_at: null,
    steps: { ...previous.steps },
    briefs: { ...previous.briefs },
    cookies: { ...previous.cookies },
  });
  const device = createDevice(record.cookies);
  let checkEverything = recheck;
  const done = [];

  /** Runs one step unless it is done; `resume` tells it to look for what a stopped run already created. */
  async function step(name, fn) {
    if (record.steps[name] === 'done' && !recheck) return fn({ skip: true, resume: true });
    const resume = checkEverything || record.steps[name] === 'started';
    record.steps[name] = 'started';
    await save();
    let note;
    // A step that fails on the way (a request whose answer was lost) is run again, resumed: it finds
    // what the failed attempt created and creates only the rest.
    for (let attempt = 0; ; attempt++) {
      try {
        note = await fn({ skip: false, resume: resume || attempt > 0 });
        break;
      } catch (err) {
        const failure = err instanceof SeedError ? err : new SeedError(name, err);
        if (!failure.transient || attempt >= retries) throw failure;
        log(`${name}: ${failure.message.split('\n')[0].replace(/^Seeding stopped at step "[^"]+": /, '')}; checking what is there and going on`);
        await serverAnswers(baseUrl);
      }
    }
    record.steps[name] = 'done';
    await save();
    if (typeof note === 'string') {
      log(note);
      done.push(note);
    }
    return note;
  }

  // Agency owner: signed up once; a resumed seed logs in.
  let agencyToken;
  let ownerId;
  let agencyAccountId;
  await step('owner', async () => {
    const resume = recheck || record.steps.owner === 'started' || record.steps.owner === 'done' || previous.missing;
    if (resume) {
      try {
        const login = await request(baseUrl, 'POST', '/api/auth/login', { body: { email: DEMO_EMAIL, password: DEMO_PASSWORD }, device });
        agencyToken = login.token;
        ownerId = login.user.id;
        agencyAccountId = login.account?.id ?? null;
        // Seeded before progress was recorded: check every step against what is there.
        if (previous.missing) checkEverything = true;
        return previous.missing ? `${DEMO_ACCOUNT_NAME}: owner ${DEMO_EMAIL} exists; checking every step against what is there` : undefined;
      } catch (err) {
        if (!(err instanceof SeedRequestError && err.status === 401)) {
          if (err instanceof SeedRequestError && err.status === 429)
            throw new Error(`the login throttle refused ${DEMO_EMAIL} (${err.problem?.detail ?? '429'}); wait until it lets the demo login through again`);
          throw err;
        }
      }
    }
    await request(baseUrl, 'POST', '/api/auth/signup', {
      body: { email: DEMO_EMAIL, password: DEMO_PASSWORD, name: DEMO_NAME, account_name: DEMO_ACCOUNT_NAME, agency: true },
      device,
    });
    // Sign-up is finished with the emailed link (the newest one); the sandbox mailbox has it by the time sign-up answers.
    const mails = await request(baseUrl, 'GET', `/sandbox/resend/_emulator/emails?to=${encodeURIComponent(DEMO_EMAIL)}`, { token: 're_sandbox' });
    const link = mails.data.map((m) => /\/signup\/confirm#token=([\w-]+)/.exec(m.text ?? '')).find(Boolean);
    if (!link) throw new Error('the demo sign-up link did not arrive in the sandbox mailbox');
    const signup = await request(baseUrl, 'POST', '/api/auth/signup/confirm', { body: { token: link[1] }, device });
    agencyToken = signup.token;
    ownerId = signup.user.id;
    agencyAccountId = signup.account?.id ?? null;
    return `${DEMO_ACCOUNT_NAME}: owner ${DEMO_EMAIL} signed up`;
  });
  const agency = client(baseUrl, agencyToken, device);

  const summary = await seedAccount(agency, {
    label: DEMO_ACCOUNT_NAME,
    prefix: 'agency',
    step,
    record,
    save,
    concurrency,
    checking: () => checkEverything,
    ownerId,
    team: AGENCY_TEAM,
    invited: [{ name: 'Theo Brennan', email: 'theo@northwind.agency', role: 'member' }],
    fields: [
      { name: 'Lead score', key: 'lead_score', type: 'number' },
      { name: 'Industry', key: 'industry', type: 'single_option', options: INDUSTRIES },
      { name: 'Services interested', key: 'services_interested', type: 'multi_option', options: SERVICES },
      { name: 'Contract value', key: 'contract_value', type: 'monetary' },
      { name: 'Next renewal', key: 'next_renewal', type: 'date' },
      { name: 'Newsletter', key: 'newsletter', type: 'checkbox' },
    ],
    tags: AGENCY_TAGS,
    pipelines: [
      ['sales', 'Sales', SALES_STAGES],
      ['onboarding', 'Onboarding', ONBOARDING_STAGES],
    ],
    plan: agencyPlan,
    wallet: { amount: '250.00', briefs: 6 },
  });

  // The agency pays for the Agency plan with the card the wallet saved; its clients are covered by it.
  await step('agency plan', async ({ skip }) => {
    if (skip) return;
    const billing = await agency.get('/api/billing');
    if (billing.plan?.id === 'agency' && billing.subscription) return `${DEMO_ACCOUNT_NAME}: already on the Agency plan`;
    await agency.post('/api/billing/subscribe', { plan: 'agency' });
    return `${DEMO_ACCOUNT_NAME}: subscribed to the Agency plan ($497/month)`;
  });

  // The agency resells usage above the platform price (PRD usage_markup); a PUT, the same however often it is sent.
  await step('agency usage prices', async ({ skip }) => {
    if (skip) return;
    await agency.put('/api/agency/usage-markup', { sms_outbound: '2.0', sms_inbound: '2.0', email: '3.0', voice_minute: '1.8', ai_tokens: '3.0' });
    return `${DEMO_ACCOUNT_NAME}: usage prices marked up for its clients`;
  });

  // Sub-account, entered the way agency staff do it: token exchange.
  let sub;
  await step('sub-account', async ({ resume }) => {
    if (resume) {
      const page = await agency.get(`/api/agency/sub-accounts?q=${encodeURIComponent(DEMO_SUB_ACCOUNT_NAME)}`);
      sub = page.data.find((a) => a.name === DEMO_SUB_ACCOUNT_NAME);
      if (sub) return record.steps['sub-account'] === 'done' ? undefined : `${DEMO_SUB_ACCOUNT_NAME}: sub-account already there`;
    }
    sub = await agency.post('/api/agency/sub-accounts', { name: DEMO_SUB_ACCOUNT_NAME });
    return `${DEMO_SUB_ACCOUNT_NAME}: sub-account created`;
  });
  const exchanged = await agency.post('/api/auth/token-exchange', { account_id: sub.id });
  if (exchanged.account?.id !== sub.id)
    throw new SeedError('sub-account', new Error(`Token exchange into ${sub.id} returned a token for account ${exchanged.account?.id}.`));
  const dental = client(baseUrl, exchanged.token, device);

  const subSummary = await seedAccount(dental, {
    label: DEMO_SUB_ACCOUNT_NAME,
    prefix: 'dental',
    step,
    record,
    save,
    concurrency,
    checking: () => checkEverything,
    ownerId: null,
    team: [
      { name: 'Lauren Brooks', email: 'lauren@brightsmile.dental', role: 'admin' },
      { name: 'Kevin Tran', email: 'kevin@brightsmile.dental', role: 'member' },
    ],
    invited: [],
    fields: [
      { name: 'Insurance provider', key: 'insurance_provider', type: 'single_option', options: INSURERS },
      { name: 'Last visit', key: 'last_visit', type: 'date' },
      { name: 'Preferred contact time', key: 'preferred_contact_time', type: 'single_option', options: ['Morning', 'Afternoon', 'Evening'] },
      { name: 'Treatment interest', key: 'treatment_interest', type: 'multi_option', options: TREATMENTS },
    ],
    tags: DENTAL_TAGS,
    pipelines: [['treatment', 'Patient treatment', DENTAL_STAGES]],
    plan: dentalPlan,
    wallet: { amount: '100.00', briefs: 8 },
  });

  record.complete = true;
  record.completed_at = new Date().toISOString();
  await save();
  const ms = Date.now() - started;
  log(done.length ? `seed finished in ${(ms / 1000).toFixed(1)} s` : 'seed: nothing left to do');
  return {
    ms,
    resumed: !previous.missing || checkEverything,
    did: done,
    credentials: DEMO_CREDENTIALS,
    agency: { account_id: agencyAccountId, ...summary },
    sub_account: { account_id: sub.id, name: DEMO_SUB_ACCOUNT_NAME, ...subSummary },
  };
}

/**
 * One account's data, step by step: team, fields, tags, pipelines,
 * contacts, notes, tasks, opportunities, then its wallet (a saved test card,
 * one top-up with a fixed idempotency key, so a resumed seed never pays
 * twice) and a few AI briefs (each recorded as it is made).
 */
async function seedAccount(
  api,
  { label, prefix, step, record, save, concurrency, checking, ownerId, team, invited, fields, tags, pipelines: pipelineSpecs, plan, wallet },
) {
  const name = (what) => `${prefix} ${what}`;

  let members = [];
  await step(name('team'), async ({ resume }) => {
    const people = [...team.map((m) => ({ ...m, password: DEMO_TEAM_PASSWORD })), ...invited];
    const res = await ensureAll(people, {
      resume,
      concurrency: 1,
      key: (m) => m.email.toLowerCase(),
      existing: () => listAll(api, '/api/users'),
      create: (m) => api.post('/api/users', m),
    });
    members = res.results.slice(0, team.length);
    return `${label}: ${counted('team members', res)}`;
  });
  const userIds = ownerId ? [ownerId, ...members.map((m) => m.id)] : members.map((m) => m.id);
  const userFor = (i) => (i === null || i === undefined ? null : (userIds[i] ?? null));

  await step(name('custom fields'), async ({ skip, resume }) => {
    if (skip) return;
    const res = await ensureAll(fields, {
      resume,
      concurrency: 1,
      key: (f) => f.key,
      existing: () => listAll(api, '/api/custom-fields'),
      create: (f) => api.post('/api/custom-fields', f),
    });
    return `${label}: ${counted('custom fields', res)}`;
  });
  await step(name('tags'), async ({ skip, resume }) => {
    if (skip) return;
    const res = await ensureAll(tags, {
      resume,
      concurrency,
      key: (t) => t.name.toLowerCase(),
      existing: () => listAll(api, '/api/tags'),
      create: (t) => api.post('/api/tags', t),
    });
    return `${label}: ${counted('tags', res)}`;
  });

  const pipelines = {};
  await step(name('pipelines'), async ({ resume }) => {
    const specs = pipelineSpecs.map(([key, title, stages]) => ({ key, name: title, stages }));
    const res = await ensureAll(specs, {
      resume,
      concurrency: 1,
      key: (p) => p.name,
      existing: () => listAll(api, '/api/pipelines'),
      create: (p) => api.post('/api/pipelines', { name: p.name, stages: p.stages }),
    });
    specs.forEach((p, i) => {
      pipelines[p.key] = res.results[i];
    });
    return record.steps[name('pipelines')] === 'done' ? undefined : `${label}: ${counted('pipelines', res)}`;
  });

  // Contacts are unique by name within an account (the plan draws each name once).
  const contactKey = (c) => `${c.first_name} ${c.last_name}`;
  let contacts = [];
  await step(name('contacts'), async ({ resume }) => {
    const res = await ensureAll(
      plan.contacts.map((c) => ({ ...c.body, ...(userFor(c.assignee) ? { assigned_user_id: userFor(c.assignee) } : {}) })),
      {
        resume,
        concurrency,
        key: contactKey,
        existing: () => listAll(api, '/api/contacts?limit=200'),
        create: (body) => api.post('/api/contacts', body),
      },
    );
    contacts = res.results;
    return record.steps[name('contacts')] === 'done' ? undefined : `${label}: ${counted('contacts', res)}`;
  });
  const contactId = (i) => (i === null ? null : contacts[i].id);

  await step(name('notes'), async ({ skip, resume }) => {
    if (skip) return;
    const byContact = new Map();
    if (resume)
      for (const index of new Set(plan.notes.map((n) => n.contact)))
        byContact.set(index, new Set((await listAll(api, `/api/contacts/${contactId(index)}/notes`)).map((n) => n.body)));
    const missing = plan.notes.filter((n) => !byContact.get(n.contact)?.has(n.body));
    await pool(missing, concurrency, (n) => api.post(`/api/contacts/${contactId(n.contact)}/notes`, { body: n.body }));
    return `${label}: ${counted('notes', { created: missing.length, found: plan.notes.length - missing.length })}`;
  });

  await step(name('tasks'), async ({ skip, resume }) => {
    if (skip) return;
    const key = (t) => `${t.contact_id ?? ''}|${t.title}`;
    const res = await ensureAll(
      plan.tasks.map((t) => ({ ...t, contact_id: t.contact !== null ? contactId(t.contact) : null })),
      {
        resume,
        concurrency,
        key,
        existing: () => listAll(api, '/api/tasks?limit=200'),
        create: async (t) => {
          const task = await api.post('/api/tasks', {
            title: t.title,
            due_at: t.due_at,
            ...(t.body ? { body: t.body } : {}),
            ...(t.contact_id ? { contact_id: t.contact_id } : {}),
            ...(userFor(t.assignee) ? { assignee_user_id: userFor(t.assignee) } : {}),
          });
          return t.completed ? api.patch(`/api/tasks/${task.id}`, { completed: true }) : task;
        },
      },
    );
    // A task whose answer was lost before it was marked done is found open: finish it now.
    const unfinished = res.results.filter((task, i) => plan.tasks[i].completed && task.completed === false);
    await pool(unfinished, concurrency, (task) => api.patch(`/api/tasks/${task.id}`, { completed: true }));
    return `${label}: ${counted('tasks', res)}`;
  });

  await step(name('opportunities'), async ({ skip, resume }) => {
    if (skip) return;
    const key = (o) => `${o.contact_id ?? ''}|${o.name}`;
    const res = await ensureAll(
      plan.opportunities.map((o) => ({ ...o, contact_id: contactId(o.contact) })),
      {
        resume,
        concurrency,
        key,
        existing: () => listAll(api, '/api/opportunities?limit=500'),
        create: (o) => {
          const pipeline = pipelines[o.pipeline];
          return api.post('/api/opportunities', {
            name: o.name,
            pipeline_id: pipeline.id,
            stage_id: pipeline.stages[o.stage].id,
            contact_id: o.contact_id,
            value: o.value,
            ...(o.status !== 'open' ? { status: o.status } : {}),
            ...(userFor(o.assignee) ? { assignee_user_id: userFor(o.assignee) } : {}),
          });
        },
      },
    );
    return `${label}: ${counted('opportunities', res)}`;
  });

  let walletFoundFunded = false;
  // Money the way a customer adds it: Stripe's test Visa, then one top-up. The fixed
  // Idempotency-Key makes a resumed seed get the same top-up back instead of paying again.
  await step(name('wallet'), async ({ skip }) => {
    if (skip) return;
    const balance = await api.get('/api/wallet/balance');
    if (balance.balance !== '0.0000') {
      walletFoundFunded = true;
      return `${label}: wallet already funded`;
    }
    await api.post('/api/wallet/payment-method', { payment_method: 'pm_card_visa' });
    await api.post('/api/wallet/add-funds', { amount: wallet.amount }, { 'idempotency-key': `demo-seed-${prefix}-top-up` });
    await awaitCredit(api, label, wallet.amount);
    return `${label}: wallet funded with $${wallet.amount}`;
  });

  // A few AI contact briefs, so the wallet has usage to show; each one is recorded, so none is bought twice.
  await step(name('ai briefs'), async ({ skip }) => {
    if (skip) return;
    // Checking a state seeded before progress was recorded: its briefs came with its funded wallet.
    if (checking() && walletFoundFunded && !record.briefs[prefix]) return `${label}: AI briefs kept (made with the wallet's first top-up)`;
    const made = new Set(record.briefs[prefix] ?? []);
    const wanted = contacts.slice(0, wallet.briefs).map((c) => c.id);
    let created = 0;
    for (const id of wanted) {
      if (made.has(id)) continue;
      await api.post(`/api/contacts/${id}/ai-summary`);
      made.add(id);
      record.briefs[prefix] = [...made];
      await save();
      created++;
    }
    return `${label}: ${counted('AI briefs', { created, found: wanted.length - created })}`;
  });

  return {
    users: userIds.length,
    contacts: plan.contacts.length,
    notes: plan.notes.length,
    tasks: plan.tasks.length,
    opportunities: plan.opportunities.length,
  };
}

// CLI
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const baseUrl = args.find((a) => !a.startsWith('--')) ?? `http://127.0.0.1:${process.env.PORT ?? 8787}`;
  const progressArg = args.find((a) => a.startsWith('--progress='));
  const progressFile = progressArg ? progressArg.slice('--progress='.length) : path.join(process.cwd(), '.wrangler', 'state', 'demo-seed.json');
  try {
    if (!args.includes('--force') && (await seedProgress(progressFile)).complete) {
      console.log(`The demo agency is already seeded (${progressFile}); log in as ${DEMO_EMAIL}.`);
    } else {
      const summary = await seedDemo(baseUrl, { progressFile, recheck: args.includes('--force'), log: (m) => console.log(`[seed] ${m}`) });
      console.log(JSON.stringify(summary, null, 2));
    }
  } catch (err) {
    console.error(err.message);
    console.error(`Run the same command again to resume where it stopped.`);
    process.exitCode = 1;
  }
}
