import { z } from '@hono/zod-openapi';
import { idRef } from '../../platform/router';
import { text as textInput } from '../../platform/text';
import { emailSchema } from '../../auth/auth.schemas';
import { tagNameSchema } from '../tags/tags.schemas';

const text = (max: number) => textInput().max(max).nullable().optional();

export const addressSchema = z
  .object({
    line1: text(200),
    line2: text(200),
    city: text(100),
    region: text(100),
    postal_code: text(20),
    country: text(2).openapi({ description: 'ISO 3166-1 alpha-2' }),
  })
  .strict()
  .openapi('Address');

export const dndSchema = z
  .object({ sms: z.boolean().optional(), email: z.boolean().optional(), calls: z.boolean().optional() })
  .strict()
  .openapi('DoNotDisturb', { description: 'Per-channel opt-outs: true means do not contact on that channel' });

const contactFields = {
  first_name: text(100),
  last_name: text(100),
  email: emailSchema.nullable().optional(),
  phone: textInput()
    .max(40)
    .nullable()
    .optional()
    .openapi({ description: 'Any common format; stored as E.164. Numbers without a country code are read as US.' }),
  company: text(200),
  address: addressSchema.optional(),
  source: text(100),
  assigned_user_id: idRef().nullable().optional(),
  dnd: dndSchema.optional(),
  tags: z.array(tagNameSchema).max(50).optional().openapi({ description: 'Tag names; new names create tags. On update, replaces the set.' }),
  custom_fields: z.record(z.string(), z.unknown()).optional().openapi({ description: 'Values by custom field key; null clears a value' }),
};

export const createContactBodySchema = z
  .object(contactFields)
  .strict()
  .refine((c) => Boolean(c.first_name || c.last_name || c.email || c.phone), {
    message: 'A contact needs at least a name, an email or a phone number.',
    path: ['first_name'],
  })
  .openapi('CreateContactBody');

export const updateContactBodySchema = z.object(contactFields).strict().openapi('UpdateContactBody');

export const addTagsBodySchema = z
  .object({ tags: z.array(tagNameSchema).min(1).max(50) })
  .strict()
  .openapi('AddTagsBody');

export const CONTACT_SORTS = ['created_at', 'updated_at', 'name', 'email'] as const;

export const listContactsQuerySchema = z
  .object({
    q: textInput().max(100).optional().openapi({ description: 'Prefix of a name, email or phone number' }),
    tag: z.string().max(64).optional().openapi({ description: 'Only contacts with this tag id' }),
    sort: z.enum(CONTACT_SORTS).default('created_at'),
    order: z.enum(['asc', 'desc']).default('desc'),
    cursor: z.string().max(500).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .openapi({ description: 'Custom field filters: add `cf.<field_key>=<value>` parameters.' });

export const ContactSchema = z
  .object({
    id: z.string(),
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    name: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    company: z.string().nullable(),
    address: z.object({
      line1: z.string().nullable(),
      line2: z.string().nullable(),
      city: z.string().nullable(),
      region: z.string().nullable(),
      postal_code: z.string().nullable(),
      country: z.string().nullable(),
    }),
    source: z.string().nullable(),
    assigned_user_id: z.string().nullable(),
    dnd: z.object({ sms: z.boolean(), email: z.boolean(), calls: z.boolean() }),
    tags: z.array(z.object({ id: z.string(), name: z.string(), color: z.string() })),
    custom_fields: z.record(z.string(), z.unknown()),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Contact');

export const ActivitySchema = z
  .object({
    id: z.string(),
    type: z.string(),
    summary: z.string(),
    occurred_at: z.string(),
    actor_user_id: z.string().nullable(),
    acting_user_id: z.string().nullable(),
  })
  .openapi('Activity');

export const AiSummarySchema = z
  .object({ summary: z.string(), provider: z.string(), model: z.string(), mode: z.enum(['live', 'sandbox']) })
  .openapi('AiSummary');
