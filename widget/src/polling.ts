import type { PatronServerFrame } from '@branchline/protocol';
import type { SavedChat } from './store.ts';
import { unacked } from './timeline.ts';
import { type ChatTransport, backoffDelay, retryAfter, sleep } from './transport.ts';

/** What the HTTP fallback needs from the connection that owns it. */
export interface FallbackHost {
  readonly chat: SavedChat;
  /** Still running, and still on HTTP. */
  isActive(): boolean;
  handle(frame: PatronServerFrame): void;
  /** A poll was answered. */
  reachable(): void;
  /** A poll failed; true when polling must stop for good (token refused). */
  unreachable(error: unknown): boolean;
  /**
   * A POST of a message failed. Answers 'next' when the server refused that message for good
   * (it is marked not sent and the ones behind it go on), 'wait' when it stays queued for a retry.
   */
  postFailed(error: unknown, clientId: string): 'next' | 'wait';
}

const MIN_POLL_GAP_MS = 1000;

/**
 * The same guarantees as the socket over plain HTTP: long-polls GET /api/chat/poll for frames
 * after the highest seq, and POSTs queued messages one at a time, in order, to /api/chat/frames.
 */
export class HttpFallback {
  private poller: AbortController | null = null;
  private flushing = false;

  constructor(
    private readonly transport: ChatTransport,
    private readonly host: FallbackHost,
    private readonly random: () => number,
    private readonly now: () => number,
  ) {}

  start(): void {
    this.stop();
    const controller = new AbortController();
    this.poller = controller;
    void this.poll(controller.signal);
  }

  stop(): void {
    this.poller?.abort();
    this.poller = null;
  }

  /** Sends every queued message not yet acknowledged, oldest first, each once per call. */
  async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    const tried = new Set<string>();
    try {
      for (;;) {
        const token = this.host.chat.token;
        const item = unacked(this.host.chat).find((i) => !tried.has(i.clientId));
        if (!item || token === null || !this.host.isActive()) return;
        tried.add(item.clientId);
        try {
          const frames = await this.transport.postFrame(token, {
            type: 'message.send',
            clientId: item.clientId,
            body: item.body,
          });
          for (const frame of frames) this.host.handle(frame);
        } catch (error) {
          if (this.host.postFailed(error, item.clientId) === 'wait') return;
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Straight away after an answer; backoff (or the server's wait) after a failure; at most 1/s when idle. */
  private async poll(signal: AbortSignal): Promise<void> {
    let attempt = 0;
    while (!signal.aborted && this.host.isActive()) {
      const token = this.host.chat.token;
      if (token === null) return;
      const startedAt = this.now();
      let pause = 0;
      try {
        const after = this.host.chat.lastSeq;
        const frames = await this.transport.poll(token, after, signal);
        if (signal.aborted) return;
        attempt = 0;
        this.host.reachable();
        for (const frame of frames) this.host.handle(frame);
        if (unacked(this.host.chat).length > 0) void this.flush();
        // An answer with nothing new (events already held count as nothing) waits before the next poll.
        if (this.host.chat.lastSeq === after && this.now() - startedAt < MIN_POLL_GAP_MS) pause = MIN_POLL_GAP_MS;
      } catch (error) {
        if (signal.aborted || this.host.unreachable(error)) return;
        pause = retryAfter(error) ?? backoffDelay(attempt++, this.random);
      }
      if (pause > 0) await sleep(pause, signal);
    }
  }
}
