import { useQuery } from '@tanstack/react-query';
import type { ChatToday } from '@branchline/protocol';
import { api } from './client.ts';
import { queryKeys } from './query-keys.ts';

/** Today's chat numbers in the library's own day, refreshed every minute. */
export function useChatToday() {
  return useQuery({
    queryKey: queryKeys.chatToday,
    queryFn: () => api.get<ChatToday>('/api/chat/today'),
    refetchInterval: 60_000,
  });
}
