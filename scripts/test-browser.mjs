#!/usr/bin/env node
// `npm run test:browser`: every browser suite against ONE local server.
//
// Starts the app once (startApp from test/browser/helpers.mjs: fresh state
// dir, free port, web/dist as built), hands its URL to the suites in
// CRM_BROWSER_URL, runs them with node's test runner, then stops the server.
// Each test still signs up its own account, so tests stay independent; only
// the server's start-up (migrations, wrangler dev) is no longer paid per file.
//
//   node scripts/test-browser.mjs                                  all of test/browser/*.test.mjs
//   node scripts/test-browser.mjs test/browser/wallet.test.mjs     some of them
//
// A file run on its own (node --test test/browser/x.test.mjs) starts its own server, as before.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApp } from '../test/browser/helpers.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SUITES = path.join(ROOT, 'test', 'browser');

const files =
  process.argv.length > 2
    ? process.argv.slice(2)
    : fs
        .readdirSync(SUITES)
        .filter((f) => f.endsWith('.test.mjs'))
        .sort()
        .map((f) => path.join(SUITES, f));
const serverLog = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'crm-browser-log-')), 'server.log');

const started = Date.now();
const app = await startApp({ log: (text) => fs.appendFileSync(serverLog, text) });
process.stderr.write(`Browser suites: one server at ${app.url}, started in ${((Date.now() - started) / 1000).toFixed(1)} s; its output goes to ${serverLog}\n`);

let child;
let stopping;
const stop = () => (stopping ??= app.stop());
// Ctrl-C or a CI timeout: end the suites and the server, never leave wrangler behind.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    child?.kill(signal);
    await stop();
    process.exit(1);
  });
}

child = spawn(process.execPath, ['--test', '--test-timeout=300000', ...files], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, CRM_BROWSER_URL: app.url, CRM_BROWSER_SERVER_LOG: serverLog },
});
const code = await new Promise((resolve) => child.on('close', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0))));
await stop();
if (code !== 0) process.stderr.write(`Browser suites failed; the server's output is in ${serverLog}\n`);
process.exit(code);
