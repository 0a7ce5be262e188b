import type { StaffClientFrame, StaffServerFrame } from '@branchline/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PING_MS, retryDelay, StaffConnection, type SocketHandlers } from './staff-connection.ts';
import { conversation, patronMessage, staffMessage } from './test-frames.ts';

/** A socket the test drives: it records what the connection sends and delivers what the test says. */
class FakeSocket {
  sent: StaffClientFrame[] = [];
  isClosed = false;
  constructor(
    readonly url: string,
    readonly handlers: SocketHandlers,
  ) {}
  send(data: string) {
    this.sent.push(JSON.parse(data) as StaffClientFrame);
  }
  close() {
    this.isClosed = true;
  }
  open() {
    this.handlers.onOpen();
  }
  receive(frame: StaffServerFrame) {
    this.handlers.onMessage(JSON.stringify(frame));
  }
  drop() {
    this.handlers.onClose();
  }
}

const WELCOME: StaffServerFrame = {
  type: 'welcome',
  presence: {
    staffId: 'me',
    displayName: 'Me',
    status: 'available',
    deskIds: [],
    activeChats: 1,
    maxChats: 3,
    connected: true,
  },
  conversations: [conversation()],
  queues: [],
  offers: [],
};

function setUp() {
  const sockets: FakeSocket[] = [];
  let onlineListener: (() => void) | undefined;
  let nextId = 0;
  const connection = new StaffConnection({
    url: () => 'ws://test/api/staff/ws',
    createSocket: (url, handlers) => {
      const socket = new FakeSocket(url, handlers);
      sockets.push(socket);
      return socket;
    },
    onOnline: (listener) => {
      onlineListener = listener;
      return () => (onlineListener = undefined);
    },
    random: () => 0.5,
    newClientId: () => `client-${++nextId}`,
  });
  const latest = () => {
    const socket = sockets.at(-1);
    if (!socket) throw new Error('no socket yet');
    return socket;
  };
  return { connection, sockets, latest, goOnline: () => onlineListener?.() };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('StaffConnection', () => {
  it('says hello with nothing to follow on the first connection', () => {
    const { connection, latest } = setUp();
    connection.start();
    expect(connection.getSnapshot().link).toBe('connecting');
    latest().open();
    expect(latest().sent).toEqual([{ type: 'hello', subscriptions: [] }]);
    latest().receive(WELCOME);
    expect(connection.getSnapshot()).toMatchObject({ link: 'open', isGreeted: true });
  });

  it('dedupes replayed events and continues after the last seq on reconnect', () => {
    const { connection, sockets, latest } = setUp();
    connection.start();
    latest().open();
    latest().receive(WELCOME);
    for (const seq of [1, 2, 2, 3])
      latest().receive({ type: 'event', conversationId: 'c1', event: patronMessage(seq) });
    expect(connection.getSnapshot().events['c1']?.map((e) => e.seq)).toEqual([1, 2, 3]);

    latest().drop();
    expect(connection.getSnapshot().link).toBe('reconnecting');
    vi.advanceTimersByTime(retryDelay(0, 0.5));
    expect(sockets).toHaveLength(2);
    latest().open();
    expect(latest().sent[0]).toEqual({ type: 'hello', subscriptions: [{ conversationId: 'c1', after: 3 }] });
    latest().receive({ type: 'event', conversationId: 'c1', event: patronMessage(3) });
    latest().receive({ type: 'event', conversationId: 'c1', event: patronMessage(4) });
    expect(connection.getSnapshot().events['c1']?.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  });

  it('resends unacknowledged messages with the same client id after a reconnect, and not acknowledged ones', () => {
    const { connection, latest } = setUp();
    connection.start();
    latest().open();
    const first = connection.sendMessage('c1', 'Hello', false);
    const second = connection.sendMessage('c1', 'Note to self', true);
    latest().receive({ type: 'ack', conversationId: 'c1', clientId: first, seq: 1 });
    expect(connection.getSnapshot().pending.map((p) => p.state)).toEqual(['sent', 'sending']);

    latest().drop();
    vi.runOnlyPendingTimers();
    latest().open();
    const resent = latest().sent.filter((f) => f.type === 'message.send');
    expect(resent).toEqual([
      { type: 'message.send', conversationId: 'c1', clientId: second, body: 'Note to self', internal: true },
    ]);
    latest().receive({ type: 'event', conversationId: 'c1', event: staffMessage(1, first) });
    latest().receive({ type: 'event', conversationId: 'c1', event: staffMessage(2, second) });
    expect(connection.getSnapshot().pending).toEqual([]);
  });

  it('keeps messages typed while offline and sends them once connected', () => {
    const { connection, latest } = setUp();
    connection.start();
    const clientId = connection.sendMessage('c1', 'Are you there?', false);
    expect(latest().sent).toEqual([]);
    latest().open();
    expect(latest().sent.at(-1)).toMatchObject({ type: 'message.send', clientId });
  });

  it('backs off from 1 s to at most 15 s, and starts again after a welcome', () => {
    expect([0, 1, 2, 3, 4, 5, 9].map((n) => retryDelay(n, 0.5))).toEqual([1000, 2000, 4000, 8000, 15000, 15000, 15000]);
    expect(retryDelay(0, 0)).toBe(800);
    expect(retryDelay(0, 1)).toBe(1200);
    expect(retryDelay(4, 1)).toBe(15000);

    const { connection, sockets, latest } = setUp();
    connection.start();
    latest().drop();
    vi.advanceTimersByTime(999);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);
    latest().drop();
    vi.advanceTimersByTime(1999);
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(3);
    latest().open();
    latest().receive(WELCOME);
    latest().drop();
    vi.advanceTimersByTime(1000);
    expect(sockets).toHaveLength(4);
  });

  it('reconnects at once when the browser comes back online', () => {
    const { connection, sockets, latest, goOnline } = setUp();
    connection.start();
    latest().drop();
    goOnline();
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(20_000);
    expect(sockets).toHaveLength(2);
  });

  it('pings every 25 s and gives up on a connection that stops answering', () => {
    const { connection, sockets, latest } = setUp();
    connection.start();
    latest().open();
    vi.advanceTimersByTime(PING_MS);
    expect(latest().sent.at(-1)).toEqual({ type: 'ping' });
    latest().receive({ type: 'pong' });
    vi.advanceTimersByTime(PING_MS);
    expect(latest().sent.filter((f) => f.type === 'ping')).toHaveLength(2);
    vi.advanceTimersByTime(PING_MS);
    expect(sockets[0]?.isClosed).toBe(true);
    expect(connection.getSnapshot().link).toBe('reconnecting');
  });

  it('follows a conversation now and in every later hello', () => {
    const { connection, latest } = setUp();
    connection.start();
    latest().open();
    connection.follow('q1');
    expect(latest().sent.at(-1)).toEqual({ type: 'subscribe', conversationId: 'q1', after: 0 });
    latest().drop();
    vi.runOnlyPendingTimers();
    latest().open();
    expect(latest().sent[0]).toEqual({ type: 'hello', subscriptions: [{ conversationId: 'q1', after: 0 }] });
  });

  it('forgets the patron typing after a while without news', () => {
    const { connection, latest } = setUp();
    connection.start();
    latest().open();
    latest().receive({ type: 'typing', conversationId: 'c1', isTyping: true });
    expect(connection.getSnapshot().patronTyping['c1']).toBe(true);
    vi.advanceTimersByTime(15_000);
    expect(connection.getSnapshot().patronTyping['c1']).toBeUndefined();
  });

  it('marks read once per new seq and tells the server', () => {
    const { connection, latest } = setUp();
    connection.start();
    latest().open();
    connection.markRead('c1', 3);
    connection.markRead('c1', 2);
    expect(latest().sent.filter((f) => f.type === 'seen')).toEqual([{ type: 'seen', conversationId: 'c1', seq: 3 }]);
  });

  it('stops cleanly and starts from nothing', () => {
    const { connection, sockets, latest } = setUp();
    connection.start();
    latest().open();
    latest().receive(WELCOME);
    connection.stop();
    expect(sockets[0]?.isClosed).toBe(true);
    expect(connection.getSnapshot()).toMatchObject({ link: 'idle', conversations: {} });
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
  });
});
