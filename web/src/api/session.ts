import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  ChangePasswordBody,
  LoginBody,
  PasswordResetConfirmBody,
  PasswordResetRequestBody,
  SessionInfo,
} from '@branchline/protocol';
import { ApiError, apiRequest, setCsrfToken } from './client.ts';
import { queryKeys } from './query-keys.ts';

/** The current session, or null when nobody is signed in. */
async function fetchSession(): Promise<SessionInfo | null> {
  try {
    const session = await apiRequest<SessionInfo>('GET', '/api/auth/session', { expectUnauthenticated: true });
    setCsrfToken(session.csrfToken);
    return session;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw error;
  }
}

export function useSessionQuery() {
  return useQuery({ queryKey: queryKeys.session, queryFn: fetchSession, staleTime: 60_000 });
}

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: LoginBody) =>
      apiRequest<SessionInfo>('POST', '/api/auth/login', { body, expectUnauthenticated: true }),
    onSuccess: (session) => {
      setCsrfToken(session.csrfToken);
      // Nothing fetched for an earlier session may show to this one.
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== queryKeys.session[0] });
      queryClient.setQueryData(queryKeys.session, session);
    },
  });
}

/** Ends the session on the server; the caller reloads the page so nothing of it stays in memory. */
export function useLogout() {
  return useMutation({
    mutationFn: () => apiRequest<void>('POST', '/api/auth/logout', { expectUnauthenticated: true }),
  });
}

export function useChangePassword() {
  return useMutation({
    mutationFn: (body: ChangePasswordBody) => apiRequest<void>('POST', '/api/auth/password', { body }),
  });
}

export function useRequestPasswordReset() {
  return useMutation({
    mutationFn: (body: PasswordResetRequestBody) =>
      apiRequest<void>('POST', '/api/auth/password-reset/request', { body, expectUnauthenticated: true }),
  });
}

export function useConfirmPasswordReset() {
  return useMutation({
    mutationFn: (body: PasswordResetConfirmBody) =>
      apiRequest<void>('POST', '/api/auth/password-reset/confirm', { body, expectUnauthenticated: true }),
  });
}
