// Starts the whole product locally: `wrangler dev` with local D1, Queues, R2
// and Durable Objects, on sandbox providers (wrangler.dev.toml, the dev entry
// workers/dev.ts), after applying D1 migrations; optionally seeds the demo
// agency and drives the every-minute scheduled work. Used by `npm run dev`
// (scripts/dev.mjs) and by tests that need a real server:
//
//   const server = await startLocalServer({ port: 8788, persistDir: tmp });
//   ... fetch(`${server.url}/api/health`) ...
//   await server.stop();
import { spawn } from 'node:child_process';
import { constants as fsConstants, existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HEALTH_PROBE_REQUEST_ID } from './dev-output.mjs';
import { DEMO_CREDENTIALS, seedDemo, seedProgress } from './seed-demo.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_PERSIST_DIR = path.join(ROOT, '.wrangler', 'state');
const WRANGLER = path.join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
const VITE = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
/** The dev configuration: wrangler.toml (production) plus the sandbox emulators. */
export const DEV_CONFIG = path.join(ROOT, 'wrangler.dev.toml');
/** How often the local server runs the scheduled work; the deployed cron runs every minute too. */
export const SCHEDULED_INTERVAL_MS = 60_000;
const HEALTH_TIMEOUT_MS = 90_000;

/** Keeps the last lines of a child's output for error messages. */
function outputTail(maxLines = 200) {
  const lines = [];
  return {
    push(text) {
      for (const line of text.split(/\r?\n/)) if (line.trim()) lines.push(line);
      if (lines.length > maxLines) lines.splice(0, lines.length - maxLines);
    },
    toString: () => lines.join('\n'),
  };
}

/** Runs a node script to completion, capturing output; rejects with it on a non-zero exit. */
function runNode(args, { env = {}, log, what, signal }) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(what));
    const tail = outputTail();
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const onAbort = () => child.kill('SIGTERM');
    signal?.addEventListener('abort', onAbort, { once: true });
    const onData = (chunk) => {
      tail.push(chunk.toString());
      log?.(chunk.toString());
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code, exitSignal) => {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) reject(abortError(what));
      else if (code === 0) resolve(tail.toString());
      else reject(new Error(`${what} failed (${exitSignal ?? `exit code ${code}`}):\n${tail}`));
    });
  });
}

function abortError(what) {
  const err = new Error(`${what}: cancelled.`);
  err.name = 'AbortError';
  return err;
}

function assertPortFree(port) {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`Port ${port} on 127.0.0.1 is already in use. Stop whatever is running there, or pick another port (npm run dev -- --port 8790).`)
          : err,
      ),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Copies .dev.vars.example to .dev.vars when there is none; never overwrites. */
export async function ensureDevVars() {
  const target = path.join(ROOT, '.dev.vars');
  const example = path.join(ROOT, '.dev.vars.example');
  if (existsSync(target)) return false;
  if (!existsSync(example)) throw new Error('Neither .dev.vars nor .dev.vars.example exists; wrangler dev needs JWT_SECRET from one of them.');
  try {
    await copyFile(example, target, fsConstants.COPYFILE_EXCL);
    return true;
  } catch (err) {
    if (err.code === 'EEXIST') return false;
    throw err;
  }
}

/** The files /api/docs loads (Swagger UI, copied into web/dist by scripts/copy-docs-assets.mjs). */
const DOCS_ASSETS = ['swagger-ui-bundle.js', 'swagger-ui.css'].map((f) => path.join(ROOT, 'web', 'dist', 'docs-assets', f));

/**
 * Builds the web app when web/dist/index.html is missing, and copies the API
 * docs' assets when they are (a vite build empties web/dist), so the app and
 * /api/docs both render on a fresh clone. Answers what it did.
 */
export async function ensureWebBuild({ log, signal } = {}) {
  let built = false;
  if (!existsSync(path.join(ROOT, 'web', 'dist', 'index.html'))) {
    if (!existsSync(path.join(ROOT, 'web', 'vite.config.ts'))) {
      throw new Error('web/dist/index.html is missing and there is no web/vite.config.ts to build it with. Build the web app first (npm run build:web).');
    }
    await runNode([VITE, 'build', '--config', 'web/vite.config.ts'], { log, signal, what: 'Building the web app (vite build --config web/vite.config.ts)' });
    if (!existsSync(path.join(ROOT, 'web', 'dist', 'index.html'))) throw new Error('vite build finished but web/dist/index.html is still missing.');
    built = true;
  }
  let docs = false;
  if (!DOCS_ASSETS.every((f) => existsSync(f))) {
    await runNode([path.join(ROOT, 'scripts', 'copy-docs-assets.mjs')], { signal, what: 'Copying the API docs assets (scripts/copy-docs-assets.mjs)' });
    docs = true;
  }
  return { built, docs };
}

/** Applies D1 migrations to the local database under persistDir. Non-interactive (CI=true, no TTY), so it never prompts. */
export function applyMigrations(persistDir, { log, signal } = {}) {
  return runNode([WRANGLER, 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistDir, '--config', DEV_CONFIG], {
    env: { CI: 'true', WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
    log,
    signal,
    what: 'Applying D1 migrations (wrangler d1 migrations apply DB --local)',
  });
}

/** One line for wrangler's migration tables: which migrations were applied, or that none were pending. */
export function describeMigrations(output) {
  const applied = [...output.matchAll(/([\w.-]+\.sql)\s*│\s*✅/g)].map((m) => m[1]);
  const names = [...new Set(applied)];
  if (/No migrations to apply/i.test(output) || names.length === 0) return 'D1 migrations: up to date.';
  return `D1 migrations applied: ${names.join(', ')}.`;
}

function isGroupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * One GET /api/health: true on a 200, false on anything else, and false
 * after `ms` whatever happens, even if the connection stalls in a way the
 * fetch's own abort signal does not reach (a server restarting mid-answer).
 */
async function healthAnswers(url, ms = 2000) {
  const controller = new AbortController();
  let timer;
  const giveUp = new Promise((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve(false);
    }, ms);
  });
  const probe = fetch(`${url}/api/health`, { signal: controller.signal, headers: { 'x-request-id': HEALTH_PROBE_REQUEST_ID } }).then(
    async (res) => {
      await res.body?.cancel().catch(() => {});
      return res.status === 200;
    },
    () => false,
  );
  try {
    return await Promise.race([probe, giveUp]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs the every-minute scheduled work once on a running local server
 * (POST /sandbox/scheduled on the dev entry: wrangler dev fires no crons)
 * and answers how each sweep went.
 *
 * @returns {Promise<{ ok: boolean, sweeps: Record<string, string>, error?: string }>}
 */
export async function runScheduledWork(url) {
  try {
    const res = await fetch(`${url}/sandbox/scheduled`, { method: 'POST', signal: AbortSignal.timeout(55_000) });
    const body = await res.json().catch(() => null);
    if (body && typeof body === 'object' && body.sweeps) return { ok: res.ok && body.ok === true, sweeps: body.sweeps };
    return { ok: false, sweeps: {}, error: `POST /sandbox/scheduled answered ${res.status}` };
  } catch (err) {
    return { ok: false, sweeps: {}, error: `POST /sandbox/scheduled got no answer: ${err.message}` };
  }
}

/** The path of the demo seed's progress record inside a state dir. */
export const seedProgressFile = (stateDir) => path.join(stateDir, 'demo-seed.json');

/**
 * Starts the product locally and resolves once GET /api/health answers 200
 * (and the demo is seeded, when `seed` and the seed has not completed in this state dir).
 *
 * @param {object} [options]
 * @param {number} [options.port=8787]
 * @param {string} [options.persistDir] local state (D1, R2, DOs, Queues); defaults to .wrangler/state
 * @param {boolean} [options.seed=true] seed the demo agency (or finish seeding it) unless the seed completed in this state dir
 * @param {boolean} [options.scheduled=false] run the scheduled work once at start and every minute, as the deployed cron does
 * @param {(result: { ok: boolean, sweeps: Record<string, string>, error?: string }) => void} [options.onScheduled] told how each run went
 * @param {boolean|((text: string) => void)} [options.log=false] true streams wrangler's output to this process; a function receives it
 * @param {AbortSignal} [options.signal] aborting it while starting stops everything started so far and rejects
 * @returns {Promise<{ url: string, port: number, persistDir: string, pid: number, seeded: boolean, seedSummary: object|null,
 *   demo: { email: string, password: string }, exited: Promise<number|null>, output: () => string, stop: () => Promise<void> }>}
 */
export async function startLocalServer({ port = 8787, persistDir, seed = true, scheduled = false, onScheduled, log = false, signal } = {}) {
  const write = typeof log === 'function' ? log : log ? (text) => process.stdout.write(text) : null;
  const stateDir = path.resolve(persistDir ?? DEFAULT_PERSIST_DIR);
  const url = `http://127.0.0.1:${port}`;

  await assertPortFree(port);
  await ensureDevVars();
  const web = await ensureWebBuild({ log: write, signal });
  if (web.docs) write?.('API docs assets copied into web/dist/docs-assets.\n');
  await mkdir(stateDir, { recursive: true });
  const migrationOutput = await applyMigrations(stateDir, { signal });
  if (signal?.aborted) throw abortError('Starting the local server');
  write?.(`${describeMigrations(migrationOutput)}\n`);

  const inspectorPort = await freePort();
  const tail = outputTail();
  const child = spawn(
    process.execPath,
    [
      WRANGLER,
      'dev',
      '--config',
      DEV_CONFIG,
      '--port',
      String(port),
      '--ip',
      '127.0.0.1',
      '--persist-to',
      stateDir,
      '--inspector-port',
      String(inspectorPort),
      '--show-interactive-dev-session=false',
      // Links in emails point at this server, whatever its port.
      '--var',
      `APP_URL:${url}`,
    ],
    // Own process group, so stop() can signal wrangler and the workerd processes it spawns at once.
    { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } },
  );
  const pid = child.pid;
  const onData = (chunk) => {
    const text = chunk.toString();
    tail.push(text);
    write?.(text);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let exitCode;
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exitCode = code ?? signal;
      resolve(code);
    });
    child.on('error', (err) => {
      tail.push(`spawn error: ${err.message}`);
      exitCode = -1;
      resolve(-1);
    });
  });

  // Safety net: never leave workerd behind when this process exits without stop().
  const killOnExit = () => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {}
  };
  process.on('exit', killOnExit);

  let scheduledTimer = null;
  let stopping = null;
  const stop = () => {
    stopping ??= (async () => {
      clearInterval(scheduledTimer);
      process.off('exit', killOnExit);
      if (!pid || !isGroupAlive(pid)) return;
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {}
      for (const deadline = Date.now() + 5000; Date.now() < deadline && isGroupAlive(pid); ) await sleep(100);
      if (isGroupAlive(pid)) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {}
        for (const deadline = Date.now() + 3000; Date.now() < deadline && isGroupAlive(pid); ) await sleep(50);
      }
      await Promise.race([exited, sleep(1000)]);
    })();
    return stopping;
  };

  const onAbort = () => stop();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const deadline = Date.now() + HEALTH_TIMEOUT_MS;
    for (;;) {
      if (signal?.aborted) throw abortError('Starting the local server');
      if (exitCode !== undefined) throw new Error(`wrangler dev exited (${exitCode}) before ${url}/api/health answered. Its output:\n${tail}`);
      if (Date.now() > deadline) throw new Error(`${url}/api/health did not answer 200 within ${HEALTH_TIMEOUT_MS / 1000} s. wrangler's output:\n${tail}`);
      if (await healthAnswers(url)) break;
      await sleep(250);
    }

    // Once at start (work left over from the last run: webhooks, top-ups, notices), then every minute.
    if (scheduled) {
      let inFlight = false;
      // A run still going a minute later is not started again on top of itself.
      const tick = () => {
        if (inFlight) return;
        inFlight = true;
        runScheduledWork(url)
          .then((result) => onScheduled?.(result))
          .finally(() => {
            inFlight = false;
          });
      };
      tick();
      scheduledTimer = setInterval(tick, SCHEDULED_INTERVAL_MS);
      scheduledTimer.unref();
    }

    let seedSummary = null;
    if (seed && !(await seedProgress(seedProgressFile(stateDir))).complete) {
      seedSummary = await seedDemo(url, { progressFile: seedProgressFile(stateDir), log: write ? (m) => write(`[seed] ${m}\n`) : undefined });
    }
    if (signal?.aborted) throw abortError('Starting the local server');
    signal?.removeEventListener('abort', onAbort);
    return {
      url,
      port,
      persistDir: stateDir,
      pid,
      seeded: seedSummary !== null,
      seedSummary,
      demo: { ...DEMO_CREDENTIALS },
      exited,
      output: () => tail.toString(),
      stop,
    };
  } catch (err) {
    signal?.removeEventListener('abort', onAbort);
    await stop();
    throw signal?.aborted ? abortError('Starting the local server') : err;
  }
}
