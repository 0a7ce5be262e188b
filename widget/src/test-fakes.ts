import type { PatronClientFrame, PatronConversation, PatronEvent, PatronServerFrame } from '@branchline/protocol';
import type { StorageLike } from './store.ts';
import type { ChatTransport, SocketHandlers, SocketLink } from './transport.ts';

/** A socket the test drives by hand: open it, feed it frames, drop it. */
export class FakeSocket implements SocketLink {
  readonly sent: PatronClientFrame[] = [];
  closed = false;
  constructor(private readonly handlers: SocketHandlers) {}
  send(frame: PatronClientFrame): void {
    this.sent.push(frame);
  }
  close(): void {
    this.closed = true;
  }
  open(): void {
    this.handlers.onOpen();
  }
  receive(frame: PatronServerFrame): void {
    this.handlers.onFrame(frame);
  }
  drop(): void {
    this.handlers.onClose();
  }
  ofType<T extends PatronClientFrame['type']>(type: T): Array<Extract<PatronClientFrame, { type: T }>> {
    return this.sent.filter((f): f is Extract<PatronClientFrame, { type: T }> => f.type === type);
  }
}

interface PendingPoll {
  after: number;
  resolve(frames: PatronServerFrame[]): void;
  reject(error: unknown): void;
}

/** Records everything sent; polls stay pending until the test answers them. */
export class FakeTransport implements ChatTransport {
  readonly sockets: FakeSocket[] = [];
  readonly posted: PatronClientFrame[] = [];
  readonly polls: PendingPoll[] = [];
  reply: (frame: PatronClientFrame) => PatronServerFrame[] | Promise<PatronServerFrame[]> = (frame) =>
    frame.type === 'message.send' ? [{ type: 'ack', clientId: frame.clientId, seq: 100 + this.posted.length }] : [];

  get socket(): FakeSocket {
    const socket = this.sockets[this.sockets.length - 1];
    if (!socket) throw new Error('no socket opened');
    return socket;
  }

  openSocket(handlers: SocketHandlers): SocketLink {
    const socket = new FakeSocket(handlers);
    this.sockets.push(socket);
    return socket;
  }

  async postFrame(_token: string, frame: PatronClientFrame): Promise<PatronServerFrame[]> {
    this.posted.push(frame);
    return this.reply(frame);
  }

  poll(_token: string, after: number, signal: AbortSignal): Promise<PatronServerFrame[]> {
    return new Promise((resolve, reject) => {
      this.polls.push({ after, resolve, reject });
      signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')), { once: true });
    });
  }
}

export function conversation(over: Partial<PatronConversation> = {}): PatronConversation {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    status: 'active',
    deskName: 'Ask a librarian',
    staffDisplayName: 'Maria',
    queue: null,
    lastSeq: 0,
    rating: null,
    transcriptRequested: false,
    ...over,
  };
}

export function event(seq: number, over: Partial<PatronEvent> = {}): PatronEvent {
  return {
    seq,
    type: 'message',
    from: 'staff',
    displayName: 'Maria',
    body: `message ${seq}`,
    systemKind: null,
    clientId: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    ...over,
  };
}

export const TOKEN = 'tok_0123456789abcdefghijklmnop';

/** Storage kept in a map, with the map to look into. */
export function memoryStorage(): StorageLike & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}
