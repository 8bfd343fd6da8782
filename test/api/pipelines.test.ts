import { describe, expect, it } from 'vitest';
import { createTenant } from '../factories';
import type { Contact, InvalidInput, Note, Opportunity, Page, Pipeline, Task } from '../api-types';

describe('pipelines and opportunities', () => {
  it('creates a pipeline with ordered stages and moves an opportunity between them', async () => {
    const tenant = await createTenant();
    const pipeline = (await tenant.api<Pipeline>('POST', '/api/pipelines', { name: 'Sales', stages: ['New', 'Proposal', 'Won'] })).body;
    expect(pipeline.stages.map((s: { name: string; position: number }) => [s.name, s.position])).toEqual([
      ['New', 0],
      ['Proposal', 1],
      ['Won', 2],
    ]);
    const contact = (await tenant.api<Contact>('POST', '/api/contacts', { first_name: 'Dee', last_name: 'Ray' })).body;

    const created = await tenant.api<Opportunity>('POST', '/api/opportunities', {
      name: 'Website rebuild',
      pipeline_id: pipeline.id,
      contact_id: contact.id,
      value: '4500.5',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ stage_id: pipeline.stages[0].id, value: '4500.5000', status: 'open', contact: { id: contact.id, name: 'Dee Ray' } });

    const moved = await tenant.api<Opportunity>('PATCH', `/api/opportunities/${created.body.id}`, { stage_id: pipeline.stages[1].id });
    expect(moved.body.stage_id).toBe(pipeline.stages[1].id);
    const won = await tenant.api<Opportunity>('PATCH', `/api/opportunities/${created.body.id}`, { status: 'won' });
    expect(won.body.status).toBe('won');
    expect(won.body.closed_at).not.toBeNull();

    const inStage = await tenant.api<Page<Opportunity>>('GET', `/api/opportunities?pipeline_id=${pipeline.id}&stage_id=${pipeline.stages[1].id}`);
    expect(inStage.body.data.map((o: { name: string }) => o.name)).toEqual(['Website rebuild']);
  });

  it('keeps money exact: values are integer micros shown as decimal strings', async () => {
    const tenant = await createTenant();
    const pipeline = (await tenant.api<Pipeline>('POST', '/api/pipelines', { name: 'P', stages: ['A'] })).body;
    const values = ['0.1', '0.2', '1234567.891234', '19.99'];
    for (const value of values) await tenant.api<Opportunity>('POST', '/api/opportunities', { name: value, pipeline_id: pipeline.id, value });
    const list = (await tenant.api<Page<Opportunity>>('GET', `/api/opportunities?pipeline_id=${pipeline.id}`)).body.data;
    expect(list.map((o: { value: string }) => o.value).sort()).toEqual(['0.1000', '0.2000', '1234567.891234', '19.9900'].sort());
    expect((await tenant.api<Opportunity>('POST', '/api/opportunities', { name: 'x', pipeline_id: pipeline.id, value: '1.1234567' })).status).toBe(422);
    expect((await tenant.api<Opportunity>('POST', '/api/opportunities', { name: 'x', pipeline_id: pipeline.id, value: 12.5 })).status).toBe(422);
  });

  it('refuses a stage of another pipeline and an unknown contact', async () => {
    const tenant = await createTenant();
    const a = (await tenant.api<Pipeline>('POST', '/api/pipelines', { name: 'A', stages: ['A1'] })).body;
    const b = (await tenant.api<Pipeline>('POST', '/api/pipelines', { name: 'B', stages: ['B1'] })).body;
    const opp = (await tenant.api<Opportunity>('POST', '/api/opportunities', { name: 'o', pipeline_id: a.id })).body;
    const wrongStage = await tenant.api<InvalidInput>('PATCH', `/api/opportunities/${opp.id}`, { stage_id: b.stages[0].id });
    expect(wrongStage.status).toBe(422);
    expect(wrongStage.body.errors[0].field).toBe('stage_id');
    const noContact = await tenant.api<InvalidInput>('POST', '/api/opportunities', { name: 'o', pipeline_id: a.id, contact_id: 'ctc_missing' });
    expect(noContact.status).toBe(422);
    expect(noContact.body.errors[0].field).toBe('contact_id');
  });

  it('renames, reorders, adds and removes stages, but never removes a stage holding deals', async () => {
    const tenant = await createTenant();
    const p = (await tenant.api<Pipeline>('POST', '/api/pipelines', { name: 'P', stages: ['One', 'Two', 'Three'] })).body;
    const [one, two, three] = p.stages;
    await tenant.api<Opportunity>('POST', '/api/opportunities', { name: 'held', pipeline_id: p.id, stage_id: two.id });
    const refused = await tenant.api<Pipeline>('PATCH', `/api/pipelines/${p.id}`, {
      stages: [
        { id: one.id, name: 'One' },
        { id: three.id, name: 'Three' },
      ],
    });
    expect(refused.status).toBe(409);
    expect((await tenant.api<Pipeline>('GET', `/api/pipelines/${p.id}`)).body.stages).toHaveLength(3);

    const updated = await tenant.api<Pipeline>('PATCH', `/api/pipelines/${p.id}`, {
      name: 'Renamed',
      stages: [{ id: two.id, name: 'Second' }, { id: one.id, name: 'First' }, { name: 'Fourth' }],
    });
    expect(updated.status).toBe(200);
    expect(updated.body.name).toBe('Renamed');
    expect(updated.body.stages.map((s: { name: string }) => s.name)).toEqual(['Second', 'First', 'Fourth']);
    expect((await tenant.api('DELETE', `/api/pipelines/${p.id}`)).status).toBe(409);
  });
});

describe('notes and tasks', () => {
  it('adds notes and tasks to a contact and completes a task', async () => {
    const tenant = await createTenant();
    const contact = (await tenant.api<Contact>('POST', '/api/contacts', { first_name: 'Nia' })).body;
    const note = await tenant.api<Note>('POST', `/api/contacts/${contact.id}/notes`, { body: 'Called, wants a quote' });
    expect(note.status).toBe(201);
    expect(note.body.author_user_id).toBe(tenant.userId);
    expect((await tenant.api<Note>('PATCH', `/api/notes/${note.body.id}`, { body: 'Called twice' })).body.body).toBe('Called twice');
    expect((await tenant.api<Note>('POST', `/api/contacts/${contact.id}/notes`, { body: '   ' })).status).toBe(422);

    const task = await tenant.api<Task>('POST', '/api/tasks', {
      title: 'Send quote',
      contact_id: contact.id,
      due_at: '2026-12-01T09:00:00Z',
      assignee_user_id: tenant.userId,
    });
    expect(task.status).toBe(201);
    expect(task.body).toMatchObject({ due_at: '2026-12-01T09:00:00.000Z', completed: false });
    const done = await tenant.api<Task>('PATCH', `/api/tasks/${task.body.id}`, { completed: true });
    expect(done.body.completed).toBe(true);
    expect((await tenant.api<Page<Task>>('GET', `/api/tasks?contact_id=${contact.id}&completed=false`)).body.data).toEqual([]);
    expect((await tenant.api<Page<Task>>('GET', `/api/tasks?contact_id=${contact.id}&completed=true`)).body.data).toHaveLength(1);
    expect((await tenant.api<Task>('POST', '/api/tasks', { title: 'x', due_at: 'tomorrow' })).status).toBe(422);
    expect((await tenant.api<Task>('POST', '/api/tasks', { title: 'x', assignee_user_id: 'usr_nobody' })).status).toBe(422);
    expect((await tenant.api<Page<Note>>('GET', `/api/contacts/${contact.id}/notes`)).body.data.map((n: { body: string }) => n.body)).toEqual(['Called twice']);
  });
});
