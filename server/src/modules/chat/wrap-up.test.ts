import type { AddressInfo } from 'node:net';
import type { Conversation } from '@branchline/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db/database.ts';
import type { DeskRow, LibraryRow, StaffRow } from '../../platform/db/schema.ts';
import { dialectsUnderTest } from '../../test/databases.ts';
import { buildConversation, buildDesk, buildLibrary, buildStaff, sessionFor } from '../../test/factories.ts';
import { buildTestApp, TestClock, type TestApp } from '../../test/test-app.ts';
import { TestSocket } from '../../test/ws-client.ts';

type Frame = { type: string } & Record<string, unknown>;

describe.each(dialectsUnderTest())('closing ended chats in the console on %s', (dialect) => {
  let t: TestApp;
  let db: Db;
  let clock: TestClock;
  let library: LibraryRow;
  let desk: DeskRow;
  let librarian: StaffRow;
  const sockets: TestSocket[] = [];

  beforeEach(async () => {
    clock = new TestClock('2026-03-02T15:00:00.000Z');
    t = await buildTestApp(dialect, { clock });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    db = t.app.deps.db;
    library = await buildLibrary(db);
    desk = await buildDesk(db, library.id, { mode: 'claim' });
    librarian = await buildStaff(db, { library_id: library.id, role: 'librarian' });
  });
  afterEach(async () => {
    for (const socket of sockets.splice(0)) await socket.close();
    await t.close();
  });

  async function call(staff: StaffRow, method: 'GET' | 'POST', url: string) {
    const session = await sessionFor(t.app, staff);
    return t.app.inject({ method, url, headers: session.headers });
  }

  /** A dashboard tab of `staff`, greeted: answers the socket and the chats its welcome listed. */
  async function tab(staff: StaffRow) {
    const { port } = t.app.server.address() as AddressInfo;
    const session = await sessionFor(t.app, staff);
    const socket = await TestSocket.open(`ws://127.0.0.1:${port}/api/staff/ws`, { cookie: session.cookie });
    sockets.push(socket);
    socket.send({ type: 'hello', subscriptions: [] });
    const welcome = await socket.nextOfType('welcome');
    return { socket, listed: (welcome.conversations as Conversation[]).map((c) => [c.id, c.status, c.closedAt]) };
  }

  /** A chat of the librarian's, ended through the API as the console ends it. */
  async function endedChat(): Promise<string> {
    const row = await buildConversation(db, {
      library_id: library.id,
      desk_id: desk.id,
      status: 'active',
      assignee_id: librarian.id,
    });
    const ended = await call(librarian, 'POST', `/api/conversations/${row.id}/end`);
    expect(ended.statusCode, ended.body).toBe(200);
    return row.id;
  }

  const closedAt = async (id: string) =>
    (await db.selectFrom('conversations').select('closed_at').where('id', '=', id).executeTakeFirstOrThrow()).closed_at;

  it('keeps an ended chat in the person’s console across reloads until they close it, then on no tab', async () => {
    const ended = await endedChat();
    const active = (
      await buildConversation(db, {
        library_id: library.id,
        desk_id: desk.id,
        status: 'active',
        assignee_id: librarian.id,
      })
    ).id;
    const reloaded = await tab(librarian);
    expect(reloaded.listed).toEqual(
      expect.arrayContaining([
        [ended, 'resolved', null],
        [active, 'active', null],
      ]),
    );
    expect(reloaded.listed).toHaveLength(2);

    clock.advanceMinutes(3);
    const closed = await call(librarian, 'POST', `/api/conversations/${ended}/close`);
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json()).toMatchObject({ id: ended, status: 'resolved', closedAt: '2026-03-02T15:03:00.000Z' });
    // The tab already open hears of it, so the chat leaves My chats there too.
    const shown = await reloaded.socket.next((f: Frame) => {
      const c = f.conversation as Conversation | undefined;
      return f.type === 'conversation' && c?.id === ended && c.closedAt !== null;
    });
    expect((shown.conversation as Conversation).closedAt).toBe('2026-03-02T15:03:00.000Z');
    expect((await tab(librarian)).listed).toEqual([[active, 'active', null]]);

    // Closing again changes nothing.
    clock.advanceMinutes(5);
    const again = await call(librarian, 'POST', `/api/conversations/${ended}/close`);
    expect(again.statusCode).toBe(200);
    expect(await closedAt(ended)).toBe('2026-03-02T15:03:00.000Z');
  });

  it('lists an ended chat left open for a shift’s length only', async () => {
    const ended = await endedChat();
    clock.advanceMinutes(11 * 60);
    expect((await tab(librarian)).listed).toEqual([[ended, 'resolved', null]]);
    clock.advanceMinutes(2 * 60);
    expect((await tab(librarian)).listed).toEqual([]);
    // It can still be closed, and stays in the Inbox either way.
    expect((await call(librarian, 'POST', `/api/conversations/${ended}/close`)).statusCode).toBe(200);
    const inbox = await call(librarian, 'GET', `/api/conversations/${ended}`);
    expect(inbox.statusCode).toBe(200);
  });

  it('refuses to close a chat still going, someone else’s, another library’s or unknown, and changes nothing', async () => {
    const going = await buildConversation(db, {
      library_id: library.id,
      desk_id: desk.id,
      status: 'active',
      assignee_id: librarian.id,
    });
    const refused = await call(librarian, 'POST', `/api/conversations/${going.id}/close`);
    expect(refused.statusCode).toBe(409);
    expect(await closedAt(going.id)).toBeNull();

    const ended = await endedChat();
    const colleague = await buildStaff(db, { library_id: library.id, role: 'librarian' });
    expect((await call(colleague, 'POST', `/api/conversations/${ended}/close`)).statusCode).toBe(403);
    const partner = await buildStaff(db, { library_id: library.id, role: 'partner' });
    expect((await call(partner, 'POST', `/api/conversations/${ended}/close`)).statusCode).toBe(404);
    const elsewhere = await buildStaff(db, { library_id: (await buildLibrary(db)).id, role: 'admin' });
    expect((await call(elsewhere, 'POST', `/api/conversations/${ended}/close`)).statusCode).toBe(404);
    expect(await closedAt(ended)).toBeNull();
    const unknown = await call(librarian, 'POST', '/api/conversations/3f1c2a9e-8d4b-4c1e-9a7f-2b6d5e8c1a40/close');
    expect(unknown.statusCode).toBe(404);
    expect((await call(librarian, 'POST', '/api/conversations/not-an-id/close')).statusCode).toBe(400);

    // A supervisor stepping in may close it for them.
    const supervisor = await buildStaff(db, { library_id: library.id, role: 'supervisor' });
    expect((await call(supervisor, 'POST', `/api/conversations/${ended}/close`)).statusCode).toBe(200);
    expect(await closedAt(ended)).not.toBeNull();
  });
});
