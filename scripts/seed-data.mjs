// Word lists and a seeded pseudo-random generator for scripts/seed-demo.mjs.
// Everything the seed sends is drawn from here with a fixed seed, so every
// run produces the same demo data.

/** mulberry32: a small, fast, seeded PRNG. Returns helpers bound to one stream. */
export function createRandom(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min, max) => min + Math.floor(next() * (max - min + 1));
  const pick = (list) => list[Math.floor(next() * list.length)];
  const chance = (p) => next() < p;
  /** pairs: [[value, weight], ...] */
  const weighted = (pairs) => {
    const total = pairs.reduce((sum, [, w]) => sum + w, 0);
    let roll = next() * total;
    for (const [value, weight] of pairs) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return pairs[pairs.length - 1][0];
  };
  const shuffle = (list) => {
    const copy = [...list];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy;
  };
  const sample = (list, count) => shuffle(list).slice(0, count);
  return { next, int, pick, chance, weighted, shuffle, sample };
}

export const FIRST_NAMES = [
  'Aaliyah',
  'Aaron',
  'Abigail',
  'Adrian',
  'Aisha',
  'Alejandro',
  'Amara',
  'Andre',
  'Angela',
  'Anika',
  'Ben',
  'Bianca',
  'Brandon',
  'Brianna',
  'Caleb',
  'Camila',
  'Carlos',
  'Chloe',
  'Chris',
  'Daniel',
  'Danielle',
  'Darius',
  'David',
  'Deepa',
  'Derek',
  'Diego',
  'Elena',
  'Eli',
  'Emily',
  'Ethan',
  'Fatima',
  'Gabriel',
  'Grace',
  'Hannah',
  'Hector',
  'Imani',
  'Isaac',
  'Isabella',
  'Jacob',
  'Jamal',
  'Jasmine',
  'Jason',
  'Jenna',
  'Jessica',
  'José',
  'Julia',
  'Kai',
  'Keisha',
  'Kevin',
  'Kim',
  'Laura',
  'Leah',
  'Liam',
  'Lucia',
  'Luis',
  'Maya',
  'Megan',
  'Mei',
  'Michael',
  'Miguel',
  'Mohammed',
  'Monica',
  'Nadia',
  'Natalie',
  'Nathan',
  'Nicole',
  'Noah',
  'Olivia',
  'Omar',
  'Patrick',
  'Priscilla',
  'Rachel',
  'Rahul',
  'Rebecca',
  'Ricardo',
  'Rosa',
  'Ryan',
  'Samantha',
  'Samuel',
  'Sara',
  'Sean',
  'Sofia',
  'Tanya',
  'Tariq',
  'Tessa',
  'Thomas',
  'Tyler',
  'Vanessa',
  'Victor',
  'Wei',
  'Whitney',
  'Xavier',
  'Yasmin',
  'Zoë',
  'Zachary',
];

export const LAST_NAMES = [
  'Abbott',
  'Adeyemi',
  'Alvarez',
  'Anderson',
  'Bailey',
  'Banerjee',
  'Barnes',
  'Bennett',
  'Brooks',
  'Castillo',
  'Chen',
  'Coleman',
  'Collins',
  'Cruz',
  'Davis',
  'Delgado',
  'Dubois',
  'Edwards',
  'Evans',
  'Fischer',
  'Flores',
  'Foster',
  'García',
  'Gomez',
  'Grant',
  'Gupta',
  'Hale',
  'Harris',
  'Hayes',
  'Hernandez',
  'Hughes',
  'Ibrahim',
  'Jackson',
  'Jensen',
  'Johnson',
  'Kaur',
  'Kelly',
  'Kim',
  'Kowalski',
  'Lee',
  'Lewis',
  'Lopez',
  'Martin',
  'Martinez',
  'McCarthy',
  'Mendoza',
  'Mitchell',
  'Morales',
  'Morgan',
  'Murphy',
  'Nakamura',
  'Nguyen',
  'Novak',
  "O'Brien",
  'Okafor',
  'Ortiz',
  'Owens',
  'Park',
  'Patel',
  'Perez',
  'Peterson',
  'Price',
  'Quinn',
  'Ramirez',
  'Reed',
  'Reyes',
  'Rivera',
  'Roberts',
  'Robinson',
  'Rossi',
  'Russell',
  'Sanchez',
  'Schmidt',
  'Shah',
  'Singh',
  'Sullivan',
  'Tanaka',
  'Taylor',
  'Thompson',
  'Torres',
  'Tran',
  'Turner',
  'Vasquez',
  'Walker',
  'Washington',
  'Watson',
  'Williams',
  'Wong',
  'Wright',
  'Yamamoto',
  'Young',
  'Zhang',
];

/** Cities with their state, ZIP prefix and area codes (lines 555-0100..0199 are reserved for fiction and pass libphonenumber). */
export const US_CITIES = [
  { city: 'New York', region: 'NY', zip: '100', areas: ['212', '646'] },
  { city: 'San Francisco', region: 'CA', zip: '941', areas: ['415'] },
  { city: 'Austin', region: 'TX', zip: '787', areas: ['512', '737'] },
  { city: 'Boston', region: 'MA', zip: '021', areas: ['617'] },
  { city: 'Denver', region: 'CO', zip: '802', areas: ['303', '720'] },
  { city: 'Seattle', region: 'WA', zip: '981', areas: ['206'] },
  { city: 'Chicago', region: 'IL', zip: '606', areas: ['312'] },
  { city: 'Miami', region: 'FL', zip: '331', areas: ['305'] },
  { city: 'Portland', region: 'OR', zip: '972', areas: ['503'] },
  { city: 'Nashville', region: 'TN', zip: '372', areas: ['615'] },
  { city: 'Atlanta', region: 'GA', zip: '303', areas: ['404'] },
];

export const STREETS = [
  'Maple',
  'Oak',
  'Cedar',
  'Pine',
  'Elm',
  'Washington',
  'Lake',
  'Hill',
  'Park',
  'Main',
  'Church',
  'Highland',
  'Sunset',
  'Madison',
  'Jefferson',
  'Franklin',
  'Lincoln',
  'River',
  'Spring',
  'Walnut',
  'Chestnut',
  'Grand',
  'Market',
  'Mission',
  'Broadway',
];
export const STREET_KINDS = ['St', 'Ave', 'Blvd', 'Rd', 'Ln', 'Dr', 'Way', 'Ct'];

const PLACES = [
  'Summit',
  'Harbor',
  'Cedar',
  'Riverside',
  'Maple',
  'Pinecrest',
  'Lakeside',
  'Oakridge',
  'Bayview',
  'Granite',
  'Evergreen',
  'Silver Lake',
  'Northgate',
  'Westfield',
  'Copper',
  'Redwood',
  'Highland',
  'Brookside',
  'Sunrise',
  'Blue Ridge',
  'Iron Creek',
  'Golden Gate',
];
const ADJECTIVES = ['Bright', 'Bold', 'Clever', 'Rustic', 'Urban', 'Happy', 'True', 'Little', 'Modern', 'Wild', 'Green', 'Lucky'];
const NOUNS = ['Fox', 'Oak', 'Anchor', 'Lantern', 'Sparrow', 'Compass', 'Harvest', 'Pixel', 'Beacon', 'Otter', 'Maple', 'Summit'];

/** Company name patterns per industry; the industry doubles as the "Industry" custom field value. */
export const COMPANY_PATTERNS = {
  Dental: [(_r, last) => `${last} Family Dental`, (r) => `${r.pick(PLACES)} Dental Studio`, (r) => `${r.pick(PLACES)} Orthodontics`],
  Legal: [(_r, last, last2) => `${last} & ${last2} Law`, (_r, last) => `${last} Legal Group`, (r) => `${r.pick(PLACES)} Injury Attorneys`],
  'Real estate': [(r) => `${r.pick(PLACES)} Realty`, (_r, last) => `The ${last} Home Team`, (r) => `${r.pick(PLACES)} Property Partners`],
  'Home services': [
    (r) => `${r.pick(PLACES)} Roofing`,
    (_r, last) => `${last} Plumbing & Heating`,
    (r) => `${r.pick(PLACES)} HVAC`,
    (_r, last) => `${last} Landscaping`,
  ],
  Fitness: [(r) => `${r.pick(PLACES)} CrossFit`, (r) => `Iron ${r.pick(NOUNS)} Gym`, (r) => `${r.pick(PLACES)} Yoga Collective`],
  Restaurants: [(_r, last) => `${last}'s Kitchen`, (r) => `The ${r.pick(ADJECTIVES)} ${r.pick(NOUNS)} Bistro`, (r) => `${r.pick(PLACES)} Taqueria`],
  'Med spa': [(r) => `${r.pick(PLACES)} Med Spa`, (r) => `${r.pick(ADJECTIVES)} Glow Aesthetics`],
  Automotive: [(r) => `${r.pick(PLACES)} Auto Repair`, (_r, last) => `${last} Motors`, (r) => `${r.pick(PLACES)} Collision Center`],
  SaaS: [(r) => `${r.pick(NOUNS)}ly`, (r) => `${r.pick(ADJECTIVES)}${r.pick(NOUNS)} Labs`, (r) => `${r.pick(NOUNS)}Stack`],
  'E-commerce': [(r) => `${r.pick(ADJECTIVES)} ${r.pick(NOUNS)} Co.`, (r) => `${r.pick(PLACES)} Supply`, (r) => `${r.pick(ADJECTIVES)} ${r.pick(NOUNS)} Goods`],
};
export const INDUSTRIES = Object.keys(COMPANY_PATTERNS);

export const SERVICES = ['SEO', 'Google Ads management', 'Social media', 'Website design', 'Email marketing', 'Reputation management'];

export const PERSONAL_EMAIL_DOMAINS = ['gmail.com', 'yahoo.com', 'outlook.com', 'icloud.com', 'hotmail.com', 'proton.me'];

export const AGENCY_SOURCES = [
  ['Website form', 30],
  ['Facebook ad', 18],
  ['Google Ads', 17],
  ['Referral', 15],
  ['Cold outreach', 10],
  ['Import', 10],
];

export const AGENCY_TAGS = [
  { name: 'Hot lead', color: '#dc2626' },
  { name: 'Warm lead', color: '#d97706' },
  { name: 'Cold lead', color: '#2563eb' },
  { name: 'Customer', color: '#16a34a' },
  { name: 'VIP', color: '#7c3aed' },
  { name: 'Webinar attendee', color: '#0891b2' },
  { name: 'Referral partner', color: '#db2777' },
  { name: 'Needs follow-up', color: '#ea580c' },
  { name: 'Trade show 2026', color: '#4d7c0f' },
];

export const AGENCY_TEAM = [
  { name: 'Marcus Chen', email: 'marcus@northwind.agency', role: 'admin' },
  { name: 'Priya Raman', email: 'priya@northwind.agency', role: 'member' },
  { name: 'Jordan Ellis', email: 'jordan@northwind.agency', role: 'member' },
  { name: 'Sofia Alvarez', email: 'sofia@northwind.agency', role: 'member' },
];

export const AGENCY_NOTES = [
  (c) =>
    `Intro call with ${c.first}: ${c.company} spends about $${c.adSpend}k/month on ads through a freelancer and can't tell which campaigns bring in calls. Wants proper lead tracking before next quarter.`,
  (c) => `Sent the ${c.service} audit. ${c.first} asked for two case studies from other ${c.industry.toLowerCase()} clients.`,
  (c) => `${c.first} prefers texts over email; best time to reach them is before 10am.`,
  (c) => `Met at the ${c.city} small-business expo. Interested in ${c.service}; follow up after their busy season.`,
  (_c) => `Pricing objection: comparing us with a cheaper local shop. Lead with the reporting dashboard and call tracking next time.`,
  (_c) => `Signed the 12-month agreement. Kickoff needs logo files, brand colours and Google Business Profile access.`,
  (_c) => `Left a voicemail, no answer. Try again next week.`,
  (c) => `${c.first} wants to add a second location in the spring; revisit the ${c.service} budget then.`,
  (c) => `Monthly report reviewed with ${c.first}: cost per lead down 18%, wants to test a new landing page.`,
  (c) => `Decision maker is ${c.first}'s business partner; get both on the proposal call.`,
];

export const AGENCY_TASKS = [
  (c) => `Call ${c.first} about the ${c.service} proposal`,
  (c) => `Send ${c.industry.toLowerCase()} case studies to ${c.first}`,
  (c) => `Follow up on the signed contract with ${c.company}`,
  (c) => `Book kickoff call with ${c.company}`,
  (c) => `Request Google Business Profile access from ${c.first}`,
  (c) => `Prepare monthly report for ${c.company}`,
  (c) => `Draft ad copy variations for ${c.company}`,
];

export const SALES_STAGES = ['New lead', 'Contacted', 'Proposal sent', 'Negotiation', 'Closed'];
export const ONBOARDING_STAGES = ['Kickoff call', 'Assets collected', 'Campaign build', 'Launched'];

// Bright Smile Dental (sub-account)
export const DENTAL_TAGS = [
  { name: 'New patient', color: '#16a34a' },
  { name: 'Recall due', color: '#d97706' },
  { name: 'Invisalign lead', color: '#7c3aed' },
  { name: 'Review request sent', color: '#0891b2' },
  { name: 'Family plan', color: '#db2777' },
];
export const INSURERS = ['Delta Dental', 'Cigna', 'Aetna', 'MetLife', 'Guardian', 'Self-pay'];
export const TREATMENTS = ['Cleaning', 'Whitening', 'Invisalign', 'Implants', 'Crowns', 'Veneers'];
export const DENTAL_SOURCES = [
  ['Website form', 30],
  ['Google Ads', 25],
  ['Referral', 20],
  ['Facebook ad', 15],
  ['Import', 10],
];
export const DENTAL_STAGES = ['Inquiry', 'Consultation booked', 'Treatment plan presented', 'Scheduled', 'Completed'];
export const DENTAL_OPPORTUNITIES = [
  { treatment: 'Invisalign', min: 4200, max: 6500 },
  { treatment: 'Dental implant', min: 3800, max: 5200 },
  { treatment: 'Porcelain veneers', min: 7200, max: 9800 },
  { treatment: 'Crown', min: 1100, max: 1500 },
  { treatment: 'Teeth whitening', min: 450, max: 650 },
];
export const DENTAL_NOTES = [
  (c) => `${c.first} called asking about ${c.treatment.toLowerCase()}; sent the financing options by email.`,
  (c) => `Nervous patient: ${c.first} asked for the first appointment of the day and a longer consult.`,
  (c) => `Insurance verified (${c.insurer}); remaining annual maximum about $${c.remaining}.`,
  (c) => `${c.first} left a 5-star review after the last cleaning.`,
];
export const DENTAL_TASKS = [
  (c) => `Call ${c.first} to confirm the consultation`,
  (c) => `Send ${c.first} the treatment plan estimate`,
  (c) => `Verify ${c.insurer} coverage for ${c.first}`,
];
