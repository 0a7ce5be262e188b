import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../platform/actor.ts';
import type { ConversationRow, LibraryRow, StaffRow } from '../../platform/db/schema.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { hashToken, newToken } from '../../platform/tokens.ts';
import { dialectsUnderTest, openTestDatabase, type TestDatabase } from '../../test/databases.ts';
import {
  buildConversation,
  buildDesk,
  buildLibrary,
  buildStaff,
  holdConnection,
  sessionFor,
} from '../../test/factories.ts';
import { buildTestApp, TestClock, type TestApp } from '../../test/test-app.ts';
import { TestSocket } from '../../test/ws-client.ts';
import { newConversationRow } from '../conversations/conversations.repo.ts';
import { purgeExpiredTranscripts } from '../conversations/retention.service.ts';
import { findPublicLibrary } from '../libraries/libraries.service.ts';
import { isConnected, LiveConnections, removeInstance } from '../routing/live-connections.ts';
import { staffConnected } from '../routing/routing.service.ts';
import { patronConnected, patronDisconnected, patronPolled } from './chat.service.ts';

const DAY_MS = 86_400_000;
let counter = 0;
const clientId = () => `edge-${(counter++).toString().padStart(8, '0')}`;
let ipCounter = 0;
/** A fresh address for each patron request, so the per-address rate limit never interferes. */
const nextIp = () => {
  ipCounter++;
  return `10.${Math.floor(ipCounter / 250) % 250}.${ipCounter % 250}.${(ipCounter * 7) % 250}`;
};
const browserKey = (tag: string) => `edge${tag}`.padEnd(28, 'x');

describe.each(dialectsUnderTest())('transcript retention edge cases on %s', (dialect) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await buildTestApp(dialect);
  });
  afterAll(async () => t.close());

  const daysAgo = (days: number) => new Date(t.clock.now().getTime() - days * DAY_MS).toISOString();
  const stored = (id: string) =>
    t.app.deps.db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const eventCount = async (id: string) =>
    (await t.app.deps.db.selectFrom('conversation_events').select('seq').where('conversation_id', '=', id).execute())
      .length;

  async function conversationOf(
    library: LibraryRow,
    status: string,
    resolvedAt: string | null,
  ): Promise<ConversationRow> {
    const db = t.app.deps.db;
    const desk = await buildDesk(db, library.id);
    const row = await buildConversation(db, { library_id: library.id, desk_id: desk.id, connected: false });
    await db
      .updateTable('patrons')
      .set({ name: 'Ann Reader', email: 'ann@example.org' })
      .where('id', '=', row.patron_id)
      .execute();
    return db
      .updateTable('conversations')
      .set({ status, resolved_at: resolvedAt, patron_browser_hash: 'browser-hash' })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** `n` ended conversations of one library, written in bulk. */
  async function manyEnded(library: LibraryRow, n: number, endedDaysAgo: number): Promise<string[]> {
    const db = t.app.deps.db;
    const desk = await buildDesk(db, library.id);
    const now = t.clock.now().toISOString();
    const ids: string[] = [];
    const patrons = Array.from({ length: n }, () => ({
      id: crypto.randomUUID(),
      library_id: library.id,
      name: 'Bulk Patron',
      email: 'bulk@example.org',
      created_at: now,
      updated_at: now,
    }));
    for (let i = 0; i < patrons.length; i += 100)
      await db
        .insertInto('patrons')
        .values(patrons.slice(i, i + 100))
        .execute();
    const rows = patrons.map((p) => {
      const row = newConversationRow({
        libraryId: library.id,
        deskId: desk.id,
        patronId: p.id,
        channel: 'chat',
        status: 'resolved',
        language: 'en',
        patronTokenHash: hashToken(newToken()),
        patronIpHash: 'ip',
        now,
      });
      ids.push(row.id as string);
      return { ...row, resolved_at: daysAgo(endedDaysAgo), last_seq: 1 };
    });
    for (let i = 0; i < rows.length; i += 100)
      await db
        .insertInto('conversations')
        .values(rows.slice(i, i + 100))
        .execute();
    const events = ids.map((id) => ({
      conversation_id: id,
      seq: 1,
      type: 'message',
      author_kind: 'patron',
      author_staff_id: null,
      author_name: null,
      body: 'Secret question',
      system_kind: null,
      data_json: {},
      client_id: null,
      created_at: now,
    }));
    for (let i = 0; i < events.length; i += 100)
      await db
        .insertInto('conversation_events')
        .values(events.slice(i, i + 100))
        .execute();
    return ids;
  }

  const reportFor = (reports: Awaited<ReturnType<typeof purgeExpiredTranscripts>>, libraryId: string) =>
    reports.find((r) => r.libraryId === libraryId);

  it('keeps a conversation that ended exactly at the cutoff, and purges one that ended a millisecond earlier', async () => {
    const library = await buildLibrary(t.app.deps.db, { transcript_retention_days: 30 });
    const cutoff = daysAgo(30);
    const atCutoff = await conversationOf(library, 'resolved', cutoff);
    const justBefore = await conversationOf(
      library,
      'resolved',
      new Date(new Date(cutoff).getTime() - 1).toISOString(),
    );
    const reports = await purgeExpiredTranscripts(t.app.deps);
    expect(reportFor(reports, library.id)).toMatchObject({ conversations: 1, retentionDays: 30 });
    expect((await stored(atCutoff.id)).purged_at).toBeNull();
    expect(await eventCount(atCutoff.id)).toBe(1);
    expect((await stored(justBefore.id)).purged_at).not.toBeNull();
    expect(await eventCount(justBefore.id)).toBe(0);
  });

  it('never purges a conversation that is still pending, queued or active, however old', async () => {
    const library = await buildLibrary(t.app.deps.db, { transcript_retention_days: 7 });
    const open = [
      await conversationOf(library, 'pending', daysAgo(3000)),
      await conversationOf(library, 'queued', daysAgo(3000)),
      await conversationOf(library, 'active', daysAgo(3000)),
      await conversationOf(library, 'active', null),
    ];
    const closed = [
      await conversationOf(library, 'abandoned', daysAgo(8)),
      await conversationOf(library, 'missed', daysAgo(8)),
      await conversationOf(library, 'resolved', daysAgo(8)),
    ];
    const reports = await purgeExpiredTranscripts(t.app.deps);
    expect(reportFor(reports, library.id)?.conversations).toBe(3);
    for (const row of open) {
      const now = await stored(row.id);
      expect(now.purged_at, row.status).toBeNull();
      expect(now.patron_token_hash, row.status).toBe(row.patron_token_hash);
      expect(await eventCount(row.id), row.status).toBe(1);
      const patron = await t.app.deps.db
        .selectFrom('patrons')
        .select(['name', 'email'])
        .where('id', '=', row.patron_id)
        .executeTakeFirstOrThrow();
      expect(patron).toEqual({ name: 'Ann Reader', email: 'ann@example.org' });
    }
    for (const row of closed) expect((await stored(row.id)).purged_at, row.status).not.toBeNull();
  });

  it('purges every expired conversation in one run, however many batches it takes', async () => {
    const library = await buildLibrary(t.app.deps.db, { transcript_retention_days: 30 });
    const ids = await manyEnded(library, 453, 31);
    const kept = await manyEnded(library, 3, 29);
    const report = reportFor(await purgeExpiredTranscripts(t.app.deps), library.id);
    expect(report?.conversations).toBe(453);
    const left = await t.app.deps.db
      .selectFrom('conversations')
      .select('id')
      .where('library_id', '=', library.id)
      .where('purged_at', 'is', null)
      .execute();
    expect(left.map((r) => r.id).sort()).toEqual([...kept].sort());
    const events = await t.app.deps.db
      .selectFrom('conversation_events')
      .select('conversation_id')
      .where('conversation_id', 'in', ids)
      .execute();
    expect(events).toHaveLength(0);
    const named = await t.app.deps.db
      .selectFrom('patrons')
      .innerJoin('conversations', 'conversations.patron_id', 'patrons.id')
      .select('patrons.name')
      .where('conversations.id', 'in', ids)
      .where('patrons.name', 'is not', null)
      .execute();
    expect(named).toHaveLength(0);
    expect(reportFor(await purgeExpiredTranscripts(t.app.deps), library.id)?.conversations).toBe(0);
  });

  it('two purges running at once count each conversation once between them and leave nothing behind', async () => {
    const library = await buildLibrary(t.app.deps.db, { transcript_retention_days: 10 });
    const ids = await manyEnded(library, 230, 11);
    const [a, b] = await Promise.all([purgeExpiredTranscripts(t.app.deps), purgeExpiredTranscripts(t.app.deps)]);
    const total = (reportFor(a, library.id)?.conversations ?? 0) + (reportFor(b, library.id)?.conversations ?? 0);
    expect(total).toBe(230);
    const rows = await t.app.deps.db
      .selectFrom('conversations')
      .select(['purged_at', 'patron_token_hash', 'patron_ip_hash'])
      .where('id', 'in', ids)
      .execute();
    expect(rows).toHaveLength(230);
    for (const row of rows) {
      expect(row.purged_at).not.toBeNull();
      expect(row.patron_token_hash).toBeNull();
      expect(row.patron_ip_hash).toBe('');
    }
    const audit = await t.app.deps.db
      .selectFrom('audit_log')
      .select('details_json')
      .where('action', '=', 'transcripts.purged')
      .where('subject_id', '=', library.id)
      .execute();
    const audited = audit.reduce(
      (sum, r) => sum + Number((r.details_json as { conversations?: number } | null)?.conversations ?? 0),
      0,
    );
    expect(audited).toBe(230);
  });

  it('purges on the next run once a library shortens its retention', async () => {
    const library = await buildLibrary(t.app.deps.db, { transcript_retention_days: 90 });
    const admin = await sessionFor(t.app, await buildStaff(t.app.deps.db, { library_id: library.id, role: 'admin' }));
    const row = await conversationOf(library, 'resolved', daysAgo(45));
    expect(reportFor(await purgeExpiredTranscripts(t.app.deps), library.id)?.conversations).toBe(0);
    expect((await stored(row.id)).purged_at).toBeNull();
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/libraries/${library.id}`,
      headers: admin.headers,
      payload: { transcriptRetentionDays: 30 },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(reportFor(await purgeExpiredTranscripts(t.app.deps), library.id)).toMatchObject({
      conversations: 1,
      retentionDays: 30,
    });
    expect((await stored(row.id)).purged_at).not.toBeNull();
  });

  it('keeps a block that ended exactly at the cutoff and an unexpired one, and deletes only blocks that ended before it', async () => {
    const library = await buildLibrary(t.app.deps.db, { transcript_retention_days: 30 });
    const block = (until: string) => ({
      id: crypto.randomUUID(),
      library_id: library.id,
      patron_id: null,
      ip_hash: 'ip',
      browser_hash: 'browser',
      scope: 'browser',
      reason: 'Abuse',
      created_by: null,
      created_at: daysAgo(400),
      until,
    });
    const atCutoff = block(daysAgo(30));
    const beforeCutoff = block(new Date(new Date(daysAgo(30)).getTime() - 1).toISOString());
    const future = block(daysAgo(-1));
    await t.app.deps.db.insertInto('patron_blocks').values([atCutoff, beforeCutoff, future]).execute();
    expect(reportFor(await purgeExpiredTranscripts(t.app.deps), library.id)?.blocks).toBe(1);
    const left = await t.app.deps.db
      .selectFrom('patron_blocks')
      .select('id')
      .where('library_id', '=', library.id)
      .execute();
    expect(left.map((r) => r.id).sort()).toEqual([atCutoff.id, future.id].sort());
  });
});

describe.each(dialectsUnderTest())('a purged chat seen by its patron and by staff on %s', (dialect) => {
  let database: TestDatabase;
  let t: TestApp;
  let base: string;
  let library: LibraryRow;
  let deskSlug: string;
  let staff: StaffRow;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    t = await buildTestApp(dialect, { database });
    const address = (await t.app.listen({ port: 0, host: '127.0.0.1' }), t.app.server.address() as AddressInfo);
    base = `127.0.0.1:${address.port}`;
    library = await buildLibrary(t.app.deps.db, { transcript_retention_days: 30 });
    deskSlug = (await buildDesk(t.app.deps.db, library.id, { mode: 'claim' })).slug;
    staff = await buildStaff(t.app.deps.db, { library_id: library.id, role: 'supervisor' });
  });
  afterAll(async () => {
    for (const s of sockets) await s.close();
    await t.app.close();
    await database.destroy();
  });

  async function endedChat(): Promise<{ token: string; id: string }> {
    const started = await t.app.inject({
      method: 'POST',
      url: '/api/chat/conversations',
      remoteAddress: nextIp(),
      payload: { desk: deskSlug, clientId: clientId(), message: 'My card number is 1234', name: 'Ann Reader' },
    });
    expect(started.statusCode, started.body).toBe(201);
    const token = started.json().token as string;
    const ended = await t.app.inject({
      method: 'POST',
      url: '/api/chat/frames',
      headers: { 'x-chat-token': token },
      payload: { type: 'end' },
    });
    expect(ended.statusCode, ended.body).toBe(200);
    return { token, id: started.json().conversation.id as string };
  }

  it('refuses the old token over HTTP and over the WebSocket once the transcript is purged', async () => {
    const { token, id } = await endedChat();
    const before = await t.app.inject({
      method: 'GET',
      url: '/api/chat/poll?after=0&wait=0',
      headers: { 'x-chat-token': token },
    });
    expect(before.statusCode, before.body).toBe(200);

    t.clock.advanceMinutes(31 * 24 * 60);
    const report = (await purgeExpiredTranscripts(t.app.deps)).find((r) => r.libraryId === library.id);
    expect(report?.conversations).toBeGreaterThanOrEqual(1);
    expect(
      (
        await t.app.deps.db
          .selectFrom('conversations')
          .select('purged_at')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).purged_at,
    ).not.toBeNull();

    for (const frame of [{ type: 'ping' }, { type: 'rating.submit', score: 1, comment: 'Call me on 555-0100' }]) {
      const refused = await t.app.inject({
        method: 'POST',
        url: '/api/chat/frames',
        headers: { 'x-chat-token': token },
        payload: frame,
      });
      expect(refused.statusCode, frame.type).toBe(401);
      expect(refused.json().error.code).toBe('unauthenticated');
    }
    const poll = await t.app.inject({
      method: 'GET',
      url: '/api/chat/poll?after=0&wait=0',
      headers: { 'x-chat-token': token },
    });
    expect(poll.statusCode).toBe(401);
    expect(
      (
        await t.app.deps.db
          .selectFrom('conversations')
          .select('rating_comment')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).rating_comment,
    ).toBeNull();

    const socket = await TestSocket.open(`ws://${base}/api/chat/ws`);
    sockets.push(socket);
    socket.send({ type: 'hello', token, after: 0 });
    const answer = await socket.next((f) => f.type === 'error' || f.type === 'welcome');
    expect(answer).toMatchObject({ type: 'error', code: 'unauthenticated' });
  });

  it('still lists and shows a purged conversation to staff, without the patron’s details or history', async () => {
    const { id } = await endedChat();
    t.clock.advanceMinutes(31 * 24 * 60);
    await purgeExpiredTranscripts(t.app.deps);
    const { headers } = await sessionFor(t.app, staff);

    const list = await t.app.inject({ method: 'GET', url: '/api/conversations?limit=100', headers });
    expect(list.statusCode, list.body).toBe(200);
    const item = (
      list.json().items as Array<{ id: string; purgedAt: string | null; patron: { name: string | null } }>
    ).find((c) => c.id === id);
    expect(item).toMatchObject({ purgedAt: t.clock.now().toISOString(), patron: { name: null } });
    expect(list.body).not.toContain('Ann Reader');

    const one = await t.app.inject({ method: 'GET', url: `/api/conversations/${id}`, headers });
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json()).toMatchObject({ events: [], status: 'abandoned' });
    expect(one.body).not.toContain('1234');

    const history = await t.app.inject({
      method: 'GET',
      url: `/api/conversations/${id}/history`,
      headers,
    });
    expect(history.statusCode, history.body).toBe(200);
    expect(history.json()).toEqual({ items: [] });

    const today = await t.app.inject({ method: 'GET', url: '/api/chat/today', headers });
    expect(today.statusCode, today.body).toBe(200);
  });

  it('adds nothing to a purged conversation: no note, no block, and nothing written', async () => {
    const { id } = await endedChat();
    t.clock.advanceMinutes(31 * 24 * 60);
    await purgeExpiredTranscripts(t.app.deps);
    const { headers } = await sessionFor(t.app, staff);
    const blocksBefore = (await t.app.deps.db.selectFrom('patron_blocks').select('id').execute()).length;

    const note = await t.app.inject({
      method: 'POST',
      url: `/api/conversations/${id}/messages`,
      headers,
      payload: { clientId: clientId(), body: 'Patron Ann Reader, card 1234', internal: true },
    });
    expect(note.statusCode, note.body).toBe(409);
    for (const scope of ['network', 'browser']) {
      const block = await t.app.inject({
        method: 'POST',
        url: `/api/conversations/${id}/block`,
        headers,
        payload: { minutes: 60, reason: 'Abuse', scope },
      });
      expect(block.statusCode, block.body).toBe(409);
      expect(block.json().error.message).toMatch(/retention/);
    }
    expect(
      (await t.app.deps.db.selectFrom('conversation_events').select('seq').where('conversation_id', '=', id).execute())
        .length,
    ).toBe(0);
    expect((await t.app.deps.db.selectFrom('patron_blocks').select('id').execute()).length).toBe(blocksBefore);
  });

  it('deletes on its next run anything written to a conversation after its purge', async () => {
    const { id } = await endedChat();
    t.clock.advanceMinutes(31 * 24 * 60);
    await purgeExpiredTranscripts(t.app.deps);
    await t.app.deps.db
      .insertInto('conversation_events')
      .values({
        conversation_id: id,
        seq: 99,
        type: 'note',
        author_kind: 'system',
        author_staff_id: null,
        author_name: null,
        body: 'Written late',
        system_kind: null,
        data_json: {},
        client_id: null,
        created_at: t.clock.now().toISOString(),
      })
      .execute();
    await purgeExpiredTranscripts(t.app.deps);
    expect(
      await t.app.deps.db.selectFrom('conversation_events').select('seq').where('conversation_id', '=', id).execute(),
    ).toEqual([]);
  });
});

describe.each(dialectsUnderTest())('browser and network blocks, edge cases, on %s', (dialect) => {
  let t: TestApp;
  let libraryA: LibraryRow;
  let libraryB: LibraryRow;
  let deskA: string;
  let deskB: string;
  let supervisorA: StaffRow;

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    const db = t.app.deps.db;
    libraryA = await buildLibrary(db, { name: 'Block A', slug: 'block-a', created_at: '2020-01-01T00:00:00.000Z' });
    libraryB = await buildLibrary(db, { name: 'Block B', slug: 'block-b', created_at: '2020-02-01T00:00:00.000Z' });
    deskA = (await buildDesk(db, libraryA.id, { mode: 'claim' })).slug;
    deskB = (await buildDesk(db, libraryB.id, { mode: 'claim' })).slug;
    supervisorA = await buildStaff(db, { library_id: libraryA.id, role: 'supervisor' });
  });
  afterAll(async () => t.close());

  function start(ip: string, options: { browser?: string; library?: string; desk?: string } = {}) {
    return t.app.inject({
      method: 'POST',
      url: '/api/chat/conversations',
      remoteAddress: ip,
      payload: {
        desk: options.desk ?? deskA,
        clientId: clientId(),
        message: 'Hello',
        ...(options.browser === undefined ? {} : { browser: options.browser }),
        ...(options.library === undefined ? {} : { library: options.library }),
      },
    });
  }
  async function chatFrom(ip: string, browser?: string): Promise<string> {
    const response = await start(ip, browser === undefined ? {} : { browser });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().conversation.id as string;
  }
  /** Signed in afresh each time: the clock moves past a session's expiry in some cases. */
  async function block(conversationId: string, body: Record<string, unknown>) {
    const session = await sessionFor(t.app, supervisorA);
    return t.app.inject({
      method: 'POST',
      url: `/api/conversations/${conversationId}/block`,
      headers: session.headers,
      payload: { minutes: 60, reason: 'Abusive language', ...body },
    });
  }

  it('blocking the same patron twice is fine, and the browser stays refused', async () => {
    const browser = browserKey('twice');
    const id = await chatFrom(nextIp(), browser);
    const first = await block(id, {});
    expect(first.statusCode, first.body).toBe(200);
    const second = await block(id, { minutes: 120 });
    expect(second.statusCode, second.body).toBe(200);
    expect(second.json()).toMatchObject({ status: 'abandoned' });
    expect((await start(nextIp(), { browser })).statusCode).toBe(403);
    t.clock.advanceMinutes(61);
    // The longer of the two still holds.
    expect((await start(nextIp(), { browser })).statusCode).toBe(403);
    t.clock.advanceMinutes(60);
    expect((await start(nextIp(), { browser })).statusCode).toBe(201);
  });

  it('lets the patron back in exactly when the block ends', async () => {
    const browser = browserKey('exact');
    const id = await chatFrom(nextIp(), browser);
    expect((await block(id, { minutes: 5 })).statusCode).toBe(200);
    t.clock.advanceMinutes(5);
    expect((await start(nextIp(), { browser })).statusCode).toBe(201);
  });

  it('a block in one library never refuses the same browser or address at another library', async () => {
    const ip = nextIp();
    const browser = browserKey('perlib');
    const id = await chatFrom(ip, browser);
    expect((await block(id, { scope: 'network' })).statusCode).toBe(200);
    expect((await start(ip, { browser })).statusCode).toBe(403);
    expect((await start(ip, { browser, library: 'block-a' })).statusCode).toBe(403);
    const elsewhere = await start(ip, { browser, library: 'block-b', desk: deskB });
    expect(elsewhere.statusCode, elsewhere.body).toBe(201);
    const question = await t.app.inject({
      method: 'POST',
      url: '/api/chat/questions',
      remoteAddress: ip,
      payload: {
        desk: deskB,
        library: 'block-b',
        clientId: clientId(),
        email: 'patron@example.org',
        message: 'Open on Sunday?',
        browser,
      },
    });
    expect(question.statusCode, question.body).toBe(201);
    expect(libraryB.id).not.toBe(libraryA.id);
  });

  it('a browser block does not follow the address: another browser and no browser at that address still get in', async () => {
    const ip = nextIp();
    const id = await chatFrom(ip, browserKey('brA'));
    expect((await block(id, { scope: 'browser' })).statusCode).toBe(200);
    expect((await start(ip, { browser: browserKey('brA') })).statusCode).toBe(403);
    expect((await start(ip, { browser: browserKey('brB') })).statusCode).toBe(201);
    expect((await start(ip)).statusCode).toBe(201);
  });

  it('a network block covers the address but not the same person’s neighbours at other addresses', async () => {
    const ip = nextIp();
    const id = await chatFrom(ip, browserKey('netA'));
    expect((await block(id, { scope: 'network' })).statusCode).toBe(200);
    expect((await start(ip, { browser: browserKey('netZ') })).statusCode).toBe(403);
    expect((await start(nextIp(), { browser: browserKey('netY') })).statusCode).toBe(201);
    expect((await start(nextIp())).statusCode).toBe(201);
  });

  it('stores a hostile reason as text (trimmed), and keeps hashes, reason and address out of the audit entry', async () => {
    const ip = '10.77.77.77';
    const browser = browserKey('hostile');
    const id = await chatFrom(ip, browser);
    const reason = `  <img src=x onerror=alert(1)>'; DROP TABLE patron_blocks; -- ${'é'.repeat(3)}  `;
    const blocked = await block(id, { scope: 'network', reason });
    expect(blocked.statusCode, blocked.body).toBe(200);
    const conversation = await t.app.deps.db
      .selectFrom('conversations')
      .select(['patron_id', 'patron_ip_hash', 'patron_browser_hash'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const row = await t.app.deps.db
      .selectFrom('patron_blocks')
      .selectAll()
      .where('patron_id', '=', conversation.patron_id)
      .executeTakeFirstOrThrow();
    expect(row.reason).toBe(reason.trim());
    expect(row.scope).toBe('network');
    expect(row.ip_hash).toBe(conversation.patron_ip_hash);
    expect(row.browser_hash).toBe(conversation.patron_browser_hash);
    const audit = await t.app.deps.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'patron.blocked')
      .where('subject_id', '=', id)
      .executeTakeFirstOrThrow();
    const text = JSON.stringify(audit);
    expect(text).not.toContain(ip);
    expect(text).not.toContain(browser);
    expect(text).not.toContain(conversation.patron_ip_hash);
    expect(text).not.toContain(conversation.patron_browser_hash ?? 'never');
    expect(text).not.toContain('onerror');
    expect(audit.details_json).toEqual({ minutes: 60, scope: 'network' });
  });

  it('refuses a block from staff of another library, and blocks nothing', async () => {
    const id = await chatFrom(nextIp(), browserKey('foreign'));
    const other = await sessionFor(
      t.app,
      await buildStaff(t.app.deps.db, { library_id: libraryB.id, role: 'supervisor' }),
    );
    const before = await t.app.deps.db.selectFrom('patron_blocks').select('id').execute();
    const refused = await t.app.inject({
      method: 'POST',
      url: `/api/conversations/${id}/block`,
      headers: other.headers,
      payload: { minutes: 60, reason: 'Not yours', scope: 'network' },
    });
    expect([403, 404]).toContain(refused.statusCode);
    expect(await t.app.deps.db.selectFrom('patron_blocks').select('id').execute()).toHaveLength(before.length);
  });
});

describe.each(dialectsUnderTest())('which library a public request is for, edge cases, on %s', (dialect) => {
  const SHARED = 'https://shared-catalog.example';
  const EAST = 'https://www.east-coop.example';
  let t: TestApp;
  let first: LibraryRow;
  let second: LibraryRow;
  let third: LibraryRow;

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    const db = t.app.deps.db;
    first = await buildLibrary(db, {
      name: 'First Coop',
      slug: 'first-coop',
      created_at: '2019-01-01T00:00:00.000Z',
    });
    // Created later but with an id that may sort either way: creation order decides, not the id.
    third = await buildLibrary(db, {
      name: 'Third Coop',
      slug: 'third-coop',
      allowed_origins_json: [SHARED],
      created_at: '2019-03-01T00:00:00.000Z',
    });
    second = await buildLibrary(db, {
      name: 'Second Coop',
      slug: 'second-coop',
      allowed_origins_json: [EAST, SHARED],
      created_at: '2019-02-01T00:00:00.000Z',
    });
    for (const library of [first, second, third])
      await buildDesk(db, library.id, { slug: 'ask', name: `Ask ${library.name}` });
  });
  afterAll(async () => t.close());

  const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });

  it('answers a question left for an unknown or misspelt library with the page that says so, keeping nothing', async () => {
    const count = async () => (await t.app.deps.db.selectFrom('conversations').select('id').execute()).length;
    const before = await count();
    for (const library of ['Not%20A%20Slug', 'FIRST-COOP', 'nowhere']) {
      const left = await t.app.inject({
        method: 'POST',
        url: `/chat/ask/question?library=${library}&lang=en`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'email=reader%40example.org&name=&message=Open+Sunday%3F',
      });
      expect(left.statusCode, library).toBe(404);
      expect(left.headers['content-type']).toBe('text/html; charset=utf-8');
    }
    expect(await count()).toBe(before);
  });

  it('an origin allowed by two libraries goes, every time, to the one created first', async () => {
    for (let i = 0; i < 5; i++) {
      const found = await findPublicLibrary(t.app.deps, { origin: SHARED });
      expect(found?.id).toBe(second.id);
      expect((await get('/api/chat/desks/ask', { origin: SHARED })).json()).toMatchObject({
        name: 'Ask Second Coop',
      });
    }
    // Naming the other library still reaches it from that site, which it allows too.
    expect((await get('/api/chat/desks/ask?library=third-coop', { origin: SHARED })).json()).toMatchObject({
      name: 'Ask Third Coop',
    });
  });

  it('matches an origin whatever its letter case, for the library, the origin check and CORS', async () => {
    const shouting = 'HTTPS://WWW.EAST-COOP.EXAMPLE';
    expect((await findPublicLibrary(t.app.deps, { origin: shouting }))?.id).toBe(second.id);
    const started = await t.app.inject({
      method: 'POST',
      url: '/api/chat/conversations',
      remoteAddress: nextIp(),
      headers: { origin: shouting },
      payload: { desk: 'ask', clientId: clientId(), message: 'Hello' },
    });
    expect(started.statusCode, started.body).toBe(201);
    const row = await t.app.deps.db
      .selectFrom('conversations')
      .select('library_id')
      .where('id', '=', started.json().conversation.id)
      .executeTakeFirstOrThrow();
    expect(row.library_id).toBe(second.id);
    const preflight = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/chat/conversations',
      headers: { origin: shouting, 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers['access-control-allow-origin']).toBe(shouting);
  });

  it('an unknown origin goes to the first library, not to one that merely allows a similar origin', async () => {
    for (const origin of [`${EAST}:8443`, 'https://east-coop.example', `${EAST}.evil.example`, 'null']) {
      expect((await findPublicLibrary(t.app.deps, { origin }))?.id, origin).toBe(first.id);
    }
  });

  it('a page on the server’s own site may name any library', async () => {
    const own = new URL(t.config.publicUrl).origin;
    const started = await t.app.inject({
      method: 'POST',
      url: '/api/chat/conversations',
      remoteAddress: nextIp(),
      headers: { origin: own },
      payload: { desk: 'ask', clientId: clientId(), message: 'Hello', library: 'third-coop' },
    });
    expect(started.statusCode, started.body).toBe(201);
    const row = await t.app.deps.db
      .selectFrom('conversations')
      .select('library_id')
      .where('id', '=', started.json().conversation.id)
      .executeTakeFirstOrThrow();
    expect(row.library_id).toBe(third.id);
  });

  it('a named library beats the origin: the origin check then applies to the named library', async () => {
    const refused = await t.app.inject({
      method: 'POST',
      url: '/api/chat/conversations',
      remoteAddress: nextIp(),
      headers: { origin: EAST },
      payload: { desk: 'ask', clientId: clientId(), message: 'Hello', library: 'third-coop' },
    });
    expect(refused.statusCode).toBe(403);
  });

  it('takes a slug with surrounding spaces in a JSON body as that slug, and refuses other spellings as invalid', async () => {
    const spaced = await t.app.inject({
      method: 'POST',
      url: '/api/chat/conversations',
      remoteAddress: nextIp(),
      payload: { desk: 'ask', clientId: clientId(), message: 'Hello', library: '  third-coop ' },
    });
    expect(spaced.statusCode, spaced.body).toBe(201);
    for (const library of ['THIRD-COOP', 'third coop', "x' or '1'='1", '<b>x</b>']) {
      const response = await get(`/api/chat/desks/ask?library=${encodeURIComponent(library)}`);
      expect(response.statusCode, library).toBe(400);
      expect(response.json().error.code).toBe('validation_failed');
    }
    expect(await findPublicLibrary(t.app.deps, { library: 'THIRD-COOP' })).toBeUndefined();
  });

  it('answers hostile or wrongly-spelled ?library= on the public pages with an escaped 404, never a 500', async () => {
    const hostile = [
      'THIRD-COOP',
      'third coop',
      "' OR 1=1 --",
      '"><script>alert(1)</script>',
      '%00',
      'third-coop/../first-coop',
    ];
    for (const library of hostile) {
      for (const path of ['/', '/chat', '/chat/ask', '/chat/ask/thanks']) {
        const response = await get(`${path}?library=${encodeURIComponent(library)}`);
        expect(response.statusCode, `${path} ${library}`).toBe(404);
        expect(response.headers['content-type'], `${path} ${library}`).toMatch(/text\/html/);
        expect(response.body, `${path} ${library}`).not.toContain('<script>alert');
        expect(response.body).not.toContain('"><script');
      }
    }
    const tooLong = await get(`/chat/ask?library=${'a'.repeat(61)}`);
    expect(tooLong.statusCode).toBe(400);
  });

  it('serves a named library’s page with its slug handed to the widget', async () => {
    const page = await get('/chat/ask?library=third-coop');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Ask Third Coop');
    expect(page.body).toMatch(/<branchline-chat[^>]*library="third-coop"/);
  });
});

const actorOf = (staffId: string, libraryId: string): Extract<Actor, { kind: 'staff' }> => ({
  kind: 'staff',
  staffId,
  libraryId,
  role: 'librarian',
});

describe.each(dialectsUnderTest())('live connections, edge cases, on %s', (dialect) => {
  let database: TestDatabase;
  let clock: TestClock;
  const apps: TestApp[] = [];

  beforeEach(async () => {
    database = await openTestDatabase(dialect);
    await migrateToLatest(database);
    clock = new TestClock();
  });
  afterEach(async () => {
    for (const t of apps.splice(0)) await t.app.close();
    await database.destroy();
  });

  async function instance(): Promise<TestApp> {
    const t = await buildTestApp(dialect, { database, clock });
    apps.push(t);
    return t;
  }
  async function scene() {
    const db = database.db;
    const library = await buildLibrary(db);
    const desk = await buildDesk(db, library.id, { mode: 'claim' });
    const staff = await buildStaff(db, { library_id: library.id });
    const chat = await buildConversation(db, { library_id: library.id, desk_id: desk.id, connected: false });
    return { library, desk, staff, chat };
  }
  const rowsOf = (subjectId: string) =>
    database.db
      .selectFrom('live_connections')
      .select(['instance_id', 'connections'])
      .where('subject_id', '=', subjectId)
      .execute();
  const leftAt = async (id: string) =>
    (
      await database.db
        .selectFrom('conversations')
        .select('patron_left_at')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).patron_left_at;

  it('a patron disconnecting more often than they connected never goes negative or throws', async () => {
    const { chat } = await scene();
    const a = await instance();
    await patronConnected(a.app.deps, chat.id);
    await patronDisconnected(a.app.deps, chat.id);
    await patronDisconnected(a.app.deps, chat.id);
    await patronDisconnected(a.app.deps, chat.id);
    expect(await rowsOf(chat.id)).toEqual([]);
    expect(await isConnected(database.db, 'patron', chat.id)).toBe(false);
    expect(await leftAt(chat.id)).not.toBeNull();
    // Connecting again afterwards counts one connection, not a debt.
    await patronConnected(a.app.deps, chat.id);
    expect(await rowsOf(chat.id)).toEqual([{ instance_id: a.app.deps.connections.instanceId, connections: 1 }]);
    expect(await leftAt(chat.id)).toBeNull();
    clock.advanceMinutes(1);
    await patronDisconnected(a.app.deps, chat.id);
    expect(await rowsOf(chat.id)).toEqual([]);
    expect(new Date((await leftAt(chat.id)) ?? '').toISOString()).toBe(clock.now().toISOString());
  });

  it('extra disconnects on one instance never take away another instance’s connection', async () => {
    const { chat } = await scene();
    const a = await instance();
    const b = await instance();
    await patronConnected(b.app.deps, chat.id);
    await patronDisconnected(a.app.deps, chat.id);
    await patronDisconnected(a.app.deps, chat.id);
    expect(await rowsOf(chat.id)).toEqual([{ instance_id: b.app.deps.connections.instanceId, connections: 1 }]);
    expect(await isConnected(database.db, 'patron', chat.id)).toBe(true);
    expect(await leftAt(chat.id)).toBeNull();
  });

  it('counts several pages of one patron on one instance, and only the last close makes them gone', async () => {
    const { chat } = await scene();
    const a = await instance();
    for (let i = 0; i < 3; i++) await patronConnected(a.app.deps, chat.id);
    expect(await rowsOf(chat.id)).toEqual([{ instance_id: a.app.deps.connections.instanceId, connections: 3 }]);
    await patronDisconnected(a.app.deps, chat.id);
    await patronDisconnected(a.app.deps, chat.id);
    expect(await rowsOf(chat.id)).toEqual([{ instance_id: a.app.deps.connections.instanceId, connections: 1 }]);
    expect(await leftAt(chat.id)).toBeNull();
    await patronDisconnected(a.app.deps, chat.id);
    expect(await rowsOf(chat.id)).toEqual([]);
    expect(await leftAt(chat.id)).not.toBeNull();
  });

  it('records nothing for a dashboard that connects after the instance stopped, and a late heartbeat revives nothing', async () => {
    const { staff } = await scene();
    const connections = new LiveConnections(database.db, clock);
    await connections.start();
    await connections.stop();
    expect(connections.isRecording).toBe(false);
    await connections.opened('staff', staff.id);
    expect(await rowsOf(staff.id)).toEqual([]);
    await connections.heartbeat();
    expect(
      await database.db.selectFrom('server_instances').select('id').where('id', '=', connections.instanceId).execute(),
    ).toEqual([]);
    expect(await rowsOf(staff.id)).toEqual([]);
    // Stopping twice is harmless.
    await connections.stop();
  });

  it('a staff tab connecting to an instance whose app has closed is not recorded and does not throw', async () => {
    const { staff, library } = await scene();
    const a = await instance();
    await a.app.close();
    apps.splice(apps.indexOf(a), 1);
    await staffConnected(a.app.deps, actorOf(staff.id, library.id));
    expect(await rowsOf(staff.id)).toEqual([]);
    expect(await isConnected(database.db, 'staff', staff.id)).toBe(false);
  });

  it('removing an unknown or already-removed instance answers undefined', async () => {
    expect(await removeInstance(database.db, 'no-such-instance')).toBeUndefined();
    expect(await removeInstance(database.db, 'no-such-instance', clock.now().toISOString())).toBeUndefined();
    const connections = new LiveConnections(database.db, clock, 'to-be-removed');
    await connections.start();
    expect(await removeInstance(database.db, 'to-be-removed')).toMatchObject({ connections: [] });
    expect(await removeInstance(database.db, 'to-be-removed')).toBeUndefined();
  });

  it('an instance taken for gone records a new connection at once, with the ones it already held', async () => {
    const { staff, chat } = await scene();
    const connections = new LiveConnections(database.db, clock, 'paused-instance');
    await connections.start();
    await connections.opened('patron', chat.id);
    await removeInstance(database.db, 'paused-instance');
    await connections.opened('staff', staff.id);
    expect(await isConnected(database.db, 'staff', staff.id)).toBe(true);
    expect(await isConnected(database.db, 'patron', chat.id)).toBe(true);
    expect(await database.db.selectFrom('server_instances').select('id').execute()).toEqual([
      { id: 'paused-instance' },
    ]);
  });

  it('a removal with a cutoff spares an instance that beat since then', async () => {
    const { staff } = await scene();
    const connections = new LiveConnections(database.db, clock, 'fresh-instance');
    await connections.start();
    await connections.opened('staff', staff.id);
    const cutoff = new Date(clock.now().getTime() - 1000).toISOString();
    expect(await removeInstance(database.db, 'fresh-instance', cutoff)).toBeUndefined();
    expect(await isConnected(database.db, 'staff', staff.id)).toBe(true);
  });

  it('a long poll does not mark a patron as leaving while a page of theirs is connected elsewhere', async () => {
    const { chat } = await scene();
    const a = await instance();
    await holdConnection(database.db, 'patron', chat.id);
    await database.db.updateTable('conversations').set({ patron_left_at: null }).where('id', '=', chat.id).execute();
    await patronPolled(a.app.deps, chat.id, 30);
    expect(await leftAt(chat.id)).toBeNull();
    const other = await buildConversation(database.db, {
      library_id: chat.library_id,
      desk_id: chat.desk_id,
      connected: false,
    });
    await patronPolled(a.app.deps, other.id, 30);
    expect(new Date((await leftAt(other.id)) ?? '').toISOString()).toBe(
      new Date(clock.now().getTime() + 30_000).toISOString(),
    );
  });
});
