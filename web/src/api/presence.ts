import { useMutation, useQuery } from '@tanstack/react-query';
import type { Presence, SetPresenceBody } from '@branchline/protocol';
import { api } from './client.ts';
import { queryKeys } from './query-keys.ts';

/** Everyone of the library with their presence, for transfers. Fresh each time it is needed. */
export function usePresenceList(enabled = true) {
  return useQuery({
    queryKey: queryKeys.presenceList,
    queryFn: async () => (await api.get<{ items: Presence[] }>('/api/presence')).items,
    staleTime: 5_000,
    refetchInterval: enabled ? 20_000 : false,
    enabled,
  });
}

/** Sets the signed-in person's status and desks; the live connection also hears the change. */
export function useSetPresence(onSaved: (presence: Presence) => void) {
  return useMutation({
    mutationFn: (body: SetPresenceBody) => api.put<Presence>('/api/presence/me', body),
    onSuccess: onSaved,
  });
}
