import type { StaffClientFrame, StaffServerFrame } from '@branchline/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PING_MS, retryDelay, StaffConnection, type SocketHandlers } from './staff-connection.ts';
import { conversation, patronMessage, presence, staffMessage } from './test-frames.ts';

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
  presence: presence(),
  conversations: [conversation()],
  queues: [],
  offers: [],
};

function setUp() {
  const sockets: FakeSocket[] = [];
  let onlineListener: (() => void) | undefined;
  let nextId = 0;
  const sessionEnds: number[] = [];
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
    onSessionEnded: () => sessionEnds.push(Date.now()),
    random: () => 0.5,
    newClientId: () => `client-${++nextId}`,
  });
  const latest = () => {
    const socket = sockets.at(-1);
    if (!socket) throw new Error('no socket yet');
    return socket;
  };
  return { connection, sockets, latest, goOnline: () => onlineListener?.(), sessionEnds };
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

  it('tells the dashboard when the server says the session ended, and not for other errors', () => {
    const { connection, latest, sessionEnds } = setUp();
    connection.start();
    latest().open();
    latest().receive(WELCOME);
    latest().receive({ type: 'error', code: 'not_found', message: 'That conversation does not exist.' });
    expect(sessionEnds).toHaveLength(0);
    latest().receive({ type: 'error', code: 'unauthenticated', message: 'Your session has ended. Sign in again.' });
    expect(sessionEnds).toHaveLength(1);
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

  it('shows a ringing chat from its preview, without following it', () => {
    const { connection, latest } = setUp();
    connection.start();
    latest().open();
    const queued = conversation({ id: 'q1', status: 'queued', assigneeId: null });
    latest().receive({ ...WELCOME, offers: [{ conversation: queued, ringUntil: null, preview: 'Hello' }] });
    latest().receive({ type: 'offer', conversation: { ...queued, id: 'q2' }, ringUntil: null, preview: null });
    expect(connection.getSnapshot().offers.map((o) => o.preview)).toEqual(['Hello', null]);
    expect(latest().sent.map((f) => f.type)).toEqual(['hello']);
  });

  it('keeps a chat transferred away while it is on screen, and unsubscribes once it is closed', async () => {
    const { connection, sockets, latest } = setUp();
    connection.start();
    latest().open();
    latest().receive(WELCOME);
    latest().receive({ type: 'event', conversationId: 'c1', event: patronMessage(1) });
    connection.view('c1');
    latest().receive({ type: 'conversation', conversation: conversation({ assigneeId: 'marcus' }) });
    await Promise.resolve();
    expect(connection.getSnapshot().conversations['c1']?.assigneeId).toBe('marcus');
    expect(latest().sent.filter((f) => f.type === 'unsubscribe')).toEqual([]);

    connection.view(null);
    await Promise.resolve();
    expect(latest().sent.filter((f) => f.type === 'unsubscribe')).toEqual([
      { type: 'unsubscribe', conversationId: 'c1' },
    ]);
    expect(connection.getSnapshot().conversations).toEqual({});
    expect(connection.getSnapshot().events).toEqual({});
    // Frames already on their way are ignored; the next hello does not ask for the chat again.
    latest().receive({ type: 'event', conversationId: 'c1', event: patronMessage(2) });
    expect(connection.getSnapshot().events).toEqual({});
    latest().drop();
    vi.runOnlyPendingTimers();
    expect(sockets).toHaveLength(2);
    latest().open();
    expect(latest().sent[0]).toEqual({ type: 'hello', subscriptions: [] });
  });

  it('closing and reopening the same chat at once (a remount) releases nothing', async () => {
    const { connection, latest } = setUp();
    connection.start();
    latest().open();
    latest().receive(WELCOME);
    connection.view('c1');
    latest().receive({ type: 'conversation', conversation: conversation({ assigneeId: 'marcus' }) });
    connection.view(null);
    connection.view('c1');
    await Promise.resolve();
    expect(latest().sent.filter((f) => f.type === 'unsubscribe')).toEqual([]);
  });

  it('unsubscribes at once from a chat that leaves while off screen, and follows it again if it comes back', () => {
    const { connection, latest } = setUp();
    connection.start();
    latest().open();
    latest().receive(WELCOME);
    latest().receive({ type: 'conversation', conversation: conversation({ status: 'queued', assigneeId: null }) });
    expect(latest().sent.at(-1)).toEqual({ type: 'unsubscribe', conversationId: 'c1' });
    latest().receive({ type: 'conversation', conversation: conversation({ assigneeId: 'marcus' }) });
    expect(connection.getSnapshot().conversations).toEqual({});
    // Transferred back: the server follows it again for this person, and so does the tab.
    latest().receive({ type: 'conversation', conversation: conversation() });
    latest().receive({ type: 'event', conversationId: 'c1', event: patronMessage(1) });
    expect(connection.getSnapshot().events['c1']).toHaveLength(1);
    expect(latest().sent.filter((f) => f.type === 'unsubscribe')).toHaveLength(1);
  });

  it('unsubscribes from an ended chat once it is closed', async () => {
    const { connection, latest } = setUp();
    connection.start();
    latest().open();
    latest().receive(WELCOME);
    latest().receive({ type: 'conversation', conversation: conversation({ status: 'resolved' }) });
    connection.view('c1');
    connection.dismiss('c1');
    connection.view(null);
    await Promise.resolve();
    expect(latest().sent.at(-1)).toEqual({ type: 'unsubscribe', conversationId: 'c1' });
  });

  it('restores seen marks and unread counts from the welcome after a reload', () => {
    const { connection, latest } = setUp();
    connection.start();
    latest().open();
    latest().receive({ ...WELCOME, conversations: [conversation({ lastSeq: 3, patronSeenSeq: 2, staffSeenSeq: 3 })] });
    expect(connection.getSnapshot()).toMatchObject({ patronSeen: { c1: 2 }, readUpTo: { c1: 3 } });
    connection.markRead('c1', 3);
    expect(latest().sent.filter((f) => f.type === 'seen')).toEqual([]);
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
