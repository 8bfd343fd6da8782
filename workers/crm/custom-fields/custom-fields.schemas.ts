import { z } from '@hono/zod-openapi';
import { text } from '../../platform/text';

export const CUSTOM_FIELD_TYPES = ['text', 'number', 'date', 'single_option', 'multi_option', 'checkbox', 'phone', 'email', 'monetary'] as const;
export type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number];

const optionsSchema = z.array(text().min(1).max(100)).max(200);

export const createCustomFieldBodySchema = z
  .object({
    name: text().min(1).max(100),
    key: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,49}$/, 'Use lower-case letters, digits and underscores, starting with a letter.')
      .optional()
      .openapi({ description: 'Stable key used in contact payloads; derived from the name when omitted' }),
    type: z.enum(CUSTOM_FIELD_TYPES),
    options: optionsSchema.optional().openapi({ description: 'Choices for single_option and multi_option fields' }),
  })
  .strict()
  .openapi('CreateCustomFieldBody');

export const updateCustomFieldBodySchema = z
  .object({ name: text().min(1).max(100).optional(), options: optionsSchema.optional(), position: z.number().int().min(0).max(10_000).optional() })
  .strict()
  .openapi('UpdateCustomFieldBody');

export const CustomFieldSchema = z
  .object({
    id: z.string(),
    key: z.string(),
    name: z.string(),
    type: z.enum(CUSTOM_FIELD_TYPES),
    options: z.array(z.string()),
    position: z.number().int(),
    created_at: z.string(),
  })
  .openapi('CustomField');
