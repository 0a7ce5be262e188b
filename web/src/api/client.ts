import type { CSRF_HEADER as ProtocolCsrfHeader, ErrorCode, FieldIssue } from '@branchline/protocol';

/**
 * The protocol's CSRF header name. The dashboard imports only types from @branchline/protocol (its
 * zod schemas would add ~60 kB to the bundle); `typeof` makes the compiler check the value.
 */
const CSRF_HEADER: typeof ProtocolCsrfHeader = 'x-csrf-token';

/** An error answered by the API, or a network failure (status 0, code `network`). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode | 'network';
  readonly details: unknown;

  constructor(status: number, code: ErrorCode | 'network', message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** Field issues in the details (a `validation_failed` or `conflict` answer); empty when there are none. */
  get fieldIssues(): FieldIssue[] {
    if (!Array.isArray(this.details)) return [];
    return this.details.filter(isFieldIssue);
  }
}

function isFieldIssue(value: unknown): value is FieldIssue {
  if (typeof value !== 'object' || value === null) return false;
  const issue = value as Record<string, unknown>;
  return typeof issue['path'] === 'string' && typeof issue['message'] === 'string';
}

let csrfToken: string | null = null;
let onUnauthenticated: (() => void) | null = null;

/** Remember the CSRF token of the current session; every state change sends it back. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when any request other than sign-in answers 401: the session has ended. */
export function setUnauthenticatedHandler(handler: (() => void) | null): void {
  onUnauthenticated = handler;
}

/** The session ended, as learnt some other way than a 401 (the live connection was closed for it). */
export function sessionEnded(): void {
  onUnauthenticated?.();
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface RequestOptions {
  body?: unknown;
  /** A 401 from this request is an answer to show, not a sign that the session ended. */
  expectUnauthenticated?: boolean;
  isRetry?: boolean;
}

/** Calls the Branchline API and returns the parsed JSON (undefined for 204/202 without a body). */
export async function apiRequest<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers[CSRF_HEADER] = csrfToken;

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? null : JSON.stringify(options.body),
    });
  } catch {
    throw new ApiError(0, 'network', 'Could not reach the Branchline server. Check your connection and try again.');
  }

  if (response.ok) {
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  const error = await readError(response);
  if (error.status === 401 && !options.expectUnauthenticated) onUnauthenticated?.();
  if (error.code === 'csrf_failed' && !options.isRetry && (await refreshCsrfToken())) {
    return apiRequest<T>(method, path, { ...options, isRetry: true });
  }
  throw error;
}

/** Fetches the session again for a fresh CSRF token; false when there is no session. */
async function refreshCsrfToken(): Promise<boolean> {
  try {
    const session = await apiRequest<{ csrfToken: string }>('GET', '/api/auth/session');
    csrfToken = session.csrfToken;
    return true;
  } catch {
    return false;
  }
}

async function readError(response: Response): Promise<ApiError> {
  const fallback = `The server answered ${response.status} ${response.statusText}`.trim();
  try {
    const body: unknown = await response.json();
    if (typeof body === 'object' && body !== null && 'error' in body) {
      const { code, message, details } = (body as { error: { code: ErrorCode; message: string; details?: unknown } })
        .error;
      return new ApiError(response.status, code, message || fallback, details);
    }
  } catch {
    // Not JSON (a proxy error page, for instance): fall through to a generic error.
  }
  return new ApiError(response.status, response.status === 401 ? 'unauthenticated' : 'internal', fallback);
}

export const api = {
  get: <T>(path: string) => apiRequest<T>('GET', path),
  post: <T>(path: string, body?: unknown) => apiRequest<T>('POST', path, { body }),
  put: <T>(path: string, body: unknown) => apiRequest<T>('PUT', path, { body }),
  patch: <T>(path: string, body: unknown) => apiRequest<T>('PATCH', path, { body }),
  delete: <T = void>(path: string) => apiRequest<T>('DELETE', path),
};
