import { useInfiniteQuery } from '@tanstack/react-query';
import type { AuditAction, AuditPage } from '@branchline/protocol';
import { api } from './client.ts';
import { queryKeys } from './query-keys.ts';

export interface AuditFilters {
  action: AuditAction | '';
  actorId: string;
  subjectId: string;
  /** UTC instants, from the dates chosen in the library's time zone. */
  since: string;
  until: string;
}

const PAGE = 50;

/** The library's audit log, newest first, a page at a time ("Show older entries" reads the next). */
export function useAuditLog(filters: AuditFilters, enabled = true) {
  return useInfiniteQuery({
    enabled,
    queryKey: queryKeys.auditLog({ ...filters }),
    initialPageParam: '',
    queryFn: ({ pageParam }) => {
      const query = new URLSearchParams({ limit: String(PAGE) });
      for (const [key, value] of Object.entries(filters)) if (value) query.set(key, value);
      if (pageParam) query.set('before', pageParam);
      return api.get<AuditPage>(`/api/audit-log?${query.toString()}`);
    },
    getNextPageParam: (last) => last.nextBefore ?? undefined,
  });
}
