import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectsUnderTest, openTestDatabase, type TestDatabase } from '../../test/databases.ts';
import { newId } from '../../platform/tokens.ts';
import {
  buildConversation,
  buildDesk,
  buildLibrary,
  buildPresence,
  buildStaff,
  sessionFor,
} from '../../test/factories.ts';
import { buildTestApp, type TestApp } from '../../test/test-app.ts';
import { TestSocket } from '../../test/ws-client.ts';
import { rebalance } from './routing.service.ts';

const CHATS = 20;

/** A console that accepts every chat it is offered while it has room, as a busy librarian would. */
function acceptEverything(socket: TestSocket, max: number): { accepted: Set<string>; conflicts: () => number } {
  const accepted = new Set<string>();
  const pending = new Set<string>();
  const offered: string[] = [];
  let conflicts = 0;
  const acceptWhileRoom = () => {
    while (offered.length > 0 && accepted.size + pending.size < max) {
      const id = offered.shift()!;
      if (accepted.has(id) || pending.has(id)) continue;
      pending.add(id);
      socket.send({ type: 'conversation.accept', conversationId: id });
    }
  };
  socket.onFrame((frame) => {
    if (frame.type === 'offer') offered.push((frame.conversation as { id: string }).id);
    else if (frame.type === 'conversation') {
      const c = frame.conversation as { id: string; status: string };
      if (pending.delete(c.id) && c.status === 'active') accepted.add(c.id);
    } else if (frame.type === 'error' && typeof frame.conversationId === 'string') {
      if (pending.delete(frame.conversationId)) conflicts += 1;
    } else return;
    acceptWhileRoom();
  });
  return { accepted, conflicts: () => conflicts };
}

describe.each(dialectsUnderTest())('routing under a burst of chats on %s', (dialect) => {
  let database: TestDatabase;
  let t: TestApp;
  let base: string;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    t = await buildTestApp(dialect, { database });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const s of sockets) await s.close();
    await t.app.close();
    await database.destroy();
  });

  it('gives each of many chats started at once to exactly one of the librarians accepting them', async () => {
    const { db } = t.app.deps;
    const library = await buildLibrary(db);
    const desk = await buildDesk(db, library.id, { mode: 'claim' });
    const consoles = [];
    for (let i = 0; i < 2; i++) {
      const row = await buildStaff(db, { library_id: library.id, role: 'librarian', max_concurrent_chats: CHATS / 2 });
      const socket = await TestSocket.open(`ws://${base}/api/staff/ws`, {
        cookie: (await sessionFor(t.app, row)).cookie,
      });
      sockets.push(socket);
      socket.send({ type: 'hello', subscriptions: [] });
      await socket.nextOfType('welcome');
      const console = acceptEverything(socket, CHATS / 2);
      socket.send({ type: 'presence.set', status: 'available', deskIds: [desk.id] });
      await socket.next((f) => f.type === 'presence' && (f.presence as { status: string }).status === 'available');
      consoles.push(console);
    }

    const started = await Promise.all(
      Array.from({ length: CHATS }, async (_, i) => {
        const response = await t.app.inject({
          method: 'POST',
          url: '/api/chat/conversations',
          payload: { desk: desk.slug, clientId: `burst-start-${i}`, message: `Question ${i}` },
          remoteAddress: `10.77.0.${i + 1}`,
        });
        expect(response.statusCode, response.body).toBe(201);
        return response.json().conversation.id as string;
      }),
    );

    const deadline = Date.now() + 15_000;
    while (consoles.reduce((n, c) => n + c.accepted.size, 0) < CHATS && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));

    // Each console heard each chat ring once, and never had to be told the server was busy.
    for (const socket of sockets) {
      const offered = socket.frames.filter((f) => f.type === 'offer').map((f) => (f.conversation as { id: string }).id);
      expect(offered.length).toBe(new Set(offered).size);
      expect(socket.frames.filter((f) => f.type === 'error' && f.code === 'service_unavailable')).toEqual([]);
    }
    const taken = consoles.flatMap((c) => [...c.accepted]);
    expect(taken.sort()).toEqual([...started].sort());
    const rows = await db.selectFrom('conversations').select(['id', 'status']).where('id', 'in', started).execute();
    expect(rows.every((r) => r.status === 'active')).toBe(true);
    // Each person was asked at most once per chat (an offer made as a chat was being taken is
    // withdrawn, not answered), no storm of offers, and each chat has exactly one accepted offer.
    const offers = await db
      .selectFrom('conversation_offers')
      .select(['conversation_id', 'staff_id', 'state'])
      .where('conversation_id', 'in', started)
      .execute();
    const answered = offers.filter((o) => o.state !== 'withdrawn').map((o) => `${o.conversation_id}/${o.staff_id}`);
    expect(new Set(answered).size).toBe(answered.length);
    expect(offers.length).toBeLessThanOrEqual(CHATS * 2 * 2);
    for (const id of started)
      expect(offers.filter((o) => o.conversation_id === id && o.state === 'accepted')).toHaveLength(1);
    expect(offers.filter((o) => o.state === 'ringing')).toEqual([]);
  });

  it('withdraws an offer still ringing for a chat someone has already taken', async () => {
    const { db } = t.app.deps;
    const library = await buildLibrary(db);
    const desk = await buildDesk(db, library.id, { mode: 'claim' });
    const person = await buildStaff(db, { library_id: library.id, role: 'librarian' });
    await buildPresence(db, person.id, [desk.id]);
    const taken = await buildConversation(db, { library_id: library.id, desk_id: desk.id, status: 'active' });
    const waiting = await buildConversation(db, { library_id: library.id, desk_id: desk.id, status: 'queued' });
    const now = new Date().toISOString();
    for (const chat of [taken, waiting])
      await db
        .insertInto('conversation_offers')
        .values({
          id: newId(),
          conversation_id: chat.id,
          staff_id: person.id,
          state: 'ringing',
          offered_at: now,
          ring_until: null,
        })
        .execute();

    await rebalance(t.app.deps, library.id);

    const states = await db
      .selectFrom('conversation_offers')
      .select(['conversation_id', 'state'])
      .where('staff_id', '=', person.id)
      .execute();
    expect(Object.fromEntries(states.map((o) => [o.conversation_id, o.state]))).toEqual({
      [taken.id]: 'withdrawn',
      [waiting.id]: 'ringing',
    });
  });
});
