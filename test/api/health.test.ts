import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';

describe('platform', () => {
  it('answers health on a platform host', async () => {
    const res = await exports.default.fetch('http://localhost/api/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
  });
});
