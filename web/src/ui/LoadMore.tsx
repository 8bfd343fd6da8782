import { ErrorAlert, Spinner } from './components';
import type { usePagedList } from './usePagedList';

/** The footer of a paged list: the button for the next (older) page, and its error if that page failed. */
export function LoadMore({ list, label, className }: { list: ReturnType<typeof usePagedList<unknown>>; label: string; className: string }) {
  if (!list.hasMore && list.moreError === undefined) return null;
  return (
    <div className={className}>
      {list.moreError !== undefined && <ErrorAlert error={list.moreError} />}
      <button type="button" className="btn btn-ghost btn-sm" onClick={list.more} disabled={list.loadingMore}>
        {list.loadingMore && <Spinner />}
        {label}
      </button>
    </div>
  );
}
