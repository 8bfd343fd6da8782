// The deployed Worker carries no sandbox: product code never imports an
// emulator module, the bundle `wrangler deploy` would upload has none in it,
// and wrangler.toml (production) differs from wrangler.dev.toml only by the
// sandbox. Run: node --test test/scripts/
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { unstable_readConfig } from 'wrangler';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SANDBOX_DIR = path.join(ROOT, 'workers', 'sandbox');
/** The only modules allowed to import the sandbox: the sandbox itself and the dev entry that installs it. */
const DEV_ENTRY = path.join(ROOT, 'workers', 'dev.ts');
const EMULATOR_CLASSES = ['StripeEmulator', 'CloudflareEmulator', 'SandboxDns', 'ResendEmulator'];

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Every module specifier a file imports or re-exports, static or dynamic. */
function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const specifiers = [];
  for (const m of text.matchAll(/(?:^|[\s;}])(?:import|export)\s[^'"`]*?from\s*['"]([^'"]+)['"]/g)) specifiers.push(m[1]);
  for (const m of text.matchAll(/(?:^|[\s;])import\s*['"]([^'"]+)['"]/g)) specifiers.push(m[1]);
  for (const m of text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) specifiers.push(m[1]);
  return specifiers;
}

const insideSandbox = (file) => file === SANDBOX_DIR || file.startsWith(`${SANDBOX_DIR}${path.sep}`);

describe('the deployed Worker and the sandbox', () => {
  it('product code never imports a sandbox module (only workers/sandbox/ and the dev entry may)', () => {
    const product = [...sourceFiles(path.join(ROOT, 'workers')), ...sourceFiles(path.join(ROOT, 'durable-objects'))].filter(
      (f) => !insideSandbox(f) && f !== DEV_ENTRY,
    );
    assert.ok(product.length > 50, `expected the product's modules, found ${product.length}`);
    const offending = product.flatMap((file) =>
      importsOf(file)
        .filter((spec) => spec.startsWith('.') && insideSandbox(path.resolve(path.dirname(file), spec)))
        .map((spec) => `${path.relative(ROOT, file)} imports ${spec}`),
    );
    assert.deepEqual(offending, [], 'product code must reach the sandbox through workers/platform/providers.ts, installed by workers/dev.ts');
  });

  it('the bundle wrangler deploys has no emulator in it', () => {
    assert.ok(existsSync(path.join(ROOT, 'web', 'dist')), 'web/dist is missing: run `npm run build:web` first (npm test does)');
    const outdir = mkdtempSync(path.join(os.tmpdir(), 'crm-deploy-'));
    try {
      const run = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/wrangler/bin/wrangler.js'), 'deploy', '--dry-run', '--outdir', outdir], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
      });
      assert.equal(run.status, 0, `wrangler deploy --dry-run failed:\n${run.stdout}\n${run.stderr}`);
      const bundle = readFileSync(path.join(outdir, 'index.js'), 'utf8');
      const sources = JSON.parse(readFileSync(path.join(outdir, 'index.js.map'), 'utf8')).sources;
      assert.deepEqual(
        sources.filter((s) => s.includes('workers/sandbox/')),
        [],
        'modules of workers/sandbox in the deployed bundle',
      );
      for (const name of [...EMULATOR_CLASSES, 'whsec_sandbox', 'sandboxRoutes']) assert.ok(!bundle.includes(name), `${name} is in the deployed bundle`);
      assert.ok(
        sources.some((s) => s.includes('workers/app.ts')),
        'the bundle should hold the product',
      );
      for (const name of EMULATOR_CLASSES) assert.ok(!run.stdout.includes(name), `the deployment binds ${name}`);
      assert.ok(!run.stdout.includes('SANDBOX_WEBHOOKS'), 'the deployment binds the sandbox webhook queue');
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('wrangler.toml is live with no emulators; wrangler.dev.toml is the same plus the sandbox', () => {
    const prod = unstable_readConfig({ config: path.join(ROOT, 'wrangler.toml') });
    const dev = unstable_readConfig({ config: path.join(ROOT, 'wrangler.dev.toml') });
    assert.equal(prod.vars.PROVIDER_MODE, 'live');
    assert.equal(dev.vars.PROVIDER_MODE, 'sandbox');
    assert.equal(path.relative(ROOT, prod.main), path.join('workers', 'index.ts'));
    assert.equal(path.relative(ROOT, dev.main), path.join('workers', 'dev.ts'));
    assert.deepEqual(
      prod.durable_objects.bindings.map((b) => b.class_name),
      ['WalletDO'],
    );
    assert.ok(!prod.queues.producers.some((q) => q.binding === 'SANDBOX_WEBHOOKS'));
    // A deployment deletes the emulator classes (and their data) that earlier deploys created.
    assert.deepEqual(prod.migrations.at(-1).deleted_classes, EMULATOR_CLASSES);
    assert.deepEqual(dev.migrations, prod.migrations.slice(0, -1), 'dev keeps the migrations that created the emulators, so local state still opens');

    const sandboxOnly = (b) => EMULATOR_CLASSES.includes(b.class_name) || b.binding === 'SANDBOX_WEBHOOKS' || b.queue === 'edge-crm-sandbox-webhooks';
    for (const key of ['compatibility_date', 'compatibility_flags', 'name', 'assets', 'd1_databases', 'r2_buckets', 'triggers']) {
      assert.deepEqual(dev[key], prod[key], `${key} differs between wrangler.toml and wrangler.dev.toml`);
    }
    assert.deepEqual(
      dev.durable_objects.bindings.filter((b) => !sandboxOnly(b)),
      prod.durable_objects.bindings,
    );
    assert.deepEqual(
      dev.queues.producers.filter((b) => !sandboxOnly(b)),
      prod.queues.producers,
    );
    assert.deepEqual(
      dev.queues.consumers.filter((b) => !sandboxOnly(b)),
      prod.queues.consumers,
    );
    // Vars: the same names; only the mode, the hosts and the app's address differ.
    assert.deepEqual(Object.keys(dev.vars).sort(), Object.keys(prod.vars).sort());
    for (const [name, value] of Object.entries(prod.vars))
      if (!['PROVIDER_MODE', 'PLATFORM_HOSTS', 'APP_URL'].includes(name)) assert.equal(dev.vars[name], value, `var ${name}`);
  });
});
