/**
 * What the API answers, as its own zod schemas declare it: tests name these at each call
 * (`tenant.api<Contact>('GET', ...)`) so a test that reads a field the API does not send fails the type check.
 * The few replies whose schemas are not exported are written out here to the same shape.
 */
import type { z } from '@hono/zod-openapi';
import type { OnboardingLinkSchema, StripeConnectionSchema, SubAccountSubscriptionSchema, TiersSchema } from '../workers/agency/billing/agency-billing.schemas';
import type { AgencyBrandingSchema, PublicBrandingSchema, SavedBrandingSchema, UploadedBrandAssetSchema } from '../workers/agency/branding/branding.schemas';
import type { CustomDomainSchema } from '../workers/agency/domains/domains.schemas';
import type { UsagePriceSchema } from '../workers/agency/usage-pricing';
import type {
  AcceptedInvitationSchema,
  AuthResultSchema,
  MeSchema,
  PasswordResetDoneSchema,
  PasswordResetRequestedSchema,
  ReachableAccountPageSchema,
  SignupRequestedSchema,
} from '../workers/auth/auth.schemas';
import type {
  BillingEventSchema,
  BillingSummarySchema,
  BillingUsageSchema,
  DunningCaseSchema,
  InvoiceSchema,
  PlanSchema,
} from '../workers/billing/billing.schemas';
import type { ActivitySchema, AiSummarySchema, ContactSchema } from '../workers/crm/contacts/contacts.schemas';
import type { CustomFieldSchema } from '../workers/crm/custom-fields/custom-fields.schemas';
import type { NoteSchema } from '../workers/crm/notes/notes';
import type { OpportunitySchema } from '../workers/crm/opportunities/opportunities';
import type { PipelineSchema } from '../workers/crm/pipelines/pipelines';
import type { TagSchema } from '../workers/crm/tags/tags.schemas';
import type { TaskSchema } from '../workers/crm/tasks/tasks';
import type { ProblemSchema } from '../workers/platform/router';
import type {
  ApiKeySchema,
  AuditEntrySchema,
  CreatedApiKeySchema,
  InvitationSentSchema,
  SubAccountPageSchema,
  SubAccountSchema,
  TeamMemberSchema,
} from '../workers/tenancy/tenancy.schemas';
import type {
  MarginReportSchema,
  PaymentMethodSchema,
  TopUpSchema,
  UsageReportSchema,
  WalletBalanceSchema,
  WalletTransactionSchema,
} from '../workers/wallet/wallet.schemas';

/** One page of a list (`pageSchema` in the router). */
export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** An RFC 9457 problem+json error, as every failing route answers. */
export type Problem = z.infer<typeof ProblemSchema>;

export type SignupRequested = z.infer<typeof SignupRequestedSchema>;
export type AuthResult = z.infer<typeof AuthResultSchema>;
export type PasswordResetRequested = z.infer<typeof PasswordResetRequestedSchema>;
export type PasswordResetDone = z.infer<typeof PasswordResetDoneSchema>;
export type AcceptedInvitation = z.infer<typeof AcceptedInvitationSchema>;
export type Me = z.infer<typeof MeSchema>;
export type ReachableAccountPage = z.infer<typeof ReachableAccountPageSchema>;

export type TeamMember = z.infer<typeof TeamMemberSchema>;
export type InvitationSent = z.infer<typeof InvitationSentSchema>;
export type ApiKey = z.infer<typeof ApiKeySchema>;
export type CreatedApiKey = z.infer<typeof CreatedApiKeySchema>;
export type SubAccount = z.infer<typeof SubAccountSchema>;
export type SubAccountPage = z.infer<typeof SubAccountPageSchema>;
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export type Contact = z.infer<typeof ContactSchema>;
export type Activity = z.infer<typeof ActivitySchema>;
export type AiSummary = z.infer<typeof AiSummarySchema>;
export type Note = z.infer<typeof NoteSchema>;
export type Tag = z.infer<typeof TagSchema>;
export type CustomField = z.infer<typeof CustomFieldSchema>;
export type Task = z.infer<typeof TaskSchema>;
export type Pipeline = z.infer<typeof PipelineSchema>;
export type Opportunity = z.infer<typeof OpportunitySchema>;

export type WalletBalance = z.infer<typeof WalletBalanceSchema>;
export type WalletTransaction = z.infer<typeof WalletTransactionSchema>;
export type UsageReport = z.infer<typeof UsageReportSchema>;
export type MarginReport = z.infer<typeof MarginReportSchema>;
export type SavedCard = z.infer<typeof PaymentMethodSchema>;
export type TopUp = z.infer<typeof TopUpSchema>;

export type Plan = z.infer<typeof PlanSchema>;
export type BillingSummary = z.infer<typeof BillingSummarySchema>;
export type BillingUsage = z.infer<typeof BillingUsageSchema>;
export type Invoice = z.infer<typeof InvoiceSchema>;
export type BillingEvent = z.infer<typeof BillingEventSchema>;
export type DunningCase = z.infer<typeof DunningCaseSchema>;

export type PublicBranding = z.infer<typeof PublicBrandingSchema>;
export type AgencyBranding = z.infer<typeof AgencyBrandingSchema>;
export type SavedBranding = z.infer<typeof SavedBrandingSchema>;
export type UploadedBrandAsset = z.infer<typeof UploadedBrandAssetSchema>;
export type CustomDomain = z.infer<typeof CustomDomainSchema>;
export type AgencyStripeConnection = z.infer<typeof StripeConnectionSchema>;
export type AgencyStripeOnboardingLink = z.infer<typeof OnboardingLinkSchema>;
export type AgencyTiers = z.infer<typeof TiersSchema>;
export type SubAccountSubscription = z.infer<typeof SubAccountSubscriptionSchema>;
export type UsagePriceList = { data: z.infer<typeof UsagePriceSchema>[]; next_cursor: null };

/** POST /api/billing/pay */
export interface PayResult {
  id: string;
  status: 'open' | 'recovered' | 'closed';
  stage: 'past_due' | 'warned' | 'paused' | 'downgraded' | 'archived' | 'recovered' | 'closed';
}
/** POST /api/billing/sandbox/advance-clock */
export interface ClockAdvanced {
  now: string;
  due_cases: number;
  results: Record<string, string>;
}
/** POST /api/webhooks/stripe */
export interface WebhookReceipt {
  received: boolean;
  duplicate?: boolean;
  handled?: boolean;
}
/** GET /api/billing/plans */
export interface PlanList {
  data: Plan[];
}
/** POST /api/notifications/read */
export interface MarkedRead {
  marked: number;
}
/** GET and PUT /api/agency/client-signup */
export interface ClientSignup {
  enabled: boolean;
  signup_url: string | null;
}
/** GET /api/wallet/payment-config */
export interface PaymentConfig {
  mode: 'sandbox' | 'live';
  publishable_key: string | null;
  test_cards: { payment_method: string; label: string; behaviour: string }[] | null;
}
/** GET /api/notifications */
export interface Notification {
  id: string;
  kind: string;
  message: string;
  created_at: string;
  read_at: string | null;
  email: { status: 'pending' | 'sent' | 'no_recipient' | 'failed'; to: string[]; error: string | null } | null;
}
/** A refusal that says when to try again (sign-up, login and reset-link throttles). */
export type RateLimited = Problem & { retry_after_seconds: number };
/** A problem that names the fields at fault (a 422 from the validation hook, and refusals that point at one field). */
export type InvalidInput = Problem & { errors: NonNullable<Problem['errors']> };
