import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/databases.ts';
import { buildDesk, buildLibrary, buildStaff, sessionFor } from '../../test/factories.ts';
import { buildTestApp, type TestApp } from '../../test/test-app.ts';
import { TestSocket } from '../../test/ws-client.ts';

function services(): { pg: string; redis: string } | undefined {
  const pg = process.env.TEST_DATABASE_URL;
  const redis = process.env.TEST_REDIS_URL;
  if ((!pg || !redis) && process.env.REQUIRE_SERVICES === '1') {
    throw new Error('REQUIRE_SERVICES=1 but TEST_DATABASE_URL or TEST_REDIS_URL is not set');
  }
  return pg && redis ? { pg, redis } : undefined;
}

/** Two server instances on one PostgreSQL database with the Redis bus: the scale-out set-up. */
describe.skipIf(!services())('two instances on PostgreSQL and Redis', () => {
  let database: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    const { redis } = services()!;
    database = await openTestDatabase('postgres');
    a = await buildTestApp('postgres', { database, config: { redisUrl: redis } });
    b = await buildTestApp('postgres', { database, config: { redisUrl: redis } });
    await a.app.listen({ port: 0, host: '127.0.0.1' });
    await b.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    for (const s of sockets) await s.close();
    await a.app.close();
    await b.app.close();
    await database.destroy();
  });

  const url = (t: TestApp, path: string) => `ws://127.0.0.1:${(t.app.server.address() as AddressInfo).port}${path}`;

  it('delivers offers and messages between a patron on one instance and a librarian on the other', async () => {
    const db = a.app.deps.db;
    const library = await buildLibrary(db);
    const desk = await buildDesk(db, library.id, { mode: 'claim' });
    const session = await sessionFor(b.app, await buildStaff(db, { library_id: library.id }));

    const staff = await TestSocket.open(url(b, '/api/staff/ws'), { cookie: session.cookie });
    sockets.push(staff);
    staff.send({ type: 'hello', subscriptions: [] });
    await staff.nextOfType('welcome');
    staff.send({ type: 'presence.set', status: 'available', deskIds: [desk.id] });
    await staff.nextOfType('presence');

    const started = await a.app.inject({
      method: 'POST',
      url: '/api/chat/conversations',
      payload: { desk: desk.slug, clientId: 'multi-0001', message: 'Across instances?' },
    });
    expect(started.statusCode).toBe(201);
    const { token, conversation } = started.json() as { token: string; conversation: { id: string } };
    const patron = await TestSocket.open(url(a, '/api/chat/ws'));
    sockets.push(patron);
    patron.send({ type: 'hello', token, after: 0 });
    await patron.nextOfType('welcome');

    await staff.next((f) => f.type === 'offer' && (f.conversation as { id: string }).id === conversation.id);
    staff.send({ type: 'conversation.accept', conversationId: conversation.id });
    await patron.next((f) => f.type === 'state' && (f.conversation as { status: string }).status === 'active');
    staff.send({
      type: 'message.send',
      conversationId: conversation.id,
      clientId: 'multi-reply',
      body: 'Yes, from the other server',
    });
    const reply = await patron.next(
      (f) => f.type === 'event' && (f.event as { body: string }).body === 'Yes, from the other server',
    );
    expect(reply.event).toMatchObject({ from: 'staff' });
    patron.send({ type: 'message.send', clientId: 'multi-back', body: 'Great' });
    await staff.next((f) => f.type === 'event' && (f.event as { body: string }).body === 'Great');
    // Each instance has its own bus: the offer and messages can only have crossed through Redis.
    expect(a.app.deps.bus).not.toBe(b.app.deps.bus);
  });
});
