import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectsUnderTest } from '../../test/databases.ts';
import { buildDesk, buildLibrary, buildStaff, sessionFor } from '../../test/factories.ts';
import { buildTestApp, type TestApp } from '../../test/test-app.ts';
import { TestSocket } from '../../test/ws-client.ts';

describe.each(dialectsUnderTest())('chat metrics on %s', (dialect) => {
  let t: TestApp;
  let base: string;
  let libraryId: string;
  let librarySlug: string;
  let deskSlug: string;
  let deskId: string;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const library = await buildLibrary(t.app.deps.db);
    libraryId = library.id;
    librarySlug = library.slug;
    const desk = await buildDesk(t.app.deps.db, library.id, { mode: 'claim' });
    deskSlug = desk.slug;
    deskId = desk.id;
  });
  afterAll(async () => {
    for (const socket of sockets) await socket.close();
    await t.close();
  });

  async function metric(name: string, labels: string): Promise<number | undefined> {
    const body = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    const line = body.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
    return line === undefined ? undefined : Number(line.split(' ').at(-1));
  }

  async function open(path: string, headers: Record<string, string> = {}): Promise<TestSocket> {
    const socket = await TestSocket.open(`ws://${base}${path}`, headers);
    sockets.push(socket);
    return socket;
  }

  it('reports waiting chats per library, connections held, messages stored and commit group sizes', async () => {
    expect(await metric('branchline_chats_waiting', `library="${librarySlug}"`)).toBe(0);
    const started = await t.app.inject({
      method: 'POST',
      url: '/api/chat/conversations',
      payload: { desk: deskSlug, clientId: 'metrics-start-1', message: 'Hello <b>there</b>' },
    });
    expect(started.statusCode, started.body).toBe(201);
    const { token } = started.json() as { token: string; conversation: { id: string } };
    const conversationId = (started.json() as { conversation: { id: string } }).conversation.id;
    expect(await metric('branchline_chats_waiting', `library="${librarySlug}"`)).toBe(1);
    expect(await metric('branchline_chat_messages_total', 'author="patron"')).toBe(1);

    const patron = await open('/api/chat/ws');
    patron.send({ type: 'hello', token, after: 0 });
    await patron.nextOfType('welcome');
    const librarian = await sessionFor(t.app, await buildStaff(t.app.deps.db, { library_id: libraryId }));
    const staff = await open('/api/staff/ws', { cookie: librarian.cookie });
    staff.send({ type: 'hello', subscriptions: [] });
    await staff.nextOfType('welcome');
    await expect.poll(() => metric('branchline_live_connections', 'kind="patron"')).toBe(1);
    await expect.poll(() => metric('branchline_live_connections', 'kind="staff"')).toBe(1);

    // A retried send is stored once and counted once.
    for (let i = 0; i < 2; i++) {
      patron.send({ type: 'message.send', clientId: 'metrics-send-1', body: 'Are you there?' });
      await patron.nextOfType('ack');
    }
    expect(await metric('branchline_chat_messages_total', 'author="patron"')).toBe(2);
    staff.send({ type: 'presence.set', status: 'available', deskIds: [deskId] });
    await staff.next((f) => f.type === 'offer');
    staff.send({ type: 'conversation.accept', conversationId });
    await staff.next((f) => f.type === 'conversation' && (f.conversation as { status: string }).status === 'active');
    expect(await metric('branchline_chats_waiting', `library="${librarySlug}"`)).toBe(0);
    staff.send({ type: 'message.send', conversationId, clientId: 'metrics-reply-1', body: 'Yes!' });
    await staff.nextOfType('ack');
    expect(await metric('branchline_chat_messages_total', 'author="staff"')).toBe(1);

    const body = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(body).toMatch(/^branchline_group_commit_size_count \d+$/m);
    // Never an id or message text in a label or value.
    expect(body).not.toContain(conversationId);
    expect(body).not.toContain('Are you there?');

    await patron.close();
    await expect.poll(() => metric('branchline_live_connections', 'kind="patron"')).toBe(0);
  });
});
