// The demo seed stopped half-way (a request whose answer was lost: wrangler's
// 503 "worker restarted mid-request") resumes on the next run, creates only
// what is missing, is not taken for done before it is, says what it did, and
// never prints a password. Run: node --test --test-timeout=600000 test/scripts/
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seedProgressFile, startLocalServer } from '../../scripts/local-server.mjs';
import { DEMO_ACCOUNT_NAME, DEMO_EMAIL, DEMO_PASSWORD, SeedError, seedDemo, seedProgress } from '../../scripts/seed-demo.mjs';

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

/**
 * A proxy in front of the server that lets the `nth` request matching
 * `method path` through and then answers 503 anyway, as when the runtime
 * restarts after doing the work but before answering.
 */
async function lossyProxy(target, { method, path: wanted, nth }) {
  let seen = 0;
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length'].includes(k)));
    const upstream = await fetch(`${target}${req.url}`, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
    const body = Buffer.from(await upstream.arrayBuffer());
    if (req.method === method && req.url === wanted && ++seen === nth) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('Your worker restarted mid-request. Please try sending the request again.');
      return;
    }
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' }).end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

async function api(base, method, url, token, body) {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  assert.ok(res.ok, `${method} ${url} answered ${res.status}`);
  return res.json();
}

async function countAll(base, token, url) {
  let n = 0;
  let cursor = null;
  do {
    const page = await api(base, 'GET', `${url}${url.includes('?') ? '&' : '?'}${cursor ? `cursor=${encodeURIComponent(cursor)}` : ''}`, token);
    n += page.data.length;
    cursor = page.next_cursor;
  } while (cursor);
  return n;
}

const stateDir = mkdtempSync(path.join(os.tmpdir(), 'crm-seed-'));
const progressFile = seedProgressFile(stateDir);
let server;

before(async () => {
  server = await startLocalServer({ port: await freePort(), persistDir: stateDir, seed: false });
});
after(async () => {
  await server?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('demo seed', () => {
  it('resumes after failing half-way, creating only what is missing, and never prints a password', async () => {
    // 1. The third team member is created, but its answer is lost.
    const teamProxy = await lossyProxy(server.url, { method: 'POST', path: '/api/users', nth: 3 });
    const failed = await seedDemo(teamProxy.url, { progressFile, retries: 0 }).then(
      () => null,
      (err) => err,
    );
    await teamProxy.close();
    assert.ok(failed instanceof SeedError, `expected a SeedError, got ${failed}`);
    assert.equal(failed.step, 'agency team');
    assert.match(failed.message, /Seeding stopped at step "agency team": POST \/api\/users answered 503/);
    assert.match(failed.message, /"password":"\[redacted\]"/);
    assert.ok(!failed.message.includes(DEMO_PASSWORD), 'the error names the demo password');
    assert.equal((await seedProgress(progressFile)).complete, false);

    // 2. Resumed through a proxy that loses the answer to the fifth task.
    const taskProxy = await lossyProxy(server.url, { method: 'POST', path: '/api/tasks', nth: 5 });
    const lines = [];
    const stopped = await seedDemo(taskProxy.url, { progressFile, retries: 0, log: (m) => lines.push(m) }).then(
      () => null,
      (err) => err,
    );
    await taskProxy.close();
    assert.equal(stopped?.step, 'agency tasks');
    assert.match(lines.join('\n'), new RegExp(`${DEMO_ACCOUNT_NAME}: team members: created 2, 3 already there`));
    const progress = await seedProgress(progressFile);
    assert.equal(progress.complete, false);
    assert.equal(progress.steps['agency contacts'], 'done');
    assert.equal(progress.steps['agency tasks'], 'started');

    // 3. Resumed again, and one more answer is lost on the way (the tenth opportunity): the seed checks what
    //    is there and goes on by itself. Only the tasks still missing are created, then everything after.
    const opportunityProxy = await lossyProxy(server.url, { method: 'POST', path: '/api/opportunities', nth: 10 });
    const done = [];
    const summary = await seedDemo(opportunityProxy.url, { progressFile, log: (m) => done.push(m) });
    await opportunityProxy.close();
    assert.ok(
      done.some((m) => /^agency opportunities: POST \/api\/opportunities answered 503.*checking what is there and going on$/.test(m)),
      done.join('\n'),
    );
    assert.ok(!done.some((m) => m.startsWith(`${DEMO_ACCOUNT_NAME}: contacts:`)), `the agency's contacts were not touched again: ${done.join('\n')}`);
    const tasksLine = done.find((m) => m.startsWith(`${DEMO_ACCOUNT_NAME}: tasks:`));
    const [, created, found] = /created (\d+), (\d+) already there/.exec(tasksLine ?? '') ?? [];
    assert.equal(Number(created) + Number(found), summary.agency.tasks, tasksLine);
    assert.ok(Number(found) >= 5, tasksLine);
    assert.equal((await seedProgress(progressFile)).complete, true);

    // Nothing twice: the agency has its 300 contacts and each planned task once; the wallet was paid once.
    const { token } = await api(server.url, 'POST', '/api/auth/login', null, { email: DEMO_EMAIL, password: DEMO_PASSWORD });
    assert.equal(await countAll(server.url, token, '/api/contacts?limit=200'), summary.agency.contacts);
    assert.equal(await countAll(server.url, token, '/api/tasks?limit=200'), summary.agency.tasks);
    assert.equal(await countAll(server.url, token, '/api/opportunities?limit=500'), summary.agency.opportunities);
    assert.equal(await countAll(server.url, token, '/api/users'), summary.agency.users + 1); // and the invited teammate
    const topUps = await api(server.url, 'GET', '/api/wallet/top-ups', token);
    assert.equal(topUps.data.length, 1);

    // 4. A complete seed has nothing left to do.
    const again = await seedDemo(server.url, { progressFile });
    assert.deepEqual(again.did, []);
  });
});
