import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CreateLibraryBody, Library, UpdateLibraryBody } from '@branchline/protocol';
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

/**
 * Creates another library in this deployment (a cooperative of libraries), with its first
 * administrator, who is emailed a link to set a password. The new library is not the signed-in
 * person's: nothing of it is cached here.
 */
export function useCreateLibrary() {
  return useMutation({
    mutationFn: (body: CreateLibraryBody) => api.post<Library>('/api/libraries', body),
  });
}
