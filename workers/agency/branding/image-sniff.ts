/**
 * What an uploaded file really is, from its first bytes (magic numbers), and
 * its pixel size from the format's own header, without decoding the image.
 * The Content-Type a client sends is only a claim; this decides.
 */

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'ico' | 'svg';

export const IMAGE_FORMATS: Record<ImageFormat, { contentType: string; ext: string; label: string }> = {
  png: { contentType: 'image/png', ext: 'png', label: 'PNG' },
  jpeg: { contentType: 'image/jpeg', ext: 'jpg', label: 'JPEG' },
  webp: { contentType: 'image/webp', ext: 'webp', label: 'WebP' },
  ico: { contentType: 'image/x-icon', ext: 'ico', label: 'ICO' },
  svg: { contentType: 'image/svg+xml', ext: 'svg', label: 'SVG' },
};

/** Content-Type values clients send for each format (some tools use the older names). */
const DECLARED_TYPES: Record<string, ImageFormat> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/webp': 'webp',
  'image/x-icon': 'ico',
  'image/vnd.microsoft.icon': 'ico',
  'image/svg+xml': 'svg',
};

/** The format a Content-Type header names, or null when it is not one we accept. */
export function declaredFormat(contentType: string | undefined): ImageFormat | null {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return DECLARED_TYPES[type] ?? null;
}

export type Sniffed =
  | { kind: 'image'; format: ImageFormat; width: number | null; height: number | null }
  /** A recognised image we do not take, e.g. GIF. */
  | { kind: 'other-image'; label: string }
  | { kind: 'text' }
  | { kind: 'unknown' };

const startsWith = (bytes: Uint8Array, signature: number[], at = 0) => signature.every((b, i) => bytes[at + i] === b);
const ascii = (bytes: Uint8Array, at: number, length: number) => String.fromCharCode(...bytes.subarray(at, at + length));
const u16be = (b: Uint8Array, at: number) => (b[at] << 8) | b[at + 1];
const u16le = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8);
const u24le = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8) | (b[at + 2] << 16);
const u32be = (b: Uint8Array, at: number) => ((b[at] << 24) >>> 0) + ((b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]);
const u32le = (b: Uint8Array, at: number) => ((b[at + 3] << 24) >>> 0) + ((b[at + 2] << 16) | (b[at + 1] << 8) | b[at]);

function pngSize(b: Uint8Array): { width: number; height: number } | null {
  // Signature (8), then the IHDR chunk: length (4), "IHDR" (4), width (4), height (4).
  if (b.length < 24 || ascii(b, 12, 4) !== 'IHDR') return null;
  return { width: u32be(b, 16), height: u32be(b, 20) };
}

/** JPEG: walk the marker segments to the first start-of-frame, which holds the size. */
function jpegSize(b: Uint8Array): { width: number; height: number } | null {
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return null;
    let marker = b[at + 1];
    while (marker === 0xff && at + 2 < b.length) {
      at += 1; // fill bytes
      marker = b[at + 1];
    }
    at += 2;
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // no length
    if (marker === 0xd9 || marker === 0xda || at + 2 > b.length) return null; // end or scan data before any frame
    const length = u16be(b, at);
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) return at + 7 <= b.length ? { height: u16be(b, at + 3), width: u16be(b, at + 5) } : null;
    if (length < 2) return null;
    at += length;
  }
  return null;
}

function webpSize(b: Uint8Array): { width: number; height: number } | null {
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8 ' && b.length >= 30 && startsWith(b, [0x9d, 0x01, 0x2a], 23)) {
    return { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
  }
  if (chunk === 'VP8L' && b.length >= 25 && b[20] === 0x2f) {
    const [b0, b1, b2, b3] = [b[21], b[22], b[23], b[24]];
    return { width: 1 + (((b1 & 0x3f) << 8) | b0), height: 1 + (((b3 & 0x0f) << 10) | (b2 << 2) | ((b1 & 0xc0) >> 6)) };
  }
  if (chunk === 'VP8X' && b.length >= 30) return { width: 1 + u24le(b, 24), height: 1 + u24le(b, 27) };
  return null;
}

/** ICO: a directory of images; the largest entry is the icon's size (a 0 byte means 256). */
function icoSize(b: Uint8Array): { width: number; height: number } | null {
  const count = u16le(b, 4);
  if (count < 1 || count > 64 || b.length < 6 + count * 16) return null;
  let width = 0;
  let height = 0;
  for (let i = 0; i < count; i++) {
    const entry = 6 + i * 16;
    const size = u32le(b, entry + 8);
    const offset = u32le(b, entry + 12);
    if (size === 0 || offset + size > b.length) return null; // a directory pointing outside the file
    width = Math.max(width, b[entry] || 256);
    height = Math.max(height, b[entry + 1] || 256);
  }
  return { width, height };
}

const SVG_ROOT = /^(?:\s|<\?xml[^>]*\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>[]*(?:\[[\s\S]*?\])?\s*>)*<svg[\s>/]/i;

/**
 * Decides the format from the bytes alone.
 *
 * @example sniffImage(pngBytes) // { kind: 'image', format: 'png', width: 64, height: 64 }
 * @example sniffImage(new TextEncoder().encode('hello')) // { kind: 'text' }
 */
export function sniffImage(bytes: Uint8Array): Sniffed {
  const b = bytes;
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) {
    const size = pngSize(b);
    return size ? { kind: 'image', format: 'png', ...size } : { kind: 'unknown' };
  }
  if (startsWith(b, [0xff, 0xd8, 0xff])) {
    const size = jpegSize(b);
    return size ? { kind: 'image', format: 'jpeg', ...size } : { kind: 'unknown' };
  }
  if (b.length >= 16 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') {
    const size = webpSize(b);
    return size ? { kind: 'image', format: 'webp', ...size } : { kind: 'unknown' };
  }
  if (startsWith(b, [0x00, 0x00, 0x01, 0x00]) && b.length >= 22) {
    const size = icoSize(b);
    return size ? { kind: 'image', format: 'ico', ...size } : { kind: 'unknown' };
  }
  if (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a') return { kind: 'other-image', label: 'GIF' };
  if (startsWith(b, [0x42, 0x4d])) return { kind: 'other-image', label: 'BMP' };
  if (b.length >= 12 && ascii(b, 4, 4) === 'ftyp' && /^(avif|avis|heic|heix|mif1)$/.test(ascii(b, 8, 4)))
    return { kind: 'other-image', label: ascii(b, 8, 4).toUpperCase() };
  const text = decodeUtf8(b);
  if (text === null) return { kind: 'unknown' };
  // Width and height of an SVG come from its markup; the sanitizer reads them.
  if (SVG_ROOT.test(text.replace(/^\uFEFF/, ''))) return { kind: 'image', format: 'svg', width: null, height: null };
  return { kind: 'text' };
}

/** The bytes as UTF-8 text, or null when they are not valid UTF-8 or hold control characters (binary). */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    return /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text) ? null : text;
  } catch {
    return null;
  }
}
