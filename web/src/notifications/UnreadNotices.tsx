// How many notices the account has not read, for the sidebar's badge:
// asked again on every page change and when the notifications page marks
// some read.
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { useLocation } from '../shell/router';
import { notices } from './notifications.api';

const PEEK = 20;

interface Unread {
  /** Unread notices, at most PEEK; `more` when there are more than that. */
  count: number;
  more: boolean;
  refresh: () => void;
}

const UnreadContext = createContext<Unread>({ count: 0, more: false, refresh: () => undefined });

export function UnreadNoticesProvider({ accountId, children }: { accountId: string | undefined; children: ReactNode }) {
  const { pathname } = useLocation();
  const [state, setState] = useState({ count: 0, more: false });
  const [version, setVersion] = useState(0);
  const refresh = useCallback(() => setVersion((v) => v + 1), []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `pathname` and `version` are triggers, not inputs: every page change and every refresh() asks the count again.
  useEffect(() => {
    if (!accountId) return;
    const controller = new AbortController();
    notices.list({ unread: true, limit: PEEK }, controller.signal).then(
      (page) => setState({ count: page.data.length, more: page.next_cursor !== null }),
      () => undefined,
    );
    return () => controller.abort();
  }, [accountId, pathname, version]);
  return <UnreadContext.Provider value={{ ...state, refresh }}>{children}</UnreadContext.Provider>;
}

export const useUnreadNotices = () => useContext(UnreadContext);

/** "3", "20+", or nothing when all is read. */
export function unreadLabel(unread: Pick<Unread, 'count' | 'more'>): string | null {
  if (unread.count === 0) return null;
  return unread.more ? `${unread.count}+` : String(unread.count);
}
