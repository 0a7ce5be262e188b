import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationRow } from '../../platform/db/schema.ts';
import { dialectsUnderTest } from '../../test/databases.ts';
import {
  buildConversation,
  buildDesk,
  buildLibrary,
  buildStaff,
  sessionFor,
  type SignedIn,
} from '../../test/factories.ts';
import { buildTestApp, type TestApp } from '../../test/test-app.ts';
import { TestSocket } from '../../test/ws-client.ts';
import { purgeExpiredTranscripts } from './retention.service.ts';

const DAY_MS = 86_400_000;

describe.each(dialectsUnderTest())('transcript retention on %s', (dialect) => {
  let t: TestApp;
  let admin: SignedIn;
  let libraryId: string;

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    const library = await buildLibrary(t.app.deps.db, { name: 'Retention Library' });
    libraryId = library.id;
    admin = await sessionFor(t.app, await buildStaff(t.app.deps.db, { library_id: libraryId, role: 'admin' }));
  });
  afterAll(async () => t.close());

  const daysAgo = (days: number) => new Date(t.clock.now().getTime() - days * DAY_MS).toISOString();

  /** A conversation of `library` that ended `endedDaysAgo` (or is still open), with a patron who gave their details. */
  async function conversation(
    library: string,
    options: { endedDaysAgo?: number; status?: string } = {},
  ): Promise<ConversationRow> {
    const db = t.app.deps.db;
    const desk = await buildDesk(db, library);
    const row = await buildConversation(db, { library_id: library, desk_id: desk.id, connected: false });
    await db
      .updateTable('patrons')
      .set({ name: 'Ann Reader', email: 'ann@example.org' })
      .where('id', '=', row.patron_id)
      .execute();
    const ended = options.endedDaysAgo !== undefined;
    return db
      .updateTable('conversations')
      .set({
        status: options.status ?? (ended ? 'resolved' : 'active'),
        resolved_at: ended ? daysAgo(options.endedDaysAgo ?? 0) : null,
        patron_ip_hash: 'ip-hash',
        patron_browser_hash: 'browser-hash',
        transcript_email: 'ann@example.org',
        rating_score: 5,
        rating_comment: 'Ann was so helpful, call me on 555-0100',
        tags_json: ['holds'],
        read_scale: 3,
      })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  const stored = (id: string) =>
    t.app.deps.db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const events = async (id: string) =>
    (await t.app.deps.db.selectFrom('conversation_events').select('seq').where('conversation_id', '=', id).execute())
      .length;
  const patron = (id: string) =>
    t.app.deps.db.selectFrom('patrons').select(['name', 'email']).where('id', '=', id).executeTakeFirstOrThrow();

  it('deletes the transcript and what identified the patron once the retention has passed, and keeps the numbers', async () => {
    const old = await conversation(libraryId, { endedDaysAgo: 91 });
    const recent = await conversation(libraryId, { endedDaysAgo: 89 });
    const missed = await conversation(libraryId, { endedDaysAgo: 200, status: 'missed' });
    const open = await conversation(libraryId);
    await t.app.deps.db
      .updateTable('conversations')
      .set({ created_at: daysAgo(400) })
      .where('id', '=', open.id)
      .execute();

    const reports = await purgeExpiredTranscripts(t.app.deps);
    expect(reports.find((r) => r.libraryId === libraryId)).toMatchObject({ conversations: 2, retentionDays: 90 });

    for (const gone of [old, missed]) {
      expect(await events(gone.id)).toBe(0);
      expect(await patron(gone.patron_id)).toEqual({ name: null, email: null });
      expect(await stored(gone.id)).toMatchObject({
        patron_token_hash: null,
        patron_ip_hash: '',
        patron_browser_hash: null,
        transcript_email: null,
        rating_comment: null,
        purged_at: t.clock.now().toISOString(),
        // The numbers stay.
        status: gone.status,
        desk_id: gone.desk_id,
        rating_score: 5,
        read_scale: 3,
        resolved_at: gone.resolved_at,
      });
    }
    for (const kept of [recent, open]) {
      expect(await events(kept.id)).toBeGreaterThan(0);
      expect(await patron(kept.patron_id)).toEqual({ name: 'Ann Reader', email: 'ann@example.org' });
      expect(await stored(kept.id)).toMatchObject({ purged_at: null, rating_comment: kept.rating_comment });
    }
    // Once is enough: a second run finds nothing more.
    expect((await purgeExpiredTranscripts(t.app.deps)).find((r) => r.libraryId === libraryId)).toMatchObject({
      conversations: 0,
    });
  });

  it('follows each library’s own setting, and records each run in the audit log without patron data', async () => {
    const strict = await buildLibrary(t.app.deps.db, { name: 'Strict Library', transcript_retention_days: 7 });
    const lenient = await buildLibrary(t.app.deps.db, { name: 'Lenient Library', transcript_retention_days: 3650 });
    const strictOld = await conversation(strict.id, { endedDaysAgo: 8 });
    const lenientOld = await conversation(lenient.id, { endedDaysAgo: 3000 });
    await purgeExpiredTranscripts(t.app.deps);
    expect((await stored(strictOld.id)).purged_at).not.toBeNull();
    expect((await stored(lenientOld.id)).purged_at).toBeNull();

    const audit = await t.app.deps.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'transcripts.purged')
      .where('subject_id', '=', strict.id)
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]?.actor_staff_id).toBeNull();
    expect(JSON.stringify(audit[0])).not.toMatch(/Ann|ann@example|555-0100/);
  });

  it('deletes blocks that ended longer ago than the retention, and keeps the others', async () => {
    const db = t.app.deps.db;
    const block = (id: string, until: string) => ({
      id,
      library_id: libraryId,
      patron_id: null,
      ip_hash: 'ip',
      browser_hash: 'browser',
      scope: 'browser',
      reason: 'Abuse',
      created_by: null,
      created_at: daysAgo(200),
      until,
    });
    const ids = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    await db
      .insertInto('patron_blocks')
      .values([block(ids[0] ?? '', daysAgo(100)), block(ids[1] ?? '', daysAgo(10)), block(ids[2] ?? '', daysAgo(-5))])
      .execute();
    const report = (await purgeExpiredTranscripts(t.app.deps)).find((r) => r.libraryId === libraryId);
    expect(report?.blocks).toBe(1);
    const left = await db.selectFrom('patron_blocks').select('id').where('id', 'in', ids).execute();
    expect(left.map((r) => r.id).sort()).toEqual([ids[1], ids[2]].sort());
  });

  it('shows staff that a transcript was deleted, and when', async () => {
    const old = await conversation(libraryId, { endedDaysAgo: 120 });
    await purgeExpiredTranscripts(t.app.deps);
    const response = await t.app.inject({ method: 'GET', url: `/api/conversations/${old.id}`, headers: admin.headers });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      purgedAt: t.clock.now().toISOString(),
      events: [],
      patron: { name: null, email: null, isIdentified: false, browserKnown: false },
      readScale: 3,
      tags: ['holds'],
    });
  });

  it('lets an admin set the retention within 7 to 3650 days, and refuses anything else without changing it', async () => {
    const url = `/api/libraries/${libraryId}`;
    const set = (value: unknown) =>
      t.app.inject({ method: 'PATCH', url, headers: admin.headers, payload: { transcriptRetentionDays: value } });
    const saved = await set(30);
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toMatchObject({ transcriptRetentionDays: 30 });
    for (const bad of [6, 3651, 10.5, '30', null, -1]) {
      const refused = await set(bad);
      expect(refused.statusCode, String(bad)).toBe(400);
      expect(refused.json().error.code).toBe('validation_failed');
    }
    const now = await t.app.inject({ method: 'GET', url, headers: admin.headers });
    expect(now.json()).toMatchObject({ transcriptRetentionDays: 30 });
    expect((await set(90)).statusCode).toBe(200);
  });
});

describe.each(dialectsUnderTest())('a patron’s page left open across the retention purge, on %s', (dialect) => {
  let t: TestApp;
  let base: string;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const s of sockets) await s.close();
    await t.close();
  });

  // The purge clears the patron's token, so no new connection is let in; a page already
  // connected gets its frames refused, and nothing it sends is stored (later runs pass over
  // rows already purged, so it would be kept for good).
  it('stores no name, email, rating comment or transcript address sent after the purge', async () => {
    const db = t.app.deps.db;
    const library = await buildLibrary(db, { transcript_retention_days: 7 });
    const desk = await buildDesk(db, library.id);
    const started = await t.app.inject({
      method: 'POST',
      url: '/api/chat/conversations',
      remoteAddress: '10.77.1.2',
      payload: { desk: desk.slug, library: library.slug, clientId: 'purge-start-1', message: 'Hello there' },
    });
    expect(started.statusCode, started.body).toBe(201);
    const { token } = started.json() as { token: string };
    const id = (started.json() as { conversation: { id: string } }).conversation.id;

    const socket = await TestSocket.open(`ws://${base}/api/chat/ws`);
    sockets.push(socket);
    socket.send({ type: 'hello', token, after: 0 });
    await socket.nextOfType('welcome');
    socket.send({ type: 'end' });
    await socket.next((f) => f.type === 'state' && (f.conversation as { status: string }).status !== 'queued');

    t.clock.advanceMinutes(8 * 24 * 60);
    await purgeExpiredTranscripts(t.app.deps);
    const conversation = () =>
      db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect((await conversation()).purged_at).not.toBeNull();

    socket.send({ type: 'identify', name: 'Ann Reader', email: 'ann.reader@example.org' });
    socket.send({ type: 'rating.submit', score: 1, comment: 'Call me on 555-0100' });
    socket.send({ type: 'transcript.request', email: 'ann.reader@example.org' });
    for (let i = 0; i < 3; i++) {
      expect(await socket.nextOfType('error')).toMatchObject({
        code: 'conflict',
        message: 'This chat has ended and its transcript was deleted. Start a new chat to ask again.',
      });
    }
    // The next hourly run, too, leaves it all in place.
    await purgeExpiredTranscripts(t.app.deps);

    const row = await conversation();
    const patron = await db.selectFrom('patrons').selectAll().where('id', '=', row.patron_id).executeTakeFirstOrThrow();
    expect({ name: patron.name, email: patron.email }).toEqual({ name: null, email: null });
    expect({ comment: row.rating_comment, transcript: row.transcript_email }).toEqual({
      comment: null,
      transcript: null,
    });
  });
});
