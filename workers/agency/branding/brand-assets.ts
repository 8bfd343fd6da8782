import { queryFirst } from '../../platform/db';
import { AppError } from '../../platform/errors';
import type { BrandAssetKind } from './branding.schemas';
import { declaredFormat, decodeUtf8, IMAGE_FORMATS, sniffImage, type ImageFormat } from './image-sniff';
import { sanitizeSvg, UnsafeSvgError } from './svg-sanitizer';

/**
 * Logos and favicons in R2. A file is named by the SHA-256 of its stored
 * bytes (`brand-assets/<sha256>.<ext>`), so its public URL never changes
 * meaning and can be cached for a year; identical uploads share one object.
 * Its type is what the bytes are, not what the client says they are.
 */

export interface StoredAsset {
  sha256: string;
  ext: string;
  content_type: string;
  bytes: number;
  width: number | null;
  height: number | null;
  uploaded_at: number;
}

interface AssetRule {
  label: string;
  maxBytes: number;
  formats: ImageFormat[];
  minSide: number;
  maxSide: number;
}

const KB = 1024;
export const ASSET_RULES: Record<BrandAssetKind, AssetRule> = {
  logo_light: { label: 'The light logo', maxBytes: 1024 * KB, formats: ['png', 'jpeg', 'webp', 'svg'], minSide: 16, maxSide: 4096 },
  logo_dark: { label: 'The dark logo', maxBytes: 1024 * KB, formats: ['png', 'jpeg', 'webp', 'svg'], minSide: 16, maxSide: 4096 },
  favicon: { label: 'The favicon', maxBytes: 256 * KB, formats: ['png', 'ico', 'svg'], minSide: 16, maxSide: 512 },
};

const ACCEPTED = 'image/png, image/jpeg, image/webp, image/svg+xml or image/x-icon';
const sizeText = (bytes: number) => (bytes >= 1024 * KB ? `${bytes / (1024 * KB)} MB` : `${bytes / KB} KB`);
const formatList = (formats: ImageFormat[]) => formats.map((f) => IMAGE_FORMATS[f].label).join(', ');

export const brandAssetKey = (sha256: string, ext: string) => `brand-assets/${sha256}.${ext}`;
export const brandAssetUrl = (asset: Pick<StoredAsset, 'sha256' | 'ext'>) => `/${brandAssetKey(asset.sha256, asset.ext)}`;

function tooLarge(kind: BrandAssetKind, bytes?: number): AppError {
  const rule = ASSET_RULES[kind];
  return new AppError(
    'payload_too_large',
    `${rule.label} is limited to ${sizeText(rule.maxBytes)}${bytes ? `; this file is ${sizeText(Math.ceil(bytes / KB) * KB)}` : ''}. Nothing was stored.`,
    {
      extensions: { max_bytes: rule.maxBytes },
    },
  );
}

/**
 * The raw request body, refused with 413 as soon as it passes the kind's
 * limit (from Content-Length before reading, or while streaming).
 */
export async function readUpload(request: Request, kind: BrandAssetKind): Promise<Uint8Array> {
  const { maxBytes } = ASSET_RULES[kind];
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(kind, declared);
  if (!request.body) throw emptyUpload();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(kind);
    }
    chunks.push(value);
  }
  if (total === 0) throw emptyUpload();
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

function emptyUpload(): AppError {
  return new AppError('validation_failed', 'The upload is empty: send the image file as the request body.', {
    errors: [{ field: 'file', message: 'The file is empty.', code: 'empty' }],
  });
}

export interface PreparedAsset {
  data: Uint8Array;
  asset: StoredAsset;
  /** What the SVG sanitizer took out. */
  removed: string[];
}

function unsupported(detail: string, extensions: Record<string, unknown> = {}): AppError {
  return new AppError('unsupported_media_type', detail, { extensions });
}

/**
 * Decides what the upload is from its bytes and checks it against the
 * kind's rules; an SVG comes back sanitized.
 */
export async function prepareBrandAsset(kind: BrandAssetKind, contentType: string | undefined, bytes: Uint8Array, now = Date.now()): Promise<PreparedAsset> {
  const rule = ASSET_RULES[kind];
  const declaredType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const declared = declaredFormat(contentType);
  if (!declared) {
    throw unsupported(`Send the image as the request body with Content-Type ${ACCEPTED}${declaredType ? `, not ${declaredType}` : ''}.`, {
      declared_type: declaredType || null,
    });
  }
  const sniffed = sniffImage(bytes);
  const claimed = IMAGE_FORMATS[declared];
  if (sniffed.kind === 'text') {
    throw unsupported(`The file was sent as ${claimed.contentType}, but its bytes are text, not a ${claimed.label} image. Upload the image file itself.`, {
      declared_type: declaredType,
      sniffed_type: 'text/plain',
    });
  }
  if (sniffed.kind === 'other-image') {
    throw unsupported(`The file is a ${sniffed.label} image; ${rule.label.toLowerCase()} must be ${formatList(rule.formats)}.`, {
      declared_type: declaredType,
      sniffed_type: sniffed.label.toLowerCase(),
    });
  }
  if (sniffed.kind === 'unknown') {
    throw unsupported(
      `The file was sent as ${claimed.contentType}, but its bytes are not a ${claimed.label} image (nor any image type accepted here); it may be damaged.`,
      { declared_type: declaredType, sniffed_type: null },
    );
  }
  const actual = IMAGE_FORMATS[sniffed.format];
  if (sniffed.format !== declared) {
    throw unsupported(
      `The file is a ${actual.label} image but was sent as ${claimed.contentType} (is its file extension wrong?). Send it as ${actual.contentType}.`,
      {
        declared_type: declaredType,
        sniffed_type: actual.contentType,
      },
    );
  }
  if (!rule.formats.includes(sniffed.format)) {
    throw unsupported(`${rule.label} must be ${formatList(rule.formats)}; this file is ${actual.label}.`, { sniffed_type: actual.contentType });
  }

  let data = bytes;
  let { width, height } = sniffed;
  let removed: string[] = [];
  if (sniffed.format === 'svg') {
    try {
      const clean = sanitizeSvg(decodeUtf8(bytes) ?? '');
      data = new TextEncoder().encode(clean.svg);
      ({ width, height, removed } = clean);
    } catch (err) {
      if (!(err instanceof UnsafeSvgError)) throw err;
      throw new AppError('validation_failed', `The SVG was refused: ${err.message}`, { errors: [{ field: 'file', message: err.message, code: 'unsafe_svg' }] });
    }
  }
  for (const [side, value] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (value !== null && (value < rule.minSide || value > rule.maxSide)) {
      throw new AppError(
        'validation_failed',
        `${rule.label} must be between ${rule.minSide} and ${rule.maxSide} pixels on each side; this image is ${width ?? '?'}×${height ?? '?'} px.`,
        {
          errors: [{ field: 'file', message: `The image ${side} (${value} px) is outside ${rule.minSide}–${rule.maxSide} px.`, code: 'dimensions' }],
        },
      );
    }
  }
  const sha256 = await sha256Bytes(data);
  return { data, removed, asset: { sha256, ext: actual.ext, content_type: actual.contentType, bytes: data.byteLength, width, height, uploaded_at: now } };
}

async function sha256Bytes(data: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', data);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function putBrandAsset(bucket: R2Bucket, prepared: PreparedAsset): Promise<void> {
  const { asset, data } = prepared;
  await bucket.put(brandAssetKey(asset.sha256, asset.ext), data, {
    sha256: asset.sha256,
    httpMetadata: { contentType: asset.content_type },
    customMetadata: { width: String(asset.width ?? ''), height: String(asset.height ?? '') },
  });
}

/**
 * Deletes the object once no agency uses it any more (identical files are
 * shared). A concurrent upload of the very same bytes by another agency can
 * lose its object to this; it would show up as a broken logo until uploaded
 * again.
 */
export async function releaseBrandAsset(bucket: R2Bucket, db: D1Database, asset: Pick<StoredAsset, 'sha256' | 'ext'>): Promise<void> {
  const inUse = await queryFirst<{ n: number }>(
    db,
    `SELECT 1 AS n FROM agencies
      WHERE json_extract(branding, '$.logo_light.sha256') = ?1
         OR json_extract(branding, '$.logo_dark.sha256') = ?1
         OR json_extract(branding, '$.favicon.sha256') = ?1
      LIMIT 1`,
    asset.sha256,
  );
  if (!inUse) await bucket.delete(brandAssetKey(asset.sha256, asset.ext));
}

const SERVED_FILE = /^([0-9a-f]{64})\.(png|jpg|webp|svg|ico)$/;
const TYPE_BY_EXT = Object.fromEntries(Object.values(IMAGE_FORMATS).map((f) => [f.ext, f.contentType]));

/**
 * GET /brand-assets/<sha256>.<ext>: the file with its sniffed type, cached
 * for a year (the name is its content), never sniffed by browsers, and an
 * SVG under a CSP that runs nothing even when opened on its own.
 */
export async function serveBrandAsset(bucket: R2Bucket, file: string, ifNoneMatch: string | undefined): Promise<Response> {
  const match = SERVED_FILE.exec(file);
  const notFound = () => new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } });
  if (!match) return notFound();
  const [, sha256, ext] = match;
  const etag = `"${sha256}"`;
  const headers = new Headers({
    'content-type': TYPE_BY_EXT[ext],
    'cache-control': 'public, max-age=31536000, immutable',
    'x-content-type-options': 'nosniff',
    etag,
  });
  if (ext === 'svg') headers.set('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
  if (ifNoneMatch?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) return new Response(null, { status: 304, headers });
  const object = await bucket.get(brandAssetKey(sha256, ext));
  if (!object) return notFound();
  headers.set('content-length', String(object.size));
  return new Response(object.body, { status: 200, headers });
}
