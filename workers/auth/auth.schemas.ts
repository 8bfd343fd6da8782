import { z } from '@hono/zod-openapi';
import { text } from '../platform/text';

export const emailSchema = z.string().trim().toLowerCase().email('Enter a valid email address.').max(254);
export const passwordSchema = z.string().min(10, 'Use at least 10 characters.').max(200, 'Use at most 200 characters.').openapi({ format: 'password' });

export const signupBodySchema = z
  .object({
    email: emailSchema,
    password: passwordSchema,
    name: text().min(1, 'Enter your name.').max(120),
    account_name: text().min(1).max(120).optional().openapi({ description: 'Business or agency name; defaults to "<name>\'s account"' }),
    agency: z.boolean().optional().openapi({ description: 'Create an agency account that can own sub-accounts' }),
  })
  .strict()
  .openapi('SignupBody');

export const SignupRequestedSchema = z
  .object({ message: z.string().openapi({ description: 'The same for every email, whether or not it has an account' }) })
  .openapi('SignupRequested');

export const signupConfirmBodySchema = z
  .object({
    token: z
      .string()
      .trim()
      .min(1, 'The sign-up link is missing its token.')
      .max(200)
      .openapi({ description: 'The token from the emailed link (after `#token=`)' }),
  })
  .strict()
  .openapi('SignupConfirmBody');

export const loginBodySchema = z
  .object({
    email: emailSchema,
    password: z.string().min(1, 'Enter your password.').max(200).openapi({ format: 'password' }),
    account_id: z.string().max(64).optional().openapi({ description: 'Account to sign into; defaults to the first one' }),
  })
  .strict()
  .openapi('LoginBody');

export const refreshBodySchema = z
  .object({ refresh_token: z.string().min(1).max(200) })
  .strict()
  .openapi('RefreshBody');

export const tokenExchangeBodySchema = z
  .object({ account_id: z.string().min(1).max(64).openapi({ description: 'Account to switch into' }) })
  .strict()
  .openapi('TokenExchangeBody');

export const UserSchema = z.object({ id: z.string(), email: z.string(), name: z.string() }).openapi('User');

export const AccountSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(['business', 'agency', 'sub_account']),
    status: z.enum(['active', 'past_due', 'paused', 'archived']),
  })
  .openapi('Account');

export const AuthResultSchema = z
  .object({
    token: z.string().openapi({ description: 'Access token (JWT, 15 minutes)' }),
    refresh_token: z.string().openapi({ description: 'Opaque refresh token (30 days, rotated on use)' }),
    expires_in: z.number().int(),
    user: UserSchema,
    account: AccountSchema,
  })
  .openapi('AuthResult');

/** How many reachable accounts /api/me lists; the account menu searches the rest. */
export const ME_ACCOUNTS_SHOWN = 20;

export const ReachableAccountSchema = AccountSchema.extend({ role: z.enum(['owner', 'admin', 'member']) }).openapi('ReachableAccount');

export const MeSchema = z
  .object({
    user: UserSchema.nullable(),
    account: AccountSchema,
    role: z.enum(['owner', 'admin', 'member']),
    acting_user: UserSchema.nullable().openapi({ description: 'The agency user acting in this account, when impersonating' }),
    accounts: z
      .array(ReachableAccountSchema)
      .openapi({ description: `The first ${ME_ACCOUNTS_SHOWN} accounts this user can switch into; GET /api/me/accounts pages through all of them` }),
    accounts_more: z.boolean().openapi({ description: 'There are more accounts than `accounts` lists' }),
  })
  .openapi('Me');

export const ReachableAccountPageSchema = z
  .object({ data: z.array(ReachableAccountSchema), next_cursor: z.string().nullable() })
  .openapi('ReachableAccountPage');

export const passwordResetRequestBodySchema = z.object({ email: emailSchema }).strict().openapi('PasswordResetRequestBody');

export const PasswordResetRequestedSchema = z
  .object({ message: z.string().openapi({ description: 'The same for every email, whether or not it has an account' }) })
  .openapi('PasswordResetRequested');

export const passwordResetBodySchema = z
  .object({
    token: z
      .string()
      .trim()
      .min(1, 'The reset link is missing its token.')
      .max(200)
      .openapi({ description: 'The token from the emailed link (after `#token=`)' }),
    password: passwordSchema,
  })
  .strict()
  .openapi('PasswordResetBody');

export const PasswordResetDoneSchema = z
  .object({ email: z.string().openapi({ description: 'The account email, to sign in with the new password' }) })
  .openapi('PasswordResetDone');

export const acceptInvitationBodySchema = z
  .object({
    token: z
      .string()
      .trim()
      .min(1, 'The invitation link is missing its token.')
      .max(200)
      .openapi({ description: 'The token from the emailed link (after `#token=`)' }),
  })
  .strict()
  .openapi('AcceptInvitationBody');

export const AcceptedInvitationSchema = z
  .object({
    account: z.object({ id: z.string(), name: z.string() }),
    role: z.enum(['owner', 'admin', 'member']),
    email: z.string().openapi({ description: 'The login that joined: sign in with it and its password' }),
  })
  .openapi('AcceptedInvitation');
