import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Branch, CreateBranchBody, UpdateBranchBody } from '@branchline/protocol';
import { api } from './client.ts';
import { queryKeys } from './query-keys.ts';

const libraryPath = (libraryId: string) => `/api/libraries/${encodeURIComponent(libraryId)}/branches`;
const branchPath = (id: string) => `/api/branches/${encodeURIComponent(id)}`;

export function useBranches(libraryId: string) {
  return useQuery({
    queryKey: queryKeys.branches(libraryId),
    queryFn: async () => (await api.get<{ items: Branch[] }>(libraryPath(libraryId))).items,
  });
}

export function useBranch(id: string) {
  return useQuery({ queryKey: queryKeys.branch(id), queryFn: () => api.get<Branch>(branchPath(id)) });
}

export function useCreateBranch(libraryId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateBranchBody) => api.post<Branch>(libraryPath(libraryId), body),
    onSuccess: async (branch) => {
      queryClient.setQueryData(queryKeys.branch(branch.id), branch);
      await queryClient.invalidateQueries({ queryKey: queryKeys.branches(libraryId) });
    },
  });
}

export function useUpdateBranch(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateBranchBody) => api.patch<Branch>(branchPath(id), body),
    onSuccess: async (branch) => {
      queryClient.setQueryData(queryKeys.branch(id), branch);
      await queryClient.invalidateQueries({ queryKey: queryKeys.branches(branch.libraryId) });
    },
  });
}
