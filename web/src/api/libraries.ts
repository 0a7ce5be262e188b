import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Library, UpdateLibraryBody } from '@branchline/protocol';
import { api } from './client.ts';
import { queryKeys } from './query-keys.ts';

export function useLibrary(id: string) {
  return useQuery({
    queryKey: queryKeys.library(id),
    queryFn: () => api.get<Library>(`/api/libraries/${encodeURIComponent(id)}`),
  });
}

export function useUpdateLibrary(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateLibraryBody) => api.patch<Library>(`/api/libraries/${encodeURIComponent(id)}`, body),
    onSuccess: (library) => {
      queryClient.setQueryData(queryKeys.library(id), library);
    },
  });
}
