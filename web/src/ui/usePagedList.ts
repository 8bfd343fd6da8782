import { useEffect, useState } from 'react';
import type { Page } from '../api/types';
import { useResource } from './hooks';

/**
 * The first page of a cursor-paged list, reloaded when `deps` change, plus
 * older pages appended by `more()`. A reload starts again from the top.
 */
export function usePagedList<T>(load: (cursor: string | null, signal?: AbortSignal) => Promise<Page<T>>, deps: unknown[]) {
  const first = useResource((signal) => load(null, signal), deps);
  const [older, setOlder] = useState<{ items: T[]; cursor: string | null } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(undefined);

  useEffect(() => {
    setOlder(null);
    setMoreError(undefined);
  }, [first.data]);

  const cursor = older ? older.cursor : (first.data?.next_cursor ?? null);
  const more = async () => {
    if (!cursor) return;
    setLoadingMore(true);
    setMoreError(undefined);
    try {
      const page = await load(cursor);
      setOlder((prev) => ({ items: [...(prev?.items ?? []), ...page.data], cursor: page.next_cursor }));
    } catch (err) {
      setMoreError(err);
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
