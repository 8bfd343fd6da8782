import { requireAgencyManager } from '../agency-access';
import { accountStanding, assertPlanFeature } from '../../billing/entitlements';
import { planAllows } from '../../billing/plans';
import { queryFirst, toIso } from '../../platform/db';
import type { ServiceDeps } from '../../platform/deps';
import { AppError } from '../../platform/errors';
import { createLogger } from '../../platform/logger';
import { ASSET_RULES, brandAssetUrl, prepareBrandAsset, putBrandAsset, readUpload, releaseBrandAsset, type StoredAsset } from './brand-assets';
import { BRAND_ASSET_KINDS, type BrandAssetKind, type PublicBranding, type UpdateBrandingBody } from './branding.schemas';
import { compileCustomCss, CustomCssError } from './css-sanitizer';

/**
 * Agency branding (PRD 2.2): the text settings and logos an agency's clients
 * see instead of the platform's. Stored in `agencies.branding` (JSON); logos
 * in R2 (see brand-assets.ts). Managed by the agency's owners and admins on
 * a plan with white-label; shown to anyone on the agency's custom domain and
 * to the agency's sub-accounts wherever they sign in. Each isolate keeps an
 * agency's resolved branding for BRANDING_CACHE_TTL_MS; saving drops it here
 * at once, other isolates pick the change up within the TTL.
 */

/** What `agencies.branding` holds. Fields left out mean the platform default. */
export interface StoredBranding {
  app_name?: string | null;
  primary_color?: string | null;
  secondary_color?: string | null;
  support_email?: string | null;
  custom_css?: string | null;
  updated_at?: number | null;
  logo_light?: StoredAsset | null;
  logo_dark?: StoredAsset | null;
  favicon?: StoredAsset | null;
}

export const PLATFORM_APP_NAME = 'CRM';
const HEX = /^#[0-9a-f]{6}$/;
const log = createLogger({ component: 'branding' });

export function parseStoredBranding(json: string | null | undefined): StoredBranding {
  try {
    const value: unknown = JSON.parse(json ?? '{}');
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as StoredBranding) : {};
  } catch {
    return {};
  }
}

const serializeStoredAsset = (a: StoredAsset) => ({
  url: brandAssetUrl(a),
  content_type: a.content_type,
  bytes: a.bytes,
  width: a.width,
  height: a.height,
  sha256: a.sha256,
  uploaded_at: new Date(a.uploaded_at).toISOString(),
});

const serializeAsset = (a: StoredAsset | null | undefined) => (a ? serializeStoredAsset(a) : null);

export function serializeAgencyBranding(b: StoredBranding) {
  return {
    app_name: b.app_name ?? null,
    primary_color: b.primary_color ?? null,
    secondary_color: b.secondary_color ?? null,
    support_email: b.support_email ?? null,
    custom_css: b.custom_css ?? null,
    logo_light_url: b.logo_light ? brandAssetUrl(b.logo_light) : null,
    logo_dark_url: b.logo_dark ? brandAssetUrl(b.logo_dark) : null,
    favicon_url: b.favicon ? brandAssetUrl(b.favicon) : null,
    assets: { logo_light: serializeAsset(b.logo_light), logo_dark: serializeAsset(b.logo_dark), favicon: serializeAsset(b.favicon) },
    updated_at: toIso(b.updated_at ?? null),
  };
}

/** Paths of the agency's uploaded assets: the only URLs its custom CSS may use. */
function ownAssetUrls(b: StoredBranding): Set<string> {
  return new Set(
    BRAND_ASSET_KINDS.flatMap((kind) => {
      const asset = b[kind];
      return asset ? [brandAssetUrl(asset)] : [];
    }),
  );
}

// ---------------------------------------------------------------- who may

/**
 * Branding belongs to an agency and is managed by its owners and admins,
 * from the agency's own account, on a plan with white-label. Everyone else
 * is told why not.
 */
async function requireBrandingManager(deps: ServiceDeps): Promise<{ id: string }> {
  const agency = await requireAgencyManager(deps, {
    subject: 'Branding',
    forClientUsers: "Branding is set by the agency that manages this account; this account uses its agency's branding.",
    forBusinesses: "Custom branding is part of white-label for agency accounts. This is a business account, which uses the platform's own branding.",
    action: "manage the agency's branding",
  });
  await assertPlanFeature(deps.db, deps.auth.accountId, 'white_label');
  return agency;
}

async function loadBranding(db: D1Database, agencyId: string): Promise<StoredBranding> {
  const row = await queryFirst<{ branding: string }>(db, 'SELECT branding FROM agencies WHERE id = ?', agencyId);
  return parseStoredBranding(row?.branding);
}

// ---------------------------------------------------------------- settings

export async function getAgencyBranding(deps: ServiceDeps) {
  const agency = await requireBrandingManager(deps);
  return serializeAgencyBranding(await loadBranding(deps.db, agency.id));
}

/**
 * Replaces the text settings (app name, colours, support email, custom CSS);
 * logos are untouched. Custom CSS is checked and compiled first: any problem
 * refuses the whole save with field errors, so nothing half-applies.
 */
export async function updateAgencyBranding(deps: ServiceDeps, body: UpdateBrandingBody, now = Date.now()) {
  const agency = await requireBrandingManager(deps);
  const current = await loadBranding(deps.db, agency.id);
  let css: string | null = null;
  let warnings: string[] = [];
  if (body.custom_css && body.custom_css.trim() !== '') {
    try {
      const compiled = compileCustomCss(body.custom_css, { allowedUrls: ownAssetUrls(current) });
      css = compiled.source;
      warnings = compiled.warnings;
    } catch (err) {
      if (!(err instanceof CustomCssError)) throw err;
      throw new AppError('validation_failed', `The custom CSS was not saved: ${err.issues[0].message}`, {
        errors: err.issues.map((issue) => ({ field: 'custom_css', message: issue.message, code: issue.code })),
      });
    }
  }
  await deps.db
    .prepare(
      `UPDATE agencies SET branding = json_set(branding,
         '$.app_name', ?1, '$.primary_color', ?2, '$.secondary_color', ?3, '$.support_email', ?4, '$.custom_css', ?5, '$.updated_at', ?6)
       WHERE id = ?7`,
    )
    .bind(body.app_name ?? null, body.primary_color ?? null, body.secondary_color ?? null, body.support_email ?? null, css, now, agency.id)
    .run();
  forgetBranding(agency.id);
  return { ...serializeAgencyBranding(await loadBranding(deps.db, agency.id)), warnings };
}

// ---------------------------------------------------------------- logos

/** Stores an uploaded logo or favicon and makes it the agency's; the file it replaces is released. */
export async function uploadBrandAsset(deps: ServiceDeps, kind: BrandAssetKind, request: Request, now = Date.now()) {
  const agency = await requireBrandingManager(deps);
  const bytes = await readUpload(request, kind);
  const prepared = await prepareBrandAsset(kind, request.headers.get('content-type') ?? undefined, bytes, now);
  const previous = (await loadBranding(deps.db, agency.id))[kind] ?? null;
  // The object first, then the reference: a reference never points at nothing.
  await putBrandAsset(deps.env.ASSETS_BUCKET, prepared);
  await deps.db
    .prepare("UPDATE agencies SET branding = json_set(branding, ?1, json(?2), '$.updated_at', ?3) WHERE id = ?4")
    .bind(`$.${kind}`, JSON.stringify(prepared.asset), now, agency.id)
    .run();
  if (previous && previous.sha256 !== prepared.asset.sha256) await releaseBrandAsset(deps.env.ASSETS_BUCKET, deps.db, previous);
  forgetBranding(agency.id);
  return {
    kind,
    asset: serializeStoredAsset(prepared.asset),
    removed: prepared.removed,
    branding: serializeAgencyBranding(await loadBranding(deps.db, agency.id)),
  };
}

export async function removeBrandAsset(deps: ServiceDeps, kind: BrandAssetKind, now = Date.now()) {
  const agency = await requireBrandingManager(deps);
  const previous = (await loadBranding(deps.db, agency.id))[kind];
  if (!previous) throw new AppError('not_found', `${ASSET_RULES[kind].label} has not been uploaded.`);
  await deps.db
    .prepare("UPDATE agencies SET branding = json_set(json_remove(branding, ?1), '$.updated_at', ?2) WHERE id = ?3")
    .bind(`$.${kind}`, now, agency.id)
    .run();
  await releaseBrandAsset(deps.env.ASSETS_BUCKET, deps.db, previous);
  forgetBranding(agency.id);
  return serializeAgencyBranding(await loadBranding(deps.db, agency.id));
}

// ---------------------------------------------------------------- what visitors see

/** An agency's branding as served: the public JSON plus what the edge puts in <head>. */
export interface ResolvedBranding {
  branding: PublicBranding;
  /** `:root` colour variables and the scoped custom CSS, for a <style> element. */
  headCss: string;
  /** The favicon's URL and type (a generated one in the primary colour when none was uploaded). */
  favicon: { href: string; type: string } | null;
}

export const PLATFORM_BRANDING: ResolvedBranding = {
  branding: {
    source: 'platform',
    app_name: PLATFORM_APP_NAME,
    primary_color: null,
    secondary_color: null,
    support_email: null,
    logo_light_url: null,
    logo_dark_url: null,
    favicon_url: null,
    css: '',
  },
  headCss: '',
  favicon: null,
};

/** The product glyph in the agency's colour: a favicon that is not the platform's. */
function glyphFavicon(color: string): string {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="8" fill="${color}"/><path d="M9 16a7 7 0 0 1 12-4.9M23 16a7 7 0 0 1-12 4.9" stroke="#fff" stroke-width="3" fill="none" stroke-linecap="round"/></svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

/** Only well-formed stored assets reach a page (their URL goes into HTML attributes). */
const servable = (a: StoredAsset | null | undefined): StoredAsset | null =>
  a && /^[0-9a-f]{64}$/.test(a.sha256) && /^(png|jpg|webp|svg|ico)$/.test(a.ext) && /^image\/[a-z+.-]+$/.test(a.content_type) ? a : null;

export function resolveBranding(stored: StoredBranding): ResolvedBranding {
  const b: StoredBranding = { ...stored, logo_light: servable(stored.logo_light), logo_dark: servable(stored.logo_dark), favicon: servable(stored.favicon) };
  const color = (value: string | null | undefined) => (value && HEX.test(value) ? value : null);
  const primary = color(b.primary_color);
  const secondary = color(b.secondary_color);
  let css = '';
  if (b.custom_css) {
    try {
      css = compileCustomCss(b.custom_css, { allowedUrls: 'any-brand-asset' }).scoped;
    } catch (err) {
      // Saved CSS that no longer passes (stricter rules since) is left out, not served unchecked.
      log.warn('stored custom CSS no longer compiles; serving none', { error: err instanceof Error ? err.message : String(err) });
    }
  }
  const vars = [primary && `--color-primary:${primary}`, secondary && `--color-secondary:${secondary}`].filter(Boolean).join(';');
  const branding: PublicBranding = {
    source: 'agency',
    app_name: b.app_name || PLATFORM_APP_NAME,
    primary_color: primary,
    secondary_color: secondary,
    support_email: b.support_email ?? null,
    logo_light_url: b.logo_light ? brandAssetUrl(b.logo_light) : null,
    logo_dark_url: b.logo_dark ? brandAssetUrl(b.logo_dark) : null,
    favicon_url: b.favicon ? brandAssetUrl(b.favicon) : null,
    css,
  };
  return {
    branding,
    headCss: [vars && `:root{${vars}}`, css].filter(Boolean).join('\n'),
    favicon: b.favicon ? { href: brandAssetUrl(b.favicon), type: b.favicon.content_type } : { href: glyphFavicon(primary ?? '#4f46e5'), type: 'image/svg+xml' },
  };
}

export const BRANDING_CACHE_TTL_MS = 30_000;
const cache = new Map<string, { value: ResolvedBranding; expiresAt: number }>();

/** Drops this isolate's cached branding of one agency (after it changed). */
export function forgetBranding(agencyId: string): void {
  cache.delete(agencyId);
}

/**
 * The branding an agency's visitors and clients see. An agency whose plan no
 * longer includes white-label is shown the platform's branding.
 */
export async function brandingForAgency(env: Env, agencyId: string, now = Date.now()): Promise<ResolvedBranding> {
  const cached = cache.get(agencyId);
  if (cached && cached.expiresAt > now) return cached.value;
  const row = await queryFirst<{ account_id: string; branding: string }>(env.DB, 'SELECT account_id, branding FROM agencies WHERE id = ?', agencyId);
  let value = PLATFORM_BRANDING;
  if (row) {
    const standing = await accountStanding(env.DB, row.account_id);
    if (planAllows(standing.plan, 'white_label')) value = resolveBranding(parseStoredBranding(row.branding));
  }
  cache.set(agencyId, { value, expiresAt: now + BRANDING_CACHE_TTL_MS });
  return value;
}

/** The agency an account is branded by: its own for an agency, its owner's for a sub-account, none for a business. */
export async function brandingAgencyOf(db: D1Database, accountId: string): Promise<string | null> {
  const row = await queryFirst<{ agency_id: string | null }>(
    db,
    `SELECT CASE a.kind WHEN 'agency' THEN (SELECT id FROM agencies WHERE account_id = a.id) WHEN 'sub_account' THEN a.agency_id END AS agency_id
       FROM accounts a WHERE a.id = ?`,
    accountId,
  );
  return row?.agency_id ?? null;
}
