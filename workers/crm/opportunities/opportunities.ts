import { z } from '@hono/zod-openapi';
import { idRef } from '../../platform/router';
import { text } from '../../platform/text';
import type { ServiceDeps } from '../../platform/deps';
import { AppError } from '../../platform/errors';
import { createId } from '../../platform/ids';
import { formatUsd, parseUsd } from '../../platform/money';
import { queryFirst, statement, toIso, type SqlValue } from '../../platform/db';
import { decodeCursor, toPage } from '../../platform/pagination';
import { commitWithEvents, newEvent } from '../../events/events.outbox';
import type { DomainEvent } from '../../events/events.types';
import { assertMember } from '../../tenancy/team.service';
import { displayName, getContactOrThrow } from '../contacts/contacts.service';
import { getPipelineOrThrow, getStageOrThrow } from '../pipelines/pipelines';

const STATUSES = ['open', 'won', 'lost', 'abandoned'] as const;
const moneySchema = z
  .string()
  .regex(/^\d{1,12}(\.\d{1,6})?$/, 'Use a decimal amount in USD, e.g. "1250.00".')
  .openapi({ example: '1250.00' });

export const createOpportunityBodySchema = z
  .object({
    name: text().min(1).max(200),
    pipeline_id: idRef(),
    stage_id: idRef().optional().openapi({ description: 'Defaults to the first stage' }),
    contact_id: idRef().nullable().optional(),
    value: moneySchema.optional(),
    status: z.enum(STATUSES).optional(),
    assignee_user_id: idRef().nullable().optional(),
  })
  .strict()
  .openapi('CreateOpportunityBody');

export const updateOpportunityBodySchema = z
  .object({
    name: text().min(1).max(200).optional(),
    stage_id: idRef().optional().openapi({ description: 'Move to another stage of the same pipeline' }),
    contact_id: idRef().nullable().optional(),
    value: moneySchema.optional(),
    status: z.enum(STATUSES).optional(),
    assignee_user_id: idRef().nullable().optional(),
  })
  .strict()
  .openapi('UpdateOpportunityBody');

export const listOpportunitiesQuerySchema = z.object({
  pipeline_id: z.string().max(64).optional(),
  stage_id: z.string().max(64).optional(),
  contact_id: z.string().max(64).optional(),
  status: z.enum(STATUSES).optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const OpportunitySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    pipeline_id: z.string(),
    stage_id: z.string(),
    contact_id: z.string().nullable(),
    contact: z.object({ id: z.string(), name: z.string() }).nullable(),
    value: z.string().openapi({ description: 'Decimal USD', example: '1250.0000' }),
    status: z.enum(STATUSES),
    assignee_user_id: z.string().nullable(),
    closed_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Opportunity');

interface OpportunityRow {
  id: string;
  account_id: string;
  pipeline_id: string;
  stage_id: string;
  contact_id: string | null;
  name: string;
  value_micros: number;
  status: (typeof STATUSES)[number];
  assignee_user_id: string | null;
  closed_at: number | null;
  created_at: number;
  updated_at: number;
  contact_first_name?: string | null;
  contact_last_name?: string | null;
  contact_email?: string | null;
  contact_phone?: string | null;
}

function serialize(row: OpportunityRow) {
  const contact = row.contact_id
    ? {
        id: row.contact_id,
        name: displayName({
          first_name: row.contact_first_name ?? null,
          last_name: row.contact_last_name ?? null,
          email: row.contact_email ?? null,
          phone: row.contact_phone ?? null,
        }),
      }
    : null;
  return {
    id: row.id,
    name: row.name,
    pipeline_id: row.pipeline_id,
    stage_id: row.stage_id,
    contact_id: row.contact_id,
    contact,
    value: formatUsd(row.value_micros),
    status: row.status,
    assignee_user_id: row.assignee_user_id,
    closed_at: toIso(row.closed_at),
    created_at: toIso(row.created_at) as string,
    updated_at: toIso(row.updated_at) as string,
  };
}

const SELECT = `SELECT o.*, c.first_name AS contact_first_name, c.last_name AS contact_last_name, c.email AS contact_email, c.phone AS contact_phone
  FROM opportunities o LEFT JOIN contacts c ON c.id = o.contact_id`;

export async function getOpportunityOrThrow(deps: ServiceDeps, id: string): Promise<OpportunityRow> {
  const row = await queryFirst<OpportunityRow>(deps.db, `${SELECT} WHERE o.id = ? AND o.account_id = ?`, id, deps.auth.accountId);
  if (!row) throw new AppError('not_found', `Opportunity ${id} was not found.`);
  return row;
}

export async function getOpportunityView(deps: ServiceDeps, id: string) {
  return serialize(await getOpportunityOrThrow(deps, id));
}

export async function listOpportunities(deps: ServiceDeps, query: z.infer<typeof listOpportunitiesQuerySchema>) {
  const cursor = query.cursor ? decodeCursor(query.cursor) : null;
  const where = ['o.account_id = ?'];
  const binds: SqlValue[] = [deps.auth.accountId];
  for (const key of ['pipeline_id', 'stage_id', 'contact_id', 'status'] as const) {
    if (query[key]) {
      where.push(`o.${key} = ?`);
      binds.push(query[key] as string);
    }
  }
  if (cursor) {
    where.push('(o.created_at, o.id) < (?, ?)');
    binds.push(cursor.v, cursor.id);
  }
  const { results } = await deps.db
    .prepare(`${SELECT} WHERE ${where.join(' AND ')} ORDER BY o.created_at DESC, o.id DESC LIMIT ?`)
    .bind(...binds, query.limit + 1)
    .all<OpportunityRow>();
  return toPage(results, query.limit, (r) => ({ v: r.created_at, id: r.id }), serialize);
}

async function assertContact(deps: ServiceDeps, contactId: string | null | undefined): Promise<void> {
  if (!contactId) return;
  try {
    await getContactOrThrow(deps, contactId);
  } catch {
    throw new AppError('validation_failed', 'The contact does not exist in this account.', { errors: [{ field: 'contact_id', message: 'Unknown contact.' }] });
  }
}

const isClosed = (status: string) => status !== 'open';

export async function createOpportunity(deps: ServiceDeps, input: z.infer<typeof createOpportunityBodySchema>) {
  const pipeline = await getPipelineOrThrow(deps, input.pipeline_id).catch(() => {
    throw new AppError('validation_failed', 'The pipeline does not exist in this account.', {
      errors: [{ field: 'pipeline_id', message: 'Unknown pipeline.' }],
    });
  });
  const stage = input.stage_id ? pipeline.stages.find((s) => s.id === input.stage_id) : pipeline.stages[0];
  if (!stage)
    throw new AppError('validation_failed', 'The stage is not part of that pipeline.', {
      errors: [{ field: 'stage_id', message: 'Not a stage of this pipeline.' }],
    });
  await assertContact(deps, input.contact_id);
  await assertMember(deps, input.assignee_user_id, 'assignee_user_id');
  const now = Date.now();
  const status = input.status ?? 'open';
  const id = createId('opportunity');
  const event = newEvent(deps.auth, 'opportunity.created', id, {
    opportunity_id: id,
    contact_id: input.contact_id ?? null,
    name: input.name,
    stage_id: stage.id,
    stage_name: stage.name,
  });
  await commitWithEvents(
    deps,
    [
      statement(
        deps.db,
        `INSERT INTO opportunities (id, account_id, pipeline_id, stage_id, contact_id, name, value_micros, status, assignee_user_id, closed_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        id,
        deps.auth.accountId,
        pipeline.id,
        stage.id,
        input.contact_id ?? null,
        input.name,
        input.value ? parseUsd(input.value, 'value') : 0,
        status,
        input.assignee_user_id ?? null,
        isClosed(status) ? now : null,
        now,
        now,
      ),
    ],
    [event],
  );
  return getOpportunityView(deps, id);
}

/** Updates an opportunity; moving stages and changing status emit events workflows can react to. */
export async function updateOpportunity(deps: ServiceDeps, id: string, input: z.infer<typeof updateOpportunityBodySchema>) {
  const row = await getOpportunityOrThrow(deps, id);
  const events: DomainEvent[] = [];
  let stageId = row.stage_id;
  if (input.stage_id && input.stage_id !== row.stage_id) {
    const [from, to] = await Promise.all([getStageOrThrow(deps, row.stage_id), getStageOrThrow(deps, input.stage_id)]);
    if (to.pipeline_id !== row.pipeline_id) {
      throw new AppError('validation_failed', 'The stage belongs to another pipeline.', {
        errors: [{ field: 'stage_id', message: "Not a stage of this opportunity's pipeline." }],
      });
    }
    stageId = to.id;
    events.push(
      newEvent(deps.auth, 'opportunity.stage_changed', id, {
        opportunity_id: id,
        contact_id: row.contact_id,
        name: input.name ?? row.name,
        from_stage_id: from.id,
        from_stage_name: from.name,
        to_stage_id: to.id,
        to_stage_name: to.name,
      }),
    );
  }
  if (input.contact_id !== undefined) await assertContact(deps, input.contact_id);
  if (input.assignee_user_id !== undefined) await assertMember(deps, input.assignee_user_id, 'assignee_user_id');
  const now = Date.now();
  const status = input.status ?? row.status;
  if (status !== row.status) {
    events.push(
      newEvent(deps.auth, 'opportunity.status_changed', id, {
        opportunity_id: id,
        contact_id: row.contact_id,
        name: input.name ?? row.name,
        from: row.status,
        to: status,
      }),
    );
  }
  const closedAt = !isClosed(status) ? null : isClosed(row.status) ? row.closed_at : now;
  await commitWithEvents(
    deps,
    [
      statement(
        deps.db,
        `UPDATE opportunities SET name = ?, stage_id = ?, contact_id = ?, value_micros = ?, status = ?, assignee_user_id = ?, closed_at = ?, updated_at = ?
          WHERE id = ? AND account_id = ?`,
        input.name ?? row.name,
        stageId,
        input.contact_id !== undefined ? input.contact_id : row.contact_id,
        input.value !== undefined ? parseUsd(input.value, 'value') : row.value_micros,
        status,
        input.assignee_user_id !== undefined ? input.assignee_user_id : row.assignee_user_id,
        closedAt,
        now,
        id,
        deps.auth.accountId,
      ),
    ],
    events,
  );
  return getOpportunityView(deps, id);
}

export async function deleteOpportunity(deps: ServiceDeps, id: string): Promise<void> {
  await getOpportunityOrThrow(deps, id);
  await deps.db.prepare('DELETE FROM opportunities WHERE id = ? AND account_id = ?').bind(id, deps.auth.accountId).run();
}
