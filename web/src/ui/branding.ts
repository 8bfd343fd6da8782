// White-label at boot. On an agency's domain the edge has already put the
// brand in the page (<style id="brand-style"> and <script id="brand">), so the
// first paint is branded; this module reads that JSON and keeps the rest of
// the app (logo, app name, title, favicon) in step. On the platform's own
// address the brand is the signed-in account's agency's, fetched from
// GET /api/branding. Colours are CSS variables, so every button, focus ring
// and tint follows (tints are derived with color-mix in theme.css).
import { useSyncExternalStore } from 'react';

export interface Branding {
  source: 'agency' | 'platform';
  app_name: string;
  primary_color: string | null;
  secondary_color: string | null;
  support_email: string | null;
  logo_light_url: string | null;
  logo_dark_url: string | null;
  favicon_url: string | null;
  /** Scoped custom CSS, as the API serves it; absent in the edge JSON (it is already in the page). */
  css?: string;
  /** On an agency's domain (edge JSON only): whether visitors may sign up there as new clients. */
  client_signup?: boolean;
}

export const PLATFORM_BRANDING: Branding = {
  source: 'platform',
  app_name: 'CRM',
  primary_color: null,
  secondary_color: null,
  support_email: null,
  logo_light_url: null,
  logo_dark_url: null,
  favicon_url: null,
  css: '',
};

const HEX = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

function readInjected(): Branding | null {
  try {
    const text = document.getElementById('brand')?.textContent;
    return text ? { ...PLATFORM_BRANDING, ...(JSON.parse(text) as Partial<Branding>), css: undefined } : null;
  } catch {
    return null;
  }
}

const injected = readInjected();
let current: Branding = injected ?? PLATFORM_BRANDING;
const listeners = new Set<() => void>();
const platformFavicon = document.querySelector<HTMLLinkElement>('link[rel~="icon"]')?.getAttribute('href') ?? '/favicon.svg';

/** True on an agency's own domain: the Host decides the brand, whoever signs in. */
export const brandedByHost = injected !== null;

/** Whether this address takes sign-ups: always on the platform's, on an agency's domain only when the agency allows it. */
export const signupOpenHere = !brandedByHost || injected?.client_signup === true;

export function getBranding(): Branding {
  return current;
}

export function useBranding(): Branding {
  return useSyncExternalStore((cb) => {
    listeners.add(cb);
    return () => listeners.delete(cb);
  }, getBranding);
}

/** Makes `b` the brand shown now: colour variables, favicon, custom CSS, and everything that reads useBranding(). */
export function applyBranding(b: Branding) {
  current = b;
  const root = document.documentElement.style;
  for (const [value, cssVar] of [
    [b.primary_color, '--color-primary'],
    [b.secondary_color, '--color-secondary'],
  ] as const) {
    if (value && HEX.test(value)) root.setProperty(cssVar, value);
    else root.removeProperty(cssVar);
  }
  const icon = document.querySelector<HTMLLinkElement>('link[rel~="icon"]');
  if (icon && (b.favicon_url || !brandedByHost)) {
    icon.href = b.favicon_url ?? platformFavicon;
    icon.removeAttribute('type');
  }
  if (b.css !== undefined) {
    let style = document.getElementById('brand-style');
    if (!style) {
      style = document.createElement('style');
      style.id = 'brand-style';
      document.head.appendChild(style);
    }
    style.textContent = b.css;
  }
  for (const l of listeners) l();
}

if (injected) applyBranding(injected);
