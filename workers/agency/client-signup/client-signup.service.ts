import { requireAgencyManager } from '../agency-access';
import { accountStanding, assertPlanFeature } from '../../billing/entitlements';
import { planAllows } from '../../billing/plans';
import { queryFirst } from '../../platform/db';
import type { ServiceDeps } from '../../platform/deps';
import { AppError } from '../../platform/errors';
import { getAgencyForAccount } from '../../tenancy/tenancy.service';
import { brandingForAgency, forgetBranding } from '../branding/branding.service';

/**
 * Client sign-up on an agency's own domain. Off by default: visitors of the
 * domain sign in with accounts the agency made for them. Switched on, anyone
 * who signs up there gets a new client sub-account of that agency (never a
 * standalone account, never an agency), which the agency sees in its client
 * list and manages like any other. It needs a plan with sub-accounts.
 */

export interface ClientSignupSettings {
  enabled: boolean;
  /** Where clients sign up: the agency's live custom domain, or null without one. */
  signup_url: string | null;
}

interface AgencySettingsRow {
  id: string;
  account_id: string;
  custom_domain: string | null;
  settings: string;
}

function parseSettings(raw: string): { client_signup?: boolean } {
  try {
    const value: unknown = JSON.parse(raw);
    return value && typeof value === 'object' ? (value as { client_signup?: boolean }) : {};
  } catch {
    return {};
  }
}

/** Whether the agency takes sign-ups on its domain now: switched on, and its plan includes sub-accounts. */
export async function clientSignupOpen(db: D1Database, agencyId: string): Promise<boolean> {
  const row = await queryFirst<AgencySettingsRow>(db, 'SELECT id, account_id, custom_domain, settings FROM agencies WHERE id = ?', agencyId);
  if (!row || parseSettings(row.settings).client_signup !== true) return false;
  return planAllows((await accountStanding(db, row.account_id)).plan, 'sub_accounts');
}

/** The refusal a visitor of a closed agency domain gets, in the agency's words (app name, support email). */
export async function closedSignupError(env: Env, agencyId: string): Promise<AppError> {
  const { branding } = await brandingForAgency(env, agencyId);
  const ask = branding.support_email ? `Ask ${branding.support_email} for an invitation` : 'Ask the team that gave you this address for an invitation';
  return new AppError('forbidden', `Accounts on ${branding.app_name} are created by invitation. ${ask}, or sign in if you have one.`);
}

const words = {
  subject: 'Client sign-up',
  forClientUsers: 'Client sign-up is set by the agency that manages this account.',
  forBusinesses: "Client sign-up is for agency accounts, whose clients sign up on the agency's own domain.",
  action: 'change client sign-up',
};

function settingsView(row: AgencySettingsRow): ClientSignupSettings {
  return {
    enabled: parseSettings(row.settings).client_signup === true,
    signup_url: row.custom_domain ? `https://${row.custom_domain}/signup` : null,
  };
}

async function agencyRow(db: D1Database, agencyId: string): Promise<AgencySettingsRow> {
  const row = await queryFirst<AgencySettingsRow>(db, 'SELECT id, account_id, custom_domain, settings FROM agencies WHERE id = ?', agencyId);
  if (!row) throw new AppError('not_found', 'The agency was not found.');
  return row;
}

/** The setting as any member of the agency's account reads it. */
export async function getClientSignup(deps: ServiceDeps): Promise<ClientSignupSettings> {
  const agency = await getAgencyForAccount(deps.db, deps.auth.accountId);
  if (!agency) throw new AppError('forbidden', words.forBusinesses);
  return settingsView(await agencyRow(deps.db, agency.id));
}

/** Switches client sign-up on or off; switching it on needs a plan with sub-accounts. */
export async function setClientSignup(deps: ServiceDeps, enabled: boolean): Promise<ClientSignupSettings> {
  const agency = await requireAgencyManager(deps, words);
  if (enabled) await assertPlanFeature(deps.db, deps.auth.accountId, 'sub_accounts');
  await deps.db
    .prepare("UPDATE agencies SET settings = json_set(CASE WHEN json_valid(settings) THEN settings ELSE '{}' END, '$.client_signup', json(?)) WHERE id = ?")
    .bind(enabled ? 'true' : 'false', agency.id)
    .run();
  forgetBranding(agency.id);
  return settingsView(await agencyRow(deps.db, agency.id));
}
