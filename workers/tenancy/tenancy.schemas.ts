import { z } from '@hono/zod-openapi';
import { text } from '../platform/text';
import { emailSchema, passwordSchema } from '../auth/auth.schemas';

const roleSchema = z.enum(['owner', 'admin', 'member']);

export const InvitationSentSchema = z
  .object({
    email_status: z.enum(['sent', 'failed']),
    error: z.string().nullable().openapi({ description: 'Why the email could not be sent; send it again with POST /api/users/{id}/invitation' }),
    expires_at: z.string().openapi({ description: 'The link works once until then (7 days)' }),
  })
  .openapi('InvitationSent');

export const TeamMemberSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    role: roleSchema,
    invited: z.boolean().openapi({
      description:
        'Invited by email and not joined yet: a new person who has not chosen a password, or someone with a login who has not accepted. Until they join, name and email are as the inviter typed them.',
    }),
    created_at: z.string(),
    invitation: InvitationSentSchema.optional().openapi({ description: 'When this reply sent an invitation' }),
  })
  .openapi('TeamMember');

export const addTeamMemberBodySchema = z
  .object({
    email: emailSchema,
    name: text().min(1).max(120),
    role: roleSchema.default('member'),
    password: passwordSchema.optional().openapi({
      description:
        'First password for a person with no login yet. Leave it out to email them an invitation to choose their own. Someone who already has a login is emailed an invitation to join instead (this is ignored), and is a member only once they accept.',
    }),
  })
  .strict()
  .openapi('AddTeamMemberBody');

export const updateTeamMemberBodySchema = z.object({ role: roleSchema }).strict().openapi('UpdateTeamMemberBody');

export const ApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string(),
    role: z.enum(['admin', 'member']),
    created_at: z.string(),
    last_used_at: z.string().nullable(),
  })
  .openapi('ApiKey');

export const createApiKeyBodySchema = z
  .object({ name: text().min(1).max(80), role: z.enum(['admin', 'member']).default('admin') })
  .strict()
  .openapi('CreateApiKeyBody');

export const CreatedApiKeySchema = z
  .object({ api_key: ApiKeySchema, key: z.string().openapi({ description: 'The secret; shown only in this reply' }) })
  .openapi('CreatedApiKey');

export const SubAccountSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    status: z.string().openapi({ description: 'Billing standing: active, past_due, paused or archived' }),
    suspended: z.boolean().openapi({ description: 'Suspended by the agency: closed to its own users' }),
    suspended_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('SubAccount');

export const SubAccountPageSchema = z
  .object({
    data: z.array(SubAccountSchema),
    next_cursor: z.string().nullable(),
    counts: z.object({ total: z.number().int(), suspended: z.number().int() }).openapi({ description: "All of the agency's clients, whatever the filter" }),
  })
  .openapi('SubAccountPage');

export const subAccountQuerySchema = z.object({
  q: text().max(100).optional().openapi({ description: 'Part of the name, any case' }),
  suspended: z.enum(['true', 'false']).optional().openapi({ description: 'Only suspended (true) or only open (false) clients' }),
});

export const updateSubAccountBodySchema = z
  .object({
    name: text().min(1).max(120).optional(),
    suspended: z.boolean().optional().openapi({ description: 'true suspends (its users are signed out and refused); false reactivates' }),
  })
  .strict()
  .refine((v) => v.name !== undefined || v.suspended !== undefined, { message: 'Give a new name, or suspended: true/false.', path: ['name'] })
  .openapi('UpdateSubAccountBody');

export const AuditEntrySchema = z
  .object({
    id: z.string(),
    action: z.enum(['impersonation_started', 'request']),
    sub_account: z.object({ id: z.string(), name: z.string() }),
    actor: z.object({ id: z.string(), name: z.string(), email: z.string() }),
    method: z.string().nullable(),
    path: z.string().nullable(),
    status: z.number().int().nullable(),
    request_id: z.string().nullable(),
    occurred_at: z.string(),
  })
  .openapi('AgencyAuditEntry');

export const createSubAccountBodySchema = z
  .object({ name: text().min(1).max(120) })
  .strict()
  .openapi('CreateSubAccountBody');
