// The account's notices (GET /api/notifications): newest first, each with
// how its email went when it is one that is emailed.
import { api } from '../api/client';
import type { Page } from '../api/types';

export interface Notice {
  id: string;
  kind: string;
  message: string;
  created_at: string;
  read_at: string | null;
  email: { status: 'pending' | 'sent' | 'no_recipient' | 'failed'; to: string[]; error: string | null } | null;
}

export const notices = {
  list: (query: { unread?: boolean; cursor?: string | null; limit?: number }, signal?: AbortSignal) =>
    api<Page<Notice>>('/notifications', { query: { unread: query.unread ? 'true' : undefined, cursor: query.cursor, limit: query.limit }, signal }),
  markRead: (ids?: string[]) => api<{ marked: number }>('/notifications/read', { body: ids ? { ids } : {} }),
};
