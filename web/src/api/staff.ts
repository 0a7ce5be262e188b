import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CreateStaffBody, Staff, UpdateStaffBody } from '@branchline/protocol';
import { api } from './client.ts';
import { queryKeys } from './query-keys.ts';

const staffPath = (id: string) => `/api/staff/${encodeURIComponent(id)}`;

/** The staff of the signed-in person's library. */
export function useStaffList() {
  return useQuery({
    queryKey: queryKeys.staffList,
    queryFn: async () => (await api.get<{ items: Staff[] }>('/api/staff')).items,
  });
}

export function useStaffMember(id: string) {
  return useQuery({ queryKey: queryKeys.staffMember(id), queryFn: () => api.get<Staff>(staffPath(id)) });
}

export function useCreateStaff() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateStaffBody) => api.post<Staff>('/api/staff', body),
    onSuccess: async (staff) => {
      queryClient.setQueryData(queryKeys.staffMember(staff.id), staff);
      await queryClient.invalidateQueries({ queryKey: queryKeys.staffList, exact: true });
    },
  });
}

export function useUpdateStaff(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateStaffBody) => api.patch<Staff>(staffPath(id), body),
    onSuccess: async (staff) => {
      queryClient.setQueryData(queryKeys.staffMember(id), staff);
      await queryClient.invalidateQueries({ queryKey: queryKeys.staffList, exact: true });
      // Editing yourself changes the name in the header.
      await queryClient.invalidateQueries({ queryKey: queryKeys.session });
    },
  });
}
