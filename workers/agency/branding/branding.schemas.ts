import { z } from '@hono/zod-openapi';
import { text } from '../../platform/text';
import { MAX_CUSTOM_CSS_BYTES } from './css-sanitizer';

export const BRAND_ASSET_KINDS = ['logo_light', 'logo_dark', 'favicon'] as const;
export type BrandAssetKind = (typeof BRAND_ASSET_KINDS)[number];

const hexColor = z
  .string()
  .trim()
  .regex(/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, 'Use a hex colour such as #3B82F6.')
  .transform((v) => (v.length === 4 ? `#${v[1]}${v[1]}${v[2]}${v[2]}${v[3]}${v[3]}` : v).toLowerCase())
  .openapi({ example: '#3b82f6' });

/** PUT replaces the text settings: a field left out or null goes back to the platform's default. */
export const updateBrandingBodySchema = z
  .object({
    app_name: text()
      .min(1, 'Enter the name your clients see, or leave it out for the default.')
      .max(60, 'Use at most 60 characters.')
      .regex(/^[^\u0000-\u001f\u007f<>]*$/, 'The app name cannot contain control characters, "<" or ">".')
      .nullish()
      .openapi({ example: 'ClientCRM Pro' }),
    primary_color: hexColor.nullish().openapi({ description: 'Buttons and links' }),
    secondary_color: hexColor.nullish().openapi({ description: 'Accents' }),
    support_email: z.string().trim().toLowerCase().email('Enter a valid email address.').max(254).nullish().openapi({ example: 'support@agencydomain.com' }),
    custom_css: text({ multiline: true })
      // The byte limit (with the size in the message) is the compiler's; this only stops absurd input early.
      .max(MAX_CUSTOM_CSS_BYTES * 4, `Custom CSS is limited to ${MAX_CUSTOM_CSS_BYTES / 1024} KB.`)
      .nullish()
      .openapi({
        description: "Scoped to the app's content; @import, remote url(), expression() and !important are not accepted",
        example: '.btn-primary { border-radius: 20px; }',
      }),
  })
  .strict()
  .openapi('UpdateBrandingBody');

export type UpdateBrandingBody = z.infer<typeof updateBrandingBodySchema>;

export const BrandAssetKindParamSchema = z.object({
  kind: z
    .enum(BRAND_ASSET_KINDS)
    .openapi({ param: { name: 'kind', in: 'path' }, description: 'logo_light (on light backgrounds), logo_dark (on dark backgrounds) or favicon' }),
});

export const BrandAssetSchema = z
  .object({
    url: z.string().openapi({ example: '/brand-assets/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08.png' }),
    content_type: z.string(),
    bytes: z.number().int(),
    width: z.number().int().nullable(),
    height: z.number().int().nullable(),
    sha256: z.string(),
    uploaded_at: z.string(),
  })
  .openapi('BrandAsset');

export const AgencyBrandingSchema = z
  .object({
    app_name: z.string().nullable(),
    primary_color: z.string().nullable(),
    secondary_color: z.string().nullable(),
    support_email: z.string().nullable(),
    custom_css: z.string().nullable(),
    logo_light_url: z.string().nullable(),
    logo_dark_url: z.string().nullable(),
    favicon_url: z.string().nullable(),
    assets: z.object({ logo_light: BrandAssetSchema.nullable(), logo_dark: BrandAssetSchema.nullable(), favicon: BrandAssetSchema.nullable() }),
    updated_at: z.string().nullable(),
  })
  .openapi('AgencyBranding');

export const SavedBrandingSchema = AgencyBrandingSchema.extend({
  warnings: z.array(z.string()).openapi({ description: 'What was changed on the way in, e.g. !important removed from custom CSS' }),
}).openapi('SavedBranding');

export const UploadedBrandAssetSchema = z
  .object({
    kind: z.enum(BRAND_ASSET_KINDS),
    asset: BrandAssetSchema,
    removed: z.array(z.string()).openapi({ description: 'What the SVG sanitizer took out (scripts, event handlers, external references)' }),
    branding: AgencyBrandingSchema,
  })
  .openapi('UploadedBrandAsset');

/** What any visitor may see: the brand of the Host (or of the signed-in account's agency). */
export const PublicBrandingSchema = z
  .object({
    source: z.enum(['agency', 'platform']),
    app_name: z.string(),
    primary_color: z.string().nullable(),
    secondary_color: z.string().nullable(),
    support_email: z.string().nullable(),
    logo_light_url: z.string().nullable(),
    logo_dark_url: z.string().nullable(),
    favicon_url: z.string().nullable(),
    css: z.string().openapi({ description: 'The custom CSS as served: already scoped to .brand-scope' }),
  })
  .openapi('PublicBranding');

export type PublicBranding = z.infer<typeof PublicBrandingSchema>;
