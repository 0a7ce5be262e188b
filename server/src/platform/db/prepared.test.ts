import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectsUnderTest, openTestDatabase, type TestDatabase } from '../../test/databases.ts';
import { buildLibrary, buildStaff } from '../../test/factories.ts';
import { newId } from '../tokens.ts';
import type { Db } from './database.ts';
import { migrateToLatest } from './migrate.ts';
import { prepared } from './prepared.ts';
import type { StaffRow } from './schema.ts';

// Built once for the whole file, as the repositories do: each dialect compiles its own copy.
const staffOfLibrary = prepared((db, a: { libraryId: string }) =>
  db.selectFrom('staff').selectAll().where('library_id', '=', a.libraryId).orderBy('email'),
);

const staffByActivity = prepared((db, a: { libraryId: string; isActive: boolean }) =>
  db
    .selectFrom('staff')
    .select(['email', 'is_active'])
    .where('library_id', '=', a.libraryId)
    .where('is_active', '=', a.isActive)
    .orderBy('email'),
);

// One argument in two places.
const staffByName = prepared((db, a: { name: string }) =>
  db
    .selectFrom('staff')
    .select(['id', 'name', 'display_name'])
    .where((eb) => eb.or([eb('name', '=', a.name), eb('display_name', '=', a.name)])),
);

const renameStaff = prepared((db, a: { id: string; name: string; isActive: boolean; now: string }) =>
  db
    .updateTable('staff')
    .set((eb) => ({
      name: a.name,
      is_active: a.isActive,
      // A fixed value beside the arguments: it stays what it was when the query was built.
      max_concurrent_chats: eb('max_concurrent_chats', '+', 1),
      updated_at: a.now,
    }))
    .where('id', '=', a.id)
    .returningAll(),
);

const insertStaff = prepared((db, a: StaffRow) =>
  db
    .insertInto('staff')
    .values({
      id: a.id,
      library_id: a.library_id,
      name: a.name,
      display_name: a.display_name,
      email: a.email,
      role: a.role,
      languages_json: a.languages_json,
      password_hash: a.password_hash,
      max_concurrent_chats: a.max_concurrent_chats,
      is_active: a.is_active,
      last_login_at: a.last_login_at,
      created_at: a.created_at,
      updated_at: a.updated_at,
    })
    .returningAll(),
);

function newStaffRow(libraryId: string, overrides: Partial<StaffRow> = {}): StaffRow {
  const id = newId();
  return {
    id,
    library_id: libraryId,
    name: 'Ana Reyes',
    display_name: 'Ana',
    email: `ana-${id}@library.test`,
    role: 'librarian',
    languages_json: ['es', 'en'],
    password_hash: null,
    max_concurrent_chats: 3,
    is_active: false,
    last_login_at: '2026-03-08T06:59:59.123Z',
    created_at: '2026-03-01T12:00:00.000Z',
    updated_at: '2026-03-01T12:00:00.000Z',
    ...overrides,
  };
}

async function staffRowById(db: Db, id: string): Promise<StaffRow | undefined> {
  return db.selectFrom('staff').selectAll().where('id', '=', id).executeTakeFirst();
}

describe.each(dialectsUnderTest())('prepared queries on %s', (dialect) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    await migrateToLatest(database);
  });
  afterAll(async () => database?.destroy());

  it('selects the same rows as the ordinary query, and other rows for other arguments', async () => {
    const { db } = database;
    const [north, south] = [await buildLibrary(db), await buildLibrary(db)];
    const northStaff = [await buildStaff(db, { library_id: north.id }), await buildStaff(db, { library_id: north.id })];
    const southStaff = [await buildStaff(db, { library_id: south.id, is_active: false })];

    for (const [library, staff] of [
      [north, northStaff],
      [south, southStaff],
    ] as const) {
      const ordinary = await db
        .selectFrom('staff')
        .selectAll()
        .where('library_id', '=', library.id)
        .orderBy('email')
        .execute();
      const rows = await staffOfLibrary(db, { libraryId: library.id });
      expect(rows).toEqual(ordinary);
      expect(rows.map((r) => r.id).sort()).toEqual(staff.map((s) => s.id).sort());
    }
  });

  it('passes booleans as values and reads is_* columns back as booleans', async () => {
    const { db } = database;
    const library = await buildLibrary(db);
    const active = await buildStaff(db, { library_id: library.id, is_active: true });
    const inactive = await buildStaff(db, { library_id: library.id, is_active: false });

    expect(await staffByActivity(db, { libraryId: library.id, isActive: true })).toEqual([
      { email: active.email, is_active: true },
    ]);
    expect(await staffByActivity(db, { libraryId: library.id, isActive: false })).toEqual([
      { email: inactive.email, is_active: false },
    ]);
  });

  it('inserts the row the ordinary insert would, round-tripping JSON and booleans', async () => {
    const { db } = database;
    const library = await buildLibrary(db);
    const values = newStaffRow(library.id, { languages_json: { primary: 'es', also: ['en', 'fr'] } });

    const [inserted] = await insertStaff(db, values);
    expect(inserted).toEqual(values);
    expect(await staffRowById(db, values.id)).toEqual(values);

    const twin = { ...values, id: newId(), email: `twin-${values.email}` };
    const ordinary = await db.insertInto('staff').values(twin).returningAll().executeTakeFirstOrThrow();
    expect(inserted).toEqual({ ...ordinary, id: values.id, email: values.email });
  });

  it('updates like the ordinary update, with fixed values kept and arguments taken anew', async () => {
    const { db } = database;
    const library = await buildLibrary(db);
    const staff = await buildStaff(db, { library_id: library.id, max_concurrent_chats: 3, is_active: true });

    const [renamed] = await renameStaff(db, {
      id: staff.id,
      name: 'Bea Ortiz',
      isActive: false,
      now: '2026-04-01T08:00:00.000Z',
    });
    expect(renamed).toEqual({
      ...staff,
      name: 'Bea Ortiz',
      is_active: false,
      max_concurrent_chats: 4,
      updated_at: '2026-04-01T08:00:00.000Z',
    });
    expect(await staffRowById(db, staff.id)).toEqual(renamed);

    const ordinary = await db
      .updateTable('staff')
      .set((eb) => ({
        name: 'Bea Ortiz',
        is_active: false,
        max_concurrent_chats: eb('max_concurrent_chats', '+', 1),
        updated_at: '2026-04-01T08:00:00.000Z',
      }))
      .where('id', '=', staff.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const [again] = await renameStaff(db, {
      id: staff.id,
      name: 'Bea Ortiz',
      isActive: false,
      now: '2026-04-01T08:00:00.000Z',
    });
    expect(ordinary).toEqual({ ...renamed, max_concurrent_chats: 5 });
    expect(again).toEqual({ ...renamed, max_concurrent_chats: 6 });

    // Other arguments reach other rows and write other values.
    const other = await buildStaff(db, { library_id: library.id, max_concurrent_chats: 1 });
    const [otherRenamed] = await renameStaff(db, {
      id: other.id,
      name: 'Cy Lin',
      isActive: true,
      now: '2026-04-02T08:00:00.000Z',
    });
    expect(otherRenamed).toMatchObject({
      id: other.id,
      name: 'Cy Lin',
      is_active: true,
      max_concurrent_chats: 2,
      updated_at: '2026-04-02T08:00:00.000Z',
    });
    expect(await staffRowById(db, staff.id)).toMatchObject({ name: 'Bea Ortiz', max_concurrent_chats: 6 });
    expect(
      await renameStaff(db, { id: newId(), name: 'Nobody', isActive: true, now: '2026-04-03T08:00:00.000Z' }),
    ).toEqual([]);
  });

  it('passes arguments as values, never as SQL', async () => {
    const { db } = database;
    const library = await buildLibrary(db);
    const hostile = "x'); drop table staff; --";
    const quoted = 'Robert"); delete from libraries; -- \\ ? $1 :name';

    const [stored] = await insertStaff(db, newStaffRow(library.id, { name: hostile, display_name: quoted }));
    expect(stored?.name).toBe(hostile);
    expect(stored?.display_name).toBe(quoted);
    const found = [{ id: stored?.id, name: hostile, display_name: quoted }];
    expect(await staffByName(db, { name: hostile })).toEqual(found);
    expect(await staffByName(db, { name: quoted })).toEqual(found);

    // The tables are still there, and so are their rows.
    expect(await staffRowById(db, stored?.id ?? '')).toMatchObject({ name: hostile, display_name: quoted });
    expect(await db.selectFrom('libraries').select('id').where('id', '=', library.id).execute()).toEqual([
      { id: library.id },
    ]);
  });

  it('answers the same values inside a transaction as outside (SQLite runs them directly there)', async () => {
    const { db } = database;
    const library = await buildLibrary(db);
    const values = newStaffRow(library.id, { is_active: false, languages_json: ['es', 'en'] });

    const inside = await db.transaction().execute(async (trx) => {
      const [inserted] = await insertStaff(trx, values);
      return {
        inserted,
        active: await staffByActivity(trx, { libraryId: library.id, isActive: false }),
        all: await staffOfLibrary(trx, { libraryId: library.id }),
      };
    });
    expect(inside.inserted).toEqual(values);
    expect(inside.inserted?.is_active).toBe(false);
    expect(inside.inserted?.languages_json).toEqual(['es', 'en']);
    expect(inside.active).toEqual([{ email: values.email, is_active: false }]);
    expect(inside.all).toEqual(await staffOfLibrary(db, { libraryId: library.id }));
  });

  it('runs inside a transaction, on its connection', async () => {
    const { db } = database;
    const library = await buildLibrary(db);
    const kept = newStaffRow(library.id);
    const discarded = newStaffRow(library.id);

    await db.transaction().execute(async (trx) => {
      await insertStaff(trx, kept);
      // The transaction's own uncommitted row is visible to a prepared select through `trx`.
      expect((await staffOfLibrary(trx, { libraryId: library.id })).map((r) => r.id)).toEqual([kept.id]);
    });
    await expect(
      db.transaction().execute(async (trx) => {
        await insertStaff(trx, discarded);
        await renameStaff(trx, { id: kept.id, name: 'Renamed', isActive: true, now: '2026-04-01T08:00:00.000Z' });
        expect((await staffOfLibrary(trx, { libraryId: library.id })).map((r) => r.name).sort()).toEqual([
          'Ana Reyes',
          'Renamed',
        ]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');

    expect(await staffOfLibrary(db, { libraryId: library.id })).toEqual([kept]);
  });
});
