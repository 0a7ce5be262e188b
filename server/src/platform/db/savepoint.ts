import { sql } from 'kysely';
import type { Db } from './database.ts';

/**
 * Runs `work` inside a transaction behind a savepoint. If it throws, only its own changes are
 * undone and the transaction stays usable: on PostgreSQL a failed statement otherwise aborts the
 * whole transaction, so not even a read could follow it.
 */
export async function behindSavepoint<T>(trx: Db, name: string, work: () => Promise<T>): Promise<T> {
  const point = sql.id(name);
  await sql`savepoint ${point}`.execute(trx);
  try {
    const result = await work();
    await sql`release savepoint ${point}`.execute(trx);
    return result;
  } catch (error) {
    await sql`rollback to savepoint ${point}`.execute(trx);
    await sql`release savepoint ${point}`.execute(trx);
    throw error;
  }
}
