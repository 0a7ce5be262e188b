import type { ConversationStatus } from '@branchline/protocol';

const STATUSES: readonly ConversationStatus[] = ['queued', 'active', 'pending', 'resolved', 'abandoned', 'missed'];

/** The inbox filters as the address keeps them, so a filtered list can be bookmarked and shared. */
export interface InboxFilters {
  status: ConversationStatus | '';
  deskId: string;
  /** 'me', 'none', a staff id, or '' for anyone. */
  assignee: string;
  /** Part of the patron's name or email address. */
  patron: string;
  /** Days (YYYY-MM-DD) in the library's time zone, inclusive. */
  from: string;
  to: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function filtersFromSearch(params: URLSearchParams): InboxFilters {
  const status = params.get('status') ?? '';
  const day = (name: string) => {
    const value = params.get(name) ?? '';
    return DAY.test(value) ? value : '';
  };
  return {
    status: (STATUSES as readonly string[]).includes(status) ? (status as ConversationStatus) : '',
    deskId: params.get('desk') ?? '',
    assignee: params.get('assignee') ?? '',
    patron: (params.get('patron') ?? '').trim().slice(0, 120),
    from: day('from'),
    to: day('to'),
  };
}

export function searchFromFilters(filters: InboxFilters): Record<string, string> {
  const search: Record<string, string> = {};
  if (filters.status) search['status'] = filters.status;
  if (filters.deskId) search['desk'] = filters.deskId;
  if (filters.assignee) search['assignee'] = filters.assignee;
  if (filters.patron) search['patron'] = filters.patron;
  if (filters.from) search['from'] = filters.from;
  if (filters.to) search['to'] = filters.to;
  return search;
}
