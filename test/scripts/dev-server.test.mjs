// `npm run dev` end to end, as a newcomer runs it: --port is honoured and email
// links point at it, /api/docs renders even when the docs assets were never
// copied, the start is clean, and a restart delivers a Stripe webhook left
// pending at shutdown (the top-up is credited) without anyone calling anything.
// Run: node --test --test-timeout=600000 test/scripts/
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const STRIPE_KEY = 'Bearer sk_test_sandbox';
/** The sandbox Stripe account's default webhook endpoint: the product's webhook route. */
const ENDPOINT = 'we_sandbox_default';

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Runs `npm run dev` (scripts/dev.mjs) with `args`; `until(re)` resolves when its output shows `re`, and fails if it exits first. */
function startDev(args) {
  const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'dev.mjs'), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PORT: '' },
  });
  let output = '';
  const waiters = new Set();
  const check = () => {
    for (const w of waiters) {
      if (!w.re.test(output)) continue;
      waiters.delete(w);
      w.resolve(output);
    }
  };
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  exited.then((code) => {
    for (const w of waiters) w.reject(new Error(`npm run dev exited (${code}) before printing ${w.re}. Its output:\n${output}`));
    waiters.clear();
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk) => {
      output += chunk.toString();
      check();
    });
  }
  return {
    child,
    exited,
    output: () => output,
    until: (re) =>
      new Promise((resolve, reject) => {
        waiters.add({ re, resolve, reject });
        check();
      }),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGINT');
      return exited;
    },
  };
}

/** Asks `probe` until it answers something truthy; the deadline only ends a run that would otherwise hang. */
async function eventually(probe, what, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms / 1000} s waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function json(url, init = {}) {
  const res = await fetch(url, init);
  const text = await res.text();
  assert.ok(res.ok, `${init.method ?? 'GET'} ${url} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

const post = (url, body, headers = {}) =>
  json(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

function setEndpointUrl(base, url) {
  return json(`${base}/sandbox/stripe/v1/webhook_endpoints/${ENDPOINT}`, {
    method: 'POST',
    headers: { authorization: STRIPE_KEY, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ url }),
  });
}

const stateDir = mkdtempSync(path.join(os.tmpdir(), 'crm-dev-'));
const running = [];
after(async () => {
  await Promise.all(running.map((dev) => dev.stop()));
  rmSync(stateDir, { recursive: true, force: true });
});

describe('npm run dev', () => {
  it('serves on --port, links emails there, renders /api/docs, starts clean, and a restart resumes a pending webhook', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    // As on a clone where only `vite build` ran: the docs assets were never copied.
    rmSync(path.join(ROOT, 'web', 'dist', 'docs-assets'), { recursive: true, force: true });

    const first = startDev(['--port', String(port), '--persist-to', stateDir, '--no-seed']);
    running.push(first);
    const banner = await first.until(/Press Ctrl-C to stop/);
    assert.match(banner, new RegExp(`API docs: +${base}/api/docs`));
    assert.match(banner, /Demo login: demo@northwind\.agency/);
    for (const noise of [/Request\.cf/, /GetAddrInfoReqWrap/, /Scheduled Workers are not automatically triggered/, /env\.[A-Z_]+ \(/])
      assert.doesNotMatch(banner, noise);

    const docs = await fetch(`${base}/api/docs`);
    assert.equal(docs.status, 200);
    const swagger = await fetch(`${base}/docs-assets/swagger-ui-bundle.js`);
    assert.equal(swagger.status, 200);
    assert.match(swagger.headers.get('content-type') ?? '', /javascript/);
    await swagger.arrayBuffer();

    // Email links point at the port served.
    const email = `owner-${port}@restart.example`;
    const mailTo = (pattern, what) =>
      eventually(
        async () => {
          const box = await json(`${base}/sandbox/resend/_emulator/emails?to=${encodeURIComponent(email)}`, {
            headers: { authorization: 'Bearer re_sandbox' },
          });
          return box.data.find((m) => pattern.test(m.text));
        },
        what,
        30_000,
      );
    await post(`${base}/api/auth/signup`, { email, password: 'restart-test-password-1', name: 'Rhea Start', account_name: 'Restart Co' });
    const confirmMail = await mailTo(/signup\/confirm/, 'the sign-up email');
    const confirmLink = new RegExp(`${base}/signup/confirm#token=([\\w-]+)`).exec(confirmMail.text);
    assert.ok(confirmLink, 'the sign-up link points at the port served');
    const signup = await post(`${base}/api/auth/signup/confirm`, { token: confirmLink[1] });
    await post(`${base}/api/auth/password-reset`, { email });
    const mail = await mailTo(/reset-password/, 'the password reset email');
    assert.match(mail.text, new RegExp(`${base}/reset-password#token=`));

    // A top-up whose confirming webhook cannot be delivered before the server stops.
    await setEndpointUrl(base, 'http://localhost/api/webhooks/stripe-unreachable');
    const auth = { authorization: `Bearer ${signup.token}` };
    await post(`${base}/api/wallet/payment-method`, { payment_method: 'pm_card_visa' }, auth);
    const topUp = await post(`${base}/api/wallet/add-funds`, { amount: '25.00' }, { ...auth, 'idempotency-key': `restart-${port}` });
    assert.equal(topUp.status, 'pending');
    await eventually(
      async () => {
        const log = await json(`${base}/sandbox/stripe/_emulator/webhooks/deliveries`, { headers: { authorization: STRIPE_KEY } });
        return log.data.some((d) => d.event_type === 'payment_intent.succeeded' && d.status === 'pending' && d.attempts > 0);
      },
      'a failed attempt to deliver payment_intent.succeeded',
      30_000,
    );
    assert.equal((await json(`${base}/api/wallet/balance`, { headers: auth })).balance, '0.0000');
    // Each request once, and none of the start's own health probes.
    assert.doesNotMatch(first.output(), /GET \/api\/health/);
    assert.equal(first.output().match(/POST \/api\/wallet\/add-funds/g)?.length, 1);
    assert.equal(await first.stop(), 0);

    // Restarted on the same state: nobody calls anything, the endpoint just works again.
    const second = startDev(['--port', String(port), '--persist-to', stateDir, '--no-seed']);
    running.push(second);
    await second.until(/Press Ctrl-C to stop/);
    await setEndpointUrl(base, 'http://localhost/api/webhooks/stripe');
    const credited = await eventually(
      async () => {
        const wallet = await json(`${base}/api/wallet/balance`, { headers: auth });
        return wallet.balance !== '0.0000' && wallet;
      },
      'the pending top-up to be credited after the restart (the every-minute work runs within a minute)',
      100_000,
    );
    assert.equal(credited.balance, '25.0000');
    assert.equal(await second.stop(), 0);
  });
});
