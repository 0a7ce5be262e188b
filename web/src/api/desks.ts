import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Desk, CreateDeskBody, UpdateDeskBody } from '@branchline/protocol';
import { api } from './client.ts';
import { queryKeys } from './query-keys.ts';

const libraryPath = (libraryId: string) => `/api/libraries/${encodeURIComponent(libraryId)}/desks`;
const deskPath = (id: string) => `/api/desks/${encodeURIComponent(id)}`;

export function useDesks(libraryId: string) {
  return useQuery({
    queryKey: queryKeys.desks(libraryId),
    queryFn: async () => (await api.get<{ items: Desk[] }>(libraryPath(libraryId))).items,
  });
}

export function useDesk(id: string) {
  return useQuery({ queryKey: queryKeys.desk(id), queryFn: () => api.get<Desk>(deskPath(id)) });
}

export function useCreateDesk(libraryId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateDeskBody) => api.post<Desk>(libraryPath(libraryId), body),
    onSuccess: async (desk) => {
      queryClient.setQueryData(queryKeys.desk(desk.id), desk);
      await queryClient.invalidateQueries({ queryKey: queryKeys.desks(libraryId) });
    },
  });
}

export function useUpdateDesk(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateDeskBody) => api.patch<Desk>(deskPath(id), body),
    onSuccess: async (desk) => {
      queryClient.setQueryData(queryKeys.desk(id), desk);
      await queryClient.invalidateQueries({ queryKey: queryKeys.desks(desk.libraryId) });
    },
  });
}
