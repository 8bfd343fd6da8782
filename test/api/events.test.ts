import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import worker from '../../workers/dev';
import { describe, expect, it } from 'vitest';
import { republishStaleEvents, REPUBLISH_AFTER_MS } from '../../workers/events/events.outbox';
import type { DomainEvent } from '../../workers/events/events.types';
import { createTenant } from '../factories';
import type { Activity, Contact, Opportunity, Page, Pipeline } from '../api-types';

async function outbox(accountId: string): Promise<DomainEvent[]> {
  const { results } = await env.DB.prepare('SELECT * FROM domain_events WHERE account_id = ? ORDER BY occurred_at, id')
    .bind(accountId)
    .all<Record<string, unknown>>();
  return results.map((r) => ({ ...r, data: JSON.parse(r.data as string) }) as DomainEvent);
}

describe('domain events', () => {
  it('records typed events in the same transaction as the change', async () => {
    const tenant = await createTenant();
    const contact = (await tenant.api<Contact>('POST', '/api/contacts', { first_name: 'Eve', tags: ['VIP'] })).body;
    await tenant.api<Contact>('PATCH', `/api/contacts/${contact.id}`, { company: 'Acme' });
    const pipeline = (await tenant.api<Pipeline>('POST', '/api/pipelines', { name: 'Sales', stages: ['New', 'Won'] })).body;
    const opp = (await tenant.api<Opportunity>('POST', '/api/opportunities', { name: 'Deal', pipeline_id: pipeline.id, contact_id: contact.id })).body;
    await tenant.api<Opportunity>('PATCH', `/api/opportunities/${opp.id}`, { stage_id: pipeline.stages[1].id });

    const events = await outbox(tenant.accountId);
    expect(events.map((e) => e.type)).toEqual(['contact.created', 'contact.tag_added', 'contact.updated', 'opportunity.created', 'opportunity.stage_changed']);
    expect(events[2].data).toMatchObject({ contact_id: contact.id, changed: ['company'] });
    expect(events[4].data).toMatchObject({ from_stage_name: 'New', to_stage_name: 'Won', contact_id: contact.id });
    expect(events.every((e) => e.actor_user_id === tenant.userId)).toBe(true);
  });

  it('writes no event when the change is refused', async () => {
    const tenant = await createTenant();
    await tenant.api<Contact>('POST', '/api/contacts', { first_name: 'A', email: 'a@example.com' });
    await tenant.api<Contact>('POST', '/api/contacts', { first_name: 'B', email: 'a@example.com' });
    expect((await outbox(tenant.accountId)).map((e) => e.type)).toEqual(['contact.created']);
  });

  it('the consumer projects each event into the activity trail exactly once, however often delivered', async () => {
    const tenant = await createTenant();
    const contact = (await tenant.api<Contact>('POST', '/api/contacts', { first_name: 'Eve', tags: ['VIP'] })).body;
    const events = await outbox(tenant.accountId);
    const messages = [...events, ...events].map((body, i) => ({ id: `msg-${i}`, timestamp: new Date(), attempts: 1, body }));
    const batch = createMessageBatch<DomainEvent>('edge-crm-domain-events', messages);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toHaveLength(4);
    expect(result.retryMessages).toEqual([]);

    const activity = await tenant.api<Page<Activity>>('GET', `/api/contacts/${contact.id}/activities`);
    expect(activity.body.data.map((a: { summary: string }) => a.summary).sort()).toEqual(['Contact Eve created', 'Tag "VIP" added']);
  });

  it('the cron sweep republishes events whose publish never happened', async () => {
    const tenant = await createTenant();
    await tenant.api<Contact>('POST', '/api/contacts', { first_name: 'Lost' });
    const [event] = await outbox(tenant.accountId);
    await env.DB.prepare('UPDATE domain_events SET published_at = NULL, occurred_at = ? WHERE id = ?')
      .bind(Date.now() - REPUBLISH_AFTER_MS - 1000, event.id)
      .run();
    expect(await republishStaleEvents(env)).toBeGreaterThanOrEqual(1);
    const row = await env.DB.prepare('SELECT published_at FROM domain_events WHERE id = ?').bind(event.id).first<{ published_at: number | null }>();
    expect(row).toEqual({ published_at: expect.any(Number) });
    expect(await republishStaleEvents(env)).toBe(0);
  });
});
