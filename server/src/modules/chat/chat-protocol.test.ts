import type { AddressInfo } from 'node:net';
import { MAX_FRAME_TEXT_BYTES } from '@branchline/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectsUnderTest, openTestDatabase, type TestDatabase } from '../../test/databases.ts';
import { buildDesk, buildLibrary, buildStaff, sessionFor, type SignedIn } from '../../test/factories.ts';
import { buildTestApp, type TestApp } from '../../test/test-app.ts';
import { TestSocket } from '../../test/ws-client.ts';

const id = (prefix: string) => `${prefix}${Math.random().toString(36).slice(2, 12)}`;

describe.each(dialectsUnderTest())('chat protocol on %s', (dialect) => {
  let database: TestDatabase;
  let t: TestApp;
  let base: string;
  let libraryId: string;
  let deskId: string;
  let deskSlug: string;
  let staff: SignedIn;
  const sockets: TestSocket[] = [];

  async function listen(): Promise<void> {
    t = await buildTestApp(dialect, { database });
    const address = (await t.app.listen({ port: 0, host: '127.0.0.1' }), t.app.server.address() as AddressInfo);
    base = `127.0.0.1:${address.port}`;
  }

  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    await listen();
    const library = await buildLibrary(t.app.deps.db);
    libraryId = library.id;
    const desk = await buildDesk(t.app.deps.db, libraryId, { mode: 'claim' });
    deskId = desk.id;
    deskSlug = desk.slug;
    const row = await buildStaff(t.app.deps.db, { library_id: libraryId, role: 'librarian' });
    staff = await sessionFor(t.app, row);
  });
  afterAll(async () => {
    for (const s of sockets) await s.close();
    await t.app.close();
    await database.destroy();
  });

  async function open(path: string, headers: Record<string, string> = {}): Promise<TestSocket> {
    const socket = await TestSocket.open(`ws://${base}${path}`, headers);
    sockets.push(socket);
    return socket;
  }

  async function startChat(
    message = 'Do you have large-print books?',
  ): Promise<{ token: string; conversationId: string }> {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/chat/conversations',
      payload: { desk: deskSlug, clientId: id('start'), message },
      remoteAddress: `10.9.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
    });
    expect(response.statusCode, response.body).toBe(201);
    return { token: response.json().token, conversationId: response.json().conversation.id };
  }

  async function patron(token: string, after = 0): Promise<TestSocket> {
    const socket = await open('/api/chat/ws');
    socket.send({ type: 'hello', token, after });
    await socket.nextOfType('welcome');
    return socket;
  }

  async function staffConsole(session: SignedIn = staff): Promise<TestSocket> {
    const socket = await open('/api/staff/ws', { cookie: session.cookie });
    socket.send({ type: 'hello', subscriptions: [] });
    await socket.nextOfType('welcome');
    return socket;
  }

  /** A chat taken by a fresh staff member (so no one reaches their chat limit), both ends connected. */
  async function activeChat(): Promise<{
    token: string;
    conversationId: string;
    patronSocket: TestSocket;
    staffSocket: TestSocket;
    session: SignedIn;
  }> {
    // Earlier tests' people still serve the desk: take them off it so the offer comes here.
    await t.app.deps.db.updateTable('staff_presence').set({ status: 'away' }).execute();
    const session = await sessionFor(t.app, await buildStaff(t.app.deps.db, { library_id: libraryId }));
    const staffSocket = await staffConsole(session);
    staffSocket.send({ type: 'presence.set', status: 'available', deskIds: [deskId] });
    await staffSocket.nextOfType('presence');
    const { token, conversationId } = await startChat();
    const patronSocket = await patron(token);
    await staffSocket.next((f) => f.type === 'offer' && (f.conversation as { id: string }).id === conversationId);
    staffSocket.send({ type: 'conversation.accept', conversationId });
    await patronSocket.next((f) => f.type === 'state' && (f.conversation as { status: string }).status === 'active');
    return { token, conversationId, patronSocket, staffSocket, session };
  }

  const eventCount = async (conversationId: string) =>
    (
      await t.app.deps.db
        .selectFrom('conversation_events')
        .select('seq')
        .where('conversation_id', '=', conversationId)
        .execute()
    ).length;

  it('starts with the first message and no form, then delivers the log in order on hello', async () => {
    const { token } = await startChat('<script>alert(1)</script> where are the tax forms?');
    const socket = await open('/api/chat/ws');
    socket.send({ type: 'hello', token, after: 0 });
    const welcome = await socket.nextOfType('welcome');
    expect(welcome.conversation).toMatchObject({ status: 'queued', queue: { position: expect.any(Number) } });
    const first = await socket.nextOfType('event');
    expect(first.event).toMatchObject({
      seq: 1,
      from: 'patron',
      body: '<script>alert(1)</script> where are the tax forms?',
    });
    const second = await socket.nextOfType('event');
    expect(second.event).toMatchObject({ seq: 2, systemKind: 'queued' });
  });

  it('answers a retried start with the chat it already opened, under a fresh token', async () => {
    const payload = { desk: deskSlug, clientId: 'retry-start-1', message: 'Is the library open on Sunday?' };
    const first = await t.app.inject({
      method: 'POST',
      url: '/api/chat/conversations',
      payload,
      remoteAddress: '10.8.0.1',
    });
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/chat/conversations',
      payload,
      remoteAddress: '10.8.0.1',
    });
    expect(again.statusCode).toBe(201);
    expect(again.json().conversation.id).toBe(first.json().conversation.id);
    expect(again.json().token).not.toBe(first.json().token);
    expect(again.json().events.filter((e: { clientId: string | null }) => e.clientId === 'retry-start-1')).toHaveLength(
      1,
    );
    const socket = await patron(again.json().token);
    expect(socket.frames[0]).toMatchObject({ type: 'welcome', conversation: { id: first.json().conversation.id } });
    const stale = await t.app.inject({
      method: 'GET',
      url: '/api/chat/poll?after=0&wait=0',
      headers: { 'x-chat-token': first.json().token },
    });
    expect(stale.statusCode).toBe(401);
  });

  it('resumes a retried start only for the browser that made it, refusing others; staff never see a patron’s client id', async () => {
    const payload = {
      desk: deskSlug,
      clientId: 'retry-start-2',
      browser: 'browser-key-of-the-patron-0001',
      message: 'Can I renew online?',
    };
    const start = (body: object, remoteAddress: string) =>
      t.app.inject({ method: 'POST', url: '/api/chat/conversations', payload: body, remoteAddress });
    const first = await start(payload, '10.8.1.1');
    expect(first.statusCode).toBe(201);
    const id = first.json().conversation.id as string;

    // Staff read the chat: the patron's client id is not in it, so they cannot replay the start.
    const read = await t.app.inject({ method: 'GET', url: `/api/conversations/${id}`, headers: staff.headers });
    const patronEvents = (read.json().events as Array<{ author: { kind: string }; clientId: string | null }>).filter(
      (e) => e.author.kind === 'patron',
    );
    expect(patronEvents.length).toBeGreaterThan(0);
    expect(patronEvents.map((e) => e.clientId)).toEqual(patronEvents.map(() => null));

    // Someone else with that client id, from another browser and address, is refused: the chat
    // stays the patron's, and no second one opens while it is open.
    const other = await start({ ...payload, browser: 'some-other-browser-key-0002' }, '10.8.1.2');
    expect(other.statusCode).toBe(409);
    const noKey = await start({ desk: deskSlug, clientId: 'retry-start-2', message: 'Hello?' }, '10.8.1.3');
    expect(noKey.statusCode).toBe(409);
    expect(
      await t.app.deps.db
        .selectFrom('conversations')
        .select('id')
        .where('start_client_id', '=', 'retry-start-2')
        .execute(),
    ).toEqual([{ id }]);
    // The patron's own token still works, and their own retry (same browser, new address) still resumes.
    const poll = await t.app.inject({
      method: 'GET',
      url: '/api/chat/poll?after=0&wait=0',
      headers: { 'x-chat-token': first.json().token },
    });
    expect(poll.statusCode).toBe(200);
    const own = await start(payload, '10.8.9.9');
    expect(own.json().conversation.id).toBe(id);
  });

  it('connects patron and staff both ways, with acks, typing state and seen marks', async () => {
    const { conversationId, patronSocket, staffSocket } = await activeChat();
    patronSocket.send({ type: 'message.send', clientId: 'p-hello-1', body: 'Hi, can you help?' });
    const ack = await patronSocket.next((f) => f.type === 'ack' && f.clientId === 'p-hello-1');
    const seen = await staffSocket.next(
      (f) => f.type === 'event' && (f.event as { body: string }).body === 'Hi, can you help?',
    );
    expect((seen.event as { seq: number }).seq).toBe(ack.seq);

    patronSocket.send({ type: 'typing', isTyping: true });
    const typing = await staffSocket.nextOfType('typing');
    expect(typing).toEqual({ type: 'typing', conversationId, isTyping: true });

    staffSocket.send({ type: 'message.send', conversationId, clientId: 's-reply-1', body: 'Of course!' });
    const staffAck = await staffSocket.next((f) => f.type === 'ack' && f.clientId === 's-reply-1');
    const reply = await patronSocket.next(
      (f) => f.type === 'event' && (f.event as { body: string }).body === 'Of course!',
    );
    expect(reply.event).toMatchObject({ from: 'staff', seq: staffAck.seq, displayName: expect.any(String) });
    patronSocket.send({ type: 'seen', seq: staffAck.seq });
    const seenMark = await staffSocket.nextOfType('seen');
    expect(seenMark).toEqual({ type: 'seen', conversationId, seq: staffAck.seq });
  });

  it('previews the first message in offers, and stops following a chat on unsubscribe', async () => {
    await t.app.deps.db.updateTable('staff_presence').set({ status: 'away' }).execute();
    const staffTab = await staffConsole(
      await sessionFor(t.app, await buildStaff(t.app.deps.db, { library_id: libraryId })),
    );
    staffTab.send({ type: 'presence.set', status: 'available', deskIds: [deskId] });
    await staffTab.nextOfType('presence');
    const { token, conversationId } = await startChat('My e-reader will not download <b>anything</b>');
    const offer = await staffTab.next(
      (f) => f.type === 'offer' && (f.conversation as { id: string }).id === conversationId,
    );
    expect(offer.preview).toBe('My e-reader will not download <b>anything</b>');
    expect(offer.conversation).toMatchObject({ patronSeenSeq: 0, staffSeenSeq: 0 });

    staffTab.send({ type: 'subscribe', conversationId, after: 0 });
    await staffTab.next((f) => f.type === 'event' && (f.event as { seq: number }).seq === 1);
    staffTab.send({ type: 'unsubscribe', conversationId });
    staffTab.send({ type: 'ping' });
    await staffTab.nextOfType('pong');
    await t.app.inject({
      method: 'POST',
      url: '/api/chat/frames',
      headers: { 'x-chat-token': token },
      payload: { type: 'message.send', clientId: 'after-unsub', body: 'Still there?' },
    });
    expect(
      await staffTab.collect(300, (f) => f.type === 'event' && (f.event as { body: string }).body === 'Still there?'),
    ).toEqual([]);
  });

  it('keeps internal notes from the patron', async () => {
    const { conversationId, patronSocket, staffSocket } = await activeChat();
    staffSocket.send({
      type: 'message.send',
      conversationId,
      clientId: 'note-12345',
      body: 'Patron sounds upset; be gentle',
      internal: true,
    });
    // The note reaches the staff tab (in its ack, or as an event after it).
    await staffSocket.next(
      (f) => (f.type === 'event' || f.type === 'ack') && (f.event as { type: string } | undefined)?.type === 'note',
    );
    staffSocket.send({ type: 'message.send', conversationId, clientId: 'after-note', body: 'Visible reply' });
    await patronSocket.next((f) => f.type === 'event' && (f.event as { body: string }).body === 'Visible reply');
    expect(patronSocket.frames.some((f) => JSON.stringify(f).includes('be gentle'))).toBe(false);
  });

  it('stores a duplicate send once and answers both with the same sequence number', async () => {
    const { conversationId, patronSocket } = await activeChat();
    const before = await eventCount(conversationId);
    patronSocket.send({ type: 'message.send', clientId: 'dup-123456', body: 'Once only' });
    patronSocket.send({ type: 'message.send', clientId: 'dup-123456', body: 'Once only' });
    const a = await patronSocket.next((f) => f.type === 'ack' && f.clientId === 'dup-123456');
    const b = await patronSocket.next((f) => f.type === 'ack' && f.clientId === 'dup-123456');
    expect(a.seq).toBe(b.seq);
    expect(await eventCount(conversationId)).toBe(before + 1);
  });

  it('gives the patron their own message once: in its ack when it is next in line, else as an event in order', async () => {
    const { token, conversationId, patronSocket, staffSocket } = await activeChat();
    const eventSeqs = (socket: TestSocket) =>
      socket.frames.flatMap((f) => {
        const event = (f.type === 'event' || f.type === 'ack' ? f.event : undefined) as { seq: number } | undefined;
        return event ? [event.seq] : [];
      });
    patronSocket.send({ type: 'message.send', clientId: 'own-message-1', body: 'Mine <b>only</b>' });
    const ack = await patronSocket.next((f) => f.type === 'ack' && f.clientId === 'own-message-1');
    expect(ack.event).toMatchObject({
      seq: ack.seq,
      from: 'patron',
      body: 'Mine <b>only</b>',
      clientId: 'own-message-1',
    });
    await staffSocket.next((f) => f.type === 'event' && (f.event as { seq: number }).seq === ack.seq);
    patronSocket.send({ type: 'message.send', clientId: 'own-message-1', body: 'Mine <b>only</b>' });
    const again = await patronSocket.next((f) => f.type === 'ack' && f.clientId === 'own-message-1');
    expect(again).toEqual({ type: 'ack', clientId: 'own-message-1', seq: ack.seq });
    staffSocket.send({ type: 'message.send', conversationId, clientId: 'reply-after-own', body: 'Noted' });
    const reply = await patronSocket.next((f) => f.type === 'event' && (f.event as { body: string }).body === 'Noted');
    expect((reply.event as { seq: number }).seq).toBe((ack.seq as number) + 1);
    expect(eventSeqs(patronSocket).filter((seq) => seq === ack.seq)).toHaveLength(1);

    // A socket that says hello from the start and sends at once: the log comes first, in order,
    // and the new message once, as an event after it, since the ack could not carry it.
    const fresh = await open('/api/chat/ws');
    fresh.send({ type: 'hello', token, after: 0 });
    fresh.send({ type: 'message.send', clientId: 'own-message-2', body: 'From another tab' });
    const freshAck = await fresh.next((f) => f.type === 'ack' && f.clientId === 'own-message-2');
    expect(freshAck.event).toBeUndefined();
    await fresh.next((f) => f.type === 'event' && (f.event as { seq: number }).seq === freshAck.seq);
    const seqs = eventSeqs(fresh);
    expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
    expect(seqs.at(-1)).toBe(freshAck.seq);
    // The first tab gets it as an event: it did not send it.
    await patronSocket.next((f) => f.type === 'event' && (f.event as { seq: number }).seq === freshAck.seq);

    // Over HTTP an ack never carries the event: the next poll brings it in order.
    const posted = await t.app.inject({
      method: 'POST',
      url: '/api/chat/frames',
      headers: { 'x-chat-token': token },
      payload: { type: 'message.send', clientId: 'own-message-3', body: 'By HTTP' },
    });
    expect(posted.json().frames).toEqual([
      { type: 'ack', clientId: 'own-message-3', seq: (freshAck.seq as number) + 1 },
    ]);
  });

  it('gives a staff tab its own message in the ack, while the person’s other tab gets it as an event', async () => {
    const { conversationId, staffSocket, session } = await activeChat();
    const seqsOn = (socket: TestSocket) =>
      socket.frames.flatMap((f) =>
        (f.type === 'event' || f.type === 'ack') && f.conversationId === conversationId && f.event
          ? [(f.event as { seq: number }).seq]
          : [],
      );
    // Right after the accept the tab may still be catching up on the log: then the message comes
    // in order as an event after the ack, never twice.
    staffSocket.send({ type: 'message.send', conversationId, clientId: 'staff-own-1', body: 'Let me check.' });
    const first = await staffSocket.next((f) => f.type === 'ack' && f.clientId === 'staff-own-1');
    if (first.event === undefined)
      await staffSocket.next((f) => f.type === 'event' && (f.event as { seq: number }).seq === first.seq);
    // Caught up: the next message rides on its ack.
    staffSocket.send({ type: 'message.send', conversationId, clientId: 'staff-own-2', body: 'Found it.' });
    const second = await staffSocket.next((f) => f.type === 'ack' && f.clientId === 'staff-own-2');
    expect(second.event).toMatchObject({
      seq: second.seq,
      type: 'message',
      body: 'Found it.',
      clientId: 'staff-own-2',
      author: { kind: 'staff' },
    });
    // A second tab of the same person, following the chat from the start, gets both as events.
    const other = await open('/api/staff/ws', { cookie: session.cookie });
    other.send({ type: 'hello', subscriptions: [{ conversationId, after: 0 }] });
    await other.next((f) => f.type === 'event' && (f.event as { seq: number }).seq === second.seq);
    expect(seqsOn(other).filter((seq) => seq === first.seq || seq === second.seq)).toEqual([first.seq, second.seq]);
    staffSocket.send({ type: 'message.send', conversationId, clientId: 'staff-own-3', body: 'One moment.' });
    const third = await staffSocket.next((f) => f.type === 'ack' && f.clientId === 'staff-own-3');
    await other.next((f) => f.type === 'event' && (f.event as { seq: number }).seq === third.seq);
    const mine = seqsOn(staffSocket);
    expect([first.seq, second.seq, third.seq].map((seq) => mine.filter((s) => s === seq).length)).toEqual([1, 1, 1]);
  });

  it('gives acks in send order with distinct sequence numbers, even for concurrent HTTP sends', async () => {
    const { token, conversationId, patronSocket } = await activeChat();
    for (let i = 0; i < 5; i++) patronSocket.send({ type: 'message.send', clientId: `burst-ws-${i}`, body: `ws ${i}` });
    const acks = [];
    for (let i = 0; i < 5; i++)
      acks.push((await patronSocket.next((f) => f.type === 'ack' && f.clientId === `burst-ws-${i}`)).seq as number);
    expect(acks).toEqual([...acks].sort((x, y) => x - y));
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        t.app.inject({
          method: 'POST',
          url: '/api/chat/frames',
          headers: { 'x-chat-token': token },
          payload: { type: 'message.send', clientId: `burst-http-${i}`, body: `http ${i}` },
        }),
      ),
    );
    const seqs = answers.map((r) => (r.json().frames[0] as { seq: number }).seq);
    expect(new Set(seqs).size).toBe(6);
    const stored = await t.app.deps.db
      .selectFrom('conversation_events')
      .select('seq')
      .where('conversation_id', '=', conversationId)
      .orderBy('seq')
      .execute();
    expect(stored.map((r) => r.seq)).toEqual(Array.from({ length: stored.length }, (_, i) => i + 1));
  });

  it('resumes after a reconnect with exactly the missed events, in order, without duplicates', async () => {
    const { token, conversationId, patronSocket, staffSocket } = await activeChat();
    const lastSeen = Math.max(
      ...patronSocket.frames.filter((f) => f.type === 'event').map((f) => (f.event as { seq: number }).seq),
    );
    await patronSocket.close();
    for (let i = 1; i <= 3; i++) {
      staffSocket.send({ type: 'message.send', conversationId, clientId: `missed-${i}-abc`, body: `missed ${i}` });
      await staffSocket.next((f) => f.type === 'ack' && f.clientId === `missed-${i}-abc`);
    }
    const again = await open('/api/chat/ws');
    again.send({ type: 'hello', token, after: lastSeen });
    await again.nextOfType('welcome');
    const got = [];
    for (let i = 0; i < 3; i++) got.push((await again.nextOfType('event')).event as { body: string; seq: number });
    expect(got.map((e) => e.body)).toEqual(['missed 1', 'missed 2', 'missed 3']);
    expect(got.every((e) => e.seq > lastSeen)).toBe(true);
    expect(await again.collect(300, (f) => f.type === 'event')).toEqual([]);
  });

  it('loses nothing across a server restart between sends', async () => {
    const { token, conversationId, patronSocket, staffSocket } = await activeChat();
    const assignee = (
      await t.app.deps.db
        .selectFrom('conversations')
        .select('assignee_id')
        .where('id', '=', conversationId)
        .executeTakeFirstOrThrow()
    ).assignee_id;
    const assigneeSession = await sessionFor(
      t.app,
      await t.app.deps.db
        .selectFrom('staff')
        .selectAll()
        .where('id', '=', assignee ?? '')
        .executeTakeFirstOrThrow(),
    );
    patronSocket.send({ type: 'message.send', clientId: 'before-restart', body: 'Before the restart' });
    await patronSocket.next((f) => f.type === 'ack' && f.clientId === 'before-restart');
    const cursor = Math.max(
      ...patronSocket.frames
        .filter((f) => f.type === 'event' || f.type === 'ack')
        .map((f) => (f.type === 'ack' ? (f.seq as number) : (f.event as { seq: number }).seq)),
    );
    await t.app.close();
    await Promise.all([patronSocket.closed, staffSocket.closed]);
    await listen();

    const staffAgain = await open('/api/staff/ws', { cookie: assigneeSession.cookie });
    staffAgain.send({ type: 'hello', subscriptions: [{ conversationId, after: 0 }] });
    await staffAgain.nextOfType('welcome');
    const patronAgain = await open('/api/chat/ws');
    patronAgain.send({ type: 'hello', token, after: cursor });
    await patronAgain.nextOfType('welcome');
    patronAgain.send({ type: 'message.send', clientId: 'after-restart', body: 'After the restart' });
    await patronAgain.next((f) => f.type === 'ack' && f.clientId === 'after-restart');
    const bodies: string[] = [];
    while (!bodies.includes('After the restart'))
      bodies.push(((await staffAgain.nextOfType('event')).event as { body: string }).body);
    expect(bodies).toContain('Before the restart');
    expect(bodies.filter((b) => b === 'Before the restart')).toHaveLength(1);
  });

  it('answers malformed, unknown, oversized and early frames with typed errors and keeps the connection', async () => {
    const { conversationId, patronSocket } = await activeChat();
    const before = await eventCount(conversationId);
    patronSocket.send('{not json');
    expect(await patronSocket.nextOfType('error')).toMatchObject({ code: 'malformed_request' });
    patronSocket.send({ type: 'teleport' });
    expect(await patronSocket.nextOfType('error')).toMatchObject({ code: 'validation_failed' });
    patronSocket.send({ type: 'message.send', clientId: 'big-one-1', body: 'x'.repeat(MAX_FRAME_TEXT_BYTES + 10) });
    expect(await patronSocket.nextOfType('error')).toMatchObject({ code: 'payload_too_large' });
    patronSocket.send({ type: 'message.send', clientId: 'empty-one', body: '   ' });
    expect(await patronSocket.nextOfType('error')).toMatchObject({
      code: 'validation_failed',
      message: expect.stringContaining('empty'),
    });
    patronSocket.send({ type: 'message.send', clientId: 'long-one', body: 'y'.repeat(4001) });
    expect(await patronSocket.nextOfType('error')).toMatchObject({ code: 'validation_failed' });
    patronSocket.send({ type: 'ping' });
    await patronSocket.nextOfType('pong');
    expect(await eventCount(conversationId)).toBe(before);

    const early = await open('/api/chat/ws');
    early.send({ type: 'message.send', clientId: 'no-hello-1', body: 'Hello?' });
    expect(await early.nextOfType('error')).toMatchObject({ code: 'unauthenticated' });
    early.send({ type: 'hello', token: 'forged-token-forged-token-forged', after: 0 });
    expect(await early.nextOfType('error')).toMatchObject({ code: 'unauthenticated' });
  });

  it('limits a flooding patron per conversation', async () => {
    const { patronSocket } = await activeChat();
    const limit = t.config.chatMessagesPer10s;
    for (let i = 0; i < limit + 5; i++)
      patronSocket.send({ type: 'message.send', clientId: `flood-${i}-xx`, body: `flood ${i}` });
    const limited = await patronSocket.next((f) => f.type === 'error' && f.code === 'rate_limited');
    expect(limited.message).toMatch(/very fast/);
    const acks = patronSocket.frames.filter((f) => f.type === 'ack' && String(f.clientId).startsWith('flood-'));
    expect(acks.length).toBeLessThanOrEqual(limit);
  });

  it('refuses a patron token on staff endpoints and another conversation', async () => {
    const first = await startChat();
    const second = await startChat();
    const staffRead = await t.app.inject({
      method: 'GET',
      url: `/api/conversations/${second.conversationId}`,
      headers: { 'x-chat-token': first.token },
    });
    expect(staffRead.statusCode).toBe(401);
    const staffSocket = await TestSocket.open(`ws://${base}/api/staff/ws`).catch((e: Error) => e);
    expect(String(staffSocket)).toContain('401');
    // A token only ever opens its own conversation: the poll answers the first chat's events only.
    const poll = await t.app.inject({
      method: 'GET',
      url: '/api/chat/poll?after=0&wait=0',
      headers: { 'x-chat-token': first.token },
    });
    expect(poll.statusCode).toBe(200);
    const bodies = (poll.json().frames as Array<{ type: string; event?: { body: string } }>).filter(
      (f) => f.type === 'event',
    );
    expect(bodies.length).toBeGreaterThan(0);
    const stored = await t.app.deps.db
      .selectFrom('conversation_events')
      .select('body')
      .where('conversation_id', '=', first.conversationId)
      .execute();
    for (const frame of bodies) expect(stored.map((s) => s.body)).toContain(frame.event?.body);
  });

  it('keeps a partner off the chat connection: no queues, offers, colleagues or conversations', async () => {
    await startChat();
    const partner = await sessionFor(
      t.app,
      await buildStaff(t.app.deps.db, { library_id: libraryId, role: 'partner' }),
    );
    const socket = await open('/api/staff/ws', { cookie: partner.cookie });
    expect(await socket.nextOfType('error')).toMatchObject({ code: 'forbidden' });
    expect((await socket.closed).code).toBe(4403);
    expect(socket.frames.map((f) => f.type)).toEqual(['error']);
  });

  it('counts two tabs of one person as online until both close', async () => {
    const row = await buildStaff(t.app.deps.db, { library_id: libraryId });
    const session = await sessionFor(t.app, row);
    const tabA = await staffConsole(session);
    const tabB = await staffConsole(session);
    tabA.send({ type: 'presence.set', status: 'available', deskIds: [deskId] });
    await tabB.nextOfType('presence');
    const presence = () =>
      t.app.deps.db.selectFrom('staff_presence').selectAll().where('staff_id', '=', row.id).executeTakeFirstOrThrow();
    const tabs = async () =>
      (
        await t.app.deps.db
          .selectFrom('live_connections')
          .select('connections')
          .where('kind', '=', 'staff')
          .where('subject_id', '=', row.id)
          .execute()
      ).reduce((n, r) => n + r.connections, 0);
    expect(await presence()).toMatchObject({ status: 'available' });
    expect(await tabs()).toBe(2);
    await tabA.close();
    await expect.poll(tabs).toBe(1);
    expect((await presence()).status).toBe('available');
    await tabB.close();
    await expect.poll(async () => (await presence()).status).toBe('offline');
  });

  it('closes a dashboard tab whose session ended or whose role changed, and serves it nothing more', async () => {
    const { conversationId } = await activeChat();
    const admin = await sessionFor(t.app, await buildStaff(t.app.deps.db, { library_id: libraryId, role: 'admin' }));
    const asAdmin = (id: string, payload: object) =>
      t.app.inject({ method: 'PATCH', url: `/api/staff/${id}`, headers: admin.headers, payload });
    const openTab = async () => {
      const row = await buildStaff(t.app.deps.db, { library_id: libraryId, role: 'supervisor' });
      const session = await sessionFor(t.app, row);
      const tab = await staffConsole(session);
      return { row, session, tab };
    };
    const endsWithSessionEnded = async (tab: TestSocket) => {
      expect(await tab.nextOfType('error')).toMatchObject({ code: 'unauthenticated' });
      expect((await tab.closed).code).toBe(4401);
    };

    // Deactivated by an administrator: the open tab is closed at once, before it can read a chat.
    const leaver = await openTab();
    expect((await asAdmin(leaver.row.id, { isActive: false })).statusCode).toBe(200);
    await endsWithSessionEnded(leaver.tab);
    expect(leaver.tab.frames.filter((f) => f.type === 'event')).toEqual([]);

    // Signed out from another request of the same session.
    const signedOut = await openTab();
    const logout = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: signedOut.session.headers });
    expect(logout.statusCode).toBeLessThan(300);
    await endsWithSessionEnded(signedOut.tab);

    // A supervisor made a librarian: the tab goes, and a new one opens with the new role.
    const demoted = await openTab();
    expect((await asAdmin(demoted.row.id, { role: 'librarian' })).statusCode).toBe(200);
    await endsWithSessionEnded(demoted.tab);
    const again = await staffConsole(demoted.session);
    again.send({ type: 'subscribe', conversationId, after: 0 });
    await again.next((f) => f.type === 'event' && f.conversationId === conversationId);

    // A session that ends by itself (idle too long) is noticed at the next frame.
    const idle = await openTab();
    t.clock.advanceMinutes(t.app.deps.config.sessionIdleMinutes + 1);
    idle.tab.send({ type: 'subscribe', conversationId, after: 0 });
    await endsWithSessionEnded(idle.tab);
    expect(idle.tab.frames.filter((f) => f.type === 'event')).toEqual([]);
  });

  it('rings a colleague a chat was passed to, after its conversation frame, naming who passed it', async () => {
    const { conversationId, staffSocket } = await activeChat();
    // Whoever accepted it was not told it was passed to them.
    expect(staffSocket.frames.filter((f) => f.type === 'conversation.transferred')).toEqual([]);
    const fromRow = await t.app.deps.db
      .selectFrom('conversations')
      .innerJoin('staff', 'staff.id', 'conversations.assignee_id')
      .select('staff.display_name')
      .where('conversations.id', '=', conversationId)
      .executeTakeFirstOrThrow();
    const priya = await buildStaff(t.app.deps.db, { library_id: libraryId, display_name: 'Priya' });
    const colleague = await staffConsole(await sessionFor(t.app, priya));
    colleague.send({ type: 'presence.set', status: 'available', deskIds: [] });
    await colleague.nextOfType('presence');
    staffSocket.send({ type: 'conversation.transfer', conversationId, toStaffId: priya.id });
    const rang = await colleague.next((f) => f.type === 'conversation.transferred');
    expect(rang).toEqual({ type: 'conversation.transferred', conversationId, from: fromRow.display_name });
    const known = colleague.frames.findIndex(
      (f) => f.type === 'conversation' && (f.conversation as { assigneeId: string }).assigneeId === priya.id,
    );
    expect(known).toBeGreaterThanOrEqual(0);
    expect(known).toBeLessThan(colleague.frames.indexOf(rang));
  });

  it('audits following someone else’s chat, once per connection, as opening it; not following one’s own', async () => {
    const { conversationId, session } = await activeChat();
    const views = async () =>
      (
        await t.app.deps.db
          .selectFrom('audit_log')
          .select(['actor_staff_id', 'action'])
          .where('subject_id', '=', conversationId)
          .where('action', '=', 'conversation.viewed')
          .execute()
      ).map((r) => r.actor_staff_id);

    // The assignee's own tabs follow it without an entry, by hello and by subscribe.
    const ownTab = await open('/api/staff/ws', { cookie: session.cookie });
    ownTab.send({ type: 'hello', subscriptions: [{ conversationId, after: 0 }] });
    await ownTab.nextOfType('welcome');
    ownTab.send({ type: 'subscribe', conversationId, after: 0 });
    await ownTab.next((f) => f.type === 'event');
    expect(await views()).toEqual([]);

    // A colleague following it live is recorded once for the connection, however often they ask.
    const colleague = await buildStaff(t.app.deps.db, { library_id: libraryId });
    const tab = await open('/api/staff/ws', { cookie: (await sessionFor(t.app, colleague)).cookie });
    tab.send({ type: 'hello', subscriptions: [{ conversationId, after: 0 }] });
    await tab.nextOfType('welcome');
    await tab.next((f) => f.type === 'event' && f.conversationId === conversationId);
    tab.send({ type: 'subscribe', conversationId, after: 1 });
    tab.send({ type: 'ping' });
    await tab.nextOfType('pong');
    expect(await views()).toEqual([colleague.id]);

    // A new connection (a reload, another tab) reads it again, and says so.
    const again = await open('/api/staff/ws', { cookie: (await sessionFor(t.app, colleague)).cookie });
    again.send({ type: 'hello', subscriptions: [] });
    await again.nextOfType('welcome');
    again.send({ type: 'subscribe', conversationId, after: 0 });
    await again.next((f) => f.type === 'event' && f.conversationId === conversationId);
    expect(await views()).toEqual([colleague.id, colleague.id]);
  });

  it('tells colleagues of the library when someone comes online, changes status or leaves, and no one else', async () => {
    const colleague = async (library = libraryId) =>
      staffConsole(await sessionFor(t.app, await buildStaff(t.app.deps.db, { library_id: library })));
    const watcher = await colleague();
    const outsider = await colleague((await buildLibrary(t.app.deps.db)).id);
    const heard = () => watcher.frames.filter((f) => f.type === 'colleagues').length;
    const waitForWord = async (step: () => Promise<unknown> | void) => {
      const before = heard();
      await step();
      await expect.poll(heard, { timeout: 5000 }).toBeGreaterThan(before);
    };

    // The outsider heard of its own arrival in its own library; nothing after that.
    const outsiderHeard = () => outsider.frames.filter((f) => f.type === 'colleagues').length;
    await expect.poll(outsiderHeard).toBe(1);

    let tab: TestSocket | undefined;
    await waitForWord(async () => {
      tab = await colleague();
    });
    await waitForWord(() => tab?.send({ type: 'presence.set', status: 'available', deskIds: [deskId] }));
    await waitForWord(() => tab?.close());
    expect(outsiderHeard()).toBe(1);
  });

  it('falls back to HTTP with the same guarantees: send, long-poll, resume', async () => {
    await t.app.deps.db.updateTable('staff_presence').set({ status: 'away' }).execute();
    const staffSocket = await staffConsole(
      await sessionFor(t.app, await buildStaff(t.app.deps.db, { library_id: libraryId })),
    );
    staffSocket.send({ type: 'presence.set', status: 'available', deskIds: [deskId] });
    await staffSocket.nextOfType('presence');
    const { token, conversationId } = await startChat();
    await staffSocket.next((f) => f.type === 'offer' && (f.conversation as { id: string }).id === conversationId);
    staffSocket.send({ type: 'conversation.accept', conversationId });
    await staffSocket.next(
      (f) => f.type === 'conversation' && (f.conversation as { status: string }).status === 'active',
    );
    const first = await t.app.inject({
      method: 'GET',
      url: '/api/chat/poll?after=0&wait=0',
      headers: { 'x-chat-token': token },
    });
    const seen = Math.max(
      ...(first.json().frames as Array<{ type: string; event?: { seq: number } }>)
        .filter((f) => f.type === 'event')
        .map((f) => f.event?.seq ?? 0),
    );
    const waiting = t.app.inject({
      method: 'GET',
      url: `/api/chat/poll?after=${seen}&wait=10`,
      headers: { 'x-chat-token': token },
    });
    await new Promise((r) => setTimeout(r, 200));
    staffSocket.send({ type: 'message.send', conversationId, clientId: 'poll-reply', body: 'Answer while you poll' });
    const answered = await waiting;
    const frames = answered.json().frames as Array<{
      type: string;
      event?: { body: string };
      conversation?: { status: string };
    }>;
    expect(frames.filter((f) => f.type === 'event').map((f) => f.event?.body)).toEqual(['Answer while you poll']);
    expect(frames.at(-1)).toMatchObject({ type: 'state', conversation: { status: 'active' } });
    const sent = await t.app.inject({
      method: 'POST',
      url: '/api/chat/frames',
      headers: { 'x-chat-token': token },
      payload: { type: 'message.send', clientId: 'http-send-1', body: 'Sent over HTTP' },
    });
    expect(sent.json().frames[0]).toMatchObject({ type: 'ack', clientId: 'http-send-1' });
    await staffSocket.next((f) => f.type === 'event' && (f.event as { body: string }).body === 'Sent over HTTP');
    const hello = await t.app.inject({
      method: 'POST',
      url: '/api/chat/frames',
      headers: { 'x-chat-token': token },
      payload: { type: 'hello', token, after: 0 },
    });
    expect(hello.statusCode).toBe(400);
    const noToken = await t.app.inject({ method: 'GET', url: '/api/chat/poll?after=0&wait=0' });
    expect(noToken.statusCode).toBe(401);
  });

  it('refuses sends to an ended chat, then takes a rating and a transcript request', async () => {
    const { conversationId, patronSocket, staffSocket } = await activeChat();
    staffSocket.send({ type: 'conversation.end', conversationId });
    await patronSocket.next((f) => f.type === 'state' && (f.conversation as { status: string }).status === 'resolved');
    patronSocket.send({ type: 'message.send', clientId: 'too-late-1', body: 'Wait, one more thing' });
    expect(await patronSocket.next((f) => f.type === 'error' && f.clientId === 'too-late-1')).toMatchObject({
      code: 'conflict',
    });
    patronSocket.send({ type: 'rating.submit', score: 5, comment: 'Very helpful <b>thanks</b>' });
    const rated = await patronSocket.next(
      (f) => f.type === 'state' && (f.conversation as { rating: unknown }).rating !== null,
    );
    expect(rated.conversation).toMatchObject({ rating: { score: 5, comment: 'Very helpful <b>thanks</b>' } });
    patronSocket.send({ type: 'transcript.request', email: 'reader@example.org' });
    await patronSocket.next(
      (f) => f.type === 'state' && (f.conversation as { transcriptRequested: boolean }).transcriptRequested,
    );
    const row = await t.app.deps.db
      .selectFrom('conversations')
      .selectAll()
      .where('id', '=', conversationId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ rating_score: 5, transcript_email: 'reader@example.org', status: 'resolved' });
    const ratedEvents = await t.app.deps.db
      .selectFrom('conversation_events')
      .select(['system_kind', 'data_json'])
      .where('conversation_id', '=', conversationId)
      .where('system_kind', '=', 'rated')
      .execute();
    expect(ratedEvents).toEqual([{ system_kind: 'rated', data_json: { score: 5 } }]);
  });
});
