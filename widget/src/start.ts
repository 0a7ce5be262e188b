import { startChat } from './api.ts';
import type { ChatConnection } from './connection.ts';
import type { Lang } from './messages.ts';
import { unacked } from './timeline.ts';
import { ApiError, backoffDelay, retryAfter } from './transport.ts';

export interface StartDeps {
  base: string;
  desk: string;
  library?: string | null;
  language(): Lang;
  /** The current connection; a different one after "Start a new chat". */
  connection(): ChatConnection;
  changed(): void;
  refused(reason: 'blocked' | 'missing'): void;
  problem(code: string): void;
  /** The browser's key for blocks, when it can keep one. */
  browser(): string | undefined;
  post?: typeof startChat;
}

const RATE_LIMIT_WAIT_MS = 5000;

/**
 * Creates the chat with the first queued message (POST /api/chat/conversations), retrying with
 * backoff on network and server errors with the same clientId, then hands the token to the
 * connection. Messages written meanwhile wait in the outbox and follow over the socket.
 */
export function beginChat(deps: StartDeps) {
  const post = deps.post ?? startChat;
  let running = false;
  let cancelled = false;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const later = (ms: number): void => {
    clearTimeout(timer);
    timer = setTimeout(() => void run(), ms);
  };

  async function run(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    const conn = deps.connection();
    const first = unacked(conn.chat)[0];
    if (running || !first || conn.chat.token !== null) return;
    running = true;
    cancelled = false;
    try {
      const browser = deps.browser();
      const created = await post(deps.base, {
        desk: deps.desk,
        clientId: first.clientId,
        message: first.body,
        language: deps.language(),
        ...(browser === undefined ? {} : { browser }),
        ...(deps.library ? { library: deps.library } : {}),
      });
      attempt = 0;
      if (deps.connection() !== conn) return;
      // Even when the element went away meanwhile, keep the token so the next page resumes the chat.
      conn.attach(created.token, created.conversation, created.events, first.clientId, !cancelled);
    } catch (error) {
      if (cancelled || deps.connection() !== conn) return;
      const status = error instanceof ApiError ? error.status : 0;
      const code = error instanceof ApiError ? error.code : 'network';
      if (status === 403) deps.refused('blocked');
      else if (status === 404) deps.refused('missing');
      else if (status === 429) {
        deps.problem('rate_limited');
        later(retryAfter(error) ?? RATE_LIMIT_WAIT_MS);
      } else if (status >= 400 && status < 500) {
        first.error = code;
        deps.problem(code);
        deps.changed();
      } else later(backoffDelay(attempt++));
    } finally {
      running = false;
    }
  }

  return {
    start: (): void => void run(),
    /** The network is back: do not wait for the backoff. */
    retryNow: (): void => {
      if (timer === undefined) return;
      attempt = 0;
      void run();
    },
    stop: (): void => {
      cancelled = true;
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
