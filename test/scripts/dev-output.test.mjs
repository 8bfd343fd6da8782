// What `npm run dev` prints of wrangler's output, and how it reads its options.
// Run: node --test test/scripts/
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseDevArgs } from '../../scripts/dev-options.mjs';
import { createOutputFilter } from '../../scripts/dev-output.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

function shown(text) {
  const lines = [];
  const filter = createOutputFilter((t) => lines.push(t.replace(/\n$/, '')));
  // Split across chunk boundaries, the way a pipe delivers it.
  for (let i = 0; i < text.length; i += 97) filter.push(text.slice(i, i + 97));
  filter.flush();
  return lines;
}

describe('npm run dev output', () => {
  it("a start shows none of wrangler's boilerplate, the Request.cf stack trace or the cron warning, and each request once", () => {
    const start = readFileSync(path.join(here, 'fixtures', 'wrangler-dev-start.txt'), 'utf8');
    assert.deepEqual(shown(start), ['GET /api/health 200 (1 ms) req_01M99CAT6F4Q6MYSCEW7C23DZ4', 'GET /contacts 200']);
  });

  it("drops the local server's own health probes, not anyone else's", () => {
    const line = (id) => `{"level":"info","message":"request","request_id":"${id}","method":"GET","path":"/api/health","status":200,"duration_ms":0}\n`;
    assert.deepEqual(shown(line('local-server-health-probe') + line('req_1')), ['GET /api/health 200 (0 ms) req_1']);
  });

  it('keeps what needs attention: errors, warnings, unknown lines, queue batches with failures', () => {
    const text = [
      '{"level":"error","message":"unhandled error","request_id":"req_2","path":"/api/x","error":"TypeError: boom"}',
      '{"level":"warn","message":"stripe webhook delivery failed","status":500}',
      '✘ [ERROR] Build failed with 1 error:',
      '[wrangler:info] QUEUE edge-crm-domain-events 3/5 (9ms)',
    ].join('\n');
    assert.deepEqual(shown(text), [
      'ERROR unhandled error req_2  path=/api/x error=TypeError: boom',
      'WARN stripe webhook delivery failed  status=500',
      '✘ [ERROR] Build failed with 1 error:',
      'queue edge-crm-domain-events: 3 of 5 messages handled, the rest will be retried',
    ]);
  });
});

describe('npm run dev options', () => {
  it('takes --port in each spelling, over PORT', () => {
    assert.equal(parseDevArgs(['--port', '8790'], {}).port, 8790);
    assert.equal(parseDevArgs(['--port=8791'], {}).port, 8791);
    assert.equal(parseDevArgs(['-p', '8792'], { PORT: '9000' }).port, 8792);
    assert.equal(parseDevArgs([], { PORT: '9000' }).port, 9000);
    assert.equal(parseDevArgs([], {}).port, 8787);
  });

  it('reads --persist-to and --no-seed', () => {
    assert.deepEqual(parseDevArgs(['--persist-to', '/tmp/x', '--no-seed'], {}), { port: 8787, persistDir: '/tmp/x', seed: false, help: false });
  });

  it('refuses what it does not understand, saying so', () => {
    assert.throws(() => parseDevArgs(['--port', 'abc'], {}), /--port must be a port number/);
    assert.throws(() => parseDevArgs(['--port'], {}), /--port needs a value/);
    assert.throws(() => parseDevArgs([], { PORT: '70000' }), /PORT must be a port number/);
    assert.throws(() => parseDevArgs(['--prot', '1'], {}), /Unknown option "--prot"/);
  });
});
