/**
 * What both benchmark parts (bench/run.mjs, bench/wallet.mjs) need to run a
 * worker under wrangler and leave nothing behind: a free port, a temp dir
 * removed at the end or on Ctrl-C, the worker stopped, a check that no
 * workerd is left, and the numbers helpers their reports share.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export function freePort() {
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

/** Descendant processes of this node process (to prove nothing is left running). */
export function descendants() {
  let out;
  try {
    out = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' });
  } catch {
    return [];
  }
  const rows = out
    .trim()
    .split('\n')
    .map((l) => {
      const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l);
      return m ? { pid: Number(m[1]), ppid: Number(m[2]), args: m[3] } : null;
    })
    .filter(Boolean);
  const mine = new Set([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const r of rows)
      if (mine.has(r.ppid) && !mine.has(r.pid)) {
        mine.add(r.pid);
        grew = true;
      }
  }
  return rows.filter((r) => r.pid !== process.pid && mine.has(r.pid) && !/^ps /.test(r.args));
}

/**
 * One benchmark run's resources: `tmpRoot`, the worker once started
 * (`run.worker = await unstable_startWorker(...)`), `stopWorker()` and
 * `cleanupTmp()`. SIGINT/SIGTERM stop the worker and remove the temp dir.
 *
 * @example const run = startRun({ tmpPrefix: 'crm-bench-', log });
 */
export function startRun({ tmpPrefix, log }) {
  const run = {
    tmpRoot: fs.mkdtempSync(path.join(os.tmpdir(), tmpPrefix)),
    worker: null,
    async stopWorker() {
      if (!run.worker) return;
      const w = run.worker;
      run.worker = null;
      try {
        await w.dispose();
      } catch (err) {
        log(`worker.dispose() failed: ${err.message}`);
      }
    },
    cleanupTmp() {
      try {
        fs.rmSync(run.tmpRoot, { recursive: true, force: true });
      } catch {
        // best effort
      }
    },
    /** Stops the worker, removes the temp dir, stops leftover children and says whether any workerd is left. */
    async finish() {
      await run.stopWorker();
      run.cleanupTmp();
      // wrangler leaves its esbuild service child running until node exits; stop whatever we started.
      const left = descendants();
      for (const p of left) {
        try {
          process.kill(p.pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
      await new Promise((r) => setTimeout(r, 500));
      const workerd = descendants().filter((p) => /workerd/.test(p.args));
      if (workerd.length) log(`WARNING: workerd still running: ${workerd.map((p) => p.pid).join(', ')}`);
      else
        log(
          `cleanup: worker disposed, temp dir removed, ${left.length ? `${left.length} leftover child process(es) stopped (${left.map((p) => path.basename(p.args.split(' ')[0])).join(', ')}), ` : ''}no workerd left`,
        );
    },
  };
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, async () => {
      log(`${sig}: stopping the worker`);
      await run.stopWorker();
      run.cleanupTmp();
      process.exit(130);
    });
  }
  return run;
}

export function readVersion(root, pkg) {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const fmt = (x, d = 2) => (x === null || x === undefined || Number.isNaN(x) ? 'n/a' : Number(x).toFixed(d));
export const pad = (s, n) => String(s).padEnd(n);
export const lpad = (s, n) => String(s).padStart(n);
