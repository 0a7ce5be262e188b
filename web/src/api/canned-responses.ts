import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CannedResponse, CreateCannedResponseBody, UpdateCannedResponseBody } from '@branchline/protocol';
import { api } from './client.ts';
import { queryKeys } from './query-keys.ts';

const itemPath = (id: string) => `/api/canned-responses/${encodeURIComponent(id)}`;

export function useCannedResponses() {
  return useQuery({
    queryKey: queryKeys.cannedResponses,
    queryFn: async () => (await api.get<{ items: CannedResponse[] }>('/api/canned-responses')).items,
    staleTime: 60_000,
  });
}

function useInvalidateCanned() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: queryKeys.cannedResponses });
}

export function useCreateCanned() {
  const invalidate = useInvalidateCanned();
  return useMutation({
    mutationFn: (body: CreateCannedResponseBody) => api.post<CannedResponse>('/api/canned-responses', body),
    onSuccess: invalidate,
  });
}

export function useUpdateCanned() {
  const invalidate = useInvalidateCanned();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UpdateCannedResponseBody }) =>
      api.patch<CannedResponse>(itemPath(id), body),
    onSuccess: invalidate,
  });
}

export function useDeleteCanned() {
  const invalidate = useInvalidateCanned();
  return useMutation({
    mutationFn: (id: string) => api.delete(itemPath(id)),
    onSuccess: invalidate,
  });
}
