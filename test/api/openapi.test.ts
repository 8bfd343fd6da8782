import { describe, expect, it } from 'vitest';
import { call, createTenant, present } from '../factories';

/** The parts of the OpenAPI 3.1 document these tests read. */
interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { requestBody?: { required?: boolean } }>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
}

describe('API description', () => {
  it('describes every route with its schemas and serves a docs page', async () => {
    const doc = await call<OpenApiDocument>('GET', '/api/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    const paths = Object.keys(doc.body.paths);
    for (const p of [
      '/api/auth/signup',
      '/api/auth/login',
      '/api/contacts',
      '/api/contacts/{id}',
      '/api/tags',
      '/api/custom-fields',
      '/api/pipelines',
      '/api/opportunities',
      '/api/tasks',
      '/api/users',
      '/api/api-keys',
      '/api/me',
    ]) {
      expect(paths).toContain(p);
    }
    expect(present(doc.body.components.schemas.Contact.properties).email).toBeDefined();
    expect(present(doc.body.paths['/api/contacts'].post.requestBody).required).toBe(true);
    const docs = await call('GET', '/api/docs');
    expect(docs.status).toBe(200);
    expect(String(docs.body)).toContain('/api/openapi.json');
  });

  it('unknown API routes are problem+json 404s (after authentication, so nothing is revealed to strangers)', async () => {
    expect((await call('GET', '/api/nothing-here')).status).toBe(401);
    const tenant = await createTenant();
    const res = await tenant.api('GET', '/api/nothing-here');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });
});
