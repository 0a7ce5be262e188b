import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { PatronBlock } from '@branchline/protocol';
import { api } from './client.ts';
import { queryKeys } from './query-keys.ts';

/** The library's blocks in force, newest first. */
export function useBlocks() {
  return useQuery({
    queryKey: queryKeys.blocks,
    queryFn: async () => (await api.get<{ items: PatronBlock[] }>('/api/blocks')).items,
  });
}

export function useLiftBlock() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.post<undefined>(`/api/blocks/${encodeURIComponent(id)}/lift`),
    onSettled: async () => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.blocks });
      await queryClient.invalidateQueries({ queryKey: ['audit-log'] });
    },
  });
}
