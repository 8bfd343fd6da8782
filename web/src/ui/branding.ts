// White-label hook: an agency's colours override the theme's CSS variables, so
// every button, focus ring and tint follows (tints are derived with color-mix).
export interface Branding {
  primary_color?: string | null;
  secondary_color?: string | null;
}

const HEX = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

export function applyBranding(branding: Branding | null | undefined) {
  const root = document.documentElement.style;
  for (const [key, cssVar] of [
    ['primary_color', '--color-primary'],
    ['secondary_color', '--color-secondary'],
  ] as const) {
    const value = branding?.[key];
    if (value && HEX.test(value)) root.setProperty(cssVar, value);
    else root.removeProperty(cssVar);
  }
}
