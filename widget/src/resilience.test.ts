import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PatronServerFrame } from '@branchline/protocol';
import { browserTransport } from './api.ts';
import { ChatConnection, type ConnectionListener } from './connection.ts';
import {
  type OutboxItem,
  type SavedChat,
  type StorageLike,
  emptyChat,
  loadChat,
  saveChat,
  storageKey,
} from './store.ts';
import { FakeTransport, TOKEN, conversation, event, memoryStorage } from './test-fakes.ts';
import { buildTimeline } from './timeline.ts';
import { ApiError } from './transport.ts';

const SERVER = 'https://chat.example.org';

interface Harness {
  transport: FakeTransport;
  conn: ChatConnection;
  problems: Array<[string, string | null]>;
  terminal: string[];
  changes: () => number;
}

function setup(chat: Partial<SavedChat> = {}, transport = new FakeTransport()): Harness {
  const problems: Array<[string, string | null]> = [];
  const terminal: string[] = [];
  let changed = 0;
  const listener: ConnectionListener = {
    changed: () => void changed++,
    problem: (code, clientId) => problems.push([code, clientId]),
    terminal: (reason) => terminal.push(reason),
  };
  const conn = new ChatConnection(transport, { ...emptyChat(), token: TOKEN, ...chat }, listener, { random: () => 1 });
  return { transport, conn, problems, terminal, changes: () => changed };
}

function welcome(h: Harness, over: Parameters<typeof conversation>[0] = {}): void {
  h.transport.socket.open();
  h.transport.socket.receive({ type: 'welcome', conversation: conversation(over) });
}

/** Starts the connection and lets three sockets fail in a row, which sends it to HTTP. */
async function onHttp(h: Harness): Promise<void> {
  h.conn.start();
  h.transport.socket.drop();
  await vi.advanceTimersByTimeAsync(1000);
  h.transport.socket.drop();
  await vi.advanceTimersByTimeAsync(2000);
  h.transport.socket.drop();
  expect(h.conn.via).toBe('http');
}

const mine = (seq: number, clientId: string, body = `mine ${seq}`) =>
  event(seq, { from: 'patron', displayName: null, body, clientId });
const sends = (h: Harness, index = h.transport.sockets.length - 1) =>
  (h.transport.sockets[index]?.ofType('message.send') ?? []).map((f) => [f.clientId, f.body]);
const deliveries = (conn: ChatConnection) => buildTimeline(conn.chat).map((i) => [i.body, i.delivery]);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('events after a reconnect', () => {
  it('keeps one copy of each event, in seq order, when the replay overlaps and arrives out of order', async () => {
    const h = setup();
    h.conn.start();
    welcome(h);
    for (const seq of [1, 2, 3]) h.transport.socket.receive({ type: 'event', event: event(seq) });
    h.transport.socket.drop();
    await vi.advanceTimersByTimeAsync(1000);
    h.transport.socket.open();
    expect(h.transport.socket.sent[0]).toEqual({ type: 'hello', token: TOKEN, after: 3 });
    h.transport.socket.receive({ type: 'welcome', conversation: conversation() });
    const before = h.changes();
    for (const seq of [5, 4, 4, 3, 5]) h.transport.socket.receive({ type: 'event', event: event(seq) });
    expect(h.conn.chat.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(h.conn.chat.lastSeq).toBe(5);
    // Only the two new events changed anything.
    expect(h.changes() - before).toBe(2);
    expect(buildTimeline(h.conn.chat).map((i) => i.key)).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
  });

  it('resumes from the highest seq even when it arrived before a lower one', async () => {
    const h = setup();
    h.conn.start();
    welcome(h);
    h.transport.socket.receive({ type: 'event', event: event(5) });
    h.transport.socket.receive({ type: 'event', event: event(4) });
    h.transport.socket.drop();
    await vi.advanceTimersByTimeAsync(1000);
    h.transport.socket.open();
    expect(h.transport.socket.sent[0]).toEqual({ type: 'hello', token: TOKEN, after: 5 });
  });

  it('ignores frames and the close of a socket it has already replaced', async () => {
    const h = setup();
    h.conn.start();
    welcome(h);
    const old = h.transport.socket;
    old.drop();
    await vi.advanceTimersByTimeAsync(1000);
    welcome(h);
    const item = h.conn.send('after reconnect');
    old.receive({ type: 'event', event: event(9) });
    old.receive({ type: 'ack', clientId: item.clientId, seq: 9 });
    old.receive({ type: 'state', conversation: conversation({ status: 'resolved' }) });
    old.drop();
    expect(h.conn.chat.lastSeq).toBe(0);
    expect(h.conn.chat.outbox[0]?.seq).toBeNull();
    expect(h.conn.isEnded).toBe(false);
    expect(h.conn.link).toBe('online');
    await vi.advanceTimersByTimeAsync(4000);
    expect(h.transport.sockets).toHaveLength(2);
    expect(h.transport.socket.closed).toBe(false);
  });

  it('ignores events on a new socket until it is welcomed, then takes the replay', async () => {
    const h = setup({ lastSeq: 2, events: [event(1), event(2)] });
    h.conn.start();
    h.transport.socket.open();
    h.transport.socket.receive({ type: 'event', event: event(3) });
    expect(h.conn.chat.lastSeq).toBe(2);
    h.transport.socket.receive({ type: 'welcome', conversation: conversation() });
    h.transport.socket.receive({ type: 'event', event: event(3) });
    expect(h.conn.chat.events.map((e) => e.seq)).toEqual([1, 2, 3]);
  });
});

describe('acknowledgements', () => {
  it('keeps one line when the event of a message arrives before its ack', () => {
    const h = setup();
    h.conn.start();
    welcome(h);
    const item = h.conn.send('event first');
    h.transport.socket.receive({ type: 'event', event: mine(3, item.clientId, 'event first') });
    const before = h.changes();
    h.transport.socket.receive({ type: 'ack', clientId: item.clientId, seq: 3 });
    expect(h.changes()).toBe(before);
    expect(h.conn.chat.outbox).toEqual([]);
    expect(deliveries(h.conn)).toEqual([['event first', 'sent']]);
  });

  it('drops a message whose event came without a clientId once the ack names that seq', () => {
    const h = setup();
    h.conn.start();
    welcome(h);
    const item = h.conn.send('anonymous echo');
    h.transport.socket.receive({ type: 'event', event: event(4, { from: 'patron', body: 'anonymous echo' }) });
    expect(h.conn.chat.outbox).toHaveLength(1);
    h.transport.socket.receive({ type: 'ack', clientId: item.clientId, seq: 4 });
    expect(h.conn.chat.outbox).toEqual([]);
    expect(buildTimeline(h.conn.chat)).toHaveLength(1);
  });

  it('takes the event an ack carries, and then ignores the same event arriving again', async () => {
    const h = setup();
    h.conn.start();
    welcome(h);
    h.transport.socket.receive({ type: 'event', event: event(1) });
    const item = h.conn.send('carried');
    h.transport.socket.receive({
      type: 'ack',
      clientId: item.clientId,
      seq: 2,
      event: mine(2, item.clientId, 'carried'),
    });
    expect(h.conn.chat.outbox).toEqual([]);
    expect(h.conn.chat.lastSeq).toBe(2);
    expect(h.conn.chat.events.map((e) => e.seq)).toEqual([1, 2]);
    expect(deliveries(h.conn).at(-1)).toEqual(['carried', 'sent']);
    const before = h.changes();
    h.transport.socket.receive({ type: 'event', event: mine(2, item.clientId, 'carried') });
    h.transport.socket.receive({
      type: 'ack',
      clientId: item.clientId,
      seq: 2,
      event: mine(2, item.clientId, 'carried'),
    });
    expect(h.changes()).toBe(before);
    expect(buildTimeline(h.conn.chat).filter((i) => i.body === 'carried')).toHaveLength(1);
    // A reload resumes after it, as after any event.
    h.transport.socket.drop();
    await vi.advanceTimersByTimeAsync(1000);
    h.transport.socket.open();
    expect(h.transport.socket.sent[0]).toEqual({ type: 'hello', token: TOKEN, after: 2 });
  });

  it('ignores a duplicated ack and an ack for a message it never sent', () => {
    const h = setup();
    h.conn.start();
    welcome(h);
    const item = h.conn.send('once');
    h.transport.socket.receive({ type: 'ack', clientId: item.clientId, seq: 2 });
    h.transport.socket.receive({ type: 'event', event: mine(2, item.clientId, 'once') });
    const before = h.changes();
    h.transport.socket.receive({ type: 'ack', clientId: item.clientId, seq: 2 });
    h.transport.socket.receive({ type: 'ack', clientId: 'someone-else-0001', seq: 3 });
    expect(h.changes()).toBe(before);
    expect(h.conn.chat.outbox).toEqual([]);
    expect(deliveries(h.conn)).toEqual([['once', 'sent']]);
  });

  it('does not send again on a socket that answers pings but never acks; does after the socket is replaced', async () => {
    const h = setup();
    h.conn.start();
    welcome(h);
    const item = h.conn.send('no ack');
    await vi.advanceTimersByTimeAsync(5000);
    expect(h.transport.socket.ofType('ping')).toHaveLength(1);
    h.transport.socket.receive({ type: 'pong' });
    for (let i = 0; i < 3; i++) {
      await vi.advanceTimersByTimeAsync(25_000);
      h.transport.socket.receive({ type: 'pong' });
    }
    expect(h.transport.sockets).toHaveLength(1);
    expect(h.transport.socket.ofType('ping')).toHaveLength(4);
    expect(sends(h)).toEqual([[item.clientId, 'no ack']]);
    expect(deliveries(h.conn)).toEqual([['no ack', 'sending']]);

    h.transport.socket.drop();
    await vi.advanceTimersByTimeAsync(1000);
    welcome(h);
    expect(h.transport.sockets).toHaveLength(2);
    expect(sends(h)).toEqual([[item.clientId, 'no ack']]);
    h.transport.socket.receive({ type: 'ack', clientId: item.clientId, seq: 1 });
    expect(deliveries(h.conn)).toEqual([['no ack', 'sent']]);
  });

  it('replaces a socket that neither acks nor answers the ping, and re-sends with the same clientIds in order', async () => {
    const h = setup();
    h.conn.start();
    welcome(h);
    const a = h.conn.send('a');
    const b = h.conn.send('b');
    await vi.advanceTimersByTimeAsync(5000 + 8000);
    expect(h.transport.sockets[0]?.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(1000);
    welcome(h);
    expect(sends(h)).toEqual([
      [a.clientId, 'a'],
      [b.clientId, 'b'],
    ]);
  });

  it('sends what waited while offline once, in order, even if the server welcomes twice', () => {
    const h = setup();
    h.conn.start();
    const items = ['one', 'two', 'three'].map((body) => h.conn.send(body));
    welcome(h);
    h.transport.socket.receive({ type: 'welcome', conversation: conversation() });
    expect(sends(h)).toEqual(items.map((i) => [i.clientId, i.body]));
  });

  it('re-sends only the unacknowledged middle message after a reconnect', async () => {
    const h = setup();
    h.conn.start();
    welcome(h);
    const a = h.conn.send('a');
    const b = h.conn.send('b');
    const c = h.conn.send('c');
    h.transport.socket.receive({ type: 'ack', clientId: a.clientId, seq: 1 });
    h.transport.socket.receive({ type: 'ack', clientId: c.clientId, seq: 3 });
    h.transport.socket.drop();
    await vi.advanceTimersByTimeAsync(1000);
    welcome(h);
    expect(sends(h)).toEqual([[b.clientId, 'b']]);
    h.transport.socket.receive({ type: 'ack', clientId: b.clientId, seq: 2 });
    expect(deliveries(h.conn)).toEqual([
      ['a', 'sent'],
      ['b', 'sent'],
      ['c', 'sent'],
    ]);
  });
});

describe('a socket that keeps dropping', () => {
  it('falls back to HTTP when welcomed sockets die young three times within a minute', async () => {
    const h = setup();
    h.conn.start();
    welcome(h);
    await vi.advanceTimersByTimeAsync(5000);
    h.transport.socket.drop();
    await vi.advanceTimersByTimeAsync(1000);
    welcome(h);
    await vi.advanceTimersByTimeAsync(5000);
    h.transport.socket.drop();
    await vi.advanceTimersByTimeAsync(2000);
    welcome(h);
    await vi.advanceTimersByTimeAsync(5000);
    h.transport.socket.drop();
    expect(h.conn.via).toBe('http');
    expect(h.transport.polls).toHaveLength(1);
    const item = h.conn.send('over http');
    await vi.advanceTimersByTimeAsync(0);
    expect(h.transport.posted).toEqual([{ type: 'message.send', clientId: item.clientId, body: 'over http' }]);
  });

  it('stays on the socket when each socket lived long enough, reconnecting after a second each time', async () => {
    const h = setup();
    h.conn.start();
    for (let i = 0; i < 5; i++) {
      welcome(h);
      await vi.advanceTimersByTimeAsync(30_000);
      h.transport.socket.drop();
      expect(h.conn.link).toBe('reconnecting');
      await vi.advanceTimersByTimeAsync(999);
      expect(h.transport.sockets).toHaveLength(i + 1);
      await vi.advanceTimersByTimeAsync(1);
      expect(h.transport.sockets).toHaveLength(i + 2);
    }
    expect(h.conn.via).toBe('socket');
    expect(h.transport.polls).toHaveLength(0);
  });

  it('does not fall back when failures are more than a minute apart', async () => {
    const h = setup();
    h.conn.start();
    // Welcomed sockets that each die young (before 30 s), 30 s apart: never three within a minute.
    for (let i = 1; i <= 4; i++) {
      while (h.transport.sockets.length < i) await vi.advanceTimersByTimeAsync(100);
      welcome(h);
      await vi.advanceTimersByTimeAsync(29_000);
      h.transport.socket.drop();
      expect(h.conn.via, `after failure ${i}`).toBe('socket');
    }
    expect(h.transport.polls).toHaveLength(0);
  });

  it('probes the socket after 1, 2, 4, then every 5 minutes while on HTTP, and goes back once one is welcomed', async () => {
    const h = setup();
    await onHttp(h);
    expect(h.conn.via).toBe('http');
    const at = (): number => h.transport.sockets.length;
    for (const minutes of [1, 2, 4, 5, 5]) {
      const count = at();
      await vi.advanceTimersByTimeAsync(minutes * 60_000 - 1);
      expect(at()).toBe(count);
      await vi.advanceTimersByTimeAsync(1);
      expect(at()).toBe(count + 1);
      h.transport.socket.open();
      h.transport.socket.drop();
      expect(h.conn.via).toBe('http');
    }
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    welcome(h);
    expect(h.conn.via).toBe('socket');
    expect(h.conn.link).toBe('online');
    const polls = h.transport.polls.length;
    const item = h.conn.send('back on the socket');
    await vi.advanceTimersByTimeAsync(0);
    expect(sends(h)).toEqual([[item.clientId, 'back on the socket']]);
    expect(h.transport.posted).toEqual([]);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(h.transport.polls).toHaveLength(polls);
  });

  it('takes messages sent on HTTP but not acked over to the socket with the same clientId', async () => {
    const h = setup();
    h.conn.start();
    h.transport.socket.drop();
    await vi.advanceTimersByTimeAsync(1000);
    h.transport.socket.drop();
    await vi.advanceTimersByTimeAsync(2000);
    h.transport.reply = () => [];
    h.transport.socket.drop();
    const item = h.conn.send('no answer over http');
    await vi.advanceTimersByTimeAsync(0);
    expect(h.transport.posted).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(60_000);
    welcome(h);
    expect(sends(h)).toEqual([[item.clientId, 'no answer over http']]);
  });
  it('counts a socket that cannot even be created as a failure, falls back, and keeps probing', async () => {
    const transport = new FakeTransport();
    let opened = 0;
    transport.openSocket = () => {
      opened++;
      throw new Error('SecurityError');
    };
    const h = setup({}, transport);
    h.conn.start();
    await vi.advanceTimersByTimeAsync(3000);
    expect(opened).toBe(3);
    expect(h.conn.via).toBe('http');
    expect(h.transport.polls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(opened).toBe(4);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(opened).toBe(5);
    expect(h.conn.via).toBe('http');
  });

  it('does not count drops while the browser is offline towards the fallback', async () => {
    const h = setup();
    h.conn.start();
    welcome(h);
    h.conn.setNetwork(false);
    for (let i = 0; i < 4; i++) {
      h.transport.socket.drop();
      expect(h.conn.link).toBe('offline');
      h.conn.wake();
    }
    expect(h.conn.via).toBe('socket');
    h.conn.setNetwork(true);
    welcome(h);
    expect(h.conn.link).toBe('online');
    expect(h.transport.polls).toHaveLength(0);
  });

  it('after coming back from HTTP, reconnects a dropped socket over the socket again', async () => {
    const h = setup();
    await onHttp(h);
    await vi.advanceTimersByTimeAsync(60_000);
    welcome(h);
    expect(h.conn.via).toBe('socket');
    const polls = h.transport.polls.length;
    const sockets = h.transport.sockets.length;
    h.transport.socket.drop();
    expect(h.conn.via).toBe('socket');
    expect(h.conn.link).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(15_000);
    expect(h.transport.sockets).toHaveLength(sockets + 1);
    welcome(h);
    expect(h.conn.link).toBe('online');
    expect(h.transport.polls).toHaveLength(polls);
  });
});

describe('a hello that fails', () => {
  it('lets a socket go whose hello is refused by a server error, and connects again', async () => {
    for (const code of ['internal', 'service_unavailable', 'rate_limited'] as const) {
      const h = setup();
      h.conn.start();
      h.conn.send('waiting');
      h.transport.socket.open();
      h.transport.socket.receive({ type: 'error', code, message: 'not now' });
      expect(h.problems).toContainEqual([code, null]);
      while (h.transport.sockets.length < 2) await vi.advanceTimersByTimeAsync(100);
      expect(h.conn.via, code).toBe('socket');
      welcome(h);
      expect(h.conn.link).toBe('online');
      expect(h.transport.socket.ofType('message.send').map((f) => f.body)).toEqual(['waiting']);
      h.conn.stop();
    }
  });

  it('gives up on a first socket that never answers its hello, and long-polls at once', async () => {
    const h = setup();
    h.conn.start();
    h.transport.socket.open();
    await vi.advanceTimersByTimeAsync(14_999);
    expect(h.conn.via).toBe('socket');
    await vi.advanceTimersByTimeAsync(1);
    expect(h.conn.via).toBe('http');
    expect(h.transport.polls.length).toBeGreaterThan(0);
    h.conn.stop();
  });

  it('gives up on a first socket that never even opens, as a filtering proxy leaves it', async () => {
    const h = setup();
    h.conn.start();
    await vi.advanceTimersByTimeAsync(15_000);
    expect(h.conn.via).toBe('http');
    expect(h.transport.polls.length).toBeGreaterThan(0);
    h.conn.stop();
  });

  it('after a socket has worked, tries three hanging sockets before long-polling', async () => {
    const h = setup();
    h.conn.start();
    welcome(h);
    await vi.advanceTimersByTimeAsync(30_000);
    h.transport.socket.drop();
    for (let i = 2; i <= 4; i++) {
      while (h.transport.sockets.length < i) await vi.advanceTimersByTimeAsync(100);
      expect(h.conn.via).toBe('socket');
      await vi.advanceTimersByTimeAsync(15_000);
    }
    expect(h.conn.via).toBe('http');
    h.conn.stop();
  });
});

describe('HTTP fallback', () => {
  it('dedupes polled events that repeat or come out of order, and polls after the highest', async () => {
    const h = setup({ lastSeq: 1, events: [event(1)] });
    await onHttp(h);
    h.transport.polls[0]?.resolve([
      { type: 'event', event: event(3) },
      { type: 'event', event: event(2) },
      { type: 'event', event: event(3) },
      { type: 'event', event: event(1) },
    ]);
    await vi.advanceTimersByTimeAsync(0);
    expect(h.conn.chat.events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(h.transport.polls.map((p) => p.after)).toEqual([1, 3]);
  });

  it('paces polls whose answers hold only events it already has, as it does empty ones', async () => {
    const h = setup({ lastSeq: 1, events: [event(1)] });
    await onHttp(h);
    for (let i = 0; i < 5; i++) {
      h.transport.polls.at(-1)?.resolve([{ type: 'event', event: event(1) }]);
      await vi.advanceTimersByTimeAsync(0);
    }
    // One answer, then the pause: no second poll until a second has passed.
    expect(h.transport.polls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.transport.polls).toHaveLength(2);
    h.conn.stop();
  });

  it('posts queued messages one at a time, oldest first', async () => {
    const h = setup();
    const answers: Array<() => void> = [];
    h.transport.reply = (frame) =>
      new Promise((resolve) => {
        answers.push(() =>
          resolve(
            frame.type === 'message.send' ? [{ type: 'ack', clientId: frame.clientId, seq: 10 + answers.length }] : [],
          ),
        );
      });
    await onHttp(h);
    const a = h.conn.send('a');
    const b = h.conn.send('b');
    const c = h.conn.send('c');
    await vi.advanceTimersByTimeAsync(0);
    expect(h.transport.posted.map((f) => (f.type === 'message.send' ? f.clientId : ''))).toEqual([a.clientId]);
    answers[0]?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.transport.posted).toHaveLength(2);
    answers[1]?.();
    await vi.advanceTimersByTimeAsync(0);
    answers[2]?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.transport.posted.map((f) => (f.type === 'message.send' ? f.clientId : ''))).toEqual([
      a.clientId,
      b.clientId,
      c.clientId,
    ]);
    expect(deliveries(h.conn).map(([, d]) => d)).toEqual(['sent', 'sent', 'sent']);
  });

  it('posts a message again, with the same clientId, when the answer had no ack', async () => {
    const h = setup();
    let acks = false;
    h.transport.reply = (frame) =>
      acks && frame.type === 'message.send' ? [{ type: 'ack', clientId: frame.clientId, seq: 7 }] : [];
    await onHttp(h);
    const item = h.conn.send('again');
    await vi.advanceTimersByTimeAsync(0);
    expect(h.transport.posted).toHaveLength(1);
    acks = true;
    h.transport.polls[0]?.resolve([]);
    await vi.advanceTimersByTimeAsync(0);
    expect(h.transport.posted).toEqual([
      { type: 'message.send', clientId: item.clientId, body: 'again' },
      { type: 'message.send', clientId: item.clientId, body: 'again' },
    ]);
    expect(deliveries(h.conn)).toEqual([['again', 'sent']]);
  });

  it('marks a message refused for good as failed and goes on with the rest; re-posts a rate-limited one later', async () => {
    const h = setup();
    let posts = 0;
    h.transport.reply = (frame) => {
      if (frame.type !== 'message.send') return [];
      posts++;
      if (frame.body === 'refused')
        return [{ type: 'error', code: 'conflict', message: 'ended', clientId: frame.clientId }];
      if (frame.body === 'busy' && posts < 4)
        return [{ type: 'error', code: 'rate_limited', message: 'slow', clientId: frame.clientId }];
      return [{ type: 'ack', clientId: frame.clientId, seq: posts }];
    };
    await onHttp(h);
    const refused = h.conn.send('refused');
    const busy = h.conn.send('busy');
    h.conn.send('fine');
    await vi.advanceTimersByTimeAsync(0);
    expect(h.problems).toEqual([
      ['conflict', refused.clientId],
      ['rate_limited', busy.clientId],
    ]);
    expect(Object.fromEntries(deliveries(h.conn))).toEqual({ refused: 'failed', busy: 'sending', fine: 'sent' });
    await vi.advanceTimersByTimeAsync(5000);
    expect(Object.fromEntries(deliveries(h.conn))).toEqual({ refused: 'failed', busy: 'sent', fine: 'sent' });
    const busyPosts = h.transport.posted.filter((f) => f.type === 'message.send' && f.clientId === busy.clientId);
    expect(busyPosts).toHaveLength(2);
    expect(h.transport.posted.filter((f) => f.type === 'message.send' && f.body === 'refused')).toHaveLength(1);
  });

  it('waits as long as the server asks after a 429 on a message POST', async () => {
    const h = setup();
    let limited = true;
    h.transport.reply = (frame) => {
      if (limited) throw new ApiError(429, 'rate_limited', 'slow', 7);
      return frame.type === 'message.send' ? [{ type: 'ack', clientId: frame.clientId, seq: 3 }] : [];
    };
    await onHttp(h);
    h.conn.send('patience');
    await vi.advanceTimersByTimeAsync(0);
    expect(h.problems).toEqual([['rate_limited', null]]);
    limited = false;
    await vi.advanceTimersByTimeAsync(6999);
    expect(h.transport.posted).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.transport.posted).toHaveLength(2);
    expect(deliveries(h.conn)).toEqual([['patience', 'sent']]);
  });

  it('marks a message whose POST is refused with a 4xx as not sent, and posts the ones behind it', async () => {
    const h = setup();
    h.transport.reply = (frame) => {
      if (frame.type !== 'message.send') return [];
      if (frame.body === 'malformed') throw new ApiError(400, 'validation_failed', 'bad body');
      if (frame.body === 'huge') throw new ApiError(413, 'payload_too_large', 'too big');
      return [{ type: 'ack', clientId: frame.clientId, seq: 5 }];
    };
    await onHttp(h);
    const malformed = h.conn.send('malformed');
    const huge = h.conn.send('huge');
    h.conn.send('after');
    await vi.advanceTimersByTimeAsync(0);
    expect(Object.fromEntries(deliveries(h.conn))).toEqual({ malformed: 'failed', huge: 'failed', after: 'sent' });
    expect(h.problems).toEqual([
      ['validation_failed', malformed.clientId],
      ['payload_too_large', huge.clientId],
    ]);
    expect(h.terminal).toEqual([]);
    // Refused for good: not posted again by itself, only when the patron retries it.
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(h.transport.posted.filter((f) => f.type === 'message.send' && f.body === 'malformed')).toHaveLength(1);
    h.transport.reply = (frame) =>
      frame.type === 'message.send' ? [{ type: 'ack', clientId: frame.clientId, seq: 6 }] : [];
    h.conn.retry(malformed.clientId);
    await vi.advanceTimersByTimeAsync(0);
    expect(Object.fromEntries(deliveries(h.conn))).toEqual({ malformed: 'sent', huge: 'failed', after: 'sent' });
  });

  it('retries a message whose POST timed out (408), holding the ones behind it in order', async () => {
    const h = setup();
    let timeouts = 1;
    h.transport.reply = (frame) => {
      if (frame.type !== 'message.send') return [];
      if (timeouts-- > 0) throw new ApiError(408, 'request_timeout', 'slow');
      return [{ type: 'ack', clientId: frame.clientId, seq: h.transport.posted.length }];
    };
    await onHttp(h);
    const first = h.conn.send('first');
    h.conn.send('second');
    await vi.advanceTimersByTimeAsync(0);
    expect(deliveries(h.conn)).toEqual([
      ['first', 'sending'],
      ['second', 'sending'],
    ]);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(deliveries(h.conn)).toEqual([
      ['first', 'sent'],
      ['second', 'sent'],
    ]);
    const order = h.transport.posted.filter((f) => f.type === 'message.send').map((f) => f.clientId);
    expect(order.slice(0, 2)).toEqual([first.clientId, first.clientId]);
  });

  it('ignores a poll answer that lands after the socket took over', async () => {
    const h = setup();
    await onHttp(h);
    const pending = h.transport.polls[0];
    await vi.advanceTimersByTimeAsync(60_000);
    welcome(h);
    pending?.resolve([{ type: 'event', event: event(1) }]);
    await vi.advanceTimersByTimeAsync(0);
    expect(h.conn.chat.events).toEqual([]);
  });
});

describe('frames the widget does not understand', () => {
  class FakeWebSocket {
    static readonly OPEN = 1;
    static last: FakeWebSocket | null = null;
    readyState = 0;
    readonly sent: string[] = [];
    onopen: (() => void) | null = null;
    onmessage: ((message: { data: unknown }) => void) | null = null;
    onclose: (() => void) | null = null;
    constructor(readonly url: string) {
      FakeWebSocket.last = this;
    }
    send(data: string): void {
      this.sent.push(data);
    }
    close(): void {
      this.readyState = 3;
    }
  }

  function socketHarness(): { h: Harness; ws: () => FakeWebSocket } {
    vi.stubGlobal('WebSocket', FakeWebSocket);
    FakeWebSocket.last = null;
    const transport = browserTransport(SERVER);
    const h = setup({}, transport as unknown as FakeTransport);
    const ws = (): FakeWebSocket => {
      if (!FakeWebSocket.last) throw new Error('no socket');
      return FakeWebSocket.last;
    };
    return { h, ws };
  }

  it('skips text that is not JSON, not an object or has no type, and goes on', () => {
    const { h, ws } = socketHarness();
    h.conn.start();
    expect(ws().url).toBe('wss://chat.example.org/api/chat/ws');
    ws().readyState = 1;
    ws().onopen?.();
    expect(JSON.parse(ws().sent[0] ?? '')).toEqual({ type: 'hello', token: TOKEN, after: 0 });
    for (const data of [
      '{not json',
      'null',
      '42',
      '"welcome"',
      '[{"type":"welcome"}]',
      '{"kind":"event"}',
      new ArrayBuffer(4),
    ])
      ws().onmessage?.({ data });
    expect(h.conn.link).toBe('connecting');
    ws().onmessage?.({ data: JSON.stringify({ type: 'welcome', conversation: conversation() }) });
    expect(h.conn.link).toBe('online');
    ws().onmessage?.({ data: '}}}' });
    ws().onmessage?.({ data: JSON.stringify({ type: 'event', event: event(1) }) });
    expect(h.conn.chat.lastSeq).toBe(1);
  });

  it('ignores a frame of an unknown type, and counts it as a sign of life', async () => {
    const h = setup();
    h.conn.start();
    welcome(h);
    const before = JSON.stringify(h.conn.chat);
    h.transport.socket.receive({ type: 'reaction', emoji: 'x' } as unknown as PatronServerFrame);
    expect(JSON.stringify(h.conn.chat)).toBe(before);
    await vi.advanceTimersByTimeAsync(25_000);
    h.transport.socket.receive({ type: 'future-thing' } as unknown as PatronServerFrame);
    await vi.advanceTimersByTimeAsync(8_000);
    expect(h.transport.sockets).toHaveLength(1);
    expect(h.conn.link).toBe('online');
  });

  it('takes no frames from a poll answer that is not JSON', async () => {
    const fetchMock = vi.fn(async (_url: string) => new Response('<html>proxy error</html>', { status: 200 }));
    vi.stubGlobal('fetch', fetchMock);
    const transport = browserTransport(SERVER);
    const frames = await transport.poll(TOKEN, 4, new AbortController().signal);
    expect(frames).toEqual([]);
    expect(fetchMock.mock.calls[0]?.[0]).toBe(`${SERVER}/api/chat/poll?after=4`);
  });
});

describe('error frames', () => {
  it('reports an error about a message it does not have, and leaves the outbox and the link alone', () => {
    const h = setup();
    h.conn.start();
    welcome(h);
    const item = h.conn.send('mine');
    const before = JSON.stringify(h.conn.chat.outbox);
    h.transport.socket.receive({
      type: 'error',
      code: 'validation_failed',
      message: 'no',
      clientId: 'not-mine-000001',
    });
    expect(JSON.stringify(h.conn.chat.outbox)).toBe(before);
    expect(h.problems).toEqual([['validation_failed', 'not-mine-000001']]);
    expect(h.terminal).toEqual([]);
    expect(h.conn.link).toBe('online');
    expect(deliveries(h.conn)).toEqual([['mine', 'sending']]);
    expect(item.error).toBeNull();
  });

  it('re-sends with backoff and the same clientId after a server error about one message', async () => {
    const h = setup();
    h.conn.start();
    welcome(h);
    const item = h.conn.send('try again');
    h.transport.socket.receive({ type: 'error', code: 'internal', message: 'oops', clientId: item.clientId });
    expect(deliveries(h.conn)).toEqual([['try again', 'sending']]);
    await vi.advanceTimersByTimeAsync(999);
    expect(sends(h)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sends(h)).toEqual([
      [item.clientId, 'try again'],
      [item.clientId, 'try again'],
    ]);
  });

  it('ends as expired when a message finds the conversation gone over the socket, as over HTTP', () => {
    const h = setup();
    h.conn.start();
    welcome(h);
    const item = h.conn.send('anyone there?');
    h.transport.socket.receive({ type: 'error', code: 'not_found', message: 'gone', clientId: item.clientId });
    expect(h.terminal).toEqual(['expired']);
    expect(h.conn.link).toBe('idle');
    expect(h.transport.socket.closed).toBe(true);
  });

  it('ends as blocked when the hello is refused as forbidden', () => {
    const h = setup();
    h.conn.start();
    h.transport.socket.open();
    h.transport.socket.receive({ type: 'error', code: 'forbidden', message: 'blocked' });
    expect(h.terminal).toEqual(['blocked']);
    expect(h.transport.socket.closed).toBe(true);
  });

  it('ends as expired when a message POST says the token is gone', async () => {
    const h = setup();
    await onHttp(h);
    h.transport.reply = () => {
      throw new ApiError(404, 'not_found', 'gone');
    };
    h.conn.send('hello?');
    await vi.advanceTimersByTimeAsync(0);
    expect(h.terminal).toEqual(['expired']);
    expect(h.conn.link).toBe('idle');
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(h.transport.posted).toHaveLength(1);
  });
});

describe('the chat ends', () => {
  it('sends nothing more after the wind-down, even when messages are still waiting', async () => {
    const h = setup();
    h.conn.start();
    welcome(h);
    h.conn.send('late');
    h.transport.socket.receive({ type: 'state', conversation: conversation({ status: 'resolved' }) });
    expect(h.conn.isEnded).toBe(true);
    await vi.advanceTimersByTimeAsync(5000);
    expect(h.conn.link).toBe('idle');
    const socketsBefore = h.transport.sockets.length;
    h.conn.send('after the end');
    h.conn.setNetwork(true);
    h.conn.wake();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(h.transport.sockets).toHaveLength(socketsBefore);
    expect(h.transport.posted).toEqual([]);
  });

  it('marks a message the server never took as not sent once the chat has ended, and will not retry it', async () => {
    const h = setup();
    h.conn.start();
    welcome(h);
    h.transport.socket.drop();
    h.conn.send('late');
    // The chat ended meanwhile: the next socket is welcomed into an ended chat.
    while (h.transport.sockets.length < 2) await vi.advanceTimersByTimeAsync(100);
    h.transport.socket.open();
    h.transport.socket.receive({ type: 'welcome', conversation: conversation({ status: 'resolved' }) });
    await vi.advanceTimersByTimeAsync(5000);
    const late = h.conn.chat.outbox.find((i) => i.body === 'late');
    expect(late).toMatchObject({ seq: null, error: 'conflict' });
    expect(buildTimeline(h.conn.chat).find((i) => i.body === 'late')?.delivery).toBe('failed');
    const sends = h.transport.sockets.flatMap((socket) => socket.ofType('message.send')).length;
    h.conn.retry(late?.clientId ?? '');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(late?.error).toBe('conflict');
    expect(h.transport.sockets.flatMap((socket) => socket.ofType('message.send'))).toHaveLength(sends);
    expect(h.transport.posted).toEqual([]);
  });

  it('keeps the socket when the chat is reopened within the wind-down', async () => {
    const h = setup();
    h.conn.start();
    welcome(h);
    h.transport.socket.receive({ type: 'state', conversation: conversation({ status: 'resolved' }) });
    await vi.advanceTimersByTimeAsync(4000);
    h.transport.socket.receive({ type: 'state', conversation: conversation({ status: 'active' }) });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(h.transport.socket.closed).toBe(false);
    expect(h.conn.link).toBe('online');
  });

  it('stops polling after the wind-down when the end comes over HTTP', async () => {
    const h = setup();
    await onHttp(h);
    h.transport.polls[0]?.resolve([
      { type: 'state', conversation: conversation({ status: 'resolved' }) },
      { type: 'event', event: event(1, { type: 'system', from: 'system', systemKind: 'ended' }) },
    ]);
    await vi.advanceTimersByTimeAsync(5000);
    const polls = h.transport.polls.length;
    const sockets = h.transport.sockets.length;
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(h.transport.polls).toHaveLength(polls);
    expect(h.transport.sockets).toHaveLength(sockets);
    expect(h.conn.link).toBe('idle');
  });
});

describe('the outbox across a reload', () => {
  const DESK = 'ask';

  it('re-sends unacknowledged messages once, in order, with their clientIds; acked and refused ones stay put', async () => {
    const storage = memoryStorage();
    const first = setup();
    first.conn.start();
    welcome(first);
    first.transport.socket.receive({ type: 'event', event: event(1) });
    const a = first.conn.send('a');
    const b = first.conn.send('b');
    const c = first.conn.send('c');
    const d = first.conn.send('d');
    first.transport.socket.receive({ type: 'ack', clientId: a.clientId, seq: 2 });
    first.transport.socket.receive({ type: 'error', code: 'validation_failed', message: 'no', clientId: c.clientId });
    saveChat(storage, DESK, SERVER, first.conn.chat);
    first.conn.stop();

    const loaded = loadChat(storage, DESK, SERVER);
    expect(loaded).not.toBeNull();
    const second = setup(loaded ?? {});
    second.conn.start();
    second.transport.socket.open();
    expect(second.transport.socket.sent[0]).toEqual({ type: 'hello', token: TOKEN, after: 1 });
    second.transport.socket.receive({ type: 'welcome', conversation: conversation() });
    second.transport.socket.receive({ type: 'welcome', conversation: conversation() });
    expect(sends(second)).toEqual([
      [b.clientId, 'b'],
      [d.clientId, 'd'],
    ]);
    expect(deliveries(second.conn)).toEqual([
      ['message 1', null],
      ['a', 'sent'],
      ['b', 'sending'],
      ['c', 'failed'],
      ['d', 'sending'],
    ]);
    second.transport.socket.receive({ type: 'event', event: mine(2, a.clientId, 'a') });
    second.transport.socket.receive({ type: 'ack', clientId: b.clientId, seq: 3 });
    second.transport.socket.receive({ type: 'ack', clientId: d.clientId, seq: 4 });
    await vi.advanceTimersByTimeAsync(20_000);
    expect(second.transport.sockets).toHaveLength(1);
    expect(sends(second)).toHaveLength(2);
    expect(second.conn.chat.outbox.map((i) => i.clientId)).toEqual([b.clientId, c.clientId, d.clientId]);
  });

  it('does not re-send the message the start request already delivered', () => {
    const storage = memoryStorage();
    const first = setup({ token: null });
    const opener = first.conn.send('opening question');
    const follow = first.conn.send('follow-up');
    first.conn.attach(TOKEN, conversation({ status: 'queued' }), [], opener.clientId, false);
    saveChat(storage, DESK, SERVER, first.conn.chat);

    const second = setup(loadChat(storage, DESK, SERVER) ?? {});
    second.conn.start();
    welcome(second);
    expect(sends(second)).toEqual([[follow.clientId, 'follow-up']]);
    second.transport.socket.receive({ type: 'event', event: mine(1, opener.clientId, 'opening question') });
    expect(second.conn.chat.outbox.map((i) => i.clientId)).toEqual([follow.clientId]);
  });

  it('keeps the good parts of a damaged record and drops unreadable ones', () => {
    const storage = memoryStorage();
    const good: OutboxItem = {
      clientId: 'goodgood01',
      body: 'keep me',
      createdAt: '2025-01-01T00:00:00.000Z',
      seq: null,
      error: null,
    };
    storage.setItem(
      storageKey(DESK),
      JSON.stringify({
        v: 1,
        server: SERVER,
        desk: DESK,
        token: 42,
        conversation: 'active',
        events: [event(2), null, 'x', { seq: 0, body: 'zero' }, { seq: 3 }, event(1)],
        outbox: [good, { ...good, clientId: 7 }, { ...good, seq: '1' }, { ...good, error: 5 }, null, { body: 'x' }],
        lastSeq: 2.5,
        seenSeq: '3',
        readSeq: 1,
      }),
    );
    const chat = loadChat(storage, DESK, SERVER);
    expect(chat).toEqual({
      ...emptyChat(),
      events: [event(2), event(1)],
      outbox: [good],
      readSeq: 1,
    });
  });

  it('starts afresh from a record of an older version or not an object', () => {
    const storage = memoryStorage();
    const record = { server: SERVER, desk: DESK, token: TOKEN, events: [], outbox: [], lastSeq: 0 };
    for (const raw of [
      JSON.stringify({ ...record, v: 0 }),
      JSON.stringify(record),
      JSON.stringify({ ...record, v: '1' }),
      JSON.stringify([record]),
      'null',
      '"text"',
      '',
    ]) {
      storage.setItem(storageKey(DESK), raw);
      expect(loadChat(storage, DESK, SERVER)).toBeNull();
    }
    const throwing: StorageLike = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => undefined,
      removeItem: () => undefined,
    };
    expect(loadChat(throwing, DESK, SERVER)).toBeNull();
  });

  it('resumes after a reload from the saved highest seq even when older events were trimmed', () => {
    const storage = memoryStorage();
    const events = Array.from({ length: 120 }, (_, i) => event(i + 1));
    saveChat(storage, DESK, SERVER, { ...emptyChat(), token: TOKEN, events, lastSeq: 120 });
    const h = setup(loadChat(storage, DESK, SERVER) ?? {});
    h.conn.start();
    h.transport.socket.open();
    expect(h.transport.socket.sent[0]).toEqual({ type: 'hello', token: TOKEN, after: 120 });
  });
});
