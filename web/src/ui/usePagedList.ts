import { useState } from 'react';
import type { Page } from '../api/types';
import { useResource } from './hooks';

/**
 * The first page of a cursor-paged list, reloaded when `deps` change, plus
 * older pages appended by `more()`. A reload starts again from the top.
 */
export function usePagedList<T>(load: (cursor: string | null, signal?: AbortSignal) => Promise<Page<T>>, deps: unknown[]) {
  const first = useResource((signal) => load(null, signal), deps);
  // Older pages and their error belong to the first page they were loaded after:
  // once the first page is replaced (a reload, a local edit), they no longer count.
  const base = first.data;
  const [olderState, setOlder] = useState<{ base: Page<T>; items: T[]; cursor: string | null } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreErrorState, setMoreError] = useState<{ base: Page<T>; error: unknown } | null>(null);
  const older = olderState !== null && olderState.base === base ? olderState : null;
  const moreError = moreErrorState !== null && moreErrorState.base === base ? moreErrorState.error : undefined;

  const cursor = older ? older.cursor : (base?.next_cursor ?? null);
  const more = async () => {
    if (!cursor || !base) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const page = await load(cursor);
      setOlder((prev) => ({ base, items: [...(prev?.base === base ? prev.items : []), ...page.data], cursor: page.next_cursor }));
    } catch (err) {
      setMoreError({ base, error: err });
    } finally {
      setLoadingMore(false);
    }
  };

  return {
    items: first.data ? [...first.data.data, ...(older?.items ?? [])] : undefined,
    error: first.error,
    reload: first.reload,
    hasMore: Boolean(cursor),
    more,
    loadingMore,
    moreError,
  };
}
