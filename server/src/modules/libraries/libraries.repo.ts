import type { Insertable, Updateable } from 'kysely';
import type { Db } from '../../platform/db/database.ts';
import { isUniqueViolation } from '../../platform/db/db-errors.ts';
import type { BranchesTable, DesksTable, LibrariesTable } from '../../platform/db/schema.ts';
import { errors } from '../../platform/errors.ts';

const slugTaken = (what: string) =>
  errors.conflict(`Another ${what} already uses that slug.`, [{ path: 'slug', message: 'Already in use' }]);

async function withUniqueSlug<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isUniqueViolation(error)) throw slugTaken(what);
    throw error;
  }
}

export function findLibraryById(db: Db, id: string) {
  return db.selectFrom('libraries').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findFirstLibrary(db: Db) {
  return db.selectFrom('libraries').selectAll().orderBy('created_at').limit(1).executeTakeFirst();
}

/** Every library, the first created first (the deployment's default library leads). */
export function listLibrariesInOrder(db: Db) {
  return db.selectFrom('libraries').selectAll().orderBy('created_at').orderBy('id').execute();
}

export function listLibraries(db: Db, onlyId?: string) {
  let q = db.selectFrom('libraries').selectAll().orderBy('name');
  if (onlyId !== undefined) q = q.where('id', '=', onlyId);
  return q.execute();
}

export function insertLibrary(db: Db, row: Insertable<LibrariesTable>) {
  return withUniqueSlug('library', () =>
    db.insertInto('libraries').values(row).returningAll().executeTakeFirstOrThrow(),
  );
}

export function updateLibraryRow(db: Db, id: string, changes: Updateable<LibrariesTable>) {
  return withUniqueSlug('library', () =>
    db.updateTable('libraries').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow(),
  );
}

export function findBranchById(db: Db, id: string) {
  return db.selectFrom('branches').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listBranches(db: Db, libraryId: string) {
  return db.selectFrom('branches').selectAll().where('library_id', '=', libraryId).orderBy('name').execute();
}

export function insertBranch(db: Db, row: Insertable<BranchesTable>) {
  return db.insertInto('branches').values(row).returningAll().executeTakeFirstOrThrow();
}

export function updateBranchRow(db: Db, id: string, changes: Updateable<BranchesTable>) {
  return db.updateTable('branches').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export function findDeskById(db: Db, id: string) {
  return db.selectFrom('desks').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listDesks(db: Db, libraryId: string) {
  return db.selectFrom('desks').selectAll().where('library_id', '=', libraryId).orderBy('name').execute();
}

export function insertDesk(db: Db, row: Insertable<DesksTable>) {
  return withUniqueSlug('desk', () => db.insertInto('desks').values(row).returningAll().executeTakeFirstOrThrow());
}

export function updateDeskRow(db: Db, id: string, changes: Updateable<DesksTable>) {
  return withUniqueSlug('desk', () =>
    db.updateTable('desks').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow(),
  );
}
