import type { Db } from '../../platform/db/database.ts';
import { isUniqueViolation } from '../../platform/db/db-errors.ts';
import type { NewStaffRow, StaffRow, StaffUpdate } from '../../platform/db/schema.ts';
import { errors } from '../../platform/errors.ts';

const duplicateEmail = () =>
  errors.conflict('A staff member with that email already exists.', [
    { path: 'email', message: 'Already in use by another staff member' },
  ]);

export async function findStaffById(db: Db, id: string): Promise<StaffRow | undefined> {
  return db.selectFrom('staff').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findStaffByEmail(db: Db, email: string): Promise<StaffRow | undefined> {
  return db.selectFrom('staff').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
}

export async function listStaffOfLibrary(db: Db, libraryId: string): Promise<StaffRow[]> {
  return db.selectFrom('staff').selectAll().where('library_id', '=', libraryId).orderBy('name').execute();
}

export async function countStaff(db: Db): Promise<number> {
  const row = await db
    .selectFrom('staff')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function countActiveAdmins(db: Db, libraryId: string): Promise<number> {
  const row = await db
    .selectFrom('staff')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('library_id', '=', libraryId)
    .where('role', '=', 'admin')
    .where('is_active', '=', true)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertStaff(db: Db, row: NewStaffRow): Promise<StaffRow> {
  try {
    return await db.insertInto('staff').values(row).returningAll().executeTakeFirstOrThrow();
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateEmail();
    throw error;
  }
}

export async function updateStaffRow(db: Db, id: string, changes: StaffUpdate): Promise<StaffRow> {
  try {
    return await db.updateTable('staff').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateEmail();
    throw error;
  }
}
