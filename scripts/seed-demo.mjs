// Seeds a demo agency through the public HTTP API, so every value goes through
// the same validation as user input. Deterministic: a fixed PRNG seed draws
// all names, numbers and choices, so every run sends the same data (dates are
// relative to `today`, which defaults to the current UTC day).
//
//   node scripts/seed-demo.mjs [baseUrl]      # seeds unless the demo user can already log in
//   node scripts/seed-demo.mjs [baseUrl] --force
import { pathToFileURL } from 'node:url';
import {
  AGENCY_NOTES, AGENCY_SOURCES, AGENCY_TAGS, AGENCY_TASKS, AGENCY_TEAM, COMPANY_PATTERNS, createRandom, DENTAL_NOTES, DENTAL_OPPORTUNITIES,
  DENTAL_SOURCES, DENTAL_STAGES, DENTAL_TAGS, DENTAL_TASKS, FIRST_NAMES, INDUSTRIES, INSURERS, LAST_NAMES, ONBOARDING_STAGES,
  PERSONAL_EMAIL_DOMAINS, SALES_STAGES, SERVICES, STREET_KINDS, STREETS, TREATMENTS, US_CITIES,
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

/** A non-2xx answer from the API, with the problem+json body it sent. */
export class SeedRequestError extends Error {
  constructor(method, path, status, responseText, requestBody) {
    const sent = requestBody === undefined ? '' : `\nRequest body: ${JSON.stringify(requestBody).slice(0, 2000)}`;
    super(`Seed request failed: ${method} ${path} answered ${status}\nResponse: ${responseText.slice(0, 4000)}${sent}`);
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

async function request(baseUrl, method, path, { token, body } = {}) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  let res;
  try {
    res = await fetch(new URL(path, baseUrl), { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw new Error(`Seed request failed: ${method} ${path} did not get an answer from ${baseUrl}: ${err.message}`);
  }
  const text = await res.text();
  if (!res.ok) throw new SeedRequestError(method, path, res.status, text, body);
  return text ? JSON.parse(text) : null;
}

function client(baseUrl, token) {
  return {
    get: (path) => request(baseUrl, 'GET', path, { token }),
    post: (path, body) => request(baseUrl, 'POST', path, { token, body }),
    patch: (path, body) => request(baseUrl, 'PATCH', path, { token, body }),
    put: (path, body) => request(baseUrl, 'PUT', path, { token, body }),
  };
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

/** True when the demo owner can log in (the demo is seeded); false on 401; throws on anything else. */
export async function demoUserCanLogIn(baseUrl, credentials = DEMO_CREDENTIALS) {
  try {
    await request(baseUrl, 'POST', '/api/auth/login', { body: { email: credentials.email, password: credentials.password } });
    return true;
  } catch (err) {
    if (err instanceof SeedRequestError && err.status === 401) return false;
    throw err;
  }
}

// ---------------------------------------------------------------------------
// Generators

const asciiSlug = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '');

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
          [`(${area}) 555-${line}`, 30], [`${area}-555-${line}`, 25], [`${area}.555.${line}`, 10], [`${area}555${line}`, 10],
          [`+1 ${area} 555 ${line}`, 10], [`+1${area}555${line}`, 8], [`1-${area}-555-${line}`, 7],
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

    const status = r.chance(0.22) ? 'customer' : r.weighted([['hot', 20], ['warm', 40], ['cold', 40]]);
    const hasPhone = abroad ? true : r.chance(0.9);
    const hasEmail = !hasPhone || r.chance(0.95);
    const personal = r.chance(0.15);
    const local = r.weighted([[`${asciiSlug(first)}.${asciiSlug(last)}`, 50], [asciiSlug(first), 30], [`${asciiSlug(first)[0]}${asciiSlug(last)}`, 20]]);
    const email = hasEmail ? ids.email(personal ? `${asciiSlug(first)}.${asciiSlug(last)}` : local, personal ? r.pick(PERSONAL_EMAIL_DOMAINS) : company.domain) : undefined;
    const phone = abroad ? ids.raw(abroad.phone, abroad.e164) : hasPhone ? ids.usPhone(city.areas, ALL_US_AREAS) : undefined;

    const address = abroad
      ? { line1: streetAddress(r), city: abroad.city, region: abroad.region, postal_code: abroad.postal, country: abroad.country }
      : r.chance(0.75)
        ? {
            line1: streetAddress(r),
            ...(r.chance(0.2) ? { line2: `Suite ${r.int(1, 9)}${r.pick(['00', '10', '20', '50'])}` } : {}),
            city: city.city, region: city.region, postal_code: `${city.zip}${String(r.int(1, 99)).padStart(2, '0')}`, country: 'US',
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
      meta: { first, company: company.name, industry: company.industry, city: abroad ? abroad.city : city.city, service: custom.services_interested?.[0] ?? r.pick(SERVICES) },
      assignee: r.chance(0.8) ? r.int(0, AGENCY_TEAM.length) : null,
      body: {
        first_name: first, last_name: last,
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
        contact: index, title: r.pick(AGENCY_TASKS)(c), completed,
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
  const lostLeads = r.sample(byStatus('cold').filter((i) => !openLeads.includes(i)), 2);
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
    for (let k = 0; k < count; k++) opportunities.push({ pipeline: 'onboarding', stage, contact: customers[4 + opportunities.filter((o) => o.pipeline === 'onboarding').length], status: 'open' });
  });
  for (const o of opportunities) {
    const c = contacts[o.contact];
    const service = c.meta.service;
    o.name = o.pipeline === 'onboarding' ? `${c.meta.company} – ${service} onboarding` : `${c.meta.company} – ${service}${o.status === 'won' ? ' retainer' : ''}`;
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
    const email = !hasPhone || r.chance(0.9)
      ? ids.email(r.weighted([[`${asciiSlug(first)}.${asciiSlug(last)}`, 60], [`${asciiSlug(first)}${asciiSlug(last)}${r.int(1, 99)}`, 40]]), r.pick(PERSONAL_EMAIL_DOMAINS))
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
      meta: { first, last, insurer: custom.insurance_provider ?? 'Self-pay', treatment: custom.treatment_interest?.[0] ?? r.pick(TREATMENTS), remaining: r.int(3, 15) * 100 },
      body: {
        first_name: first, last_name: last,
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
    if (r.chance(0.75)) tasks.push({ contact: index, title: r.pick(DENTAL_TASKS)(contacts[index].meta), completed: false, due_at: at(today, r.int(0, 10), r.int(14, 22)), assignee: r.int(0, 2) });
  }
  const opportunities = [];
  const plan = [[0, 4, 'open'], [1, 4, 'open'], [2, 3, 'open'], [2, 1, 'lost'], [3, 2, 'open'], [4, 3, 'won']];
  const chosen = r.sample([...contacts.keys()], plan.reduce((n, [, count]) => n + count, 0));
  for (const [stage, count, status] of plan) {
    for (let k = 0; k < count; k++) {
      const contact = chosen[opportunities.length];
      const kind = r.pick(DENTAL_OPPORTUNITIES);
      const { first, last } = contacts[contact].meta;
      opportunities.push({ pipeline: 'treatment', stage, contact, status, name: `${kind.treatment} – ${first} ${last}`, value: usd(Math.round(r.int(kind.min, kind.max) / 50) * 50), assignee: null });
    }
  }
  return { contacts, notes, tasks, opportunities };
}

// ---------------------------------------------------------------------------
// Sending

/**
 * Puts money in an account's wallet the way a customer does: saves Stripe's
 * test Visa card and tops up from it (the sandbox Stripe confirms by webhook a
 * moment later), then spends a little on AI contact briefs so the wallet has
 * usage to show.
 */
async function fundWallet(api, { amount, briefs, label, log }) {
  await api.post('/api/wallet/payment-method', { payment_method: 'pm_card_visa' });
  await api.post('/api/wallet/add-funds', { amount });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const wallet = await api.get('/api/wallet/balance');
    if (wallet.balance !== '0.0000') break;
    if (Date.now() > deadline) throw new Error(`${label}: the $${amount} top-up was not credited within 30 s (is the Stripe webhook queue running?)`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  for (const contactId of briefs) await api.post(`/api/contacts/${contactId}/ai-summary`);
  log(`${label}: wallet funded with $${amount}, ${briefs.length} AI briefs`);
}

async function createPipelines(api, specs) {
  const out = {};
  for (const [key, name, stages] of specs) out[key] = await api.post('/api/pipelines', { name, stages });
  return out;
}

/** Sends one account's plan; userIds[i] is the assignee for index i (null entries mean unassigned). */
async function sendAccountPlan(api, plan, { userIds, pipelines, concurrency, log, label }) {
  const started = Date.now();
  const userFor = (i) => (i === null || i === undefined ? null : userIds[i] ?? null);
  const contacts = await pool(plan.contacts, concurrency, (c) =>
    api.post('/api/contacts', { ...c.body, ...(userFor(c.assignee) ? { assigned_user_id: userFor(c.assignee) } : {}) }),
  );
  log(`${label}: ${contacts.length} contacts (${Date.now() - started} ms)`);
  const contactId = (i) => (i === null ? null : contacts[i].id);

  await pool(plan.notes, concurrency, (n) => api.post(`/api/contacts/${contactId(n.contact)}/notes`, { body: n.body }));
  await pool(plan.tasks, concurrency, async (t) => {
    const task = await api.post('/api/tasks', {
      title: t.title, due_at: t.due_at,
      ...(t.body ? { body: t.body } : {}),
      ...(t.contact !== null ? { contact_id: contactId(t.contact) } : {}),
      ...(userFor(t.assignee) ? { assignee_user_id: userFor(t.assignee) } : {}),
    });
    if (t.completed) await api.patch(`/api/tasks/${task.id}`, { completed: true });
  });
  log(`${label}: ${plan.notes.length} notes, ${plan.tasks.length} tasks`);

  await pool(plan.opportunities, concurrency, (o) => {
    const pipeline = pipelines[o.pipeline];
    return api.post('/api/opportunities', {
      name: o.name, pipeline_id: pipeline.id, stage_id: pipeline.stages[o.stage].id, contact_id: contactId(o.contact), value: o.value,
      ...(o.status !== 'open' ? { status: o.status } : {}),
      ...(userFor(o.assignee) ? { assignee_user_id: userFor(o.assignee) } : {}),
    });
  });
  log(`${label}: ${plan.opportunities.length} opportunities`);
  return { contactIds: contacts.map((c) => c.id), contacts: contacts.length, notes: plan.notes.length, tasks: plan.tasks.length, opportunities: plan.opportunities.length };
}

/**
 * Creates the demo agency (owner demo@northwind.agency), its team, fields,
 * tags, 300 contacts, notes, tasks, two pipelines and 40 opportunities, then
 * the "Bright Smile Dental" sub-account with 80 contacts of its own. Both
 * wallets are funded from a sandbox test card and show some AI usage; the
 * agency subscribes to the Agency plan with the same card.
 * Throws SeedRequestError (with the problem+json body) on any non-2xx answer.
 */
export async function seedDemo(baseUrl, { today = new Date().toISOString().slice(0, 10), concurrency = 8, log = () => {} } = {}) {
  const started = Date.now();
  const r = createRandom(SEED);
  const agencyPlan = planAgency(r, today);
  const dentalPlan = planDental(r, today);

  // Agency owner
  await request(baseUrl, 'POST', '/api/auth/signup', {
    body: { email: DEMO_EMAIL, password: DEMO_PASSWORD, name: DEMO_NAME, account_name: DEMO_ACCOUNT_NAME, agency: true },
  });
  // Sign-up is finished with the emailed link; the sandbox mailbox has it by the time sign-up answers.
  const mails = await request(baseUrl, 'GET', `/sandbox/resend/_emulator/emails?to=${encodeURIComponent(DEMO_EMAIL)}`, { token: 're_sandbox' });
  const link = mails.data.map((m) => /\/signup\/confirm#token=([\w-]+)/.exec(m.text ?? '')).find(Boolean);
  if (!link) throw new Error('Seed: the demo sign-up link did not arrive in the sandbox mailbox.');
  const signup = await request(baseUrl, 'POST', '/api/auth/signup/confirm', { body: { token: link[1] } });
  const agency = client(baseUrl, signup.token);

  const team = [];
  for (const member of AGENCY_TEAM) team.push(await agency.post('/api/users', { ...member, password: DEMO_TEAM_PASSWORD }));
  const agencyUserIds = [signup.user.id, ...team.map((m) => m.id)];
  // One more is invited and has not joined yet: Settings → Team shows it, and the sandbox mailbox holds the invitation.
  await agency.post('/api/users', { name: 'Theo Brennan', email: 'theo@northwind.agency', role: 'member' });

  for (const field of [
    { name: 'Lead score', key: 'lead_score', type: 'number' },
    { name: 'Industry', key: 'industry', type: 'single_option', options: INDUSTRIES },
    { name: 'Services interested', key: 'services_interested', type: 'multi_option', options: SERVICES },
    { name: 'Contract value', key: 'contract_value', type: 'monetary' },
    { name: 'Next renewal', key: 'next_renewal', type: 'date' },
    { name: 'Newsletter', key: 'newsletter', type: 'checkbox' },
  ]) await agency.post('/api/custom-fields', field);
  await pool(AGENCY_TAGS, concurrency, (t) => agency.post('/api/tags', t));
  const agencyPipelines = await createPipelines(agency, [['sales', 'Sales', SALES_STAGES], ['onboarding', 'Onboarding', ONBOARDING_STAGES]]);
  const { contactIds: agencyContactIds, ...agencyCounts } = await sendAccountPlan(agency, agencyPlan, { userIds: agencyUserIds, pipelines: agencyPipelines, concurrency, log, label: DEMO_ACCOUNT_NAME });
  await fundWallet(agency, { amount: '250.00', briefs: agencyContactIds.slice(0, 6), label: DEMO_ACCOUNT_NAME, log });
  // The agency pays for the Agency plan with the card the wallet saved; its clients are covered by it.
  await agency.post('/api/billing/subscribe', { plan: 'agency' });
  log(`${DEMO_ACCOUNT_NAME}: subscribed to the Agency plan ($497/month)`);

  // The agency resells usage above the platform price (PRD usage_markup).
  await agency.put('/api/agency/usage-markup', { sms_outbound: '2.0', sms_inbound: '2.0', email: '3.0', voice_minute: '1.8', ai_tokens: '3.0' });

  // Sub-account, entered the way agency staff do it: token exchange.
  const sub = await agency.post('/api/agency/sub-accounts', { name: DEMO_SUB_ACCOUNT_NAME });
  const exchanged = await agency.post('/api/auth/token-exchange', { account_id: sub.id });
  if (exchanged.account?.id !== sub.id) throw new Error(`Token exchange into ${sub.id} returned a token for account ${exchanged.account?.id}.`);
  const dental = client(baseUrl, exchanged.token);
  const dentalTeam = [];
  for (const member of [
    { name: 'Lauren Brooks', email: 'lauren@brightsmile.dental', role: 'admin' },
    { name: 'Kevin Tran', email: 'kevin@brightsmile.dental', role: 'member' },
  ]) dentalTeam.push(await dental.post('/api/users', { ...member, password: DEMO_TEAM_PASSWORD }));
  for (const field of [
    { name: 'Insurance provider', key: 'insurance_provider', type: 'single_option', options: INSURERS },
    { name: 'Last visit', key: 'last_visit', type: 'date' },
    { name: 'Preferred contact time', key: 'preferred_contact_time', type: 'single_option', options: ['Morning', 'Afternoon', 'Evening'] },
    { name: 'Treatment interest', key: 'treatment_interest', type: 'multi_option', options: TREATMENTS },
  ]) await dental.post('/api/custom-fields', field);
  await pool(DENTAL_TAGS, concurrency, (t) => dental.post('/api/tags', t));
  const dentalPipelines = await createPipelines(dental, [['treatment', 'Patient treatment', DENTAL_STAGES]]);
  const { contactIds: dentalContactIds, ...dentalCounts } = await sendAccountPlan(dental, dentalPlan, { userIds: dentalTeam.map((m) => m.id), pipelines: dentalPipelines, concurrency, log, label: DEMO_SUB_ACCOUNT_NAME });
  await fundWallet(dental, { amount: '100.00', briefs: dentalContactIds.slice(0, 8), label: DEMO_SUB_ACCOUNT_NAME, log });

  const ms = Date.now() - started;
  log(`seeded in ${(ms / 1000).toFixed(1)} s`);
  return {
    ms,
    credentials: DEMO_CREDENTIALS,
    agency: { account_id: signup.account.id, users: agencyUserIds.length, ...agencyCounts },
    sub_account: { account_id: sub.id, name: DEMO_SUB_ACCOUNT_NAME, users: dentalTeam.length, ...dentalCounts },
  };
}

// CLI
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const baseUrl = args.find((a) => !a.startsWith('--')) ?? `http://127.0.0.1:${process.env.PORT ?? 8787}`;
  try {
    if (!args.includes('--force') && (await demoUserCanLogIn(baseUrl))) {
      console.log(`The demo agency is already seeded at ${baseUrl} (log in as ${DEMO_EMAIL}).`);
    } else {
      const summary = await seedDemo(baseUrl, { log: (m) => console.log(`[seed] ${m}`) });
      console.log(JSON.stringify(summary, null, 2));
    }
  } catch (err) {
    console.error(err.message);
    process.exitCode = 1;
  }
}
