#!/usr/bin/env node
/**
 * Wallet part of `npm run bench` (bench/run.mjs runs it after the contacts part;
 * `BENCH_ONLY=wallet npm run bench` or `node bench/wallet.mjs` runs it alone).
 *
 * Measured in the Workers runtime (workerd via wrangler's unstable_startWorker),
 * against the real WalletDO (durable-objects/wallet/wallet.do.ts), driven over
 * its RPC from a Worker, i.e. from outside the object (bench/wallet.worker.ts):
 *
 *   - single:     sequential awaited stub.debit() calls (one RPC per debit): debits/s and p50/p99 of one debit
 *   - concurrent: the same with BENCH_WALLET_INFLIGHT calls in flight (the object's throughput for single RPCs)
 *   - batched:    stub.debitMany() in chunks of BENCH_WALLET_BATCH (and BENCH_WALLET_BATCH_LARGE, info)
 *   - bare:       a bench-only BareInsertDO inserting the same number of ledger-shaped rows in one
 *                 transactionSync: the physical limit of one SQLite-backed object, measured in the same run
 *   - what-if:    ExperimentWalletDO (bench-only subclass of WalletDO) with a leaner debitMany, for the report
 *
 * Every measurement uses a fresh wallet credited once, unique idempotency keys,
 * and is verified after the fact with audit(): stored balance = sum of
 * transactions, transaction count = debits sent + 1 credit, balance = credit -
 * debits, every outcome ok and new, and (batched) a resend of the first chunk
 * replays every item. A part whose ledger check fails is FAIL whatever its speed.
 * Each part runs BENCH_WALLET_REPEATS times, interleaved; the table shows medians.
 *
 * Env knobs: BENCH_WALLET_REPEATS (3), BENCH_WALLET_SINGLE_N (2000), BENCH_WALLET_CONCURRENT_N (2000),
 * BENCH_WALLET_INFLIGHT (16), BENCH_WALLET_BATCHED_N (100000), BENCH_WALLET_BATCH (1000),
 * BENCH_WALLET_BATCH_LARGE (5000; 0 skips), BENCH_WALLET_BARE_N (= BATCHED_N),
 * BENCH_WALLET_EXPERIMENTS (1; 0 skips the what-if rows), BENCH_WALLET_LOG_LEVEL (warn; wrangler's dev log level),
 * BENCH_STRICT=1 (exit 1 when a target FAILs).
 * A ledger or publish check that fails exits 1 in any mode. BENCH_SMOKE=1 (CI, via `npm run bench:smoke`): one run of
 * each part at small n (single 200, concurrent 200, batched 5,000 x500, bare 5,000, no x5000 nor what-if rows), for
 * those checks, not for speed; JSON to bench/results/wallet.smoke.json.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, freePort, lpad, pad, percentile, readVersion, startRun } from './harness.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(ROOT);

const CONFIG = 'bench/wrangler.wallet.toml';
const envNum = (name, d) => (process.env[name] === undefined || process.env[name] === '' ? d : Number(process.env[name]));
const SMOKE = process.env.BENCH_SMOKE === '1';
const REPEATS = envNum('BENCH_WALLET_REPEATS', SMOKE ? 1 : 3);
const SINGLE_N = envNum('BENCH_WALLET_SINGLE_N', SMOKE ? 200 : 2000);
const CONCURRENT_N = envNum('BENCH_WALLET_CONCURRENT_N', SMOKE ? 200 : 2000);
const INFLIGHT = envNum('BENCH_WALLET_INFLIGHT', 16);
const BATCHED_N = envNum('BENCH_WALLET_BATCHED_N', SMOKE ? 5_000 : 100_000);
const BATCH = envNum('BENCH_WALLET_BATCH', SMOKE ? 500 : 1000);
const BATCH_LARGE = envNum('BENCH_WALLET_BATCH_LARGE', SMOKE ? 0 : 5000);
const BARE_N = envNum('BENCH_WALLET_BARE_N', BATCHED_N);
const EXPERIMENTS = process.env.BENCH_WALLET_EXPERIMENTS ? process.env.BENCH_WALLET_EXPERIMENTS !== '0' : !SMOKE;

const SINGLE_TARGET = 1_000; // debits/s per wallet, one RPC per debit (Cloudflare's documented per-object soft limit)
const BATCHED_TARGET = 50_000; // debits/s per wallet through debitMany
const RATIO_TARGET = 3.0; // bare inserts/s over batched debits/s
const BARE_REFERENCE = 260_000; // rows/s a bare insert loop in a local DO did on these machines (the issue's figure)
const REQUEST_TIMEOUT_MS = 300_000;

/**
 * The what-if rows: ExperimentWalletDO options (see bench/wallet.worker.ts). A ladder: each step
 * takes one more per-item cost out of debitMany, so the differences say what each costs.
 */
const EXPERIMENT_SET = [
  { key: 'no_publish', label: "WalletDO's own debitMany, alarm publishing off", exp: { debitMany: 'real', publish: false } },
  {
    key: 'L1_per_item',
    label: 'L1 the per-item path (per item: SELECT, INSERT RETURNING, UPDATE)',
    exp: { debitMany: 'lean', insert: 'rows', lookup: 'item', balance: 'item', returning: true },
  },
  {
    key: 'L2_no_returning',
    label: 'L2 = L1 without RETURNING seq (seq counted in JS)',
    exp: { debitMany: 'lean', insert: 'rows', lookup: 'item', balance: 'item', returning: false },
  },
  {
    key: 'L3_batch_lookup_update',
    label: 'L3 = L2 with 1 key lookup + 1 balance UPDATE per batch',
    exp: { debitMany: 'lean', insert: 'rows', lookup: 'batch', balance: 'batch', returning: false },
  },
  {
    key: 'L4_json_insert',
    label: 'L4 = L3 with 1 INSERT..SELECT json_each per batch',
    exp: { debitMany: 'lean', insert: 'json', lookup: 'batch', balance: 'batch' },
  },
  {
    key: 'L5_compact_results',
    label: 'L5 = L4 returning {id, seq, balance_after} per item',
    exp: { debitMany: 'lean', insert: 'json', lookup: 'batch', balance: 'batch', returns: 'compact' },
  },
];

process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= 'false';
process.env.WRANGLER_SEND_METRICS ??= 'false';
process.env.WRANGLER_CI_DISABLE_CONFIG_WATCHING ??= 'true';
const childEnv = { ...process.env, CI: '1', WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', FORCE_COLOR: '0' };
const log = (msg) => process.stderr.write(`[bench:wallet] ${msg}\n`);
const run = startRun({ tmpPrefix: 'crm-bench-wallet-', log });
const { tmpRoot } = run;

/* ----------------------------------------------------------- process plumbing */

async function post(base, route, body = {}) {
  const res = await fetch(new URL(route, base), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  let data;
  try {
    data = JSON.parse(text);
  } catch {
    throw new Error(`${route}: HTTP ${res.status}, not JSON: ${text.slice(0, 500)}`);
  }
  if (!res.ok) throw new Error(`${route}: HTTP ${res.status}: ${data.error}\n${data.stack ?? ''}`);
  return data;
}

/* ----------------------------------------------------------- numbers */

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? null : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
function latencyStats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const r = (x) => Math.round(x * 1000) / 1000;
  return {
    n: sorted.length,
    p50: r(percentile(sorted, 50)),
    p90: r(percentile(sorted, 90)),
    p99: r(percentile(sorted, 99)),
    max: r(sorted[sorted.length - 1]),
    mean: r(sorted.reduce((s, x) => s + x, 0) / sorted.length),
  };
}
function histogram(samples) {
  const m = new Map();
  for (const x of samples) m.set(x, (m.get(x) ?? 0) + 1);
  return Object.fromEntries([...m].sort((a, b) => a[0] - b[0]));
}
const int = (x) => (x === null || x === undefined || Number.isNaN(x) ? 'n/a' : Math.round(x).toLocaleString('en-US'));

function table(rows, head = ['Figure', 'median', 'min..max of runs', 'Target', 'Result']) {
  const widths = [74, 10, 21, 24, 6];
  const line = (cells) => cells.map((c, k) => (k === 1 || k === 2 ? lpad(c, widths[k]) : pad(c, widths[k]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/* ----------------------------------------------------------- measuring */

async function main() {
  const started = Date.now();
  const results = {
    generated_at: new Date().toISOString(),
    environment: {
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
      cpus: os.cpus().length,
      loadavg_at_start: os.loadavg().map((x) => Number(x.toFixed(2))),
      wrangler: readVersion(ROOT, 'wrangler'),
      miniflare: readVersion(ROOT, 'miniflare'),
    },
    config: {
      repeats: REPEATS,
      single_n: SINGLE_N,
      concurrent_n: CONCURRENT_N,
      inflight: INFLIGHT,
      batched_n: BATCHED_N,
      batch: BATCH,
      batch_large: BATCH_LARGE || null,
      bare_n: BARE_N,
      experiments: EXPERIMENTS,
      credit_micros: 1_000_000_000_000,
      debit_amounts_micros: '1000..7000 (SMS-like), unique idempotency keys',
      warmup_per_wallet: 20,
      queue:
        'WALLET_EVENTS producer without a consumer: local miniflare accepts and drops the messages, so publishing costs the object its real work and nothing more',
    },
    targets: {
      single_per_second_min: SINGLE_TARGET,
      batched_per_second_min: BATCHED_TARGET,
      bare_over_batched_max: RATIO_TARGET,
      bare_reference_per_second: BARE_REFERENCE,
    },
  };

  // 1. Bundle once, start that snapshot (teammates saving files must not reload it mid-run).
  const bundleDir = path.join(tmpRoot, 'bundle');
  log('bundling bench/wallet.worker.ts (wrangler deploy --dry-run --outdir <tmp>)');
  const bundled = spawnSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', bundleDir, '-c', CONFIG], { env: childEnv, encoding: 'utf8' });
  const entry = path.join(bundleDir, 'wallet.worker.js');
  if (bundled.status !== 0 || !fs.existsSync(entry))
    throw new Error(`bundling the wallet bench worker failed (exit ${bundled.status}):\n${bundled.stdout}\n${bundled.stderr}`);
  const { unstable_startWorker } = await import('wrangler');
  const port = await freePort();
  log(`starting the wallet bench worker on 127.0.0.1:${port}`);
  const worker = await unstable_startWorker({
    config: CONFIG,
    entrypoint: entry,
    build: { bundle: false },
    dev: {
      persist: path.join(tmpRoot, 'state'),
      server: { hostname: '127.0.0.1', port },
      inspector: false,
      watch: false,
      liveReload: false,
      logLevel: process.env.BENCH_WALLET_LOG_LEVEL || 'warn',
      registry: path.join(tmpRoot, 'registry'),
    },
  });
  run.worker = worker;
  await worker.ready;
  const base = await worker.url;

  // 2. The parts, interleaved per repeat so machine noise hits them alike.
  const runs = {
    single: [],
    concurrent: [],
    batched: [],
    batched_large: [],
    bare: [],
    bare_returning: [],
    experiments: Object.fromEntries(EXPERIMENT_SET.map((e) => [e.key, []])),
  };
  const clientMs = (t0) => Math.round(performance.now() - t0);
  const restarts = [];
  for (let rep = 1; rep <= REPEATS; rep++) {
    const step = async (label, route, body, into) => {
      let r;
      let t0;
      for (let attempt = 0; ; attempt++) {
        t0 = performance.now();
        try {
          r = await post(base, route, body);
          break;
        } catch (err) {
          // wrangler's proxy answers 503 when the runtime restarted under a request (seen on this machine now and then).
          // Every measurement uses a fresh wallet, so running it again from the start is a clean re-measurement.
          if (!/restarted mid-request|fetch failed/i.test(err.message) || attempt >= 2) throw err;
          restarts.push({ run: rep, step: label, error: err.message.split('\n')[0] });
          log(`run ${rep}/${REPEATS} ${label}: ${err.message.split('\n')[0]} -- measuring it again on a fresh wallet`);
        }
      }
      r.request_ms_seen_by_node = clientMs(t0);
      into.push(r);
      log(
        `run ${rep}/${REPEATS} ${pad(label, 34)} ${lpad(int(r.per_second), 8)} /s  (${int(r.n)} in ${int(r.wall_ms)} ms)  ledger ${r.verify.ok ? 'ok' : 'WRONG'}`,
      );
      return r;
    };
    await step('bare insert loop', '/bare', { n: BARE_N }, runs.bare);
    await step(`batched debitMany x${BATCH}`, '/wallet/batched', { n: BATCHED_N, batch: BATCH }, runs.batched);
    await step('single debit, 1 in flight', '/wallet/single', { n: SINGLE_N }, runs.single);
    await step(`single debit, ${INFLIGHT} in flight`, '/wallet/concurrent', { n: CONCURRENT_N, inflight: INFLIGHT }, runs.concurrent);
    if (BATCH_LARGE > 0) await step(`batched debitMany x${BATCH_LARGE}`, '/wallet/batched', { n: BATCHED_N, batch: BATCH_LARGE }, runs.batched_large);
    if (EXPERIMENTS) {
      await step('what-if bare loop + RETURNING seq', '/bare', { n: BARE_N, returning: true }, runs.bare_returning);
      for (const e of EXPERIMENT_SET)
        await step(`what-if ${e.key} x${BATCH}`, '/wallet/batched', { n: BATCHED_N, batch: BATCH, impl: 'experiment', exp: e.exp }, runs.experiments[e.key]);
    }
  }
  // The alarm -> Queue path works here (WALLET_EVENTS is a producer without a consumer).
  log('checking that the alarm publishes every ledger row to WALLET_EVENTS');
  results.publish_check = await post(base, '/wallet/publish-check', { n: 2000 });
  await run.stopWorker();

  // 3. Summaries.
  const summarize = (list) => {
    if (!list.length) return null;
    const rates = list.map((r) => r.per_second);
    return {
      median_per_second: median(rates),
      min_per_second: Math.min(...rates),
      max_per_second: Math.max(...rates),
      per_run: rates,
      all_verified: list.every((r) => r.verify.ok),
    };
  };
  const pooled = (list) => {
    const samples = list.flatMap((r) => r.samples ?? []);
    return samples.length ? { ...latencyStats(samples), histogram_ms: histogram(samples) } : null;
  };
  const summary = {
    single: {
      ...summarize(runs.single),
      latency_ms_pooled: pooled(runs.single),
      latency_p50_per_run: runs.single.map((r) => r.latency_ms.p50),
      latency_p99_per_run: runs.single.map((r) => r.latency_ms.p99),
    },
    concurrent: { ...summarize(runs.concurrent), latency_ms_pooled: pooled(runs.concurrent) },
    batched: { ...summarize(runs.batched), per_call_ms_median: median(runs.batched.map((r) => r.per_call_ms.p50)) },
    batched_large: summarize(runs.batched_large),
    bare: summarize(runs.bare),
    bare_returning: summarize(runs.bare_returning),
    experiments: EXPERIMENTS
      ? Object.fromEntries(EXPERIMENT_SET.map((e) => [e.key, { label: e.label, options: e.exp, ...summarize(runs.experiments[e.key]) }]))
      : null,
  };
  summary.ratio_bare_over_batched = summary.bare.median_per_second / summary.batched.median_per_second;
  summary.ratio_per_run = runs.bare.map((b, k) => b.per_second / runs.batched[k].per_second);
  if (summary.batched_large) summary.ratio_bare_over_batched_large = summary.bare.median_per_second / summary.batched_large.median_per_second;
  for (const key of Object.keys(summary.experiments ?? {}))
    summary.experiments[key].ratio_bare_over = summary.bare.median_per_second / summary.experiments[key].median_per_second;
  if (summary.bare_returning) summary.bare_over_bare_returning = summary.bare.median_per_second / summary.bare_returning.median_per_second;
  // Raw per-debit samples are summarized above; keep the JSON readable.
  for (const r of [...runs.single, ...runs.concurrent]) delete r.samples;
  results.runs = runs;
  results.summary = summary;
  results.runtime_restarts_remeasured = restarts;
  results.total_runtime_ms = Date.now() - started;
  report(results);
}

function report(results) {
  const s = results.summary;
  const rows = [];
  const checks = [];
  const verdict = (pass) => (pass ? 'PASS' : 'FAIL');
  const range = (x) => `${int(x.min_per_second)}..${int(x.max_per_second)}`;
  const ledgerNote = (x) => (x.all_verified ? '' : ' [LEDGER WRONG]');

  // Single RPC per debit.
  const singlePass = s.single.median_per_second >= SINGLE_TARGET && s.single.all_verified;
  checks.push({
    name: `single-RPC debits/s per wallet >= ${SINGLE_TARGET}`,
    value: s.single.median_per_second,
    pass: singlePass,
    ledger_verified: s.single.all_verified,
  });
  rows.push([
    `single-RPC debits/s (1 in flight, n=${SINGLE_N})${ledgerNote(s.single)}`,
    int(s.single.median_per_second),
    range(s.single),
    `>= ${int(SINGLE_TARGET)}/s`,
    verdict(singlePass),
  ]);
  const lat = s.single.latency_ms_pooled;
  const ms = (x) => (x === 0 ? '<1' : fmt(x, 0));
  rows.push([
    '  one debit, p50 (ms, workerd clock, 1 ms steps)',
    ms(lat.p50),
    `runs: ${s.single.latency_p50_per_run.map(ms).join(', ')}`,
    '(measure; no target)',
    '',
  ]);
  rows.push([
    '  one debit, p99 (ms, workerd clock, 1 ms steps)',
    ms(lat.p99),
    `runs: ${s.single.latency_p99_per_run.map(ms).join(', ')}`,
    '(measure; no target)',
    '',
  ]);
  rows.push(['  one debit, mean = wall time / n (ms)', fmt(1000 / s.single.median_per_second, 3), `max ${fmt(lat.max, 0)} ms`, '(measure)', '']);
  rows.push([
    `single-RPC debits/s (${INFLIGHT} in flight, n=${CONCURRENT_N})${ledgerNote(s.concurrent)}`,
    int(s.concurrent.median_per_second),
    range(s.concurrent),
    '(info: object limit)',
    s.concurrent.all_verified ? '' : 'FAIL',
  ]);
  rows.push([
    `  one debit with ${INFLIGHT} in flight, p50 / p99 (ms)`,
    fmt(s.concurrent.latency_ms_pooled.p50, 0),
    `p99 ${fmt(s.concurrent.latency_ms_pooled.p99, 0)}`,
    '(queueing at the object)',
    '',
  ]);
  if (!s.concurrent.all_verified) checks.push({ name: 'concurrent single-RPC ledger verified', value: null, pass: false });

  // Batched.
  const batchedPass = s.batched.median_per_second >= BATCHED_TARGET && s.batched.all_verified;
  checks.push({
    name: `batched debits/s per wallet >= ${BATCHED_TARGET} (debitMany x${BATCH})`,
    value: s.batched.median_per_second,
    pass: batchedPass,
    ledger_verified: s.batched.all_verified,
  });
  rows.push([
    `batched debits/s (debitMany x${BATCH}, n=${BATCHED_N})${ledgerNote(s.batched)}`,
    int(s.batched.median_per_second),
    range(s.batched),
    `>= ${int(BATCHED_TARGET)}/s`,
    verdict(batchedPass),
  ]);
  rows.push([`  one debitMany of ${BATCH}, p50 (ms)`, fmt(s.batched.per_call_ms_median, 0), '', '(measure)', '']);
  if (s.batched_large) {
    rows.push([
      `batched debits/s (debitMany x${BATCH_LARGE}, n=${BATCHED_N})${ledgerNote(s.batched_large)}`,
      int(s.batched_large.median_per_second),
      range(s.batched_large),
      '(info)',
      s.batched_large.all_verified ? '' : 'FAIL',
    ]);
    if (!s.batched_large.all_verified) checks.push({ name: `batched x${BATCH_LARGE} ledger verified`, value: null, pass: false });
  }
  rows.push([
    `bare SQLite inserts/s in a DO (n=${BARE_N}, same run)${ledgerNote(s.bare)}`,
    int(s.bare.median_per_second),
    range(s.bare),
    `(physical limit; ~${int(BARE_REFERENCE)})`,
    s.bare.all_verified ? '' : 'FAIL',
  ]);
  const ratioPass = s.ratio_bare_over_batched <= RATIO_TARGET && s.batched.all_verified && s.bare.all_verified;
  checks.push({ name: `bare inserts/s / batched debits/s <= ${RATIO_TARGET}`, value: s.ratio_bare_over_batched, pass: ratioPass });
  rows.push([
    `ratio bare / batched (x${BATCH})`,
    fmt(s.ratio_bare_over_batched),
    `runs: ${s.ratio_per_run.map((x) => fmt(x, 1)).join(', ')}`,
    `<= ${fmt(RATIO_TARGET, 1)}`,
    verdict(ratioPass),
  ]);

  // Every ledger check, across every part and run (experiments included: they run WalletDO's own audit()).
  const parts = [
    ['single', results.runs.single],
    ['concurrent', results.runs.concurrent],
    ['batched', results.runs.batched],
    ['batched_large', results.runs.batched_large],
    ['bare', results.runs.bare],
    ['what-if bare_returning', results.runs.bare_returning],
    ...Object.entries(results.runs.experiments).map(([k, v]) => [`what-if ${k}`, v]),
  ];
  const verified = parts.flatMap(([name, list]) => list.map((r) => ({ name, ok: r.verify.ok })));
  const allVerified = verified.every((v) => v.ok);
  checks.push({
    name: 'ledger verified after every measurement (audit: balance = sum of transactions, count = sent)',
    value: `${verified.filter((v) => v.ok).length}/${verified.length}`,
    pass: allVerified,
  });
  rows.push([
    'ledger verified after every measurement (audit)',
    `${verified.filter((v) => v.ok).length}/${verified.length}`,
    verified
      .filter((v) => !v.ok)
      .map((v) => v.name)
      .join(', ')
      .slice(0, 21),
    'all',
    verdict(allVerified),
  ]);

  const pc = results.publish_check;
  checks.push({
    name: 'alarm publishes every ledger row to WALLET_EVENTS (sendBatch does not fail)',
    value: `${pc.status.published_seq}/${pc.status.max_seq}`,
    pass: pc.verify.ok,
  });
  rows.push([
    'alarm published every ledger row to WALLET_EVENTS (2,001 rows)',
    `${pc.status.published_seq}/${pc.status.max_seq}`,
    `in ${int(pc.ms_until_published)} ms`,
    'all, outbox empty',
    verdict(pc.verify.ok),
  ]);
  results.checks = checks;

  const out = [];
  out.push('');
  out.push(
    `Wallet benchmark: the real WalletDO (SQLite-backed Durable Object) inside workerd (wrangler ${results.environment.wrangler}, miniflare ${results.environment.miniflare}),`,
  );
  out.push(
    `driven over RPC from a Worker; ${REPEATS} interleaved runs of each part, medians shown; a fresh wallet per run, credited once, unique idempotency keys.`,
  );
  out.push("Times are performance.now() across awaited RPC calls in the Worker (outside the object); workerd's clock moves only on I/O, in 1 ms steps,");
  out.push(
    `so a single debit's p50/p99 are whole milliseconds ("<1" = under one step) and the mean is wall time / n. ${os.cpus().length} CPUs, load average at start ${results.environment.loadavg_at_start.join(' ')}.`,
  );
  out.push('');
  out.push(table(rows));
  if (s.experiments) {
    out.push('');
    out.push(`What-if (bench-only ExperimentWalletDO in bench/wallet.worker.ts, a subclass of WalletDO with the same schema, rules and audit;`);
    out.push(`debitMany x${BATCH}, n=${BATCHED_N}, same runs; NOT the product's code path):`);
    const expRows = Object.entries(s.experiments).map(([, e]) => [
      `${e.label}${e.all_verified ? '' : ' [LEDGER WRONG]'}`,
      int(e.median_per_second),
      `${range(e)}`,
      `ratio ${fmt(e.ratio_bare_over)}`,
      e.all_verified ? '' : 'FAIL',
    ]);
    const shipped = [
      `WalletDO.debitMany (the batched row above; L4-shaped)`,
      int(s.batched.median_per_second),
      range(s.batched),
      `ratio ${fmt(s.ratio_bare_over_batched)}`,
      '',
    ];
    const bareRet = s.bare_returning
      ? [
          [
            `bare insert loop, each INSERT ... RETURNING seq read with .one()${s.bare_returning.all_verified ? '' : ' [WRONG]'}`,
            int(s.bare_returning.median_per_second),
            range(s.bare_returning),
            `bare / this ${fmt(s.bare.median_per_second / s.bare_returning.median_per_second)}`,
            '',
          ],
        ]
      : [];
    out.push(table([shipped, ...expRows, ...bareRet], ['Figure (debits/s, or rows/s for the bare loop)', 'median', 'min..max of runs', 'bare / this', '']));
  }
  out.push('');
  const failed = checks.filter((c) => c.pass === false).length;
  if (results.runtime_restarts_remeasured.length) {
    out.push(
      `Note: the local runtime restarted under ${results.runtime_restarts_remeasured.length} request(s) (${results.runtime_restarts_remeasured.map((x) => `run ${x.run} ${x.step.trim()}`).join('; ')}); each was measured again on a fresh wallet.`,
    );
  }
  if (SMOKE)
    out.push(
      'Smoke run (BENCH_SMOKE=1): small n on a busy machine, so the speed verdicts above are not judged; the ledger and publish checks are, and exit 1 when they fail.',
    );
  out.push(`Summary: ${checks.length - failed} PASS, ${failed} FAIL. Total runtime ${fmt(results.total_runtime_ms / 1000, 1)} s.`);
  fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  const outFile = path.join(ROOT, 'bench', 'results', SMOKE ? 'wallet.smoke.json' : 'wallet.json');
  fs.writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
  out.push(`JSON: ${path.relative(ROOT, outFile)}`);
  console.log(out.join('\n'));
  if (failed > 0 && process.env.BENCH_STRICT === '1') process.exitCode = 1;
  // A wrong ledger is an error whatever the mode: balance must equal the sum of its transactions.
  if (!allVerified || !pc.verify.ok) process.exitCode = 1;
}

try {
  await main();
} catch (err) {
  log(`FAILED: ${err.stack ?? err}`);
  process.exitCode = 1;
} finally {
  await run.finish();
}
