// Shared set-up for the browser suites: one local Worker (wrangler dev on a
// fresh temporary state dir) and one headless Chromium per test file, plus API helpers
// that create each test's own account and data, so no test depends on another.
// `npm run test:browser` (scripts/test-browser.mjs) starts one server for all
// the files and passes its URL in CRM_BROWSER_URL; a file run alone starts its own.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
export const SCREENSHOT_DIR = path.join(here, 'screenshots');

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Longer than startLocalServer's own 90 s health deadline plus migrations: only a hang trips it. */
const START_TIMEOUT_MS = 180_000;

/** Rejects when `promise` has not settled after `ms`, so a stalled step fails its test instead of stopping the run. */
function withinTime(promise, ms, what) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms / 1000} s waiting for ${what}.`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** The running server's recent output, quoted when a page fails to load. */
let serverOutput = () => '(no server started)';

/**
 * The app the suite runs against: the shared server named by CRM_BROWSER_URL
 * (its runner stops it), or else its own (API + web, via scripts/local-server.mjs)
 * on a free port with a fresh temporary state dir. It serves web/dist as built:
 * run `npm run build:web` first (`npm test` does). Returns { url, stop }.
 * `log` receives the server's output as it comes.
 */
export async function startApp({ log } = {}) {
  const shared = process.env.CRM_BROWSER_URL;
  if (shared) {
    serverOutput = () => sharedServerOutput(process.env.CRM_BROWSER_SERVER_LOG);
    return { url: shared, async stop() {} };
  }
  const { startLocalServer } = await import(path.join(root, 'scripts/local-server.mjs'));
  const persistDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-browser-'));
  // The signal stops whatever started (so no server outlives a failed start); the race ends a start that hangs.
  const signal = AbortSignal.timeout(START_TIMEOUT_MS);
  const server = await withinTime(
    startLocalServer({ port: await freePort(), persistDir, seed: false, signal, ...(log ? { log } : {}) }),
    START_TIMEOUT_MS + 5_000,
    'the local server to start',
  );
  serverOutput = server.output;
  return {
    url: server.url,
    async stop() {
      await server.stop();
      fs.rmSync(persistDir, { recursive: true, force: true });
    },
  };
}

/** The shared server's output, from the file its runner writes. */
function sharedServerOutput(file) {
  if (!file) return '(shared server: its output is not recorded)';
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    return `(shared server: cannot read ${file}: ${err.message})`;
  }
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Headless Chromium. `hosts` maps hostnames to 127.0.0.1 (Chromium's
 * --host-resolver-rules), so a test can open an agency's custom domain
 * against the local server: launchBrowser({ hosts: ['app.brightagency.com'] }).
 */
export async function launchBrowser({ hosts = [] } = {}) {
  const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];
  if (hosts.length) args.push(`--host-resolver-rules=${hosts.map((h) => `MAP ${h} 127.0.0.1`).join(', ')}`);
  return chromium.launch({ executablePath: CHROMIUM, args });
}

/**
 * A new page at desktop size that fails the test on uncaught page errors.
 * With `session`, the tokens are placed in localStorage before the app boots.
 */
export async function newPage(browser, { session, viewport = { width: 1440, height: 900 }, colorScheme } = {}) {
  const context = await browser.newContext({ viewport, ...(colorScheme ? { colorScheme } : {}) });
  if (session) {
    await context.addInitScript(
      ([token, refresh]) => {
        if (!sessionStorage.getItem('crm.test-session-set')) {
          localStorage.setItem('crm.token', token);
          localStorage.setItem('crm.refresh_token', refresh);
          sessionStorage.setItem('crm.test-session-set', '1');
        }
      },
      [session.token, session.refresh_token],
    );
  }
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(err));
  page.pageErrors = errors;
  explainStuckNavigation(page);
  return page;
}

/**
 * When a navigation times out, the error names the requests still unanswered
 * and quotes the server's last output, so a slow or stuck request can be told
 * apart from a page that never asked for anything.
 */
function explainStuckNavigation(page) {
  const pending = new Map();
  page.on('request', (req) => pending.set(req, Date.now()));
  page.on('requestfinished', (req) => pending.delete(req));
  page.on('requestfailed', (req) => pending.delete(req));
  const goto = page.goto.bind(page);
  page.goto = async (url, options) => {
    try {
      return await goto(url, options);
    } catch (err) {
      const now = Date.now();
      const waiting = [...pending].map(([req, since]) => `  ${req.method()} ${req.url()} (${now - since} ms)`).join('\n') || '  none';
      err.message += `\nRequests still unanswered:\n${waiting}\nServer output (last lines):\n${serverOutput().split('\n').slice(-40).join('\n')}`;
      throw err;
    }
  };
}

/**
 * Resolves when the page's running CSS transitions and animations have finished
 * (buttons fade their colours on hover), so a screenshot or a colour read shows
 * the settled state. Endless ones (spinners) are not waited for.
 */
export async function settled(page) {
  await page.evaluate(() => {
    const finite = document.getAnimations().filter((a) => a.effect?.getComputedTiming().endTime !== Number.POSITIVE_INFINITY);
    // A transition cancelled by a newer one rejects `finished`: it is settled too.
    return Promise.allSettled(finite.map((a) => a.finished)).then(() => undefined);
  });
}

/** Saves a picture of the page once its transitions have finished. */
export async function screenshot(page, name) {
  await settled(page);
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });
}

let counter = 0;
export function uniqueEmail(prefix = 'user') {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${process.pid}-${counter}@example.com`;
}

/** JSON API call; throws with the problem body on a non-2xx answer. */
export async function callApi(baseUrl, token, method, apiPath, body) {
  const res = await fetch(baseUrl + apiPath, {
    signal: AbortSignal.timeout(60_000),
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${apiPath} -> ${res.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

/** The path of the sign-up link emailed to `email` (in the sandbox mailbox), once it has arrived. */
export async function signupLinkPath(baseUrl, email) {
  const mails = await waitUntil(
    async () => {
      const { data } = await callApi(baseUrl, 're_sandbox', 'GET', `/sandbox/resend/_emulator/emails?to=${encodeURIComponent(email)}`);
      const links = data.filter((m) => m.tags.some((t) => t.value === 'signup_confirm'));
      return links.length > 0 && links;
    },
    { message: `the sign-up email to ${email}` },
  );
  return /(\/signup\/confirm#token=[\w-]+)/.exec(mails[0].text)[1];
}

const signupLinkToken = async (baseUrl, email) => (await signupLinkPath(baseUrl, email)).split('#token=')[1];

/** Signs up a fresh account through the API (confirming it from the sandbox mailbox) and returns its session plus a bound API caller. */
export async function signUpViaApi(baseUrl, overrides = {}) {
  const input = {
    email: uniqueEmail(),
    password: 'browser-test-password',
    name: 'Taylor Tester',
    account_name: 'Tester Studio',
    ...overrides,
  };
  await callApi(baseUrl, null, 'POST', '/api/auth/signup', input);
  const res = await callApi(baseUrl, null, 'POST', '/api/auth/signup/confirm', { token: await signupLinkToken(baseUrl, input.email) });
  return {
    ...res,
    email: input.email,
    password: input.password,
    call: (method, apiPath, body) => callApi(baseUrl, res.token, method, apiPath, body),
  };
}

/** Polls `check` until it returns a truthy value (a wait-for, not a sleep). */
export async function waitUntil(check, { timeout = 10_000, message = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await check();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${message} (last: ${last})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the locator matches exactly `n` elements. */
export async function waitForCount(locator, n, timeout = 10_000) {
  await waitUntil(async () => (await locator.count()) === n, { timeout, message: `${n} matches of ${locator}` });
}
