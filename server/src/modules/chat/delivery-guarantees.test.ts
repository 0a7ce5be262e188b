import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db/database.ts';
import type { DeskRow } from '../../platform/db/schema.ts';
import { dialectsUnderTest } from '../../test/databases.ts';
import { buildDesk, buildLibrary, buildStaff, sessionFor, type SignedIn } from '../../test/factories.ts';
import { buildTestApp, type TestApp } from '../../test/test-app.ts';
import { TestSocket } from '../../test/ws-client.ts';
import { appendEventRow } from '../conversations/conversations.repo.ts';

type Frame = { type: string } & Record<string, unknown>;
const rid = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 12)}`;
const seqOf = (f: Frame) => (f.event as { seq: number }).seq;

describe.each(dialectsUnderTest())('delivery guarantees at their edges on %s', (dialect) => {
  let t: TestApp;
  let db: Db;
  let base: string;
  let libraryId: string;
  let desk: DeskRow;
  let ipSerial = 0;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    db = t.app.deps.db;
    libraryId = (await buildLibrary(db)).id;
  });
  afterAll(async () => {
    for (const s of sockets) await s.close();
    await t.close();
  });
  beforeEach(async () => {
    desk = await buildDesk(db, libraryId, { mode: 'claim' });
  });

  async function open(path: string, headers: Record<string, string> = {}): Promise<TestSocket> {
    const socket = await TestSocket.open(`ws://${base}${path}`, headers);
    sockets.push(socket);
    return socket;
  }
  async function person(): Promise<SignedIn> {
    return sessionFor(t.app, await buildStaff(db, { library_id: libraryId, max_concurrent_chats: 5 }));
  }
  async function staffTab(session: SignedIn, subscriptions: unknown[] = []): Promise<TestSocket> {
    const socket = await open('/api/staff/ws', { cookie: session.cookie });
    socket.send({ type: 'hello', subscriptions });
    await socket.nextOfType('welcome');
    return socket;
  }
  async function settled(socket: TestSocket): Promise<void> {
    socket.send({ type: 'ping' });
    await socket.nextOfType('pong');
  }
  async function startChat() {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/chat/conversations',
      payload: { desk: desk.slug, clientId: rid('start'), message: 'Hello, anyone there?' },
      remoteAddress: `10.66.${Math.floor(ipSerial / 250)}.${(ipSerial++ % 250) + 1}`,
    });
    expect(response.statusCode, response.body).toBe(201);
    const body = response.json() as { token: string; conversation: { id: string } };
    return { token: body.token, conversationId: body.conversation.id };
  }
  async function patron(token: string, after = 0): Promise<TestSocket> {
    const socket = await open('/api/chat/ws');
    socket.send({ type: 'hello', token, after });
    await socket.nextOfType('welcome');
    return socket;
  }
  async function activeChat() {
    const session = await person();
    const staffSocket = await staffTab(session);
    staffSocket.send({ type: 'presence.set', status: 'available', deskIds: [desk.id] });
    await staffSocket.nextOfType('presence');
    const { token, conversationId } = await startChat();
    const patronSocket = await patron(token);
    await staffSocket.next((f) => f.type === 'offer' && (f.conversation as { id: string }).id === conversationId);
    staffSocket.send({ type: 'conversation.accept', conversationId });
    await patronSocket.next((f) => f.type === 'state' && (f.conversation as { status: string }).status === 'active');
    await settled(staffSocket);
    return { session, token, conversationId, patronSocket, staffSocket };
  }
  /**
   * Staff replies stored straight in the log, with no doorbell rung: for a long chat (sending them
   * one by one is not what is tested) or a lost ring. Answers the last one stored.
   */
  async function storeReplies(conversationId: string, bodies: string[], tag?: string) {
    const now = t.clock.now().toISOString();
    return db.transaction().execute(async (trx) => {
      let last;
      for (const [i, body] of bodies.entries()) {
        last = await appendEventRow(
          trx,
          conversationId,
          {
            type: 'message',
            author_kind: 'staff',
            author_staff_id: null,
            author_name: 'Sofía',
            body,
            system_kind: null,
            data_json: {},
            client_id: tag === undefined ? null : `${tag}-${i.toString().padStart(5, '0')}`,
            created_at: now,
          },
          now,
        );
      }
      if (!last) throw new Error('nothing stored');
      return last;
    });
  }
  const manyReplies = (count: number) => Array.from({ length: count }, (_, i) => `reply ${i}`);
  const lastSeq = async (id: string) =>
    (await db.selectFrom('conversations').select('last_seq').where('id', '=', id).executeTakeFirstOrThrow()).last_seq;

  // The bus only rings a doorbell; the database is the truth. An event whose ring never came (a
  // lost message, a Redis hiccup; here, stored with no ring at all) reaches both ends at their
  // next ping, every 25 s in the widget and the dashboard.
  it('brings an event whose doorbell never rang at the next ping, to the patron and to staff', async () => {
    const { conversationId, patronSocket, staffSocket } = await activeChat();
    const stored = await storeReplies(conversationId, ['Rang for nobody']);
    const arrived = (socket: TestSocket) => () =>
      socket.frames.some((f) => f.type === 'event' && seqOf(f) === stored.seq);
    expect(arrived(patronSocket)()).toBe(false);
    expect(arrived(staffSocket)()).toBe(false);
    patronSocket.send({ type: 'ping' });
    staffSocket.send({ type: 'ping' });
    await expect.poll(arrived(patronSocket)).toBe(true);
    await expect.poll(arrived(staffSocket)).toBe(true);
  });

  // A patron who reconnects far behind (here from the start, as after a lost session store)
  // receives every missed event up to the end of the log, in order, without waiting for someone
  // to write again: the log is read page after page (500 events each).
  it('a patron socket resuming more than 500 events behind receives all of them', async () => {
    const { token, conversationId, patronSocket } = await activeChat();
    await patronSocket.close();
    await storeReplies(conversationId, manyReplies(560), 'far');
    const end = await lastSeq(conversationId);
    expect(end).toBeGreaterThan(560);
    const again = await patron(token, 0);
    const last = await again.next((f) => f.type === 'event' && seqOf(f) === end, 4000).catch(() => undefined);
    const seqs = again.frames.filter((f) => f.type === 'event').map(seqOf);
    expect(last, `got ${seqs.length} events, up to seq ${seqs.at(-1)} of ${end}`).toBeDefined();
    expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
  }, 60_000);

  // A dashboard tab opened (or reloaded) on a long chat follows it from the start and receives
  // the whole log, up to the last event, page after page.
  it('a staff tab following a chat of more than 500 events from the start receives all of them', async () => {
    const { session, conversationId } = await activeChat();
    await storeReplies(conversationId, manyReplies(560), 'long');
    const end = await lastSeq(conversationId);
    const reloaded = await staffTab(session, [{ conversationId, after: 0 }]);
    const last = await reloaded
      .next((f) => f.type === 'event' && f.conversationId === conversationId && seqOf(f) === end, 4000)
      .catch(() => undefined);
    const seqs = reloaded.frames.filter((f) => f.type === 'event' && f.conversationId === conversationId).map(seqOf);
    expect(last, `got ${seqs.length} events, up to seq ${seqs.at(-1)} of ${end}`).toBeDefined();
  }, 60_000);

  // A retried staff send (same client id, resent by the dashboard after a reconnect because
  // its ack was lost) is answered with the sequence number already stored, as on the patron's
  // side, even when the chat has ended meanwhile.
  it('a staff send retried after the patron ended the chat is acknowledged with its stored seq', async () => {
    const { conversationId, patronSocket, staffSocket } = await activeChat();
    staffSocket.send({ type: 'message.send', conversationId, clientId: 'last-word-1', body: 'Here is the link.' });
    const ack = await staffSocket.next((f) => f.type === 'ack' && f.clientId === 'last-word-1');
    await patronSocket.next((f) => f.type === 'event' && (f.event as { body: string }).body === 'Here is the link.');
    patronSocket.send({ type: 'end' });
    await patronSocket.next((f) => f.type === 'state' && (f.conversation as { status: string }).status === 'resolved');
    staffSocket.send({ type: 'message.send', conversationId, clientId: 'last-word-1', body: 'Here is the link.' });
    const answer = await staffSocket.next(
      (f) => (f.type === 'ack' || f.type === 'error') && f.clientId === 'last-word-1' && f !== ack,
    );
    expect(answer).toMatchObject({ type: 'ack', clientId: 'last-word-1', seq: ack.seq });
  });

  // A retried send of a message already stored is answered with its ack even at the flood
  // limit: it stores nothing, so it is no flood, and the patron must not be told it failed.
  it('a retried send of a stored message is acknowledged even at the flood limit', async () => {
    const { token } = await activeChat();
    const frame = (clientId: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/chat/frames',
        headers: { 'x-chat-token': token },
        payload: { type: 'message.send', clientId, body: `message ${clientId}` },
      });
    let last: { seq: number; clientId: string } | undefined;
    for (let i = 0; i < t.config.chatMessagesPer10s; i++) {
      const clientId = `flood-ok-${i.toString().padStart(3, '0')}`;
      const answer = (await frame(clientId)).json() as { frames: Frame[] };
      expect(answer.frames[0]).toMatchObject({ type: 'ack', clientId });
      last = { clientId, seq: answer.frames[0]!.seq as number };
    }
    const retried = (await frame(last!.clientId)).json() as { frames: Frame[] };
    expect(retried.frames).toEqual([{ type: 'ack', clientId: last!.clientId, seq: last!.seq }]);
  });

  // The HTTP fallback has the socket's guarantees: a long poll whose `after` is past the log
  // reads from the log's end, as a socket's hello does, and gets what lands while it waits.
  it('a long poll whose after is past the log still receives the event that lands while it waits', async () => {
    const { token, conversationId } = await startChat();
    const waiting = t.app.inject({
      method: 'GET',
      url: '/api/chat/poll?after=1000&wait=5',
      headers: { 'x-chat-token': token },
    });
    await new Promise((r) => setTimeout(r, 300));
    const sent = await t.app.inject({
      method: 'POST',
      url: '/api/chat/frames',
      headers: { 'x-chat-token': token },
      payload: { type: 'message.send', clientId: 'during-poll-1', body: 'Still there?' },
    });
    expect(sent.json()).toMatchObject({ frames: [{ type: 'ack', clientId: 'during-poll-1' }] });
    const frames = ((await waiting).json() as { frames: Frame[] }).frames;
    expect(frames.filter((f) => f.type === 'event').map((f) => (f.event as { body: string }).body)).toEqual([
      'Still there?',
    ]);
    expect(await lastSeq(conversationId)).toBe(3);
  }, 15_000);

  // On PostgreSQL, where several groups commit side by side: the same message sent twice at
  // once (a retry over HTTP racing the first try) is stored once, and both sends are answered
  // with an ack for the same seq, not one of them with an error.
  it.skipIf(dialect !== 'postgres')(
    'two simultaneous patron sends of one client id are both acknowledged with one seq',
    async () => {
      const { token } = await activeChat();
      const send = (clientId: string) =>
        t.app.inject({
          method: 'POST',
          url: '/api/chat/frames',
          headers: { 'x-chat-token': token },
          payload: { type: 'message.send', clientId, body: 'twice at once' },
        });
      const answers: string[] = [];
      for (let i = 0; i < 8; i++) {
        const clientId = rid('dup');
        const pair = await Promise.all([send(clientId), send(clientId)]);
        for (const r of pair) answers.push(`${r.statusCode} ${JSON.stringify(r.json())}`);
        expect(
          pair.map((r) => r.statusCode),
          answers.join('\n'),
        ).toEqual([200, 200]);
        const seqs = pair.map((r) => (r.json() as { frames: Array<{ seq: number }> }).frames[0]?.seq);
        expect(seqs[0]).toBe(seqs[1]);
      }
    },
    30_000,
  );

  // On PostgreSQL: a staff reply sent twice at once (the HTTP API is idempotent by client id)
  // is stored once and both requests answer the same event.
  it.skipIf(dialect !== 'postgres')(
    'two simultaneous staff replies of one client id both answer the same event',
    async () => {
      const { conversationId, session } = await activeChat();
      const answers: string[] = [];
      for (let i = 0; i < 5; i++) {
        const clientId = rid('sdup');
        const pair = await Promise.all(
          [0, 1].map(() =>
            t.app.inject({
              method: 'POST',
              url: `/api/conversations/${conversationId}/messages`,
              headers: session.headers,
              payload: { clientId, body: 'staff twice at once' },
            }),
          ),
        );
        for (const r of pair) answers.push(`${r.statusCode} ${r.body.slice(0, 120)}`);
        expect(
          pair.map((r) => r.statusCode),
          answers.join('\n'),
        ).toEqual([200, 200]);
        expect((pair[0]!.json() as { seq: number }).seq).toBe((pair[1]!.json() as { seq: number }).seq);
      }
    },
    30_000,
  );

  // On PostgreSQL: a chat start sent twice at once with one client id (the widget retrying a
  // start whose answer is slow) opens one chat, and both answers name it.
  it.skipIf(dialect !== 'postgres')('two simultaneous starts with one client id open one chat', async () => {
    for (let i = 0; i < 5; i++) {
      const clientId = rid('start-twice');
      const answers = await Promise.all(
        [0, 1].map(() =>
          t.app.inject({
            method: 'POST',
            url: '/api/chat/conversations',
            payload: { desk: desk.slug, clientId, message: 'Sent twice' },
            remoteAddress: '10.55.0.1',
          }),
        ),
      );
      expect(answers.map((r) => r.statusCode)).toEqual([201, 201]);
      const opened = await db
        .selectFrom('conversations')
        .select('id')
        .where('desk_id', '=', desk.id)
        .where('start_client_id', '=', clientId)
        .execute();
      expect(opened, `attempt ${i}`).toHaveLength(1);
    }
  });
});
