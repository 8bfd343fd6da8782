// The signed-in session lives in localStorage so a reload keeps the user in,
// and every tab shares it. Components subscribe through useSession().
import { useSyncExternalStore } from 'react';

const TOKEN_KEY = 'crm.token';
const REFRESH_KEY = 'crm.refresh_token';
// The agency session that was active before switching into a sub-account,
// so "Return" can go back without asking for the password again.
const RETURN_KEY = 'crm.return_session';

export interface Tokens {
  token: string;
  refresh_token: string;
}

type Listener = () => void;
const listeners = new Set<Listener>();

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string | null) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Private mode without storage: the session then lasts for this page only.
  }
}

let snapshot: Tokens | null = readTokens();

function readTokens(): Tokens | null {
  const token = read(TOKEN_KEY);
  const refresh = read(REFRESH_KEY);
  return token && refresh ? { token, refresh_token: refresh } : null;
}

function emit() {
  snapshot = readTokens();
  for (const l of listeners) l();
}

export function getTokens(): Tokens | null {
  return snapshot;
}

export function setTokens(tokens: Tokens | null) {
  write(TOKEN_KEY, tokens?.token ?? null);
  write(REFRESH_KEY, tokens?.refresh_token ?? null);
  emit();
}

export function getReturnSession(): Tokens | null {
  const raw = read(RETURN_KEY);
  if (!raw) return null;
  try {
    const parsed = JSON.parse(raw) as Tokens;
    return parsed.token && parsed.refresh_token ? parsed : null;
  } catch {
    return null;
  }
}

export function setReturnSession(tokens: Tokens | null) {
  write(RETURN_KEY, tokens ? JSON.stringify(tokens) : null);
}

function subscribe(listener: Listener) {
  listeners.add(listener);
  const onStorage = (e: StorageEvent) => {
    if (e.key === TOKEN_KEY || e.key === REFRESH_KEY || e.key === null) emit();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

/** The current tokens, re-rendering the caller when they change (also from other tabs). */
export function useTokens(): Tokens | null {
  return useSyncExternalStore(subscribe, getTokens, getTokens);
}
