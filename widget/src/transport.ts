import type { PatronClientFrame, PatronServerFrame } from '@branchline/protocol';

export interface SocketHandlers {
  onOpen(): void;
  onFrame(frame: PatronServerFrame): void;
  onClose(): void;
}

export interface SocketLink {
  send(frame: PatronClientFrame): void;
  close(): void;
}

/** How frames travel. The browser one is in api.ts; tests pass a fake. */
export interface ChatTransport {
  openSocket(handlers: SocketHandlers): SocketLink;
  postFrame(token: string, frame: PatronClientFrame): Promise<PatronServerFrame[]>;
  poll(token: string, after: number, signal: AbortSignal): Promise<PatronServerFrame[]>;
}

/** A failed request: `status` 0 and code `network` when the server could not be reached at all. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
}

/** 1 s, 2 s, 4 s … at most 15 s, each shortened by up to half at random so clients spread out. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(15_000, 1000 * 2 ** attempt);
  return Math.round(base * (0.5 + 0.5 * random()));
}

/** The wait the server asked for (rate limiting), in milliseconds. */
export function retryAfter(error: unknown): number | null {
  return error instanceof ApiError && error.retryAfterSeconds !== null ? error.retryAfterSeconds * 1000 : null;
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** Named one-shot timers: setting a name again replaces its timer. */
export class Timers {
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();

  set(name: string, ms: number, run: () => void): void {
    this.clear(name);
    this.pending.set(
      name,
      setTimeout(() => {
        this.pending.delete(name);
        run();
      }, ms),
    );
  }

  clear(name: string): void {
    const timer = this.pending.get(name);
    if (timer !== undefined) clearTimeout(timer);
    this.pending.delete(name);
  }

  clearAll(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }
}
