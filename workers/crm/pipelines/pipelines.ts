import { z } from '@hono/zod-openapi';
import { idRef } from '../../platform/router';
import { text } from '../../platform/text';
import type { ServiceDeps } from '../../platform/deps';
import { AppError } from '../../platform/errors';
import { createId } from '../../platform/ids';
import { queryAll, queryFirst, statement, toIso, transaction } from '../../platform/db';

const stageName = text().min(1, 'Stage names cannot be empty.').max(80);

export const createPipelineBodySchema = z
  .object({ name: text().min(1).max(120), stages: z.array(stageName).min(1, 'A pipeline needs at least one stage.').max(30) })
  .strict()
  .openapi('CreatePipelineBody');

export const updatePipelineBodySchema = z
  .object({
    name: text().min(1).max(120).optional(),
    stages: z
      .array(z.object({ id: idRef().optional(), name: stageName }).strict())
      .min(1, 'A pipeline needs at least one stage.')
      .max(30)
      .optional()
      .openapi({
        description:
          'The full ordered stage list: existing stages by id (renamed or moved), new ones without id. Stages left out are removed if they hold no opportunities.',
      }),
  })
  .strict()
  .openapi('UpdatePipelineBody');

export const StageSchema = z.object({ id: z.string(), name: z.string(), position: z.number().int() }).openapi('Stage');
export const PipelineSchema = z.object({ id: z.string(), name: z.string(), stages: z.array(StageSchema), created_at: z.string() }).openapi('Pipeline');

interface PipelineRow {
  id: string;
  name: string;
  created_at: number;
}

export interface StageRow {
  id: string;
  pipeline_id: string;
  name: string;
  position: number;
}

function serialize(pipeline: PipelineRow, stages: StageRow[]) {
  return {
    id: pipeline.id,
    name: pipeline.name,
    stages: stages.filter((s) => s.pipeline_id === pipeline.id).map((s) => ({ id: s.id, name: s.name, position: s.position })),
    created_at: toIso(pipeline.created_at) as string,
  };
}

export async function listPipelines(deps: ServiceDeps) {
  const [pipelines, stages] = await Promise.all([
    queryAll<PipelineRow>(deps.db, 'SELECT id, name, created_at FROM pipelines WHERE account_id = ? ORDER BY created_at, id', deps.auth.accountId),
    queryAll<StageRow>(deps.db, 'SELECT id, pipeline_id, name, position FROM pipeline_stages WHERE account_id = ? ORDER BY position', deps.auth.accountId),
  ]);
  return pipelines.map((p) => serialize(p, stages));
}

export async function getPipelineOrThrow(deps: ServiceDeps, id: string) {
  const pipeline = await queryFirst<PipelineRow>(
    deps.db,
    'SELECT id, name, created_at FROM pipelines WHERE id = ? AND account_id = ?',
    id,
    deps.auth.accountId,
  );
  if (!pipeline) throw new AppError('not_found', `Pipeline ${id} was not found.`);
  const stages = await queryAll<StageRow>(
    deps.db,
    'SELECT id, pipeline_id, name, position FROM pipeline_stages WHERE account_id = ? AND pipeline_id = ? ORDER BY position',
    deps.auth.accountId,
    id,
  );
  return serialize(pipeline, stages);
}

export async function getStageOrThrow(deps: ServiceDeps, stageId: string, field = 'stage_id'): Promise<StageRow> {
  const stage = await queryFirst<StageRow>(
    deps.db,
    'SELECT id, pipeline_id, name, position FROM pipeline_stages WHERE id = ? AND account_id = ?',
    stageId,
    deps.auth.accountId,
  );
  if (!stage) throw new AppError('validation_failed', 'No such stage in this account.', { errors: [{ field, message: 'Unknown stage.' }] });
  return stage;
}

export async function createPipeline(deps: ServiceDeps, input: z.infer<typeof createPipelineBodySchema>) {
  const now = Date.now();
  const id = createId('pipeline');
  await transaction(deps.db, [
    statement(deps.db, 'INSERT INTO pipelines (id, account_id, name, created_at) VALUES (?, ?, ?, ?)', id, deps.auth.accountId, input.name, now),
    ...input.stages.map((name, position) =>
      statement(
        deps.db,
        'INSERT INTO pipeline_stages (id, account_id, pipeline_id, name, position, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        createId('stage'),
        deps.auth.accountId,
        id,
        name,
        position,
        now,
      ),
    ),
  ]);
  return getPipelineOrThrow(deps, id);
}

export async function updatePipeline(deps: ServiceDeps, id: string, input: z.infer<typeof updatePipelineBodySchema>) {
  const pipeline = await getPipelineOrThrow(deps, id);
  const statements: D1PreparedStatement[] = [];
  if (input.name !== undefined)
    statements.push(statement(deps.db, 'UPDATE pipelines SET name = ? WHERE id = ? AND account_id = ?', input.name, id, deps.auth.accountId));
  if (input.stages) {
    const known = new Set(pipeline.stages.map((s) => s.id));
    const unknown = input.stages.map((s, i) => ({ s, i })).filter(({ s }) => s.id && !known.has(s.id));
    if (unknown.length > 0) {
      throw new AppError('validation_failed', 'Some stages do not belong to this pipeline.', {
        errors: unknown.map(({ i }) => ({ field: `stages.${i}.id`, message: 'Not a stage of this pipeline.' })),
      });
    }
    const kept = new Set(input.stages.map((s) => s.id).filter(Boolean));
    const removed = pipeline.stages.filter((s) => !kept.has(s.id));
    for (const stage of removed) {
      const inUse = await queryFirst<{ n: number }>(
        deps.db,
        'SELECT COUNT(*) AS n FROM opportunities WHERE account_id = ? AND stage_id = ?',
        deps.auth.accountId,
        stage.id,
      );
      if (inUse && inUse.n > 0) {
        throw new AppError('conflict', `Stage "${stage.name}" still holds ${inUse.n} opportunit${inUse.n === 1 ? 'y' : 'ies'}; move them before removing it.`);
      }
      statements.push(statement(deps.db, 'DELETE FROM pipeline_stages WHERE id = ? AND account_id = ?', stage.id, deps.auth.accountId));
    }
    const now = Date.now();
    input.stages.forEach((stage, position) => {
      statements.push(
        stage.id
          ? statement(
              deps.db,
              'UPDATE pipeline_stages SET name = ?, position = ? WHERE id = ? AND account_id = ?',
              stage.name,
              position,
              stage.id,
              deps.auth.accountId,
            )
          : statement(
              deps.db,
              'INSERT INTO pipeline_stages (id, account_id, pipeline_id, name, position, created_at) VALUES (?, ?, ?, ?, ?, ?)',
              createId('stage'),
              deps.auth.accountId,
              id,
              stage.name,
              position,
              now,
            ),
      );
    });
  }
  await transaction(deps.db, statements);
  return getPipelineOrThrow(deps, id);
}

export async function deletePipeline(deps: ServiceDeps, id: string): Promise<void> {
  await getPipelineOrThrow(deps, id);
  const inUse = await queryFirst<{ n: number }>(
    deps.db,
    'SELECT COUNT(*) AS n FROM opportunities WHERE account_id = ? AND pipeline_id = ?',
    deps.auth.accountId,
    id,
  );
  if (inUse && inUse.n > 0) throw new AppError('conflict', `The pipeline still holds ${inUse.n} opportunities; delete or move them first.`);
  await transaction(deps.db, [
    statement(deps.db, 'DELETE FROM pipeline_stages WHERE account_id = ? AND pipeline_id = ?', deps.auth.accountId, id),
    statement(deps.db, 'DELETE FROM pipelines WHERE id = ? AND account_id = ?', id, deps.auth.accountId),
  ]);
}
