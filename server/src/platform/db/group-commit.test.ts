import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { dialectsUnderTest, openTestDatabase, type TestDatabase } from '../../test/databases.ts';
import { buildLibrary } from '../../test/factories.ts';
import { newId } from '../tokens.ts';
import { openDatabase, type DatabaseHandle, type Db } from './database.ts';
import { isUniqueViolation } from './db-errors.ts';
import { GroupCommit } from './group-commit.ts';
import { migrateToLatest } from './migrate.ts';

const stamp = '2026-03-01T12:00:00.000Z';

/** A canned response with the given shortcut: the smallest real write the schema offers. */
async function addCannedResponse(trx: Db, libraryId: string, shortcut: string): Promise<string> {
  const row = await trx
    .insertInto('canned_responses')
    .values({
      id: newId(),
      library_id: libraryId,
      shortcut,
      title: `Title ${shortcut}`,
      body: 'We open at nine.',
      language: 'en',
      created_at: stamp,
      updated_at: stamp,
    })
    .returning('shortcut')
    .executeTakeFirstOrThrow();
  return row.shortcut;
}

async function shortcutsOf(db: Db, libraryId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('canned_responses')
    .select('shortcut')
    .where('library_id', '=', libraryId)
    .orderBy('shortcut')
    .execute();
  return rows.map((r) => r.shortcut);
}

const shortcut = (i: number) => `s-${String(i).padStart(4, '0')}`;

/**
 * A second, independent connection to the same database: it sees only what has been committed
 * (SQLite in WAL mode lets it read while the group's transaction holds the write lock).
 */
async function openOutsideReader(database: TestDatabase): Promise<DatabaseHandle> {
  if (database.dialect === 'sqlite') {
    const { rows } = await sql<{ name: string; file: string }>`pragma database_list`.execute(database.db);
    const file = rows.find((r) => r.name === 'main')?.file;
    if (!file) throw new Error('the test database has no file');
    return openDatabase(`sqlite:${file}`);
  }
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set');
  return openDatabase(url, { schema: database.schema, poolSize: 2 });
}

describe.each(dialectsUnderTest())('group commit on %s', (dialect) => {
  let database: TestDatabase;
  let outside: DatabaseHandle;

  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    await migrateToLatest(database);
    outside = await openOutsideReader(database);
  });
  afterAll(async () => {
    await outside?.close();
    await database?.destroy();
  });

  it('runs work queued in one turn in one transaction, and answers only once it has committed', async () => {
    const library = await buildLibrary(database.db);
    const groupCommit = new GroupCommit(database.db);
    const transactions = new Set<Db>();
    const seenThroughTrx: string[][] = [];
    const seenOutside: string[][] = [];
    const seenOutsideWhenAnswered: string[][] = [];

    const pieces = [0, 1, 2, 3, 4].map((i) =>
      groupCommit
        .run(async (trx) => {
          transactions.add(trx);
          seenThroughTrx.push(await shortcutsOf(trx, library.id));
          seenOutside.push(await shortcutsOf(outside.db, library.id));
          return addCannedResponse(trx, library.id, shortcut(i));
        })
        .then(async (result) => {
          seenOutsideWhenAnswered.push(await shortcutsOf(outside.db, library.id));
          return result;
        }),
    );
    await Promise.all(pieces);

    const all = [0, 1, 2, 3, 4].map(shortcut);
    expect(transactions.size).toBe(1);
    // Each piece sees the rows of the pieces before it through `trx`...
    expect(seenThroughTrx).toEqual([[], all.slice(0, 1), all.slice(0, 2), all.slice(0, 3), all.slice(0, 4)]);
    // ...while nobody else does: they are not committed yet.
    expect(seenOutside).toEqual([[], [], [], [], []]);
    // By the time any caller hears back, all of them are.
    expect(seenOutsideWhenAnswered).toEqual([all, all, all, all, all]);
  });

  it('answers each caller with its own result, in the order the work was queued', async () => {
    const library = await buildLibrary(database.db);
    const groupCommit = new GroupCommit(database.db);
    const ran: number[] = [];
    const answered: number[] = [];

    const pieces = Array.from({ length: 20 }, (_, i) =>
      groupCommit
        .run(async (trx) => {
          ran.push(i);
          // Pieces that take different times must still not swap answers.
          await new Promise((resolve) => setTimeout(resolve, (i * 7) % 5));
          return { index: i, shortcut: await addCannedResponse(trx, library.id, shortcut(i)) };
        })
        .then((result) => {
          answered.push(i);
          return result;
        }),
    );

    const results = await Promise.all(pieces);
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => ({ index: i, shortcut: shortcut(i) })));
    expect(ran).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(answered).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('reports a constraint violation to its own caller and commits every other piece exactly once', async () => {
    const library = await buildLibrary(database.db);
    await addCannedResponse(database.db, library.id, 'taken');
    const groupCommit = new GroupCommit(database.db);

    const pieces = Array.from({ length: 6 }, (_, i) =>
      groupCommit.run((trx) => addCannedResponse(trx, library.id, i === 2 ? 'taken' : shortcut(i))),
    );
    const settled = await Promise.allSettled(pieces);

    expect(settled.map((s) => s.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : undefined))).toEqual([
      shortcut(0),
      shortcut(1),
      undefined,
      shortcut(3),
      shortcut(4),
      shortcut(5),
    ]);
    const failure = settled[2];
    expect(failure?.status === 'rejected' && isUniqueViolation(failure.reason)).toBe(true);
    expect(await shortcutsOf(outside.db, library.id)).toEqual([
      shortcut(0),
      shortcut(1),
      shortcut(3),
      shortcut(4),
      shortcut(5),
      'taken',
    ]);
  });

  it('reports thrown errors to their own callers and keeps none of the failed pieces’ writes', async () => {
    const library = await buildLibrary(database.db);
    const groupCommit = new GroupCommit(database.db);

    const pieces = Array.from({ length: 5 }, (_, i) =>
      groupCommit.run(async (trx) => {
        const written = await addCannedResponse(trx, library.id, shortcut(i));
        if (i === 1 || i === 3) throw new Error(`refused ${i}`);
        return written;
      }),
    );

    await expect(pieces[0]).resolves.toBe(shortcut(0));
    await expect(pieces[1]).rejects.toThrow('refused 1');
    await expect(pieces[2]).resolves.toBe(shortcut(2));
    await expect(pieces[3]).rejects.toThrow('refused 3');
    await expect(pieces[4]).resolves.toBe(shortcut(4));
    expect(await shortcutsOf(outside.db, library.id)).toEqual([shortcut(0), shortcut(2), shortcut(4)]);
  });

  it('runs work queued while a group is committing in a later group, and answers it', async () => {
    const library = await buildLibrary(database.db);
    const groupCommit = new GroupCommit(database.db);
    const events: string[] = [];
    const transactions: Db[] = [];
    let markStarted = () => {};
    const started = new Promise<void>((resolve) => (markStarted = resolve));
    let openGate = () => {};
    const gate = new Promise<void>((resolve) => (openGate = resolve));

    const first = groupCommit
      .run(async (trx) => {
        transactions.push(trx);
        await addCannedResponse(trx, library.id, 'first');
        markStarted();
        await gate;
        events.push('first ran');
        return 'first';
      })
      .then((result) => {
        events.push('first answered');
        return result;
      });
    await started;

    const second = groupCommit
      .run(async (trx) => {
        transactions.push(trx);
        events.push('second ran');
        const committedBefore = await shortcutsOf(outside.db, library.id);
        await addCannedResponse(trx, library.id, 'second');
        return committedBefore;
      })
      .then((result) => {
        events.push('second answered');
        return result;
      });
    // Leave a wrong implementation time to start the second piece before the first commits.
    await new Promise((resolve) => setTimeout(resolve, 30));
    openGate();

    expect(await first).toBe('first');
    expect(await second).toEqual(['first']);
    expect(events).toEqual(['first ran', 'first answered', 'second ran', 'second answered']);
    expect(transactions).toHaveLength(2);
    expect(transactions[0]).not.toBe(transactions[1]);
    expect(await shortcutsOf(outside.db, library.id)).toEqual(['first', 'second']);
  });

  it('drain waits until everything queued has been committed', async () => {
    const library = await buildLibrary(database.db);
    const groupCommit = new GroupCommit(database.db);
    await groupCommit.drain();

    const pieces = Array.from({ length: 10 }, (_, i) =>
      groupCommit.run(async (trx) => {
        const written = await addCannedResponse(trx, library.id, shortcut(i));
        // Work queued from inside a group lands in a later one; drain waits for that too.
        if (i === 0) pieces.push(groupCommit.run((later) => addCannedResponse(later, library.id, 'later')));
        return written;
      }),
    );
    await groupCommit.drain();

    const expected = ['later', ...Array.from({ length: 10 }, (_, i) => shortcut(i))];
    expect(await shortcutsOf(outside.db, library.id)).toEqual(expected);
    expect(pieces).toHaveLength(11);
    expect((await Promise.all(pieces)).sort()).toEqual(expected);
  });

  it('commits more pieces than one group takes, in groups of at most its size', async () => {
    const library = await buildLibrary(database.db);
    const groupCommit = new GroupCommit(database.db, { maxGroup: 256 });
    const groupSizes = new Map<Db, number>();

    const pieces = Array.from({ length: 600 }, (_, i) =>
      groupCommit.run(async (trx) => {
        groupSizes.set(trx, (groupSizes.get(trx) ?? 0) + 1);
        return addCannedResponse(trx, library.id, shortcut(i));
      }),
    );
    const drained = groupCommit.drain();

    const expected = Array.from({ length: 600 }, (_, i) => shortcut(i));
    expect(await Promise.all(pieces)).toEqual(expected);
    await drained;
    expect([...groupSizes.values()]).toEqual([256, 256, 88]);
    expect(await shortcutsOf(outside.db, library.id)).toEqual(expected);
  });

  it('with groups side by side, runs keyed pieces of a group in key order, arrival order among equal keys', async () => {
    const library = await buildLibrary(database.db);
    const groupCommit = new GroupCommit(database.db, { concurrency: 2 });
    const order: string[] = [];
    const piece = (name: string, key?: string) =>
      groupCommit.run(async (trx) => {
        order.push(name);
        return addCannedResponse(trx, library.id, `k-${name}`);
      }, key);

    await Promise.all([piece('c1', 'c'), piece('a1', 'a'), piece('c2', 'c'), piece('b1', 'b'), piece('a2', 'a')]);
    expect(order).toEqual(['a1', 'a2', 'b1', 'c1', 'c2']);
    expect(await shortcutsOf(outside.db, library.id)).toEqual(['k-a1', 'k-a2', 'k-b1', 'k-c1', 'k-c2']);
  });

  it('with room for two groups at once, starts the next group while the first is still committing', async () => {
    const library = await buildLibrary(database.db);
    const groupCommit = new GroupCommit(database.db, { concurrency: 2 });
    let releaseFirst: () => void = () => undefined;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    const events: string[] = [];

    const first = groupCommit.run(async (trx) => {
      events.push('first started');
      await firstHeld;
      return addCannedResponse(trx, library.id, 'first');
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = groupCommit.run(async (trx) => {
      events.push('second started');
      return addCannedResponse(trx, library.id, 'second');
    });
    // SQLite has one connection, so there the second group waits for it; PostgreSQL runs both.
    const raced = await Promise.race([
      second.then(() => 'second done'),
      new Promise((r) => setTimeout(r, 200, 'waited')),
    ]);
    expect(raced).toBe(dialect === 'postgres' ? 'second done' : 'waited');
    releaseFirst();
    expect(await Promise.all([first, second])).toEqual(['first', 'second']);
    await groupCommit.drain();
    expect(events).toEqual(['first started', 'second started']);
    expect(await shortcutsOf(outside.db, library.id)).toEqual(['first', 'second']);
  });
});
