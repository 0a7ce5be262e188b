import { sql, type Kysely } from 'kysely';
import { columnTypes } from './column-types.ts';

/**
 * Each library says how long the transcripts of ended conversations are kept (90 days unless it
 * chooses otherwise). After that the messages and what identifies the patron are deleted; the
 * numbers a supervisor reports (desk, times, outcome, tags, READ scale, rating) stay.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);
  await db.schema
    .alterTable('libraries')
    .addColumn('transcript_retention_days', 'integer', (c) => c.notNull().defaultTo(sql.lit(90)))
    .execute();
  await db.schema.alterTable('conversations').addColumn('purged_at', t.timestamp).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('conversations').dropColumn('purged_at').execute();
  await db.schema.alterTable('libraries').dropColumn('transcript_retention_days').execute();
}
