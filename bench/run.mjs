#!/usr/bin/env node
/**
 * `npm run bench`: contacts list performance at 100,000 contacts, measured
 * inside workerd against local D1, plus the contacts screen's JS weight; then the
 * wallet part (bench/wallet.mjs: WalletDO debits/s single and batched, latency,
 * and a bare SQLite insert loop as the physical limit), in its own process.
 * BENCH_ONLY=contacts or BENCH_ONLY=wallet runs one part.
 *
 *  1. Page weight: builds the web app (vite, web/vite.config.ts) into a temp dir, never touching web/dist,
 *     reads the built index.html for <script src> and <link rel=modulepreload>,
 *     adds the lazily loaded ContactsPage chunk, gzips each file, sums.
 *  2. Fresh temp D1 (persist dir), `wrangler d1 migrations apply --local`.
 *  3. Starts bench/bench.worker.ts with wrangler's unstable_startWorker.
 *  4. Seeds one account with 100k contacts in chunks, walks the cursor chain
 *     to page 500, times each query shape, captures EXPLAIN QUERY PLAN.
 *  5. Prints a table (figure, target, PASS/FAIL), writes bench/results/contacts.json,
 *     stops the worker and removes the temp dirs.
 *
 * Env knobs: BENCH_CONTACTS (default 100000), BENCH_ITERATIONS (200), BENCH_WARMUP (10),
 * BENCH_SHAPE_BUDGET_MS (20000: a shape slower than ~100 ms a call stops there, after at least 100 calls),
 * BENCH_SEED_CHUNK (10000), BENCH_SKIP_WEB=1 (skip the page-weight build),
 * BENCH_ANALYZE=1 (run PRAGMA optimize after seeding, to see plans with planner statistics),
 * BENCH_STRICT=1 (exit 1 when a target FAILs; by default only errors exit non-zero).
 * BENCH_ONLY=contacts|wallet (run one part). The wallet part's own knobs are listed in bench/wallet.mjs.
 *
 * Every run also checks its figures are of the right rows: /verify runs each query shape's inputs once
 * and compares every page with the contacts the seed made; a mismatch exits 1 (speed never does, unless
 * BENCH_STRICT=1). BENCH_SMOKE=1 (`npm run bench:smoke`, run by CI) is a short run for that check alone:
 * 5,000 contacts, deep page 100, 10 timed calls per shape, no page-weight build, and a short wallet part
 * whose ledger audit must pass; its JSON goes to bench/results/*.smoke.json. Any knob above still overrides.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { fmt, freePort, lpad, pad, percentile, readVersion, startRun } from './harness.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(ROOT);

const CONFIG = 'bench/wrangler.bench.toml';
const SMOKE = process.env.BENCH_SMOKE === '1';
const TOTAL = Number(process.env.BENCH_CONTACTS ?? (SMOKE ? 5_000 : 100_000));
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? (SMOKE ? 10 : 200));
const WARMUP = Number(process.env.BENCH_WARMUP ?? (SMOKE ? 1 : 10));
const SEED_CHUNK = Number(process.env.BENCH_SEED_CHUNK ?? 10_000);
/** The deep page walked to by cursor: page 500, or the last full page of a smaller seed. */
const PAGE_DEEP = Math.min(500, Math.floor(TOTAL / 50));
if (SMOKE) process.env.BENCH_SKIP_WEB ??= '1';
const QUERY_P99_TARGET_MS = 20;
const RATIO_TARGET = 1.5;
const WEIGHT_TARGET_KB = 300;
const REQUEST_TIMEOUT_MS = 120_000;
const WALK_CHUNK = 50; // pages per /walk request
const MEASURE_CHUNK = 25; // timed calls per /measure request
const SHAPE_BUDGET_MS = Number(process.env.BENCH_SHAPE_BUDGET_MS ?? 20_000);
const MIN_ITERATIONS = Math.min(ITERATIONS, 100);
const ANALYZE = process.env.BENCH_ANALYZE === '1';

// Offline machines: do not try to download the Request.cf placeholder (it only logs a warning).
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= 'false';
process.env.WRANGLER_SEND_METRICS ??= 'false';
// Never reload on config edits mid-run.
process.env.WRANGLER_CI_DISABLE_CONFIG_WATCHING ??= 'true';
const childEnv = { ...process.env, CI: '1', WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', FORCE_COLOR: '0' };
const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);
const ONLY = process.env.BENCH_ONLY ?? '';
if (ONLY && ONLY !== 'contacts' && ONLY !== 'wallet') {
  log(`BENCH_ONLY must be "contacts" or "wallet", got "${ONLY}"`);
  process.exit(2);
}
const run = startRun({ tmpPrefix: 'crm-bench-', log });
const { tmpRoot } = run;

/* ----------------------------------------------------------- page weight */

function attr(tag, name) {
  const m = new RegExp(`\\b${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  return m ? (m[2] ?? m[3] ?? m[4]) : null;
}

/** JS the built index.html loads: <script src> and <link rel="modulepreload">; stylesheets listed separately. */
function parseIndexHtml(html) {
  const scripts = [];
  const styles = [];
  for (const tag of html.match(/<script\b[^>]*>/gi) ?? []) {
    const src = attr(tag, 'src');
    if (src) scripts.push(src);
  }
  for (const tag of html.match(/<link\b[^>]*>/gi) ?? []) {
    const rel = (attr(tag, 'rel') ?? '').toLowerCase();
    const href = attr(tag, 'href');
    if (!href) continue;
    if (rel === 'modulepreload') scripts.push(href);
    else if (rel === 'stylesheet') styles.push(href);
  }
  return { scripts: [...new Set(scripts)], styles: [...new Set(styles)] };
}

function fileOf(distDir, url) {
  if (/^https?:\/\//.test(url) || url.startsWith('//')) return null;
  return path.join(distDir, url.replace(/[?#].*$/, '').replace(/^\//, ''));
}

function weigh(distDir, urls) {
  return urls.map((url) => {
    const file = fileOf(distDir, url);
    if (!file) return { url, external: true, bytes: 0, gzip_bytes: 0 };
    if (!fs.existsSync(file)) return { url, missing: true, bytes: 0, gzip_bytes: 0 };
    const buf = fs.readFileSync(file);
    return { url, bytes: buf.length, gzip_bytes: zlib.gzipSync(buf).length };
  });
}

/** The lazily imported ContactsPage chunk and its static imports not already loaded by index.html. */
function contactsRouteChunks(distDir, alreadyLoaded) {
  const manifestPath = path.join(distDir, '.vite', 'manifest.json');
  const loaded = new Set(alreadyLoaded.map((u) => u.replace(/^\//, '')));
  if (fs.existsSync(manifestPath)) {
    const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
    const key = Object.keys(manifest).find((k) => /contacts\/ContactsPage\.tsx$/.test(k));
    if (!key) return { method: 'manifest', error: 'ContactsPage.tsx is not in the Vite manifest', js: [], css: [] };
    const js = [];
    const css = [];
    const visit = (k) => {
      const entry = manifest[k];
      if (!entry || loaded.has(entry.file) || js.includes(`/${entry.file}`)) return;
      js.push(`/${entry.file}`);
      for (const c of entry.css ?? []) css.push(`/${c}`);
      for (const dep of entry.imports ?? []) visit(dep);
    };
    visit(key);
    return { method: `Vite manifest entry ${key} and its static imports`, js, css };
  }
  // No manifest (a web/dist built without --manifest): find the chunk by name, follow its relative imports.
  const assets = path.join(distDir, 'assets');
  const chunk = fs.existsSync(assets) ? fs.readdirSync(assets).find((f) => /^ContactsPage-.*\.js$/.test(f)) : null;
  if (!chunk) return { method: 'file name', error: 'no ContactsPage-*.js chunk found', js: [], css: [] };
  const js = [];
  const visit = (file) => {
    const url = `/assets/${file}`;
    if (loaded.has(url.slice(1)) || js.includes(url)) return;
    js.push(url);
    const code = fs.readFileSync(path.join(assets, file), 'utf8');
    for (const m of code.matchAll(/(?:import|from)\s*["']\.\/([^"']+\.js)["']/g)) visit(m[1]);
  };
  visit(chunk);
  return { method: 'chunk file name ContactsPage-*.js and its static imports', js, css: [] };
}

function measurePageWeight(distDir, source) {
  const indexPath = path.join(distDir, 'index.html');
  const { scripts, styles } = parseIndexHtml(fs.readFileSync(indexPath, 'utf8'));
  if (scripts.length === 0) return { available: false, source, reason: `${path.relative(ROOT, indexPath) || indexPath} loads no scripts (not a real build)` };
  const entry = weigh(distDir, scripts);
  const route = contactsRouteChunks(distDir, scripts);
  const routeJs = weigh(distDir, route.js);
  const files = [...entry.map((f) => ({ ...f, loaded_by: 'index.html' })), ...routeJs.map((f) => ({ ...f, loaded_by: 'contacts route (lazy chunk)' }))];
  const missing = files.filter((f) => f.missing).map((f) => f.url);
  const sum = (list) => list.reduce((s, f) => s + f.gzip_bytes, 0);
  return {
    available: missing.length === 0,
    ...(missing.length ? { reason: `files referenced but missing: ${missing.join(', ')}` } : {}),
    source,
    gzip: 'node zlib.gzipSync, default level (6)',
    files,
    index_html_js_gzip_bytes: sum(entry),
    contacts_route_method: route.method,
    ...(route.error ? { contacts_route_error: route.error } : {}),
    total_gzip_bytes: sum(files),
    css_not_counted: weigh(distDir, [...styles, ...route.css]),
  };
}

/**
 * Builds the web app with the same Vite config as `npm run build:web`, but into a
 * temp dir and with a manifest (to find the lazy contacts chunk): web/dist, which
 * others own and the Worker serves, is never written. Falls back to an existing
 * web/dist when the fresh build fails.
 */
function pageWeight() {
  if (process.env.BENCH_SKIP_WEB === '1') return { available: false, reason: 'skipped (BENCH_SKIP_WEB=1)' };
  const outDir = path.join(tmpRoot, 'web-dist');
  log('building the web app into a temp dir for the page-weight figure (vite build --config web/vite.config.ts --outDir <tmp> --manifest)');
  const vite = path.join(ROOT, 'node_modules', '.bin', 'vite');
  const build = spawnSync(vite, ['build', '--config', 'web/vite.config.ts', '--outDir', outDir, '--emptyOutDir', '--manifest', '--logLevel', 'error'], {
    env: childEnv,
    encoding: 'utf8',
  });
  if (build.status === 0 && fs.existsSync(path.join(outDir, 'index.html'))) {
    return measurePageWeight(outDir, 'fresh build of web/ (vite build --config web/vite.config.ts, into a temp dir)');
  }
  const output = `${build.stdout ?? ''}\n${build.stderr ?? ''}${build.error ? `\n${build.error.message}` : ''}`.replace(/\x1b\[[0-9;]*m/g, '');
  const errors = [
    ...new Set(
      output
        .split('\n')
        .filter((l) => /error|could not|failed/i.test(l))
        .map((l) => l.trim()),
    ),
  ].slice(0, 8);
  const buildFailure = `the web build failed (exit ${build.status}): ${errors.join(' | ') || output.trim().split('\n').slice(-3).join(' | ')}`;
  const dist = path.join(ROOT, 'web', 'dist');
  if (fs.existsSync(path.join(dist, 'index.html'))) {
    const fromDist = measurePageWeight(dist, 'existing web/dist (may be stale: the fresh build failed)');
    if (fromDist.available) return { ...fromDist, warning: buildFailure };
    return { available: false, reason: `${buildFailure}; and ${fromDist.reason}` };
  }
  return { available: false, reason: `${buildFailure}; and web/dist does not exist` };
}

/* ----------------------------------------------------------- worker */

class Retryable extends Error {}
let restarts = 0;

/** POSTs JSON to the bench worker. A runtime restart mid-request (503) or a dropped connection is retried. */
async function post(base, route, body = {}, { retries = 3, beforeRetry } = {}) {
  for (let attempt = 0; ; attempt++) {
    try {
      let res;
      try {
        res = await fetch(new URL(route, base), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
      } catch (err) {
        throw new Retryable(`${route}: ${err.message}`);
      }
      const text = await res.text();
      if (res.status === 503 && /restarted mid-request/i.test(text)) throw new Retryable(`${route}: ${text.trim()}`);
      let data;
      try {
        data = JSON.parse(text);
      } catch {
        throw new Error(`${route}: HTTP ${res.status}, not JSON: ${text.slice(0, 500)}`);
      }
      if (!res.ok) throw new Error(`${route}: HTTP ${res.status}: ${data.error}\n${data.stack ?? ''}`);
      return data;
    } catch (err) {
      if (!(err instanceof Retryable) || attempt >= retries) throw err;
      restarts++;
      log(`retrying after: ${err.message}`);
      await new Promise((r) => setTimeout(r, 1000));
      if (run.worker) await run.worker.ready;
      if (beforeRetry) {
        const skip = await beforeRetry();
        if (skip !== undefined) return skip;
      }
    }
  }
}

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const r = (x) => Math.round(x * 1000) / 1000;
  return {
    n: sorted.length,
    p50: r(percentile(sorted, 50)),
    p90: r(percentile(sorted, 90)),
    p99: r(percentile(sorted, 99)),
    mean: r(sorted.reduce((s, x) => s + x, 0) / sorted.length),
    min: r(sorted[0]),
    max: r(sorted[sorted.length - 1]),
  };
}

/* ----------------------------------------------------------- report */

function table(rows) {
  const head = ['Figure', 'p50', 'p99', 'mean', 'Target', 'Result'];
  const widths = [46, 10, 10, 10, 26, 6];
  const line = (cells) => cells.map((c, k) => (k >= 1 && k <= 3 ? lpad(c, widths[k]) : pad(c, widths[k]))).join('  ');
  const out = [line(head), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of rows) out.push(line(r));
  return out.join('\n');
}

/* ----------------------------------------------------------- main */

const LABELS = {
  list_first_page: 'contacts list, page 1',
  list_page_500: `contacts list, page ${PAGE_DEEP} (cursor)`,
  search_email_prefix: 'search: email prefix',
  search_phone_prefix: 'search: phone prefix',
  search_name_prefix: 'search: name prefix',
  filter_tag: 'filter: by tag',
};

async function main() {
  const started = Date.now();
  const results = {
    generated_at: new Date().toISOString(),
    environment: {
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
      cpus: os.cpus().length,
      wrangler: readVersion(ROOT, 'wrangler'),
      miniflare: readVersion(ROOT, 'miniflare'),
    },
    config: {
      contacts: TOTAL,
      iterations: ITERATIONS,
      warmup: WARMUP,
      seed_chunk: SEED_CHUNK,
      page_size: 50,
      deep_page: PAGE_DEEP,
      sort: 'created_at desc (the list default)',
    },
  };

  // 1. Page weight (independent of the worker; a failure here does not stop the rest).
  try {
    results.page_weight = pageWeight();
  } catch (err) {
    results.page_weight = { available: false, reason: `page-weight step crashed: ${err.message}` };
  }
  log(
    results.page_weight.available
      ? `page weight: ${fmt(results.page_weight.total_gzip_bytes / 1024, 1)} KB gzipped`
      : `page weight unavailable: ${results.page_weight.reason}`,
  );

  // 2. Fresh local D1 with the product's migrations.
  const persistDir = path.join(tmpRoot, 'state');
  log(`applying migrations into ${persistDir}`);
  const mig = spawnSync('npx', ['wrangler', 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistDir, '-c', CONFIG], {
    env: childEnv,
    encoding: 'utf8',
  });
  if (mig.status !== 0) throw new Error(`wrangler d1 migrations apply failed (exit ${mig.status}):\n${mig.stdout}\n${mig.stderr}`);
  results.migrations = (mig.stdout.match(/\d{4}_[\w-]+\.sql/g) ?? []).filter((v, i, a) => a.indexOf(v) === i);

  // 3. Bundle once, then start that snapshot. wrangler's dev bundler always watches the
  //    sources, so teammates saving files under workers/ would reload the worker mid-run.
  const bundleDir = path.join(tmpRoot, 'bundle');
  log('bundling bench/bench.worker.ts (wrangler deploy --dry-run --outdir <tmp>)');
  const bundled = spawnSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', bundleDir, '-c', CONFIG], { env: childEnv, encoding: 'utf8' });
  const entry = path.join(bundleDir, 'bench.worker.js');
  if (bundled.status !== 0 || !fs.existsSync(entry))
    throw new Error(`bundling the bench worker failed (exit ${bundled.status}):\n${bundled.stdout}\n${bundled.stderr}`);
  const { unstable_startWorker } = await import('wrangler');
  const port = await freePort();
  log(`starting the bench worker on 127.0.0.1:${port}`);
  const worker = await unstable_startWorker({
    config: CONFIG,
    entrypoint: entry,
    build: { bundle: false },
    dev: {
      persist: persistDir,
      server: { hostname: '127.0.0.1', port },
      inspector: false,
      watch: false,
      liveReload: false,
      logLevel: 'warn',
      // A private dev registry: other wrangler sessions on this machine neither see nor reload this one.
      registry: path.join(tmpRoot, 'registry'),
    },
  });
  run.worker = worker;
  await worker.ready;
  const base = await worker.url;

  // 4a. Seed, in chunks (one D1 batch per request).
  const fixture = await post(base, '/setup');
  const countContacts = async () => (await post(base, '/sql', { sql: 'SELECT count(*) AS n FROM contacts' })).results[0].n;
  const seedStart = performance.now();
  const chunks = [];
  for (let from = 0; from < TOTAL; from += SEED_CHUNK) {
    const count = Math.min(SEED_CHUNK, TOTAL - from);
    // A batch is one transaction: after a restart it either committed (skip) or did not (retry).
    const r = await post(
      base,
      '/seed',
      { accountId: fixture.accountId, from, count },
      {
        beforeRetry: async () =>
          (await countContacts()) >= from + count
            ? { contacts: count, contact_tags: 0, custom_field_values: 0, statements: 0, ms: 0, retried: true }
            : undefined,
      },
    );
    chunks.push(r);
    log(`seeded ${from + count}/${TOTAL} contacts (${r.contact_tags} tag links, ${r.custom_field_values} field values, ${fmt(r.ms / 1000, 2)} s in D1)`);
  }
  const seedWallMs = performance.now() - seedStart;
  const counts = {};
  for (const t of ['contacts', 'contact_tags', 'custom_field_values', 'tags', 'custom_fields']) {
    counts[t] = (await post(base, '/sql', { sql: `SELECT count(*) AS n FROM ${t}` })).results[0].n;
  }
  results.seed = {
    wall_ms: Math.round(seedWallMs),
    d1_batch_ms: Math.round(chunks.reduce((s, c) => s + c.ms, 0)),
    requests: chunks.length,
    statements: chunks.reduce((s, c) => s + c.statements, 0),
    rows: counts,
    method: 'one D1 batch per request; each INSERT carries 1000 rows as one JSON parameter (json_each), under the 100-bound-parameter limit',
  };
  if (counts.contacts !== TOTAL) throw new Error(`expected ${TOTAL} contacts, found ${counts.contacts}`);
  if (ANALYZE) {
    log('running PRAGMA optimize (BENCH_ANALYZE=1): the planner gets sqlite_stat1 statistics');
    await post(base, '/sql', { sql: 'PRAGMA optimize' });
  }
  results.config.planner_statistics = ANALYZE ? 'PRAGMA optimize after seeding (BENCH_ANALYZE=1)' : 'none (as the migrations leave the database; no ANALYZE)';

  // 4b. Walk the cursor chain to page 500.
  log(`walking the cursor chain to page ${PAGE_DEEP}`);
  let cursor;
  const walkSamples = [];
  const walkStart = performance.now();
  for (let done = 0; done < PAGE_DEEP - 1; ) {
    const pages = Math.min(WALK_CHUNK, PAGE_DEEP - 1 - done);
    const from = cursor;
    const r = await post(base, '/walk', { accountId: fixture.accountId, cursor: from, pages });
    walkSamples.push(...r.samples);
    cursor = r.cursor;
    done += pages;
  }
  results.walk = {
    pages_walked: walkSamples.length,
    wall_ms: Math.round(performance.now() - walkStart),
    per_page: stats(walkSamples),
    page_500_cursor: cursor,
  };

  // 4b'. The rows: each shape's inputs once, every page compared with what the seed made.
  log('verifying the rows each query shape returns against the seeded contacts');
  results.verify = await post(base, '/verify', { accountId: fixture.accountId, total: TOTAL, deepPage: PAGE_DEEP, cursor });

  // 4c. Time each shape: warm-up calls, then ITERATIONS timed calls in short requests.
  results.queries = {};
  for (const shape of Object.keys(LABELS)) {
    log(`measuring ${shape} (${WARMUP} warm-up + ${ITERATIONS} timed)`);
    const call = (iterations, offset) => post(base, '/measure', { accountId: fixture.accountId, shape, iterations, offset, cursor, total: TOTAL });
    if (WARMUP > 0) await call(WARMUP, 0);
    const samples = [];
    let distinct = 0;
    const shapeStart = performance.now();
    for (let done = 0; done < ITERATIONS; ) {
      // Very slow shapes (>100 ms a call) stop at the time budget once they have MIN_ITERATIONS samples.
      if (done >= MIN_ITERATIONS && performance.now() - shapeStart > SHAPE_BUDGET_MS) {
        log(`${shape}: time budget reached after ${done} timed calls`);
        break;
      }
      const n = Math.min(MEASURE_CHUNK, ITERATIONS - done);
      const r = await call(n, done);
      samples.push(...r.samples);
      distinct = r.distinct_inputs;
      done += n;
    }
    const byInput = new Map();
    for (const s of samples) {
      const e = byInput.get(s.input) ?? { input: s.input, rows: s.rows, max_ms: 0 };
      e.max_ms = Math.max(e.max_ms, s.ms);
      byInput.set(s.input, e);
    }
    results.queries[shape] = {
      ...stats(samples.map((s) => s.ms)),
      distinct_inputs: distinct,
      slowest_inputs: [...byInput.values()].sort((a, b) => b.max_ms - a.max_ms).slice(0, 5),
    };
  }

  // 4d. Query plans and rows read.
  results.explain = [];
  for (const shape of Object.keys(LABELS)) {
    log(`EXPLAIN QUERY PLAN: ${shape}`);
    results.explain.push(await post(base, '/explain', { accountId: fixture.accountId, shape, cursor, total: TOTAL }));
  }
  results.worker_restarts_retried = restarts;

  await run.stopWorker();
  results.total_runtime_ms = Date.now() - started;
  report(results);
}

function report(results) {
  const q = results.queries;
  const rows = [];
  const checks = [];
  for (const [shape, label] of Object.entries(LABELS)) {
    const s = q[shape];
    const pass = s.p99 < QUERY_P99_TARGET_MS;
    checks.push({ name: `${shape} p99 < ${QUERY_P99_TARGET_MS} ms`, value: s.p99, pass });
    rows.push([
      `${label} (ms)${s.n < ITERATIONS ? ` n=${s.n}` : ''}`,
      fmt(s.p50),
      fmt(s.p99),
      fmt(s.mean),
      `p99 < ${QUERY_P99_TARGET_MS} ms`,
      pass ? 'PASS' : 'FAIL',
    ]);
  }
  const p1 = q.list_first_page;
  const p500 = q.list_page_500;
  const ratio = p500.p99 / p1.p99;
  const ratioPass = ratio <= RATIO_TARGET;
  checks.push({ name: `page ${PAGE_DEEP} p99 / page 1 p99 <= ${RATIO_TARGET}`, value: ratio, pass: ratioPass });
  rows.push([`page ${PAGE_DEEP} p99 / page 1 p99`, fmt(p500.p50 / p1.p50), fmt(ratio), '', `~1.0 (flat; <= ${RATIO_TARGET})`, ratioPass ? 'PASS' : 'FAIL']);
  const readsOf = (shape) => results.explain.find((e) => e.shape === shape)?.statements.find((s) => s.role === 'main')?.runs[0]?.rows_read;
  rows.push([
    `  rows_read page ${PAGE_DEEP} / page 1 (D1 meta)`,
    '',
    `${readsOf('list_page_500')} / ${readsOf('list_first_page')}`,
    '',
    'equal = no OFFSET',
    '',
  ]);

  const pw = results.page_weight;
  if (pw.available) {
    const kb = pw.total_gzip_bytes / 1024;
    const pass = kb < WEIGHT_TARGET_KB;
    checks.push({ name: `contacts screen JS < ${WEIGHT_TARGET_KB} KB gzipped`, value: kb, pass });
    rows.push(['contacts screen JS, gzipped (KB)', '', fmt(kb, 1), '', `< ${WEIGHT_TARGET_KB} KB`, pass ? 'PASS' : 'FAIL']);
  } else {
    checks.push({ name: `contacts screen JS < ${WEIGHT_TARGET_KB} KB gzipped`, value: null, pass: null, unavailable: pw.reason });
    rows.push(['contacts screen JS, gzipped (KB)', '', 'n/a', '', `< ${WEIGHT_TARGET_KB} KB`, 'N/A']);
  }
  rows.push([`seed ${TOTAL.toLocaleString('en-US')} contacts (s)`, '', fmt(results.seed.wall_ms / 1000, 1), '', '(info)', '']);
  rows.push([
    `walk pages 1..${PAGE_DEEP - 1}, per page (ms)`,
    fmt(results.walk.per_page.p50),
    fmt(results.walk.per_page.p99),
    fmt(results.walk.per_page.mean),
    '(info)',
    '',
  ]);
  const v = results.verify;
  checks.push({
    name: 'every page returns the seeded contacts it should, in order',
    value: `${v.inputs_checked - v.mismatches.length}/${v.inputs_checked} inputs`,
    pass: v.mismatches.length === 0,
    correctness: true,
  });
  rows.push([
    `rows returned = seeded contacts (${v.inputs_checked} inputs, ${v.rows_compared} rows)`,
    '',
    `${v.inputs_checked - v.mismatches.length}/${v.inputs_checked}`,
    '',
    'all',
    v.mismatches.length === 0 ? 'PASS' : 'FAIL',
  ]);
  results.checks = checks;

  const out = [];
  out.push('');
  out.push(
    `Contacts list benchmark: ${TOTAL.toLocaleString('en-US')} contacts in one account, local D1 inside workerd (wrangler ${results.environment.wrangler}, miniflare ${results.environment.miniflare})`,
  );
  out.push(
    `Each query: listContacts() from workers/crm/contacts/contacts.query.ts, limit 50, sort created_at desc, ${ITERATIONS} timed calls after ${WARMUP} warm-up, varied inputs`,
  );
  out.push(`(a shape slower than ${SHAPE_BUDGET_MS / 1000} s in total stops early with at least ${MIN_ITERATIONS} calls; the label then shows n).`);
  out.push('Times are performance.now() across the awaited call inside the Worker (both D1 round trips: list query + tags/custom-field batch);');
  out.push(`workerd's clock moves only on I/O and has 1 ms resolution. Planner statistics: ${results.config.planner_statistics}.`);
  out.push('');
  out.push(table(rows));
  out.push('');
  out.push(
    `Seed: ${results.seed.rows.contacts} contacts, ${results.seed.rows.contact_tags} contact_tags, ${results.seed.rows.custom_field_values} custom_field_values, ${results.seed.rows.tags} tags, ${results.seed.rows.custom_fields} custom fields; ${results.seed.requests} requests, ${fmt(results.seed.wall_ms / 1000, 1)} s wall (${fmt(results.seed.d1_batch_ms / 1000, 1)} s inside D1 batches).`,
  );
  out.push('');
  out.push('Slowest inputs per shape (max ms over the timed calls, rows on the page):');
  for (const shape of Object.keys(LABELS)) {
    const s = q[shape];
    out.push(
      `  ${pad(shape, 20)} ${s.slowest_inputs
        .slice(0, 3)
        .map((x) => `${JSON.stringify(x.input)} ${fmt(x.max_ms, 1)} ms (${x.rows} rows)`)
        .join('; ')}`,
    );
  }
  out.push('');
  out.push('Page weight of the contacts screen (JS only):');
  if (pw.available) {
    out.push(`  source: ${pw.source}${pw.warning ? `\n  warning: ${pw.warning}` : ''}`);
    for (const f of pw.files)
      out.push(`  ${pad(f.url, 48)} ${lpad(fmt(f.bytes / 1024, 1), 8)} KB raw ${lpad(fmt(f.gzip_bytes / 1024, 1), 8)} KB gzip   (${f.loaded_by})`);
    out.push(
      `  ${pad('total', 48)} ${lpad(fmt(pw.files.reduce((s, f) => s + f.bytes, 0) / 1024, 1), 8)} KB raw ${lpad(fmt(pw.total_gzip_bytes / 1024, 1), 8)} KB gzip   (index.html alone: ${fmt(pw.index_html_js_gzip_bytes / 1024, 1)} KB)`,
    );
    if (pw.contacts_route_error) out.push(`  note: ${pw.contacts_route_error}`);
    for (const f of pw.css_not_counted) out.push(`  (css, not counted) ${pad(f.url, 29)} ${lpad(fmt(f.gzip_bytes / 1024, 1), 8)} KB gzip`);
  } else {
    out.push(`  UNAVAILABLE: ${pw.reason}`);
  }
  out.push('');
  out.push('EXPLAIN QUERY PLAN (list query of each shape, and the per-page details queries):');
  const flagged = [];
  const seenDetails = new Set();
  for (const e of results.explain) {
    for (const st of e.statements) {
      if (st.role === 'details') {
        if (seenDetails.has(st.statement)) continue;
        seenDetails.add(st.statement);
      }
      out.push(`  [${st.role === 'main' ? e.shape : st.statement}]`);
      out.push(`    SQL: ${st.sql.length > 400 ? `${st.sql.slice(0, 400)}...` : st.sql}`);
      for (const l of st.plan) out.push(`    | ${l}`);
      if (st.runs.length) {
        const reads = st.runs.map((r) => r.rows_read);
        const worst = st.runs[reads.indexOf(Math.max(...reads))];
        const ms = st.runs.map((r) => r.sql_ms);
        out.push(
          `    D1 rows_read per call: min ${Math.min(...reads)}, max ${Math.max(...reads)} over ${reads.length} inputs (max at ${JSON.stringify(worst.input)}); SQLite time ${Math.min(...ms)}-${Math.max(...ms)} ms`,
        );
      }
      for (const f of st.flags) {
        out.push(`    !! ${f}`);
        flagged.push(`${st.role === 'main' ? e.shape : st.statement}: ${f}`);
      }
    }
  }
  out.push('');
  out.push(
    flagged.length
      ? `Plan flags (${flagged.length}):\n${[...new Set(flagged)].map((f) => `  - ${f}`).join('\n')}`
      : 'Plan flags: none (no full scans of contacts, no temp b-tree sorts).',
  );
  out.push('');
  for (const m of v.mismatches.slice(0, 10))
    out.push(`WRONG ROWS ${m.shape} ${JSON.stringify(m.input)}: expected ${JSON.stringify(m.expected)}..., got ${JSON.stringify(m.got)}...`);
  const failed = checks.filter((c) => c.pass === false).length;
  const na = checks.filter((c) => c.pass === null).length;
  if (results.worker_restarts_retried)
    out.push(`Note: the runtime restarted ${results.worker_restarts_retried} time(s) mid-request; those requests were retried.`);
  if (SMOKE)
    out.push(
      `Smoke run (BENCH_SMOKE=1): ${TOTAL} contacts on a busy machine, so the speed verdicts above are not judged; the rows check is, and exits 1 when it fails.`,
    );
  out.push(
    `Summary: ${checks.length - failed - na} PASS, ${failed} FAIL${na ? `, ${na} unavailable` : ''}. Total runtime ${fmt(results.total_runtime_ms / 1000, 1)} s.`,
  );

  fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  const outFile = path.join(ROOT, 'bench', 'results', SMOKE ? 'contacts.smoke.json' : 'contacts.json');
  fs.writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
  out.push(`JSON: ${path.relative(ROOT, outFile)}`);
  console.log(out.join('\n'));
  if (failed > 0 && process.env.BENCH_STRICT === '1') process.exitCode = 1;
  // Wrong rows are an error whatever the mode: the figures would be of the wrong work.
  if (checks.some((c) => c.correctness && !c.pass)) process.exitCode = 1;
}

try {
  if (ONLY === 'wallet') log('BENCH_ONLY=wallet: skipping the contacts part');
  else await main();
} catch (err) {
  log(`FAILED: ${err.stack ?? err}`);
  process.exitCode = 1;
} finally {
  await run.finish();
}

// The wallet part, after the contacts part has stopped its worker: its own process, worker and temp dir.
if (ONLY !== 'contacts') {
  log('wallet part: node bench/wallet.mjs');
  const wallet = spawnSync(process.execPath, [path.join(ROOT, 'bench', 'wallet.mjs')], { stdio: 'inherit', env: process.env });
  if (wallet.status !== 0) {
    log(`the wallet part exited with ${wallet.status ?? wallet.signal}`);
    process.exitCode = wallet.status || 1;
  }
}
