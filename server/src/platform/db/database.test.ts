import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { dialectsUnderTest, openTestDatabase, type TestDatabase } from '../../test/databases.ts';
import { buildConversation, buildDesk, buildLibrary, buildStaff } from '../../test/factories.ts';
import { isForeignKeyViolation, isUniqueViolation } from './db-errors.ts';
import { openDatabase } from './database.ts';
import { migrateDown, migrateToLatest } from './migrate.ts';

describe.each(dialectsUnderTest())('data layer on %s', (dialect) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    await migrateToLatest(database);
  });
  afterAll(async () => database.destroy());

  it('migrates up idempotently, down to nothing, and up again', async () => {
    expect(await migrateToLatest(database)).toEqual([]);
    const down = await openTestDatabase(dialect);
    try {
      const all = await migrateToLatest(down);
      expect(all[0]).toBe('0001-foundation');
      expect(all).toEqual([...all].sort());
      for (const name of [...all].reverse()) expect(await migrateDown(down)).toEqual([name]);
      const tables = await down.db.introspection.getTables();
      const ours = tables.filter((t) => t.schema === down.schema && !t.name.startsWith('kysely_'));
      expect(ours.map((t) => t.name)).toEqual([]);
      expect(await migrateToLatest(down)).toEqual(all);
    } finally {
      await down.destroy();
    }
  });

  it("keeps the client id of each chat's first message on the conversation when upgrading", async () => {
    const fresh = await openTestDatabase(dialect);
    try {
      await migrateToLatest(fresh);
      const library = await buildLibrary(fresh.db);
      const desk = await buildDesk(fresh.db, library.id);
      const withStart = await buildConversation(fresh.db, { library_id: library.id, desk_id: desk.id });
      const withoutStart = await buildConversation(fresh.db, { library_id: library.id, desk_id: desk.id });
      // The factory opens each chat with a patron message carrying a client id; one chat has none.
      await fresh.db.deleteFrom('conversation_events').where('conversation_id', '=', withoutStart.id).execute();
      const first = await fresh.db
        .selectFrom('conversation_events')
        .select('client_id')
        .where('conversation_id', '=', withStart.id)
        .where('seq', '=', 1)
        .executeTakeFirstOrThrow();
      expect(first.client_id).toEqual(expect.any(String));

      // Back to just before the migration that adds the column, then up again.
      const undone: string[] = [];
      while (undone.at(-1) !== '0004-conversation-start-client-id') undone.push(...(await migrateDown(fresh)));
      expect(await migrateToLatest(fresh)).toEqual(undone.reverse());
      const rows = await fresh.db.selectFrom('conversations').select(['id', 'start_client_id']).execute();
      expect(Object.fromEntries(rows.map((r) => [r.id, r.start_client_id]))).toEqual({
        [withStart.id]: first.client_id,
        [withoutStart.id]: null,
      });
    } finally {
      await fresh.destroy();
    }
  });

  it('keeps one ringing offer per person and chat when upgrading, and refuses a second one after', async () => {
    const fresh = await openTestDatabase(dialect);
    try {
      await migrateToLatest(fresh);
      const library = await buildLibrary(fresh.db);
      const desk = await buildDesk(fresh.db, library.id);
      const staff = await buildStaff(fresh.db, { library_id: library.id });
      const chat = await buildConversation(fresh.db, { library_id: library.id, desk_id: desk.id, connected: false });
      while ((await migrateDown(fresh))[0] !== '0005-one-ringing-offer');
      const offer = (id: string, state = 'ringing') => ({
        id,
        conversation_id: chat.id,
        staff_id: staff.id,
        state,
        offered_at: new Date().toISOString(),
        ring_until: null,
      });
      await fresh.db
        .insertInto('conversation_offers')
        .values([offer('offer-a'), offer('offer-b'), offer('offer-c', 'declined')])
        .execute();

      expect(await migrateToLatest(fresh)).toEqual([
        '0005-one-ringing-offer',
        '0006-live-connections',
        '0007-browser-blocks',
        '0008-transcript-retention',
        '0009-library-hostnames',
        '0010-offer-passed-at',
        '0011-conversation-closed-at',
        '0012-audit-log-library',
        '0013-open-start-client-unique',
        '0014-conversation-requeued-at',
      ]);
      const states = await fresh.db
        .selectFrom('conversation_offers')
        .select(['id', 'state'])
        .where('conversation_id', '=', chat.id)
        .orderBy('id')
        .execute();
      expect(states).toEqual([
        { id: 'offer-a', state: 'ringing' },
        { id: 'offer-b', state: 'withdrawn' },
        { id: 'offer-c', state: 'declined' },
      ]);
      await expect(fresh.db.insertInto('conversation_offers').values(offer('offer-d')).execute()).rejects.toSatisfy(
        isUniqueViolation,
      );
      await fresh.db.insertInto('conversation_offers').values(offer('offer-e', 'timeout')).execute();
    } finally {
      await fresh.destroy();
    }
  });

  it('files the audit entries already written under a library when upgrading', async () => {
    const fresh = await openTestDatabase(dialect);
    try {
      await migrateToLatest(fresh);
      const library = await buildLibrary(fresh.db);
      const desk = await buildDesk(fresh.db, library.id);
      const staff = await buildStaff(fresh.db, { library_id: library.id, role: 'admin' });
      const chat = await buildConversation(fresh.db, { library_id: library.id, desk_id: desk.id });
      while ((await migrateDown(fresh))[0] !== '0012-audit-log-library');
      const entries: [string, string | null, string, string, string | null][] = [
        ['a-desk', staff.id, 'desk.updated', 'desk', desk.id],
        ['a-chat', null, 'transcripts.purged', 'conversation', chat.id],
        ['a-library', staff.id, 'library.created', 'library', library.id],
        ['a-reset', null, 'staff.password_reset', 'staff', staff.id],
        ['a-gone', staff.id, 'desk.updated', 'desk', crypto.randomUUID()],
        ['a-orphan', null, 'desk.updated', 'desk', crypto.randomUUID()],
      ];
      for (const [id, actor, action, type, subject] of entries)
        await sql`insert into audit_log (id, at, actor_staff_id, action, subject_type, subject_id, details_json)
          values (${id}, ${new Date().toISOString()}, ${actor}, ${action}, ${type}, ${subject}, ${'{}'})`.execute(
          fresh.db,
        );
      expect(await migrateToLatest(fresh)).toEqual([
        '0012-audit-log-library',
        '0013-open-start-client-unique',
        '0014-conversation-requeued-at',
      ]);
      const rows = await fresh.db.selectFrom('audit_log').select(['id', 'library_id', 'actor_kind']).execute();
      expect(Object.fromEntries(rows.map((r) => [r.id, [r.library_id, r.actor_kind]]))).toEqual({
        'a-desk': [library.id, 'staff'],
        'a-chat': [library.id, 'system'],
        'a-library': [library.id, 'staff'],
        'a-reset': [library.id, 'anonymous'],
        // A subject since deleted: filed under whoever did it.
        'a-gone': [library.id, 'staff'],
        'a-orphan': [null, 'system'],
      });
    } finally {
      await fresh.destroy();
    }
  });

  it('keeps one open chat per start client id when upgrading, and refuses a second one after', async () => {
    const fresh = await openTestDatabase(dialect);
    try {
      await migrateToLatest(fresh);
      const library = await buildLibrary(fresh.db);
      const desk = await buildDesk(fresh.db, library.id);
      const copies = [];
      while ((await migrateDown(fresh))[0] !== '0013-open-start-client-unique');
      for (let i = 0; i < 3; i++) {
        const chat = await buildConversation(fresh.db, { library_id: library.id, desk_id: desk.id });
        await fresh.db
          .updateTable('conversations')
          .set({ start_client_id: 'double-click-1' })
          .where('id', '=', chat.id)
          .execute();
        copies.push(chat);
      }
      // An ended chat with the same client id is no copy: it keeps its id.
      const ended = await buildConversation(fresh.db, { library_id: library.id, desk_id: desk.id, status: 'resolved' });
      await fresh.db
        .updateTable('conversations')
        .set({ start_client_id: 'double-click-1' })
        .where('id', '=', ended.id)
        .execute();
      expect(await migrateToLatest(fresh)).toEqual(['0013-open-start-client-unique', '0014-conversation-requeued-at']);
      const kept = await fresh.db
        .selectFrom('conversations')
        .select('id')
        .where('start_client_id', '=', 'double-click-1')
        .orderBy('id')
        .execute();
      const earliest = [...copies].sort(
        (a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id),
      )[0];
      expect(kept.map((r) => r.id).sort()).toEqual([earliest?.id, ended.id].sort());
      const another = await buildConversation(fresh.db, { library_id: library.id, desk_id: desk.id });
      const refused = await fresh.db
        .updateTable('conversations')
        .set({ start_client_id: 'double-click-1' })
        .where('id', '=', another.id)
        .execute()
        .catch((error: unknown) => error);
      expect(isUniqueViolation(refused)).toBe(true);
    } finally {
      await fresh.destroy();
    }
  });

  it.runIf(dialect === 'postgres')(
    'keeps the migration bookkeeping with the tables when DATABASE_URL sets the search path',
    async () => {
      const url = new URL(process.env.TEST_DATABASE_URL ?? '');
      const schema = `bl_path_${crypto.randomBytes(4).toString('hex')}`;
      await sql`create schema ${sql.id(schema)}`.execute(database.db);
      url.searchParams.set('options', `-c search_path=${schema}`);
      const handle = openDatabase(url.toString());
      try {
        const names = await migrateToLatest(handle);
        expect(names).toContain('0001-foundation');
        const applied = await sql<{ name: string }>`
          select name from ${sql.table(`${schema}.kysely_migration`)} order by name
        `.execute(database.db);
        expect(applied.rows.map((r) => r.name)).toEqual(names);
        expect(await migrateToLatest(handle)).toEqual([]);
      } finally {
        await handle.close();
        await sql`drop schema ${sql.id(schema)} cascade`.execute(database.db);
      }
    },
  );

  it('reads booleans, JSON and timestamps back as the same JavaScript values', async () => {
    const staff = await buildStaff(database.db, {
      is_active: false,
      languages_json: ['es', 'en'],
      last_login_at: '2026-03-08T06:59:59.123Z',
    });
    const row = await database.db.selectFrom('staff').selectAll().where('id', '=', staff.id).executeTakeFirstOrThrow();
    expect(row.is_active).toBe(false);
    expect(row.languages_json).toEqual(['es', 'en']);
    expect(row.last_login_at).toBe('2026-03-08T06:59:59.123Z');
    expect(typeof row.created_at).toBe('string');

    const active = await database.db.selectFrom('staff').select('id').where('is_active', '=', false).execute();
    expect(active.map((r) => r.id)).toContain(staff.id);
  });

  it('compares timestamps chronologically in SQL', async () => {
    const library = await buildLibrary(database.db);
    await buildStaff(database.db, { library_id: library.id, last_login_at: '2026-01-01T09:00:00.000Z' });
    await buildStaff(database.db, { library_id: library.id, last_login_at: '2026-01-01T11:00:00.000Z' });
    const later = await database.db
      .selectFrom('staff')
      .select('last_login_at')
      .where('library_id', '=', library.id)
      .where('last_login_at', '>', '2026-01-01T10:00:00.000Z')
      .execute();
    expect(later).toEqual([{ last_login_at: '2026-01-01T11:00:00.000Z' }]);
  });

  it('counts as numbers on both databases', async () => {
    const { n } = await database.db
      .selectFrom('staff')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(typeof n).toBe('number');
  });

  it('classifies unique and foreign-key violations by driver code', async () => {
    const staff = await buildStaff(database.db);
    const duplicate = await buildStaff(database.db, { email: staff.email }).catch((e: unknown) => e);
    expect(isUniqueViolation(duplicate)).toBe(true);
    expect(isForeignKeyViolation(duplicate)).toBe(false);
    const orphan = await buildStaff(database.db, { library_id: '00000000-0000-4000-8000-000000000000' }).catch(
      (e: unknown) => e,
    );
    expect(isForeignKeyViolation(orphan)).toBe(true);
  });

  it('rolls a failed transaction back completely', async () => {
    const library = await buildLibrary(database.db);
    await expect(
      database.db.transaction().execute(async (trx) => {
        await trx.updateTable('libraries').set({ name: 'Renamed' }).where('id', '=', library.id).execute();
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const row = await database.db
      .selectFrom('libraries')
      .select('name')
      .where('id', '=', library.id)
      .executeTakeFirstOrThrow();
    expect(row.name).toBe('Test Library');
  });

  it('answers ping', async () => {
    expect(await database.ping()).toBe(true);
    await sql`select 1`.execute(database.db);
  });
});
