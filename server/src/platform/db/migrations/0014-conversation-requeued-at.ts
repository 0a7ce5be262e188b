import type { Kysely } from 'kysely';
import { columnTypes } from './column-types.ts';

/**
 * When a chat was last handed back to a desk's queue by staff (a transfer to a desk). Such a
 * chat goes to the front of that queue, and its wait there (for the desk's threshold and the
 * console's "waiting for") counts from then; `queued_at` keeps the patron's first wait, for the
 * numbers.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);
  await db.schema.alterTable('conversations').addColumn('requeued_at', t.timestamp).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('conversations').dropColumn('requeued_at').execute();
}
