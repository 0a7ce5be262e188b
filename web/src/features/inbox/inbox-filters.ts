import type { ConversationStatus } from '@branchline/protocol';
import type { ConversationFilters } from '../../api/conversations.ts';

const STATUSES: readonly ConversationStatus[] = ['queued', 'active', 'pending', 'resolved', 'abandoned', 'missed'];

/** The inbox filters kept in the address, so a filtered list can be bookmarked and shared. */
export function filtersFromSearch(params: URLSearchParams): Required<ConversationFilters> {
  const status = params.get('status') ?? '';
  return {
    status: (STATUSES as readonly string[]).includes(status) ? (status as ConversationStatus) : '',
    deskId: params.get('desk') ?? '',
    assignee: params.get('assignee') ?? '',
  };
}

export function searchFromFilters(filters: Required<ConversationFilters>): Record<string, string> {
  const search: Record<string, string> = {};
  if (filters.status) search['status'] = filters.status;
  if (filters.deskId) search['desk'] = filters.deskId;
  if (filters.assignee) search['assignee'] = filters.assignee;
  return search;
}
