import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from './context';
import { validationError } from './errors';

const TARGET_NAMES: Record<string, string> = {
  json: 'request body',
  query: 'query string',
  param: 'path',
  header: 'headers',
  form: 'form',
  cookie: 'cookies',
};

/**
 * Every capability's router comes from here, so all of them share the same
 * validation hook: a zod failure becomes a 422 problem with field errors.
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error, TARGET_NAMES[result.target] ?? result.target);
    },
  });
}

/** A required JSON request body; a missing or non-JSON body is refused instead of read as `{}`. */
export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return {
    required: true,
    description,
    content: { 'application/json': { schema } },
  } as const;
}

/** A JSON response with the given schema. */
export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } } as const;
}

export const ProblemSchema = z
  .object({
    type: z.string().url(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    request_id: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string(), code: z.string().optional() })).optional(),
  })
  .openapi('Problem');

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ProblemSchema } } });

/** The error replies every authenticated route can give. */
export const standardErrors = {
  401: problem('Missing or invalid credentials'),
  404: problem('No such resource in this account'),
  422: problem('Invalid input, with field errors'),
} as const;

export const mutationErrors = {
  ...standardErrors,
  400: problem('Malformed JSON'),
  415: problem('Body is not JSON'),
  409: problem('Conflicts with existing data'),
  413: problem('Body too large'),
} as const;

export const IdParamSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

/**
 * An id in a body or query that names another object (a contact, a user).
 * Never empty: "" is neither an id nor "none" (send null to clear a link),
 * and an empty id reaching the database fails its foreign key.
 *
 * @example contact_id: idRef().nullable().optional()
 */
export const idRef = () => z.string().min(1, 'Give an id (or null for none); an empty string is neither.').max(64);

export const PageQuerySchema = z.object({
  cursor: z.string().max(500).optional().openapi({ description: 'Opaque cursor from the previous page' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** `{ data, next_cursor }`, the shape of every list. */
export function pageSchema<T extends z.ZodType>(item: T, name: string) {
  return z.object({ data: z.array(item), next_cursor: z.string().nullable() }).openapi(name);
}
