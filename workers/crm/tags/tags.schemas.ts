import { z } from '@hono/zod-openapi';
import { text } from '../../platform/text';

const colorSchema = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'Use a hex colour like #3b82f6.');
export const tagNameSchema = text().min(1, 'Tag names cannot be empty.').max(50);

export const createTagBodySchema = z.object({ name: tagNameSchema, color: colorSchema.optional() }).strict().openapi('CreateTagBody');
export const updateTagBodySchema = z.object({ name: tagNameSchema.optional(), color: colorSchema.optional() }).strict().openapi('UpdateTagBody');

export const TagSchema = z
  .object({ id: z.string(), name: z.string(), color: z.string(), contact_count: z.number().int().optional(), created_at: z.string() })
  .openapi('Tag');
