// `npm run dev`: the whole product locally and offline, on sandbox providers.
// Applies D1 migrations, starts wrangler dev (local D1, Queues, R2, Durable
// Objects under .wrangler/state), seeds the demo agency the first time, prints
// where to go, and streams wrangler's output until Ctrl-C.
import { DEMO_ACCOUNT_NAME, DEMO_SUB_ACCOUNT_NAME, demoUserCanLogIn, seedDemo } from './seed-demo.mjs';
import { startLocalServer } from './local-server.mjs';

const port = Number(process.env.PORT ?? 8787);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`PORT must be a port number, not "${process.env.PORT}".`);
  process.exit(1);
}

// Wrangler logs each request; while the seed sends its ~700 requests, keep those lines off the screen.
let quiet = false;
const log = (text) => {
  if (!quiet) process.stdout.write(text);
};

const startup = new AbortController();
let server = null;
let starting = null;
let shuttingDown = false;

async function shutdown(reason, code = 0) {
  if (shuttingDown) return;
  shuttingDown = true;
  quiet = false;
  console.log(`\n${reason ? `${reason} ` : ''}stopping wrangler ...`);
  startup.abort();
  if (server) await server.stop();
  else await starting?.catch(() => {});
  process.exit(code);
}
process.on('SIGINT', () => shutdown('SIGINT received;'));
process.on('SIGTERM', () => shutdown('SIGTERM received;'));
process.on('SIGHUP', () => shutdown('SIGHUP received;'));
// `kill <npm pid>` ends npm without passing the signal on; when our parent goes away,
// stop too rather than leave wrangler running with nobody attached.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) shutdown('parent process exited;');
}, 1000).unref();

console.log(`Starting the CRM on http://127.0.0.1:${port} (local D1, Queues, R2, Durable Objects; sandbox providers) ...`);
try {
  starting = startLocalServer({ port, seed: false, log, signal: startup.signal });
  server = await starting;
} catch (err) {
  if (shuttingDown) await new Promise(() => {}); // shutdown() exits
  console.error(`\nCould not start the local server:\n${err.message}`);
  process.exit(1);
}

let seedNote;
try {
  if (await demoUserCanLogIn(server.url)) {
    seedNote = 'Demo data: already seeded (kept from the last run; delete .wrangler/state to start over).';
  } else {
    console.log('Seeding the demo agency through the API (first run only) ...');
    quiet = true;
    const summary = await seedDemo(server.url, { log: (m) => console.log(`[seed] ${m}`) });
    quiet = false;
    seedNote = `Demo data: seeded in ${(summary.ms / 1000).toFixed(1)} s: ${summary.agency.contacts} contacts in ${DEMO_ACCOUNT_NAME}, ${summary.sub_account.contacts} in its sub-account ${DEMO_SUB_ACCOUNT_NAME}.`;
  }
} catch (err) {
  if (shuttingDown) await new Promise(() => {});
  quiet = false;
  console.error(`\nSeeding the demo data failed:\n${err.message}`);
  await shutdown(null, 1);
}

const line = '─'.repeat(72);
console.log(`
${line}
  Edge CRM is running locally.

  App:        ${server.url}/
  API docs:   ${server.url}/api/docs   (OpenAPI: ${server.url}/api/openapi.json)
  Demo login: ${server.demo.email}  /  ${server.demo.password}
              (owner of the agency ${DEMO_ACCOUNT_NAME}, which has the sub-account ${DEMO_SUB_ACCOUNT_NAME})

  ${seedNote}
  Runs fully offline: Stripe, email (Resend), custom domains (Cloudflare) and AI
  calls go to the built-in sandbox providers (PROVIDER_MODE=sandbox); no keys or internet needed.
  Local state: ${server.persistDir}

  Press Ctrl-C to stop.
${line}
`);

server.exited.then((code) => {
  if (shuttingDown) return;
  shuttingDown = true;
  console.error(`\nwrangler dev exited unexpectedly (code ${code}).`);
  server.stop().then(() => process.exit(code || 1));
});
