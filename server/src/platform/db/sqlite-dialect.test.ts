import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type ControlledTransaction } from 'kysely';
import { openTestDatabase, type TestDatabase } from '../../test/databases.ts';
import { newId } from '../tokens.ts';
import type { Db } from './database.ts';
import { migrateToLatest } from './migrate.ts';
import type { Database } from './schema.ts';
import { FifoLock } from './sqlite-dialect.ts';

const stamp = '2026-03-01T12:00:00.000Z';

async function addLibrary(db: Db, slug: string): Promise<void> {
  await db
    .insertInto('libraries')
    .values({
      id: newId(),
      name: slug,
      slug,
      time_zone: 'UTC',
      contact_email: '',
      contact_phone: '',
      website_url: '',
      created_at: stamp,
      updated_at: stamp,
    })
    .execute();
}

async function slugsLike(db: Db, prefix: string): Promise<string[]> {
  const rows = await db
    .selectFrom('libraries')
    .select('slug')
    .where('slug', 'like', `${prefix}%`)
    .orderBy('slug')
    .execute();
  return rows.map((r) => r.slug);
}

/** A controlled transaction that is rolled back if the test fails before ending it, freeing the connection. */
async function inControlledTransaction(db: Db, body: (trx: ControlledTransaction<Database>) => Promise<void>) {
  const trx = await db.startTransaction().execute();
  try {
    await body(trx);
  } finally {
    if (!trx.isCommitted && !trx.isRolledBack) await trx.rollback().execute();
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('FifoLock', () => {
  it('admits one holder at a time, in the order they asked', async () => {
    const lock = new FifoLock();
    const admitted: number[] = [];
    let holders = 0;
    let mostHolders = 0;

    await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        await lock.acquire();
        holders += 1;
        mostHolders = Math.max(mostHolders, holders);
        admitted.push(i);
        // Hold across a mix of microtask and timer turns so the holders overlap if the lock leaks.
        if (i % 3 === 0) await pause(1);
        else await Promise.resolve();
        holders -= 1;
        lock.release();
      }),
    );

    expect(mostHolders).toBe(1);
    expect(admitted).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('does not let a newcomer overtake the waiters when the lock is released', async () => {
    const lock = new FifoLock();
    const admitted: string[] = [];
    await lock.acquire();
    const waiters = ['first', 'second'].map((name) => lock.acquire().then(() => admitted.push(name)));

    lock.release();
    const newcomer = lock.acquire().then(() => admitted.push('newcomer'));
    await waiters[0];
    expect(admitted).toEqual(['first']);
    lock.release();
    await waiters[1];
    lock.release();
    await newcomer;
    lock.release();

    expect(admitted).toEqual(['first', 'second', 'newcomer']);
    // Free again: the next acquirer is admitted at once.
    await lock.acquire();
  });
});

describe('CachingSqliteDialect', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await openTestDatabase('sqlite');
    await migrateToLatest(database);
  });
  afterAll(async () => database?.destroy());

  it('keeps statements from outside a transaction out of it until it ends', async () => {
    const { db } = database;
    const events: string[] = [];
    let outsideWrite: Promise<void> | undefined;
    let outsideRead: Promise<string[]> | undefined;

    const transaction = db.transaction().execute(async (trx) => {
      await addLibrary(trx, 'interleave-inside');
      // Other callers, on the same single connection, while the transaction is open.
      outsideWrite = addLibrary(db, 'interleave-outside').then(() => {
        events.push('outside write done');
      });
      outsideRead = slugsLike(db, 'interleave-').then((slugs) => {
        events.push('outside read done');
        return slugs;
      });
      await pause(30);
      events.push('transaction ending');
      throw new Error('roll back');
    });

    await expect(transaction).rejects.toThrow('roll back');
    await outsideWrite;
    // Had the outside statements run inside the transaction, the rollback would have taken the
    // outside row with it and the read would have seen the inside row.
    expect(await outsideRead).toEqual(['interleave-outside']);
    expect(events).toEqual(['transaction ending', 'outside write done', 'outside read done']);
    expect(await slugsLike(db, 'interleave-')).toEqual(['interleave-outside']);
  });

  it('runs statements from many callers in the order they were issued', async () => {
    const { db } = database;
    const names = Array.from({ length: 50 }, (_, i) => `order-${String(i).padStart(2, '0')}`);
    await Promise.all(names.map((slug) => addLibrary(db, slug)));
    const rows = await db
      .selectFrom('libraries')
      .select(['slug', sql<number>`rowid`.as('position')])
      .where('slug', 'like', 'order-%')
      .orderBy('position')
      .execute();
    expect(rows.map((r) => r.slug)).toEqual(names);
  });

  it('rolls back to and releases savepoints', async () => {
    const { db } = database;
    await inControlledTransaction(db, async (trx) => {
      await addLibrary(trx, 'savepoint-a');
      const afterA = await trx.savepoint('after_a').execute();
      await addLibrary(afterA, 'savepoint-b');
      // A name that needs quoting.
      const afterB = await afterA.savepoint('after "b"').execute();
      await addLibrary(afterB, 'savepoint-c');
      expect(await slugsLike(afterB, 'savepoint-')).toEqual(['savepoint-a', 'savepoint-b', 'savepoint-c']);

      const backToB = await afterB.rollbackToSavepoint('after "b"').execute();
      expect(await slugsLike(backToB, 'savepoint-')).toEqual(['savepoint-a', 'savepoint-b']);
      const backToA = await backToB.rollbackToSavepoint('after_a').execute();
      expect(await slugsLike(backToA, 'savepoint-')).toEqual(['savepoint-a']);

      await addLibrary(backToA, 'savepoint-d');
      const released = await backToA.releaseSavepoint('after_a').execute();
      // Released: it can no longer be rolled back to.
      await expect(sql`rollback to "after_a"`.execute(released)).rejects.toThrow(/no such savepoint/);

      await released.commit().execute();
    });
    expect(await slugsLike(db, 'savepoint-')).toEqual(['savepoint-a', 'savepoint-d']);
  });

  it('rolls back a released savepoint’s writes with the transaction that holds it', async () => {
    const { db } = database;
    await inControlledTransaction(db, async (trx) => {
      await addLibrary(trx, 'outer-a');
      const inner = await trx.savepoint('inner').execute();
      await addLibrary(inner, 'outer-b');
      const released = await inner.releaseSavepoint('inner').execute();
      expect(await slugsLike(released, 'outer-')).toEqual(['outer-a', 'outer-b']);
      await released.rollback().execute();
    });
    expect(await slugsLike(db, 'outer-')).toEqual([]);
  });

  it('reuses cached statements with new parameters and prepares evicted ones again', async () => {
    const { db } = database;
    // More distinct statements than the cache holds, then the first ones again.
    const run = (i: number) =>
      sql<{ n: number; label: string }>`select ${i} as n, ${'v' + i} as label, ${sql.raw(String(i))} as k`.execute(db);
    for (let i = 0; i < 600; i += 1) {
      const { rows } = await run(i);
      expect(rows).toEqual([{ n: i, label: `v${i}`, k: i }]);
    }
    for (let i = 0; i < 20; i += 1) {
      const { rows } = await run(i);
      expect(rows).toEqual([{ n: i, label: `v${i}`, k: i }]);
    }
  });

  it('sees a column added after a statement was cached', async () => {
    const { db } = database;
    await sql`create table scratch_widening (id integer primary key, label text)`.execute(db);
    await sql`insert into scratch_widening (id, label) values (1, 'one')`.execute(db);
    const selectAll = () => sql<Record<string, unknown>>`select * from scratch_widening`.execute(db);
    expect((await selectAll()).rows).toEqual([{ id: 1, label: 'one' }]);
    await sql`alter table scratch_widening add column note text not null default 'none'`.execute(db);
    expect((await selectAll()).rows).toEqual([{ id: 1, label: 'one', note: 'none' }]);
  });
});
