import { createRoute } from '@hono/zod-openapi';
import { depsOf } from '../../platform/deps';
import { createRouter, IdParamSchema, jsonBody, jsonResponse, mutationErrors, pageSchema, standardErrors } from '../../platform/router';
import { createTask, createTaskBodySchema, deleteTask, listTasks, listTasksQuerySchema, TaskSchema, updateTask, updateTaskBodySchema } from './tasks';

export const taskRoutes = createRouter();
const security = [{ bearer: [] }];
const tags = ['Tasks'];

// GET /api/tasks – tasks, filtered by contact, assignee or completion
taskRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/tasks',
    tags,
    security,
    summary: 'List tasks',
    request: { query: listTasksQuerySchema },
    responses: { 200: jsonResponse(pageSchema(TaskSchema, 'TaskPage'), 'Tasks'), ...standardErrors },
  }),
  async (c) => c.json(await listTasks(depsOf(c), c.req.valid('query')), 200),
);

// POST /api/tasks – create a task, optionally on a contact
taskRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/tasks',
    tags,
    security,
    summary: 'Create a task',
    request: { body: jsonBody(createTaskBodySchema) },
    responses: { 201: jsonResponse(TaskSchema, 'Created'), ...mutationErrors },
  }),
  async (c) => c.json(await createTask(depsOf(c), c.req.valid('json')), 201),
);

// PATCH /api/tasks/:id – edit, reassign or complete a task
taskRoutes.openapi(
  createRoute({
    method: 'patch',
    path: '/tasks/{id}',
    tags,
    security,
    summary: 'Update a task',
    request: { params: IdParamSchema, body: jsonBody(updateTaskBodySchema) },
    responses: { 200: jsonResponse(TaskSchema, 'Updated'), ...mutationErrors },
  }),
  async (c) => c.json(await updateTask(depsOf(c), c.req.valid('param').id, c.req.valid('json')), 200),
);

// DELETE /api/tasks/:id – delete a task
taskRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/tasks/{id}',
    tags,
    security,
    summary: 'Delete a task',
    request: { params: IdParamSchema },
    responses: { 204: { description: 'Deleted' }, ...standardErrors },
  }),
  async (c) => {
    await deleteTask(depsOf(c), c.req.valid('param').id);
    return c.body(null, 204);
  },
);
