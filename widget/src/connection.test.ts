import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChatConnection, type ConnectionListener } from './connection.ts';
import { emptyChat, type SavedChat } from './store.ts';
import { FakeTransport, TOKEN, conversation, event } from './test-fakes.ts';
import { buildTimeline } from './timeline.ts';
import { ApiError, backoffDelay } from './transport.ts';

interface Harness {
  transport: FakeTransport;
  conn: ChatConnection;
  problems: Array<[string, string | null]>;
  terminal: string[];
}

function setup(chat: Partial<SavedChat> = {}): Harness {
  const transport = new FakeTransport();
  const problems: Array<[string, string | null]> = [];
  const terminal: string[] = [];
  const listener: ConnectionListener = {
    changed: () => undefined,
    problem: (code, clientId) => problems.push([code, clientId]),
    terminal: (reason) => terminal.push(reason),
  };
  const conn = new ChatConnection(transport, { ...emptyChat(), token: TOKEN, ...chat }, listener, { random: () => 1 });
  return { transport, conn, problems, terminal };
}

/** Opens the latest socket and answers the hello. */
function welcome(h: Harness): void {
  h.transport.socket.open();
  h.transport.socket.receive({ type: 'welcome', conversation: conversation() });
}

const deliveries = (conn: ChatConnection) => buildTimeline(conn.chat).map((i) => [i.body, i.delivery]);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ChatConnection over a socket', () => {
  it('says hello with the highest seq seen, and is online after the welcome', () => {
    const h = setup({ lastSeq: 7 });
    h.conn.start();
    expect(h.conn.link).toBe('connecting');
    h.transport.socket.open();
    expect(h.transport.socket.sent).toEqual([{ type: 'hello', token: TOKEN, after: 7 }]);
    h.transport.socket.receive({ type: 'welcome', conversation: conversation({ staffDisplayName: 'Ana' }) });
    expect(h.conn.link).toBe('online');
    expect(h.conn.chat.conversation?.staffDisplayName).toBe('Ana');
  });

  it('shows a message as sending at once, sent on ack, seen when staff have seen it', () => {
    const h = setup();
    h.conn.start();
    const item = h.conn.send('Do you have large print books?');
    expect(deliveries(h.conn)).toEqual([['Do you have large print books?', 'sending']]);
    expect(h.transport.socket.ofType('message.send')).toHaveLength(0);

    welcome(h);
    expect(h.transport.socket.ofType('message.send')).toEqual([
      { type: 'message.send', clientId: item.clientId, body: 'Do you have large print books?' },
    ]);
    h.transport.socket.receive({ type: 'ack', clientId: item.clientId, seq: 3 });
    expect(deliveries(h.conn)).toEqual([['Do you have large print books?', 'sent']]);
    h.transport.socket.receive({ type: 'seen', seq: 2 });
    expect(deliveries(h.conn)).toEqual([['Do you have large print books?', 'sent']]);
    h.transport.socket.receive({ type: 'seen', seq: 3 });
    expect(deliveries(h.conn)).toEqual([['Do you have large print books?', 'seen']]);
  });

  it('replaces a sent message by its event, keeping one line', () => {
    const h = setup();
    h.conn.start();
    welcome(h);
    const item = h.conn.send('hi');
    h.transport.socket.receive({ type: 'ack', clientId: item.clientId, seq: 4 });
    h.transport.socket.receive({
      type: 'event',
      event: event(4, { from: 'patron', displayName: null, body: 'hi', clientId: item.clientId }),
    });
    const timeline = buildTimeline(h.conn.chat);
    expect(timeline).toHaveLength(1);
    expect(timeline[0]?.key).toBe(`c${item.clientId}`);
    expect(h.conn.chat.outbox).toEqual([]);
  });

  it('dedupes events by seq, keeps them in order and tracks the highest seq', () => {
    const h = setup();
    h.conn.start();
    welcome(h);
    for (const seq of [2, 1, 2, 5, 1]) h.transport.socket.receive({ type: 'event', event: event(seq) });
    expect(h.conn.chat.events.map((e) => e.seq)).toEqual([1, 2, 5]);
    expect(h.conn.chat.lastSeq).toBe(5);
  });

  it('ignores frames before the welcome except errors', () => {
    const h = setup();
    h.conn.start();
    h.transport.socket.open();
    h.transport.socket.receive({ type: 'event', event: event(1) });
    expect(h.conn.chat.events).toEqual([]);
  });

  it('does not send a message twice on the same socket', () => {
    const h = setup();
    h.conn.start();
    welcome(h);
    h.conn.send('one');
    h.conn.send('two');
    expect(h.transport.socket.ofType('message.send').map((f) => f.body)).toEqual(['one', 'two']);
  });

  it('reconnects with backoff and re-sends only what was not acknowledged', async () => {
    const h = setup();
    h.conn.start();
    welcome(h);
    const acked = h.conn.send('acked');
    const lost = h.conn.send('lost');
    h.transport.socket.receive({ type: 'ack', clientId: acked.clientId, seq: 1 });
    h.transport.socket.receive({ type: 'event', event: event(2) });
    h.transport.socket.drop();
    expect(h.conn.link).toBe('reconnecting');
    expect(h.transport.sockets).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(999);
    expect(h.transport.sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.transport.sockets).toHaveLength(2);
    h.transport.socket.open();
    expect(h.transport.socket.sent[0]).toEqual({ type: 'hello', token: TOKEN, after: 2 });
    h.transport.socket.receive({ type: 'welcome', conversation: conversation() });
    expect(h.transport.socket.ofType('message.send')).toEqual([
      { type: 'message.send', clientId: lost.clientId, body: 'lost' },
    ]);
  });

  it('backs off 1 s, 2 s, 4 s … up to 15 s, with jitter', () => {
    expect([0, 1, 2, 3, 4, 5, 9].map((n) => backoffDelay(n, () => 1))).toEqual([
      1000, 2000, 4000, 8000, 15000, 15000, 15000,
    ]);
    expect(backoffDelay(2, () => 0)).toBe(2000);
    expect(backoffDelay(0, () => 0.5)).toBe(750);
  });

  it('replaces a socket that stops answering pings', async () => {
    const h = setup();
    h.conn.start();
    welcome(h);
    await vi.advanceTimersByTimeAsync(25_000);
    expect(h.transport.socket.ofType('ping')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(8_000);
    expect(h.transport.sockets[0]?.closed).toBe(true);
    expect(h.conn.link).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.transport.sockets).toHaveLength(2);
  });

  it('pings soon when a message is not acknowledged', async () => {
    const h = setup();
    h.conn.start();
    welcome(h);
    h.conn.send('hello?');
    await vi.advanceTimersByTimeAsync(5000);
    expect(h.transport.socket.ofType('ping')).toHaveLength(1);
    h.transport.socket.receive({ type: 'pong' });
    await vi.advanceTimersByTimeAsync(8000);
    expect(h.transport.sockets).toHaveLength(1);
  });

  it('reconnects at once when the network comes back', async () => {
    const h = setup();
    h.conn.start();
    welcome(h);
    h.conn.setNetwork(false);
    h.transport.socket.drop();
    expect(h.conn.link).toBe('offline');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.transport.sockets).toHaveLength(1);
    h.conn.setNetwork(true);
    expect(h.transport.sockets).toHaveLength(2);
  });

  it('reconnects without waiting when the page becomes visible again', async () => {
    const h = setup();
    h.conn.start();
    h.transport.socket.drop();
    expect(h.transport.sockets).toHaveLength(1);
    h.conn.wake();
    expect(h.transport.sockets).toHaveLength(2);
  });

  it('lets the socket go a little after the chat ends', async () => {
    const h = setup();
    h.conn.start();
    welcome(h);
    h.transport.socket.receive({ type: 'state', conversation: conversation({ status: 'resolved' }) });
    h.transport.socket.receive({
      type: 'event',
      event: event(9, { type: 'system', from: 'system', systemKind: 'ended' }),
    });
    await vi.advanceTimersByTimeAsync(5000);
    expect(h.transport.socket.closed).toBe(true);
    expect(h.conn.chat.lastSeq).toBe(9);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.transport.sockets).toHaveLength(1);
  });

  it('shows staff typing, and stops when their message arrives or after a while', async () => {
    const h = setup();
    h.conn.start();
    welcome(h);
    h.transport.socket.receive({ type: 'typing', displayName: 'Maria', isTyping: true });
    expect(h.conn.typing).toBe('Maria');
    h.transport.socket.receive({ type: 'event', event: event(1) });
    expect(h.conn.typing).toBeNull();
    h.transport.socket.receive({ type: 'typing', displayName: 'Maria', isTyping: true });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(h.conn.typing).toBeNull();
  });

  it('tells staff what the patron has seen, once per new event', () => {
    const h = setup();
    h.conn.start();
    welcome(h);
    h.transport.socket.receive({ type: 'event', event: event(3) });
    h.conn.markRead();
    h.conn.markRead();
    expect(h.transport.socket.ofType('seen')).toEqual([{ type: 'seen', seq: 3 }]);
    expect(h.conn.chat.readSeq).toBe(3);
  });

  it('re-sends a rate-limited message a little later', async () => {
    const h = setup();
    h.conn.start();
    welcome(h);
    const item = h.conn.send('quick');
    h.transport.socket.receive({ type: 'error', code: 'rate_limited', message: 'slow down', clientId: item.clientId });
    expect(h.problems).toEqual([['rate_limited', item.clientId]]);
    expect(deliveries(h.conn)).toEqual([['quick', 'sending']]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(h.transport.socket.ofType('message.send')).toHaveLength(2);
  });

  it('marks a refused message as not sent, and sends it again on retry', () => {
    const h = setup();
    h.conn.start();
    welcome(h);
    const item = h.conn.send('x');
    h.transport.socket.receive({ type: 'error', code: 'validation_failed', message: 'no', clientId: item.clientId });
    expect(deliveries(h.conn)).toEqual([['x', 'failed']]);
    h.conn.retry(item.clientId);
    expect(deliveries(h.conn)).toEqual([['x', 'sending']]);
    expect(h.transport.socket.ofType('message.send')).toHaveLength(2);
  });

  it('ends when the server no longer accepts the token', () => {
    const h = setup();
    h.conn.start();
    h.transport.socket.open();
    h.transport.socket.receive({ type: 'error', code: 'unauthenticated', message: 'gone' });
    expect(h.terminal).toEqual(['expired']);
    expect(h.conn.link).toBe('idle');
  });
});

describe('ChatConnection falling back to HTTP', () => {
  async function failThreeTimes(h: Harness): Promise<void> {
    h.conn.start();
    h.transport.socket.drop();
    await vi.advanceTimersByTimeAsync(1000);
    h.transport.socket.drop();
    await vi.advanceTimersByTimeAsync(2000);
    h.transport.socket.drop();
  }

  it('long-polls after three socket failures within a minute', async () => {
    const h = setup({ lastSeq: 4 });
    await failThreeTimes(h);
    expect(h.conn.via).toBe('http');
    expect(h.transport.polls.map((p) => p.after)).toEqual([4]);
    h.transport.polls[0]?.resolve([{ type: 'event', event: event(5) }]);
    await vi.advanceTimersByTimeAsync(0);
    expect(h.conn.link).toBe('online');
    expect(h.conn.chat.lastSeq).toBe(5);
    expect(h.transport.polls.map((p) => p.after)).toEqual([4, 5]);
  });

  it('sends messages with POST and takes the ack from the answer', async () => {
    const h = setup();
    await failThreeTimes(h);
    const item = h.conn.send('over http');
    await vi.advanceTimersByTimeAsync(0);
    expect(h.transport.posted).toEqual([{ type: 'message.send', clientId: item.clientId, body: 'over http' }]);
    expect(deliveries(h.conn)).toEqual([['over http', 'sent']]);
  });

  it('keeps a message when the POST fails and sends it again later', async () => {
    const h = setup();
    await failThreeTimes(h);
    let fail = true;
    h.transport.reply = (frame) => {
      if (fail) throw new ApiError(0, 'network', 'down');
      return frame.type === 'message.send' ? [{ type: 'ack', clientId: frame.clientId, seq: 9 }] : [];
    };
    h.conn.send('persistent');
    await vi.advanceTimersByTimeAsync(0);
    expect(deliveries(h.conn)).toEqual([['persistent', 'sending']]);
    fail = false;
    await vi.advanceTimersByTimeAsync(15_000);
    expect(deliveries(h.conn)).toEqual([['persistent', 'sent']]);
  });

  it('tries the socket again later and stops polling once it works', async () => {
    const h = setup();
    await failThreeTimes(h);
    const sockets = h.transport.sockets.length;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.transport.sockets).toHaveLength(sockets + 1);
    welcome(h);
    expect(h.conn.via).toBe('socket');
    await vi.advanceTimersByTimeAsync(0);
    // The pending poll was aborted and no new one started.
    expect(h.transport.polls).toHaveLength(1);
  });

  it('ends when a poll says the token is no longer valid', async () => {
    const h = setup();
    await failThreeTimes(h);
    h.transport.polls[0]?.reject(new ApiError(401, 'unauthenticated', 'no'));
    await vi.advanceTimersByTimeAsync(0);
    expect(h.terminal).toEqual(['expired']);
  });
});

describe('ChatConnection.attach', () => {
  it('takes the token from the start answer and sends what was written meanwhile', () => {
    const h = setup({ token: null });
    const first = h.conn.send('first question');
    const second = h.conn.send('and another');
    h.conn.start();
    expect(h.transport.sockets).toHaveLength(0);
    h.conn.attach(
      TOKEN,
      conversation({ status: 'queued' }),
      [event(1, { from: 'patron', displayName: null, body: 'first question', clientId: first.clientId })],
      first.clientId,
    );
    welcome(h);
    expect(h.transport.socket.ofType('message.send').map((f) => f.clientId)).toEqual([second.clientId]);
    expect(deliveries(h.conn)).toEqual([
      ['first question', 'sent'],
      ['and another', 'sending'],
    ]);
  });

  it('keeps the first message as sent when the start answer did not echo it', () => {
    const h = setup({ token: null });
    const first = h.conn.send('hello');
    h.conn.attach(TOKEN, conversation(), [], first.clientId, false);
    expect(deliveries(h.conn)).toEqual([['hello', 'sent']]);
    expect(h.transport.sockets).toHaveLength(0);
  });
});

describe('ChatConnection.request', () => {
  it('posts one-off frames and reports an error frame', async () => {
    const h = setup();
    h.transport.reply = () => [{ type: 'error', code: 'validation_failed', message: 'bad email' }];
    expect(await h.conn.request({ type: 'transcript.request', email: 'x@y.org' })).toEqual({
      code: 'validation_failed',
      message: 'bad email',
    });
    h.transport.reply = () => [{ type: 'state', conversation: conversation({ status: 'resolved' }) }];
    expect(await h.conn.request({ type: 'end' })).toBeNull();
    expect(h.conn.isEnded).toBe(true);
  });
});
