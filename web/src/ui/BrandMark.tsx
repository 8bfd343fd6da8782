import { useBranding } from './branding';

/**
 * The brand: the agency's logo when it has one, else the product glyph in
 * the primary colour with the app name beside it. `scheme="auto"` lets the
 * browser pick the dark logo under prefers-color-scheme: dark (the sign-in
 * pages follow the system scheme; the app itself is light).
 */
export function BrandMark({ size = 32, scheme = 'light', showName = false }: { size?: number; scheme?: 'light' | 'auto'; showName?: boolean }) {
  const brand = useBranding();
  const light = brand.logo_light_url ?? brand.logo_dark_url;
  if (light) {
    const img = <img className="brand-logo" src={light} alt={brand.app_name} style={{ height: size }} />;
    if (scheme === 'auto' && brand.logo_dark_url && brand.logo_dark_url !== light) {
      return (
        <picture className="brand-logo-picture">
          <source srcSet={brand.logo_dark_url} media="(prefers-color-scheme: dark)" />
          {img}
        </picture>
      );
    }
    return img;
  }
  const glyph = (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" className="brand-glyph">
      <rect width="32" height="32" rx="8" fill="var(--color-primary)" />
      <path d="M9 16a7 7 0 0 1 12-4.9M23 16a7 7 0 0 1-12 4.9" stroke="#fff" strokeWidth="3" fill="none" strokeLinecap="round" />
    </svg>
  );
  if (!showName) return glyph;
  return (
    <span className="brand-lockup">
      {glyph}
      <span className="brand-name">{brand.app_name}</span>
    </span>
  );
}
