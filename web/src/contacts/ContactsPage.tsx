// Contacts list: search, tag filter, sort and cursor paging. Filters live in
// the URL (?q=&tag=&sort=) so a reload or a shared link shows the same list.
import { useEffect, useState } from 'react';
import { contacts as contactsApi, tags as tagsApi, type ContactQuery } from '../api/endpoints';
import type { Contact, Page } from '../api/types';
import { Link, navigate, setSearchParams, useLocation } from '../shell/router';
import { Avatar, EmptyState, ErrorAlert, TagChip } from '../ui/components';
import { contactDisplayName, formatRelative, formatDate } from '../ui/format';
import { useDebounced, usePageTitle, useResource } from '../ui/hooks';
import { Icon } from '../ui/icons';
import { NewContactDialog } from './NewContactDialog';
import './contacts.css';

const PAGE_SIZE = 25;

export const SORTS = {
  newest: { label: 'Newest', sort: 'created_at', order: 'desc' },
  oldest: { label: 'Oldest', sort: 'created_at', order: 'asc' },
  name_asc: { label: 'Name A–Z', sort: 'name', order: 'asc' },
  name_desc: { label: 'Name Z–A', sort: 'name', order: 'desc' },
  updated: { label: 'Recently updated', sort: 'updated_at', order: 'desc' },
  email: { label: 'Email', sort: 'email', order: 'asc' },
} as const satisfies Record<string, { label: string; sort: ContactQuery['sort']; order: ContactQuery['order'] }>;
type SortKey = keyof typeof SORTS;

export default function ContactsPage() {
  usePageTitle('Contacts');
  const { search } = useLocation();
  const urlQ = search.get('q') ?? '';
  const tag = search.get('tag') ?? '';
  const sortKey: SortKey = (search.get('sort') as SortKey) in SORTS ? (search.get('sort') as SortKey) : 'newest';

  // The box updates instantly; the URL (and the request) follow once typing pauses.
  const [text, setText] = useState(urlQ);
  const q = useDebounced(text.trim(), 300);
  useEffect(() => {
    setSearchParams({ q });
  }, [q]);
  // ...and the box follows the URL when it changes from outside (back button, "Clear").
  useEffect(() => {
    setText((t) => (t.trim() === urlQ ? t : urlQ));
  }, [urlQ]);

  // Cursor stack: cursors[i] is the cursor that loads page i (page 0 has none).
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const pageIndex = cursors.length - 1;
  const filterKey = `${urlQ}|${tag}|${sortKey}`;
  const [lastFilterKey, setLastFilterKey] = useState(filterKey);
  if (filterKey !== lastFilterKey) {
    setLastFilterKey(filterKey);
    setCursors([null]);
  }

  const tagList = useResource(() => tagsApi.list(), []);
  const [dialogOpen, setDialogOpen] = useState(false);

  const sort = SORTS[sortKey];
  const cursor = cursors[pageIndex];
  const list = useResource<Page<Contact>>(
    (signal) => contactsApi.list({ q: urlQ || undefined, tag: tag || undefined, sort: sort.sort, order: sort.order, cursor, limit: PAGE_SIZE }, signal),
    [urlQ, tag, sortKey, cursor],
  );

  const filtered = Boolean(urlQ || tag);
  const rows = list.data?.data ?? [];
  const showSkeleton = list.loading && !list.data;

  return (
    <div className="page">
      <div className="page-header">
        <div className="page-title">
          <h1>Contacts</h1>
          <p>Everyone you do business with, in one place.</p>
        </div>
        <button type="button" className="btn btn-primary" onClick={() => setDialogOpen(true)}>
          <Icon name="plus" />
          New contact
        </button>
      </div>

      <div className="card">
        <search className="contacts-toolbar">
          <div className="input-with-icon contacts-search">
            <Icon name="search" />
            <label htmlFor="contact-search" className="sr-only">
              Search contacts
            </label>
            <input
              id="contact-search"
              className="input"
              type="search"
              placeholder="Search by name, email or phone"
              value={text}
              onChange={(e) => setText(e.target.value)}
            />
          </div>
          <div className="toolbar-field">
            <label htmlFor="contact-tag-filter">Tag</label>
            <select id="contact-tag-filter" className="select" value={tag} onChange={(e) => setSearchParams({ tag: e.target.value })}>
              <option value="">All tags</option>
              {(tagList.data ?? []).map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </div>
          <div className="toolbar-field">
            <label htmlFor="contact-sort">Sort</label>
            <select
              id="contact-sort"
              className="select"
              value={sortKey}
              onChange={(e) => setSearchParams({ sort: e.target.value === 'newest' ? null : e.target.value })}
            >
              {Object.entries(SORTS).map(([key, s]) => (
                <option key={key} value={key}>
                  {s.label}
                </option>
              ))}
            </select>
          </div>
          {filtered && (
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => setSearchParams({ q: null, tag: null })}>
              <Icon name="x" />
              Clear filters
            </button>
          )}
        </search>

        {list.error !== undefined && (
          <div style={{ padding: 16 }}>
            <ErrorAlert error={list.error} onRetry={list.reload} />
          </div>
        )}

        {!list.error && !showSkeleton && rows.length === 0 ? (
          filtered ? (
            <EmptyState icon="search" title="No contacts match">
              Try a different search or clear the tag filter.
            </EmptyState>
          ) : pageIndex === 0 ? (
            <EmptyState
              icon="users"
              title="No contacts yet"
              action={
                <button type="button" className="btn btn-primary" onClick={() => setDialogOpen(true)}>
                  <Icon name="plus" />
                  Add your first contact
                </button>
              }
            >
              Add contacts by hand, or connect a form or the API to capture leads automatically.
            </EmptyState>
          ) : (
            <EmptyState title="No more contacts" />
          )
        ) : (
          !list.error && (
            <div className="table-wrap" aria-busy={list.loading}>
              <table className={`table contacts-table${list.loading ? ' is-refreshing' : ''}`}>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col" className="hide-xs">
                      Phone
                    </th>
                    <th scope="col" className="hide-sm">
                      Company
                    </th>
                    <th scope="col" className="hide-sm">
                      Tags
                    </th>
                    <th scope="col" className="hide-md">
                      {sortKey === 'updated' ? 'Updated' : 'Created'}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {showSkeleton
                    ? SKELETON_ROWS.map((n) => <SkeletonRow key={n} />)
                    : rows.map((c) => <ContactRow key={c.id} contact={c} showUpdated={sortKey === 'updated'} />)}
                </tbody>
              </table>
            </div>
          )
        )}

        {(pageIndex > 0 || list.data?.next_cursor) && (
          <nav className="pager" aria-label="Pagination">
            <span className="muted">Page {pageIndex + 1}</span>
            <div className="row">
              <button type="button" className="btn btn-sm" disabled={pageIndex === 0 || list.loading} onClick={() => setCursors((c) => c.slice(0, -1))}>
                <Icon name="chevronLeft" />
                Previous page
              </button>
              <button
                type="button"
                className="btn btn-sm"
                disabled={!list.data?.next_cursor || list.loading}
                onClick={() => {
                  const next = list.data?.next_cursor;
                  if (next) setCursors((c) => [...c, next]);
                }}
              >
                Next page
                <Icon name="chevronRight" />
              </button>
            </div>
          </nav>
        )}
      </div>

      <NewContactDialog
        open={dialogOpen}
        onClose={() => setDialogOpen(false)}
        allTags={tagList.data ?? []}
        onCreated={() => {
          setDialogOpen(false);
          setCursors([null]);
          list.reload();
          tagList.reload();
        }}
      />
    </div>
  );
}

function ContactRow({ contact, showUpdated }: { contact: Contact; showUpdated: boolean }) {
  const name = contactDisplayName(contact);
  const href = `/contacts/${contact.id}`;
  const when = showUpdated ? contact.updated_at : contact.created_at;
  return (
    <tr
      className="clickable-row"
      onClick={(e) => {
        // The name cell holds the real link; the rest of the row is a shortcut.
        if ((e.target as HTMLElement).closest('a, button')) return;
        navigate(href);
      }}
    >
      <td>
        <div className="contact-cell">
          <Avatar name={name} />
          <div className="contact-cell-text">
            <Link to={href} className="contact-link">
              {name}
            </Link>
            {contact.email && <span className="subtle">{contact.email}</span>}
          </div>
        </div>
      </td>
      <td className="nowrap hide-xs">{contact.phone || <span className="subtle">—</span>}</td>
      <td className="hide-sm">{contact.company || <span className="subtle">—</span>}</td>
      <td className="hide-sm">
        <div className="chip-list">
          {contact.tags.slice(0, 3).map((t) => (
            <TagChip key={t.id} name={t.name} color={t.color} />
          ))}
          {contact.tags.length > 3 && <span className="subtle">+{contact.tags.length - 3}</span>}
        </div>
      </td>
      <td className="hide-md nowrap muted" title={formatDate(when)}>
        {formatRelative(when)}
      </td>
    </tr>
  );
}

/** Placeholder rows while the first page loads; fixed names keep their keys stable. */
const SKELETON_ROWS = ['s1', 's2', 's3', 's4', 's5', 's6'];

function SkeletonRow() {
  return (
    // biome-ignore lint/a11y/noAriaHiddenOnFocusable: a placeholder table row is never focusable (no tabIndex, no controls); hiding it keeps screen readers from reading empty cells.
    <tr aria-hidden="true">
      <td>
        <div className="contact-cell">
          <span className="avatar skeleton" />
          <div className="contact-cell-text" style={{ gap: 6 }}>
            <span className="skeleton" style={{ width: 140 }} />
            <span className="skeleton" style={{ width: 180, height: 10 }} />
          </div>
        </div>
      </td>
      <td className="hide-xs">
        <span className="skeleton" style={{ width: 100 }} />
      </td>
      <td className="hide-sm">
        <span className="skeleton" style={{ width: 90 }} />
      </td>
      <td className="hide-sm">
        <span className="skeleton" style={{ width: 70 }} />
      </td>
      <td className="hide-md">
        <span className="skeleton" style={{ width: 60 }} />
      </td>
    </tr>
  );
}
