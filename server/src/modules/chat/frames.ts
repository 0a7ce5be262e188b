import { ClientId, Id, MAX_FRAME_TEXT_BYTES, type ErrorCode } from '@branchline/protocol';
import type { Duplex } from 'node:stream';
import type { z } from 'zod';
import type { RawData, WebSocket } from 'ws';

/** The send and the chat a refused frame was about, when they can be read from it. */
export interface FrameRefs {
  clientId?: string;
  conversationId?: string;
}

export type ParsedFrame<T> = { ok: true; frame: T } | { ok: false; code: ErrorCode; message: string; refs: FrameRefs };

/**
 * Reads one client frame: size limit, JSON, then the schema. Nothing is stored for a bad frame,
 * and its error names the message and chat it was about where those are well formed, so the
 * client can mark that message failed instead of waiting for it.
 */
export function parseFrame<S extends z.ZodType>(raw: RawData, isBinary: boolean, schema: S): ParsedFrame<z.infer<S>> {
  if (isBinary) return { ok: false, code: 'unsupported_media_type', message: 'Frames are JSON text.', refs: {} };
  const text = raw.toString();
  let data: unknown;
  try {
    // The socket has already bounded the frame (64 KB), so reading an oversized one is cheap.
    data = JSON.parse(text);
  } catch {
    data = undefined;
  }
  if (Buffer.byteLength(text) > MAX_FRAME_TEXT_BYTES) {
    return {
      ok: false,
      code: 'payload_too_large',
      message: `A frame may carry at most ${MAX_FRAME_TEXT_BYTES / 1024} KB of text. Send a long message in parts.`,
      refs: refsOf(data),
    };
  }
  if (data === undefined)
    return { ok: false, code: 'malformed_request', message: 'The frame is not valid JSON.', refs: {} };
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    return {
      ok: false,
      code: 'validation_failed',
      message: `${where}${issue?.message ?? 'Invalid frame'}`,
      refs: refsOf(data),
    };
  }
  return { ok: true, frame: parsed.data };
}

/** Only well-formed ids are echoed back: never text the client chose freely. */
function refsOf(data: unknown): FrameRefs {
  if (typeof data !== 'object' || data === null) return {};
  const { clientId, conversationId } = data as { clientId?: unknown; conversationId?: unknown };
  return {
    ...(ClientId.safeParse(clientId).success ? { clientId: clientId as string } : {}),
    ...(Id.safeParse(conversationId).success ? { conversationId: conversationId as string } : {}),
  };
}

export function sendFrame(socket: WebSocket, frame: unknown): void {
  if (socket.readyState !== socket.OPEN) return;
  holdWrites(socket);
  socket.send(JSON.stringify(frame));
}

const held = new WeakSet<Duplex>();

/**
 * Frames sent to one socket in the same turn (an ack and the echo of the message it
 * acknowledges, or several events committed together) leave in one write: a write to a socket
 * costs a system call, which is dearer than building the frame.
 */
function holdWrites(socket: WebSocket): void {
  // ws keeps the TCP socket here; it has no public handle for corking.
  const raw = (socket as unknown as { _socket?: Duplex })._socket;
  if (!raw || held.has(raw) || typeof raw.cork !== 'function') return;
  held.add(raw);
  raw.cork();
  process.nextTick(() => {
    held.delete(raw);
    raw.uncork();
  });
}

/**
 * Reads one frame for a socket whose work runs through `serial`: a bad frame or a full queue
 * answers an error frame (with the frame's client id, when it has one) instead of a frame.
 */
export function acceptFrame<S extends z.ZodType>(
  raw: RawData,
  isBinary: boolean,
  schema: S,
  serial: SerialQueue,
):
  | {
      frame: z.infer<S>;
    }
  | { error: { type: 'error'; code: ErrorCode; message: string; clientId?: string; conversationId?: string } } {
  const parsed = parseFrame(raw, isBinary, schema);
  if (!parsed.ok) return { error: { type: 'error', code: parsed.code, message: parsed.message, ...parsed.refs } };
  // Backpressure: a client far ahead of the server is told to retry, not queued without end.
  if (serial.pending >= MAX_PENDING_FRAMES) {
    return {
      error: {
        type: 'error',
        code: 'service_unavailable',
        message: 'The server is busy. Please try again in a moment.',
        ...refsOf(parsed.frame),
      },
    };
  }
  return { frame: parsed.frame };
}

/** Most frames one socket may have waiting: past it the server is behind and says so. */
export const MAX_PENDING_FRAMES = 100;

/** Runs tasks one after another, so deliveries for one socket never interleave or duplicate. */
export class SerialQueue {
  #tail: Promise<void> = Promise.resolve();
  #pending = 0;
  constructor(private readonly onError: (error: unknown) => void) {}
  /** Tasks queued and not yet finished. */
  get pending(): number {
    return this.#pending;
  }
  push(task: () => Promise<void>): Promise<void> {
    this.#pending++;
    this.#tail = this.#tail
      .then(task)
      .catch(this.onError)
      .finally(() => this.#pending--);
    return this.#tail;
  }
}

/**
 * Runs `task` at most once per `ms`. A call inside the window is not dropped: one trailing run
 * happens when the window ends, so the last change is always sent.
 */
export function throttled(ms: number, task: () => void): { call(): void; cancel(): void } {
  let last = 0;
  let timer: NodeJS.Timeout | undefined;
  return {
    call() {
      const wait = last + ms - Date.now();
      if (wait <= 0) {
        last = Date.now();
        task();
        return;
      }
      timer ??= setTimeout(() => {
        timer = undefined;
        last = Date.now();
        task();
      }, wait);
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
