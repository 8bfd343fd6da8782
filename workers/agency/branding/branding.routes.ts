import { createRoute, z } from '@hono/zod-openapi';
import { auditImpersonation } from '../audit/audit.middleware';
import { requireAuth } from '../../auth/auth.middleware';
import { requireWritableAccount } from '../../billing/standing.middleware';
import { depsOf } from '../../platform/deps';
import { createRouter, jsonBody, jsonResponse, mutationErrors, ProblemSchema, standardErrors } from '../../platform/router';
import { serveBrandAsset } from './brand-assets';
import { brandedIndexHtml } from './branded-html';
import {
  AgencyBrandingSchema,
  BrandAssetKindParamSchema,
  PublicBrandingSchema,
  SavedBrandingSchema,
  updateBrandingBodySchema,
  UploadedBrandAssetSchema,
} from './branding.schemas';
import {
  brandingAgencyOf,
  brandingForAgency,
  getAgencyBranding,
  PLATFORM_BRANDING,
  removeBrandAsset,
  updateAgencyBranding,
  uploadBrandAsset,
} from './branding.service';

/**
 * Branding, mounted once at the root, ahead of the app's authentication:
 * it serves public things (the branded index.html at the edge, brand assets,
 * GET /api/branding for the login page) and its agency routes authenticate
 * themselves with the same middleware the rest of /api uses.
 */
export const brandingRoutes = createRouter();
const security = [{ bearer: [] }];
const tags = ['Agency'];
const signedIn = [requireAuth(), requireWritableAccount(), auditImpersonation()];

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ProblemSchema } } });
const brandingErrors = { 403: problem('Not an agency owner/admin, or the plan has no white-label') } as const;

brandingRoutes.use('*', brandedIndexHtml());

// GET /brand-assets/:file – an uploaded logo or favicon, by content hash
brandingRoutes.get('/brand-assets/:file', (c) => serveBrandAsset(c.env.ASSETS_BUCKET, c.req.param('file'), c.req.header('if-none-match')));

// GET /api/branding – the branding to show: the Host's agency, else the signed-in account's agency, else the platform's
brandingRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/api/branding',
    tags: ['Branding'],
    summary: 'Branding for this address',
    description:
      "No authentication needed. On an agency's custom domain, that agency's branding. On the platform's own address, the branding of the signed-in account's agency when a token is sent (a sub-account sees its agency's), else the platform's defaults. A token that is sent must be valid.",
    responses: { 200: jsonResponse(PublicBrandingSchema, 'The branding'), 401: problem('A token was sent and is not valid') },
  }),
  async (c) => {
    let agencyId = c.var.host.agencyId;
    if (!agencyId && c.req.header('authorization')) {
      await requireAuth()(c, async () => {});
      agencyId = await brandingAgencyOf(c.env.DB, c.var.auth.accountId);
    }
    const brand = agencyId ? await brandingForAgency(c.env, agencyId) : PLATFORM_BRANDING;
    c.header('cache-control', 'no-cache');
    c.header('vary', 'Authorization');
    return c.json(PublicBrandingSchema.parse(brand.branding), 200);
  },
);

// GET /api/agency/branding – the agency's branding settings and logos
brandingRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/api/agency/branding',
    tags,
    security,
    summary: 'Agency branding settings',
    middleware: signedIn,
    responses: { 200: jsonResponse(AgencyBrandingSchema, 'The settings'), ...standardErrors, ...brandingErrors },
  }),
  async (c) => c.json(AgencyBrandingSchema.parse(await getAgencyBranding(depsOf(c))), 200),
);

// PUT /api/agency/branding – replace app name, colours, support email and custom CSS (logos stay)
brandingRoutes.openapi(
  createRoute({
    method: 'put',
    path: '/api/agency/branding',
    tags,
    security,
    summary: 'Save agency branding',
    middleware: signedIn,
    description:
      "Replaces the text settings; a field left out or null goes back to the platform default. Custom CSS is checked on save (no @import, no url() but this agency's own /brand-assets/ files, no expression(), behavior or javascript:) and scoped to the app's content; !important is removed, with a warning.",
    request: { body: jsonBody(updateBrandingBodySchema) },
    responses: { 200: jsonResponse(SavedBrandingSchema, 'Saved'), ...mutationErrors, ...brandingErrors },
  }),
  async (c) => c.json(SavedBrandingSchema.parse(await updateAgencyBranding(depsOf(c), c.req.valid('json'))), 200),
);

const binary = { schema: z.string().openapi({ type: 'string', format: 'binary' }) };

// POST /api/agency/branding/assets/:kind – upload a logo or favicon (the raw image is the body)
brandingRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/api/agency/branding/assets/{kind}',
    tags,
    security,
    summary: 'Upload a logo or favicon',
    middleware: signedIn,
    description:
      'The body is the image itself. Its type is read from its bytes and must match the Content-Type. Logos: PNG, JPEG, WebP or SVG up to 1 MB and 4096 px a side; favicon: PNG, ICO or SVG up to 256 KB and 512 px. SVGs are sanitized (scripts, event handlers, external references removed); what was removed is listed.',
    request: {
      params: BrandAssetKindParamSchema,
      body: { required: true, content: { 'image/png': binary, 'image/jpeg': binary, 'image/webp': binary, 'image/svg+xml': binary, 'image/x-icon': binary } },
    },
    responses: { 201: jsonResponse(UploadedBrandAssetSchema, 'Stored and in use'), ...mutationErrors, ...brandingErrors },
  }),
  async (c) => c.json(UploadedBrandAssetSchema.parse(await uploadBrandAsset(depsOf(c), c.req.valid('param').kind, c.req.raw)), 201),
);

// DELETE /api/agency/branding/assets/:kind – go back to the default for this logo or favicon
brandingRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/api/agency/branding/assets/{kind}',
    tags,
    security,
    summary: 'Remove a logo or favicon',
    middleware: signedIn,
    request: { params: BrandAssetKindParamSchema },
    responses: { 200: jsonResponse(AgencyBrandingSchema, 'Removed; the branding without it'), ...mutationErrors, ...brandingErrors },
  }),
  async (c) => c.json(AgencyBrandingSchema.parse(await removeBrandAsset(depsOf(c), c.req.valid('param').kind)), 200),
);
