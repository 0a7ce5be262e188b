import type {
  DeskAvailability,
  LeaveQuestionBody,
  PatronClientFrame,
  PatronServerFrame,
  StartChatBody,
  StartChatResponse,
} from '@branchline/protocol';
import { CHAT_TOKEN_HEADER } from './contract.ts';
import { ApiError, type ChatTransport, type SocketHandlers, type SocketLink } from './transport.ts';

const POLL_GIVE_UP_MS = 40_000;

async function request<T>(url: string, init: RequestInit = {}, token?: string): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (token !== undefined) headers[CHAT_TOKEN_HEADER] = token;
  let response: Response;
  try {
    response = await fetch(url, { ...init, headers, credentials: 'omit', cache: 'no-store', mode: 'cors' });
  } catch (cause) {
    if (init.signal?.aborted) throw cause;
    throw new ApiError(0, 'network', 'The server could not be reached');
  }
  const text = await response.text().catch(() => '');
  const data = parseJson(text);
  if (response.ok) return data as T;
  throw errorFrom(response.status, data);
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

function errorFrom(status: number, data: unknown): ApiError {
  const error = typeof data === 'object' && data !== null && 'error' in data ? data.error : null;
  if (typeof error !== 'object' || error === null) return new ApiError(status, `http_${status}`, `HTTP ${status}`);
  const code = 'code' in error && typeof error.code === 'string' ? error.code : `http_${status}`;
  const message = 'message' in error && typeof error.message === 'string' ? error.message : `HTTP ${status}`;
  const details = 'details' in error ? error.details : null;
  const retry =
    typeof details === 'object' && details !== null && 'retryAfterSeconds' in details
      ? details.retryAfterSeconds
      : null;
  return new ApiError(status, code, message, typeof retry === 'number' ? retry : null);
}

export function fetchDesk(base: string, slug: string, library: string | null = null): Promise<DeskAvailability> {
  const query = library === null ? '' : `?library=${encodeURIComponent(library)}`;
  return request(`${base}/api/chat/desks/${encodeURIComponent(slug)}${query}`);
}

export function startChat(base: string, body: StartChatBody): Promise<StartChatResponse> {
  return request(`${base}/api/chat/conversations`, { method: 'POST', body: JSON.stringify(body) });
}

export function leaveQuestion(base: string, body: LeaveQuestionBody): Promise<unknown> {
  return request(`${base}/api/chat/questions`, { method: 'POST', body: JSON.stringify(body) });
}

/** ws(s)://host/api/chat/ws for an http(s) base URL. */
export function socketUrl(base: string): string {
  return `${base.replace(/^http/, 'ws')}/api/chat/ws`;
}

function parseFrame(data: unknown): PatronServerFrame | null {
  if (typeof data !== 'string') return null;
  try {
    const frame: unknown = JSON.parse(data);
    return typeof frame === 'object' && frame !== null && 'type' in frame && typeof frame.type === 'string'
      ? (frame as PatronServerFrame)
      : null;
  } catch {
    return null;
  }
}

function framesOf(data: unknown): PatronServerFrame[] {
  const frames = typeof data === 'object' && data !== null && 'frames' in data ? data.frames : null;
  return Array.isArray(frames) ? (frames as PatronServerFrame[]) : [];
}

/** The real transport: a browser WebSocket, and fetch for the HTTP fallback. */
export function browserTransport(base: string): ChatTransport {
  return {
    openSocket(handlers: SocketHandlers): SocketLink {
      const socket = new WebSocket(socketUrl(base));
      socket.onopen = () => handlers.onOpen();
      socket.onmessage = (message: MessageEvent) => {
        const frame = parseFrame(message.data);
        if (frame) handlers.onFrame(frame);
      };
      socket.onclose = () => handlers.onClose();
      return {
        send: (frame: PatronClientFrame) => {
          if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
        },
        close: () => socket.close(),
      };
    },
    async postFrame(token, frame) {
      return framesOf(await request(`${base}/api/chat/frames`, { method: 'POST', body: JSON.stringify(frame) }, token));
    },
    async poll(token, after, signal) {
      // Give up on a poll the server (or a proxy) never answers.
      const giveUp = new AbortController();
      const timer = setTimeout(() => giveUp.abort(), POLL_GIVE_UP_MS);
      const onAbort = (): void => giveUp.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        return framesOf(await request(`${base}/api/chat/poll?after=${after}`, { signal: giveUp.signal }, token));
      } catch (error) {
        if (giveUp.signal.aborted && !signal.aborted) throw new ApiError(0, 'network', 'The poll timed out');
        throw error;
      } finally {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      }
    },
  };
}
