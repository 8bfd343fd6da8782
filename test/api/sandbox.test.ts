import OpenAI from 'openai';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { providerEndpoint } from '../../workers/platform/providers';
import { ensureWallet } from '../../workers/wallet/wallet.service';
import { parseUsd } from '../../workers/platform/money';
import { call, createTenant, present } from '../factories';
import type { ChatCompletion } from 'openai/resources/chat/completions';
import type { AiSummary, Contact, Note, Page, Problem, WalletTransaction } from '../api-types';

describe('sandbox providers', () => {
  it('the real OpenAI SDK talks to the local emulator and gets a deterministic answer', async () => {
    const endpoint = providerEndpoint(env, 'openai');
    expect(endpoint.mode).toBe('sandbox');
    const client = new OpenAI({ apiKey: endpoint.apiKey, baseURL: endpoint.baseUrl, fetch: endpoint.fetch, maxRetries: 0 });
    const ask = () => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Name: Ada\nCompany: Lovelace Ltd' }] });
    const [first, second] = [await ask(), await ask()];
    expect(first.choices[0].message.content).toBe('Summary (sandbox model): name Ada; company Lovelace Ltd.');
    expect(second.choices[0].message.content).toBe(first.choices[0].message.content);
    expect(first.usage?.total_tokens).toBeGreaterThan(0);
  });

  it("the emulator answers errors in OpenAI's envelope, which the SDK raises as typed errors", async () => {
    const endpoint = providerEndpoint(env, 'openai');
    const client = new OpenAI({ apiKey: endpoint.apiKey, baseURL: endpoint.baseUrl, fetch: endpoint.fetch, maxRetries: 0 });
    await expect(client.chat.completions.create({ model: 'gpt-9', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({
      status: 404,
      code: 'model_not_found',
    });
  });

  it('is reachable over HTTP under /sandbox/openai for outside tools', async () => {
    const res = await call<ChatCompletion>('POST', '/sandbox/openai/v1/chat/completions', {
      headers: { authorization: 'Bearer sk-anything' },
      body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Plan: Pro' }] },
    });
    expect(res.status).toBe(200);
    expect(res.body.choices[0].message.content).toBe('Summary (sandbox model): plan Pro.');
    expect((await call('POST', '/sandbox/openai/v1/chat/completions', { body: { model: 'gpt-4o-mini', messages: [] } })).status).toBe(401);
  });

  it('live mode without a key is a clear configuration error, not a call to the internet', () => {
    expect(() => providerEndpoint({ ...env, PROVIDER_MODE: 'live', OPENAI_API_KEY: '' }, 'openai')).toThrow(/not configured/);
  });

  it("a contact's AI summary comes from the model, built from the contact's own data, and its tokens are billed", async () => {
    const tenant = await createTenant();
    const contact = (
      await tenant.api<Contact>('POST', '/api/contacts', { first_name: 'Ada', last_name: 'Byron', company: 'Analytical Engines', tags: ['VIP'] })
    ).body;
    await tenant.api<Note>('POST', `/api/contacts/${contact.id}/notes`, { body: 'Wants a demo next week' });

    const refused = await tenant.api<Problem>('POST', `/api/contacts/${contact.id}/ai-summary`);
    expect(refused.status).toBe(409);
    expect(refused.body.type).toMatch(/insufficient-funds/);

    const { stub } = await ensureWallet(env, tenant.accountId);
    await stub.credit({ idempotencyKey: 'ai-credit', amountMicros: 1_000_000, reason: 'adjustment', source: 'test' });
    const res = await tenant.api<AiSummary>('POST', `/api/contacts/${contact.id}/ai-summary`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ provider: 'openai', mode: 'sandbox', model: 'gpt-4o-mini' });
    expect(res.body.summary).toBe('Summary (sandbox model): name Ada Byron; company Analytical Engines; tags VIP; latest note Wants a demo next week.');

    const [charge] = (await tenant.api<Page<WalletTransaction>>('GET', '/api/wallet/transactions')).body.data;
    expect(charge).toMatchObject({ type: 'debit', resource_type: 'ai_tokens' });
    expect(charge.resource_id).toMatch(/^chatcmpl-/);
    // $0.006 per 1K tokens: a few hundred micro-dollars for a short brief.
    expect(charge.quantity).toBeGreaterThan(20);
    expect(parseUsd(charge.amount)).toBe(-Math.round((present(charge.quantity) * 6_000) / 1_000));
  });
});
