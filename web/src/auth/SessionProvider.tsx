// Who is signed in, in which account, and the actions that change it (sign
// in/out, switch account, return from a sub-account).
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { setUnauthorizedHandler } from '../api/client';
import { auth, branding } from '../api/endpoints';
import { getReturnSession, getTokens, setReturnSession, setTokens, useTokens } from '../api/session';
import type { AuthResponse, Me } from '../api/types';
import { navigate } from '../shell/router';
import { applyBranding, brandedByHost, PLATFORM_BRANDING } from '../ui/branding';

interface SessionState {
  me: Me | null;
  loading: boolean;
  error: unknown;
  signedIn: boolean;
  signIn: (res: AuthResponse) => void;
  signOut: () => Promise<void>;
  switchAccount: (accountId: string) => Promise<void>;
  returnToOwnAccount: () => Promise<void>;
  reloadMe: () => void;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const tokens = useTokens();
  const [me, setMe] = useState<Me | null>(null);
  const [loading, setLoading] = useState(Boolean(tokens));
  const [error, setError] = useState<unknown>(null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      const here = window.location.pathname + window.location.search;
      if (!here.startsWith('/login')) navigate(`/login?next=${encodeURIComponent(here)}`, { replace: true });
    });
  }, []);

  const token = tokens?.token;
  const signedIn = Boolean(token);
  // A token refresh for the same account keeps the loaded profile; only
  // signing in or out, or a different account or user (signIn bumps
  // `version`), needs /api/me again.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` is the trigger signIn() bumps to load the new profile; /api/me reads the session itself.
  useEffect(() => {
    if (!signedIn) {
      setMe(null);
      setLoading(false);
      return;
    }
    let cancelled = false;
    setLoading(true);
    setError(null);
    auth.me().then(
      (data) => {
        if (cancelled) return;
        setMe(data);
        // Back in an own account (not acting for anyone): a remembered
        // "return" session is stale now, so drop and revoke it.
        const stashed = getReturnSession();
        if (!data.acting_user && stashed && stashed.token !== getTokens()?.token) {
          setReturnSession(null);
          auth.logout(stashed.refresh_token).catch(() => undefined);
        }
        setLoading(false);
      },
      (err: unknown) => {
        if (cancelled) return;
        setError(err);
        setLoading(false);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [signedIn, version]);

  // On the platform's own address the brand follows the signed-in account
  // (a sub-account shows its agency's); on an agency's domain the page
  // already carries that agency's brand.
  const brandKey = accountOfToken(token);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `brandKey` (the signed-in account) is a trigger: the brand endpoint answers for the session's account, so a switch asks again.
  useEffect(() => {
    if (brandedByHost) return;
    let cancelled = false;
    branding.current().then(
      (b) => !cancelled && applyBranding(b),
      () => !cancelled && applyBranding(PLATFORM_BRANDING),
    );
    return () => {
      cancelled = true;
    };
  }, [brandKey]);

  const signIn = useCallback((res: AuthResponse) => {
    setTokens({ token: res.token, refresh_token: res.refresh_token });
    setVersion((v) => v + 1);
  }, []);

  const signOut = useCallback(async () => {
    const current = getTokens();
    const stashed = getReturnSession();
    setTokens(null);
    setReturnSession(null);
    setMe(null);
    navigate('/login', { replace: true });
    // Revoke refresh tokens in the background; the local session is already gone.
    for (const t of [current, stashed]) {
      if (t) auth.logout(t.refresh_token).catch(() => undefined);
    }
  }, []);

  const switchAccount = useCallback(async (accountId: string) => {
    const before = getTokens();
    const res = await auth.tokenExchange(accountId);
    // Remember the session we came from once, so "Return" can restore it.
    if (before && !getReturnSession()) setReturnSession(before);
    setTokens({ token: res.token, refresh_token: res.refresh_token });
    setVersion((v) => v + 1);
    navigate('/contacts');
  }, []);

  const returnToOwnAccount = useCallback(async () => {
    const stashed = getReturnSession();
    const current = getTokens();
    if (stashed) {
      setReturnSession(null);
      setTokens(stashed);
      if (current) auth.logout(current.refresh_token).catch(() => undefined);
    } else if (me) {
      // No stored session (e.g. another browser): exchange back to the first
      // agency account this user belongs to.
      const home = me.accounts.find((a) => a.kind === 'agency') ?? me.accounts[0];
      if (home) {
        const res = await auth.tokenExchange(home.id);
        setTokens({ token: res.token, refresh_token: res.refresh_token });
      }
    }
    setVersion((v) => v + 1);
    navigate('/contacts');
  }, [me]);

  const reloadMe = useCallback(() => setVersion((v) => v + 1), []);

  const value = useMemo<SessionState>(
    () => ({
      me,
      loading,
      error,
      signedIn: Boolean(token),
      signIn,
      signOut,
      switchAccount,
      returnToOwnAccount,
      reloadMe,
    }),
    [me, loading, error, token, signIn, signOut, switchAccount, returnToOwnAccount, reloadMe],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** The account an access token is scoped to (its `acc` claim), read without verifying: only to know when it changes. */
function accountOfToken(token: string | undefined): string {
  if (!token) return 'signed-out';
  try {
    const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) as { acc?: string };
    return payload.acc ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function useSession(): SessionState {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSession must be used inside SessionProvider');
  return ctx;
}
