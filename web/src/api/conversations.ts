import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import type { Conversation, ConversationPage, ConversationStatus, ConversationWithEvents } from '@branchline/protocol';
import { api } from './client.ts';
import { queryKeys } from './query-keys.ts';

const conversationPath = (id: string) => `/api/conversations/${encodeURIComponent(id)}`;

export interface ConversationFilters {
  status?: ConversationStatus | '';
  deskId?: string;
  /** 'me', 'none', a staff id, or '' for anyone. */
  assignee?: string;
  /** Part of the patron's name or email address. */
  patron?: string;
  /** UTC instants: started at or after `since`, before `until`. */
  since?: string;
  until?: string;
}

const PAGE = 50;

/** The query string of a list request: only the filters that are set. */
export function conversationListSearch(filters: ConversationFilters, limit = PAGE, before = ''): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) params.set(key, String(value));
  params.set('limit', String(limit));
  if (before) params.set('before', before);
  return params.toString();
}

/** The library's conversations, newest first, a page at a time ("Show older" reads the next). */
export function useConversations(filters: ConversationFilters, enabled = true) {
  return useInfiniteQuery({
    enabled,
    queryKey: queryKeys.conversationList({ search: conversationListSearch(filters) }),
    initialPageParam: '',
    queryFn: ({ pageParam }) =>
      api.get<ConversationPage>(`/api/conversations?${conversationListSearch(filters, PAGE, pageParam)}`),
    getNextPageParam: (last) => last.nextBefore ?? undefined,
    staleTime: 10_000,
  });
}

/**
 * A whole conversation with notes. The server records each read in the audit log, so it is read
 * once each time the page opens (not on every window focus) and never shown from an old cache.
 */
export function useConversation(id: string) {
  return useQuery({
    queryKey: queryKeys.conversation(id),
    queryFn: () => api.get<ConversationWithEvents>(conversationPath(id)),
    staleTime: 0,
    gcTime: 0,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  });
}

export function usePatronHistory(id: string, email: string | null) {
  return useQuery({
    queryKey: queryKeys.patronHistory(id, email),
    queryFn: async () => (await api.get<{ items: Conversation[] }>(`${conversationPath(id)}/history`)).items,
  });
}

export interface TransferBody {
  toStaffId?: string;
  toDeskId?: string;
  note: string;
}

export interface WrapUpBody {
  tags: string[];
  readScale: number | null;
}

export interface BlockBody {
  minutes: number;
  reason: string;
  scope: 'browser' | 'network';
}

/**
 * The consequential actions on a chat go over REST: each answers success or a field error the
 * form can show. The live connection then carries the resulting events to every tab.
 */
export function useConversationActions(id: string, onDone: (conversation: Conversation) => void) {
  const path = conversationPath(id);
  const options = { onSuccess: onDone };
  return {
    transfer: useMutation({
      mutationFn: (body: TransferBody) => api.post<Conversation>(`${path}/transfer`, body),
      ...options,
    }),
    end: useMutation({ mutationFn: () => api.post<Conversation>(`${path}/end`), ...options }),
    close: useMutation({ mutationFn: () => api.post<Conversation>(`${path}/close`), ...options }),
    wrapUp: useMutation({
      mutationFn: (body: WrapUpBody) => api.put<Conversation>(`${path}/wrapup`, body),
      ...options,
    }),
    block: useMutation({ mutationFn: (body: BlockBody) => api.post<Conversation>(`${path}/block`, body), ...options }),
  };
}
