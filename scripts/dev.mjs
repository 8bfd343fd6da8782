// `npm run dev`: the whole product locally and offline, on sandbox providers.
// Builds what the browser needs (web app, API docs assets), applies D1
// migrations, starts wrangler dev (local D1, Queues, R2, Durable Objects under
// .wrangler/state), seeds the demo agency (or finishes a seed that stopped),
// runs the scheduled work once now and every minute (wrangler fires no
// crons), prints where to go, and streams a quiet log until Ctrl-C.
import path from 'node:path';
import { parseDevArgs, USAGE } from './dev-options.mjs';
import { createOutputFilter } from './dev-output.mjs';
import { DEFAULT_PERSIST_DIR, ROOT, seedProgressFile, startLocalServer } from './local-server.mjs';
import { DEMO_ACCOUNT_NAME, DEMO_SUB_ACCOUNT_NAME, SeedError, seedDemo, seedProgress } from './seed-demo.mjs';

let options;
try {
  options = parseDevArgs(process.argv.slice(2), process.env);
} catch (err) {
  console.error(err.message);
  process.exit(1);
}
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}
const { port } = options;
const persistDir = path.resolve(options.persistDir ?? DEFAULT_PERSIST_DIR);
const shownStateDir = path.relative(ROOT, persistDir).startsWith('..') ? persistDir : path.relative(ROOT, persistDir);

// While the seed sends its ~700 requests, keep their log lines off the screen.
let quiet = false;
const output = createOutputFilter((text) => {
  if (!quiet) process.stdout.write(text);
});

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

/** Only a failing run of the every-minute work is worth a line. */
function reportScheduled(result) {
  if (result.ok) return;
  const failed = Object.entries(result.sweeps).filter(([, outcome]) => outcome !== 'ok');
  console.error(`Scheduled work: ${result.error ?? failed.map(([name, outcome]) => `${name} ${outcome}`).join('; ')}`);
}

console.log(`Starting the CRM on http://127.0.0.1:${port} (local D1, Queues, R2, Durable Objects; sandbox providers) ...`);
try {
  starting = startLocalServer({
    port,
    persistDir,
    seed: false,
    scheduled: true,
    onScheduled: reportScheduled,
    log: (text) => output.push(text),
    signal: startup.signal,
  });
  server = await starting;
} catch (err) {
  if (shuttingDown) await new Promise(() => {}); // shutdown() exits
  output.flush();
  console.error(`\nCould not start the local server:\n${err.message}`);
  process.exit(1);
}

const retryHint = `Start it again the same way (npm run dev${port === 8787 ? '' : ` -- --port ${port}`}): the seed resumes where it stopped and creates only what is missing. To start over, stop the server and delete ${shownStateDir}.`;

let seedNote;
if (!options.seed) {
  seedNote = 'Demo data: not seeded (--no-seed).';
} else {
  const progress = await seedProgress(seedProgressFile(persistDir));
  if (progress.complete) {
    seedNote = `Demo data: already seeded on ${progress.completed_at ?? 'an earlier run'} (kept in ${shownStateDir}; delete it to start over).`;
  } else {
    console.log(
      progress.missing ? 'Seeding the demo agency through the API (first run only) ...' : 'Finishing the demo seed that stopped on an earlier run ...',
    );
    quiet = true;
    // A busy machine can drop a request mid-way (wrangler answers 503 when its runtime restarts): the seed is
    // resumable, so one such failure is retried once, picking up where it stopped.
    for (let attempt = 1; ; attempt++) {
      try {
        const summary = await seedDemo(server.url, { progressFile: seedProgressFile(persistDir), log: (m) => console.log(`[seed] ${m}`) });
        seedNote = summary.did.length
          ? `Demo data: ${summary.resumed ? 'seed completed' : 'seeded'} in ${(summary.ms / 1000).toFixed(1)} s: ${summary.agency.contacts} contacts in ${DEMO_ACCOUNT_NAME}, ${summary.sub_account.contacts} in its sub-account ${DEMO_SUB_ACCOUNT_NAME}.`
          : 'Demo data: everything was already there.';
        break;
      } catch (err) {
        if (shuttingDown) await new Promise(() => {});
        if (attempt === 1 && err instanceof SeedError && err.transient) {
          console.log(`[seed] ${err.message.split('\n')[0]}\n[seed] resuming once ...`);
          continue;
        }
        quiet = false;
        console.error(`\nSeeding the demo data failed.\n${err.message}\n\n${retryHint}`);
        await shutdown(null, 1);
      }
    }
    quiet = false;
  }
}

const line = '─'.repeat(72);
console.log(`
${line}
  Edge CRM is running locally.

  App:        ${server.url}/
  API docs:   ${server.url}/api/docs   (OpenAPI: ${server.url}/api/openapi.json)
  Demo login: ${server.demo.email}  /  ${server.demo.password}
              (owner of the agency ${DEMO_ACCOUNT_NAME}, which has the sub-account ${DEMO_SUB_ACCOUNT_NAME})
  Mailbox:    ${server.url}/sandbox/resend/_emulator/emails   (header Authorization: Bearer re_sandbox)

  ${seedNote}
  Runs fully offline: Stripe, email (Resend), custom domains (Cloudflare) and AI
  calls go to the built-in sandbox providers (PROVIDER_MODE=sandbox); no keys or internet needed.
  Links in emails point here (APP_URL=${server.url}); scheduled work runs every minute.
  Local state: ${shownStateDir}

  Press Ctrl-C to stop.
${line}
`);

server.exited.then((code) => {
  if (shuttingDown) return;
  shuttingDown = true;
  output.flush();
  console.error(`\nwrangler dev exited unexpectedly (code ${code}).`);
  server.stop().then(() => process.exit(code || 1));
});
