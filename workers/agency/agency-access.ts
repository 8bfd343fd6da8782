import { assertRole } from '../auth/auth.middleware';
import type { ServiceDeps } from '../platform/deps';
import { AppError } from '../platform/errors';
import { getAccountOrThrow, getAgencyForAccount } from '../tenancy/tenancy.service';

/** How a white-label feature is named in refusals, e.g. "Custom domains" / "custom domain" / "connect one". */
export interface AgencyFeatureWords {
  /** "Custom domains", "Branding": the subject of the sentences. */
  subject: string;
  /** What a client account's own user is told about it. */
  forClientUsers: string;
  /** What a business account is told about it. */
  forBusinesses: string;
  /** The verb phrase for the role check: "manage the agency's custom domain". */
  action: string;
}

/**
 * The agency whose white-label settings the caller may change: from the
 * agency's own account, as its owner or admin. Everyone else is told why
 * not: agency staff inside a client account, a client's own users, a business.
 */
export async function requireAgencyManager(deps: ServiceDeps, words: AgencyFeatureWords): Promise<{ id: string }> {
  const agency = await getAgencyForAccount(deps.db, deps.auth.accountId);
  if (!agency) {
    const account = await getAccountOrThrow(deps.db, deps.auth.accountId);
    if (account.kind === 'sub_account') {
      throw new AppError(
        'forbidden',
        deps.auth.actorUserId
          ? `You are working inside a client sub-account. ${words.subject} belong${words.subject.endsWith('s') ? '' : 's'} to the agency: switch back to the agency account (POST /api/auth/token-exchange with its account_id) to ${words.action}.`
          : words.forClientUsers,
      );
    }
    throw new AppError('forbidden', words.forBusinesses);
  }
  assertRole(deps.auth, 'admin', words.action);
  return agency;
}
