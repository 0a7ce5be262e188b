import type { Db } from '../../platform/db/database.ts';

export async function insertResetToken(
  db: Db,
  row: { token_hash: string; staff_id: string; created_at: string; expires_at: string },
): Promise<void> {
  await db
    .insertInto('password_reset_tokens')
    .values({ ...row, used_at: null })
    .execute();
}

/** Marks the token used if it is unused and unexpired; answers its staff id, or undefined. */
export async function consumeResetToken(db: Db, tokenHash: string, now: string): Promise<string | undefined> {
  const row = await db
    .updateTable('password_reset_tokens')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('staff_id')
    .executeTakeFirst();
  return row?.staff_id;
}

export async function deleteResetTokensOfStaff(db: Db, staffId: string): Promise<void> {
  await db.deleteFrom('password_reset_tokens').where('staff_id', '=', staffId).execute();
}
